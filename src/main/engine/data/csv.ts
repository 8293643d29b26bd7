/**
 * The CSV dataset: a header line naming the columns, one sample per line after it. The file is checked
 * against the node's parameters (which fixed the shapes at compile time) and every problem names the node,
 * the file, the line and the column, and says what was expected. No message quotes the file's contents (a cell,
 * a header name): a document could point at a file it has no business reading, and the message reaches the
 * editor and the run's record. Columns are named by number, or by the name the document itself gives them.
 */
import { constants } from 'node:buffer';
import { fail } from '../../../shared/compiler/errors';
import { CsvData, csvShapes, optionalColumn } from '../../../shared/nodes/data/csv';
import { Rng } from '../../../shared/util/rng';
import { dataAccessOf, readDataFile, type DataAccess } from './files';
import { poolDataset, randomSplit } from './pool';
import type { Dataset } from './types';

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts (a quoted field may span lines). */
  line: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * A small RFC 4180 parser: comma separated; fields may be quoted with ", a quote inside doubled ("");
 * quoted fields may hold commas and line breaks; LF, CRLF or CR line ends; a leading byte-order mark and
 * blank lines (anywhere, trailing ones included) are ignored. Fields are returned untrimmed.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was quoted
  let inQuotes = false;
  let quoteLine = 0;

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    const blank = fields.length === 0 && !quoted && field.trim() === '';
    endField();
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
    quoted = false;
  };

  while (i < text.length) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else {
          inQuotes = false;
          i++;
        }
        continue;
      }
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
      field += c;
      i++;
      continue;
    }
    if (c === ',') {
      endField();
      quoted = false;
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else if (c === '"') {
      if (quoted || field.trim() !== '')
        throw new CsvSyntaxError(line, 'a quote (") inside an unquoted field: quote the whole field and double the quotes inside it');
      inQuotes = true;
      quoted = true;
      quoteLine = line;
      field = '';
      i++;
    } else {
      if (quoted && c.trim() !== '') throw new CsvSyntaxError(line, 'text after a closing quote: expected a comma or the end of the line');
      if (!quoted) field += c;
      i++;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(quoteLine, 'a quoted field is never closed');
  if (fields.length > 0 || quoted || field.trim() !== '') endRecord();
  return records;
}

/** Plain decimal numbers only: Number() alone would accept '', ' ', '0x1f' and 'Infinity'. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/** What a node makes of a header's columns: -1 for a column the header lacks (or no task column). */
export interface CsvColumns {
  labelCol: number;
  taskCol: number;
  /** Every column except the label and task columns, in header order. */
  featureCols: number[];
}

type CsvParams = ReturnType<typeof CsvData.params.parse>;

/** The columns a node's params pick out of a header (trimmed names); the one rule both a run and the probe use. */
export function csvColumns(header: string[], p: CsvParams): CsvColumns {
  const labelCol = header.indexOf(p.labelColumn.trim());
  const taskName = optionalColumn(p.taskColumn);
  const taskCol = taskName === undefined ? -1 : header.indexOf(taskName);
  return { labelCol, taskCol, featureCols: header.map((_, c) => c).filter((c) => c !== labelCol && c !== taskCol) };
}

/** The text of the CSV file the node names, parsed (read as a run reads it: access and size checked). */
export function readCsvRecords(node: string, path: string, access: DataAccess): CsvRecord[] {
  const name = path.trim();
  // The text must fit in one JavaScript string (UTF-8 never decodes to more characters than bytes).
  const text = readDataFile(node, 'path', path, access, {
    bytes: constants.MAX_STRING_LENGTH,
    why: 'a CSV file can hold here (its text must fit in one string): split it, or convert the images to IDX files',
  }).toString('utf8');
  try {
    return parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) fail('HN051', `${name} line ${e.line}: ${e.message}`, { node, path: 'params.path' });
    throw e;
  }
}

export interface CsvTable extends CsvColumns {
  header: string[];
  x: Float32Array;
  y: Int32Array | Float32Array;
  /** Each row's task id. */
  taskOf: Int32Array;
  /** Row indices of each task. */
  byTask: number[][];
}

/**
 * A parsed file checked against the node's params, as numbers: the header names each column once and the columns
 * the params name, the feature count matches, every cell is a plain number (class and task ids in range), and
 * every task has at least two rows to split. Fails (HN051) on the first problem, naming the param concerned.
 */
export function csvTable(records: CsvRecord[], p: CsvParams, node: string, path: string): CsvTable {
  const name = path.trim();
  // `path` names the param concerned (the probe shows it); the message reads the same without it.
  const bad = (message: string, param = 'path'): never => fail('HN051', message, { node, path: `params.${param}` });
  if (records.length === 0) bad(`${name} is empty: expected a header line naming the columns`);

  const header = records[0].fields.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, c) => {
    if (seen.has(h)) bad(`${name}: columns ${header.indexOf(h) + 1} and ${c + 1} of the header have the same name: expected every column name once`);
    seen.add(h);
  });
  const { labelCol, taskCol, featureCols } = csvColumns(header, p);
  const missing = (wanted: string, field: string) =>
    bad(`${field}: no column named "${wanted}" in the header of ${name} (it names ${header.length} column${header.length === 1 ? '' : 's'}): set ${field} to one of them`, field);
  const taskName = optionalColumn(p.taskColumn);
  if (labelCol < 0) missing(p.labelColumn.trim(), 'labelColumn');
  if (taskName !== undefined && taskCol < 0) missing(taskName, 'taskColumn');
  if (taskName !== undefined && taskName === p.labelColumn.trim()) bad(`the label and task columns are both "${taskName}"`, 'taskColumn');
  if (taskCol < 0 && p.tasks > 1) bad(`tasks = ${p.tasks} needs a task column (set taskColumn, or tasks = 1)`, 'taskColumn');

  if (featureCols.length !== p.features)
    bad(
      `${name} has ${featureCols.length} feature column${featureCols.length === 1 ? '' : 's'} ` +
        `but features = ${p.features}; ` +
        `the features are every column except the label${taskCol >= 0 ? ' and task columns' : ' column'}`,
      'features',
    );

  // The label and task columns go by the names the document gives them; the others by number (1 = first).
  const columnName = (c: number) =>
    c === labelCol ? `column "${p.labelColumn.trim()}"` : c === taskCol ? `column "${taskName}"` : `column ${c + 1}`;

  const rows = records.slice(1);
  const n = rows.length;
  if (n === 0) bad(`${name} has a header but no data rows`);
  const x = new Float32Array(n * p.features);
  const y = p.classes > 0 ? new Int32Array(n) : new Float32Array(n);
  const taskOf = new Int32Array(n);

  rows.forEach((rec, r) => {
    if (rec.fields.length !== header.length)
      bad(`${name} line ${rec.line}: ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'}, but the header has ${header.length}`);
    const where = (c: number) => `${name} line ${rec.line}, ${columnName(c)}`;
    const cell = (c: number): number => {
      const text = rec.fields[c].trim();
      if (!NUMBER.test(text)) bad(text === '' ? `${where(c)}: empty cell: expected a number` : `${where(c)}: expected a plain decimal number (like 3, -0.5 or 1e-3)`);
      const v = Number(text);
      if (Math.abs(v) > FLOAT32_MAX) bad(`${where(c)}: the number is too large for float32 (expected at most ±3.4e38)`);
      return v;
    };
    const id = (c: number, count: number, what: string, param: string): number => {
      const v = cell(c);
      if (!Number.isInteger(v) || v < 0 || v >= count) bad(`${where(c)}: expected a ${what}, a whole number from 0 to ${count - 1} (${param} = ${count})`, param);
      return v;
    };
    featureCols.forEach((c, j) => (x[r * p.features + j] = cell(c)));
    y[r] = p.classes > 0 ? id(labelCol, p.classes, 'class id', 'classes') : cell(labelCol);
    taskOf[r] = taskCol >= 0 ? id(taskCol, p.tasks, 'task id', 'tasks') : 0;
  });

  const byTask: number[][] = Array.from({ length: p.tasks }, () => []);
  taskOf.forEach((t, r) => byTask[t].push(r));
  byTask.forEach((rowsOfTask, k) => {
    if (rowsOfTask.length === 0) bad(`task ${k} has no rows in ${name} (tasks = ${p.tasks}: every task id 0…${p.tasks - 1} needs rows)`, 'tasks');
    if (rowsOfTask.length === 1) bad(`task ${k} has a single row in ${name}: at least 2 are needed to split train and test`, 'tasks');
  });
  return { header, labelCol, taskCol, featureCols, x, y, taskOf, byTask };
}

export function openCsv(raw: Record<string, unknown>, opts: { seed: number; node: string } & DataAccess): Dataset {
  const p = CsvData.params.parse(raw);
  const { node } = opts;
  const s = csvShapes(p);
  const { x, y, byTask } = csvTable(readCsvRecords(node, p.path, dataAccessOf(opts)), p, node, p.path);
  const rng = new Rng(opts.seed).fork('csv.split');
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  for (const rowsOfTask of byTask) {
    const sp = randomSplit(rowsOfTask, p.testFraction, rng);
    train.push(sp.train);
    test.push(sp.test);
  }

  return poolDataset({
    node, tasks: p.tasks, xShape: s.x, yShape: s.y, yDtype: s.yDtype, classes: p.classes > 0 ? p.classes : undefined,
    x, y, train, test,
  });
}
