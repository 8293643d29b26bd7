/**
 * Checking a data node's files without training: the app's `data.probe` (as the document is edited) and
 * `hnet validate` read them with the loaders' own functions (readCsvRecords and csvTable, readIdx and
 * checkIdxPair), so the problems found here are exactly those a run would fail on, each naming the node and the
 * param concerned. Parsed files are kept per real path, modification time and size, so re-checking after an edit
 * of a param (the label column, the feature count) does not read the file again.
 *
 * The preview (header, first rows) shows the file's contents to the editor: only files a run may read are read
 * (engine/data/files.ts), and problem messages still never quote them.
 *
 * @example
 * probeDataNode('data.csv', 'csv_1', { path: 'rows.csv', features: 2 }, { baseDir: '/home/me/project' });
 * // { problems: [], files: [{ field: 'path', path: 'rows.csv', size: 120 }], csv: { header: ['a', 'b', 'label'], ... } }
 */
import { statSync } from 'node:fs';
import { PREVIEW_CELL_CHARS, PREVIEW_COLUMNS, PREVIEW_ROWS, type CsvPreview, type DataProbeResult, type DataProblem, type ProbedFile } from '../../../shared/api/data';
import { HnetError, type HnetProblem } from '../../../shared/compiler/errors';
import type { HnetDocument } from '../../../shared/document/schema';
import { CsvData } from '../../../shared/nodes/data/csv';
import { IdxData } from '../../../shared/nodes/data/idx';
import { getNodeType } from '../../../shared/nodes';
import { csvColumns, csvTable, readCsvRecords, type CsvRecord } from './csv';
import { resolveDataPath, type DataAccess } from './files';
import { checkIdxPair, readIdx, type IdxArray } from './idx';

/** Parsed files kept (the most recently used); a large file's records are large, so only a few. */
const CACHE_SIZE = 4;
const cache = new Map<string, CsvRecord[] | IdxArray>();

/** The parsed file behind `path`, from the cache when the file on disk has not changed since it was read. */
function cached<T extends CsvRecord[] | IdxArray>(node: string, field: string, path: string, access: DataAccess, read: () => T): { value: T; size: number } {
  const real = resolveDataPath(path, access, { node, field });
  let key: string | undefined;
  let size = 0;
  try {
    const st = statSync(real);
    size = st.size;
    key = `${real}\0${st.mtimeMs}\0${st.size}\0${access.maxDataBytes ?? ''}`;
  } catch {
    key = undefined; // read() reports why
  }
  const hit = key !== undefined ? cache.get(key) : undefined;
  if (hit !== undefined) {
    cache.delete(key!);
    cache.set(key!, hit);
    return { value: hit as T, size };
  }
  const value = read();
  if (key !== undefined) {
    cache.set(key, value);
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return { value, size };
}

/** An engine error as a problem of the node's param `field` (the message loses a leading "field: ", the row shows it). */
function toProblem(e: unknown, node: string, field: string): DataProblem {
  if (!(e instanceof HnetError)) throw e;
  // The loaders name the param in the problem's `path` (params.labelColumn); file errors concern the file's param.
  const port = /^params\.(\w+)$/.exec(e.problem.path ?? '')?.[1] ?? field;
  const prefix = `${port}: `;
  const message = e.problem.message.startsWith(prefix) ? e.problem.message.slice(prefix.length) : e.problem.message;
  return { code: e.problem.code, message, node, port, path: `params.${port}` };
}

const cut = (s: string) => (s.length > PREVIEW_CELL_CHARS ? `${s.slice(0, PREVIEW_CELL_CHARS - 1)}…` : s);

function csvPreview(records: CsvRecord[], p: ReturnType<typeof CsvData.params.parse>): CsvPreview | undefined {
  if (records.length === 0) return undefined;
  const header = records[0].fields.map((h) => h.trim());
  const { labelCol, taskCol, featureCols } = csvColumns(header, p);
  const features = new Set(featureCols);
  return {
    header: header.slice(0, PREVIEW_COLUMNS).map(cut),
    rows: records.slice(1, 1 + PREVIEW_ROWS).map((r) => r.fields.slice(0, PREVIEW_COLUMNS).map((f) => cut(f.trim()))),
    rowCount: records.length - 1,
    columnCount: header.length,
    roles: header.slice(0, PREVIEW_COLUMNS).map((_, c) => (c === labelCol ? 'target' : c === taskCol ? 'task' : features.has(c) && labelCol >= 0 ? 'input' : 'unused')),
  };
}

function probeCsv(node: string, raw: Record<string, unknown>, access: DataAccess): DataProbeResult {
  const parsed = CsvData.params.safeParse(raw);
  if (!parsed.success) return { problems: [], files: [] }; // the compiler reports invalid params
  const p = parsed.data;
  const file: ProbedFile = { field: 'path', path: p.path };
  if (p.path.trim() === '') return { problems: [{ code: 'HN051', message: 'no file set: choose a CSV file', node, port: 'path', path: 'params.path' }], files: [file] };
  let records: CsvRecord[];
  try {
    const read = cached(node, 'path', p.path, access, () => readCsvRecords(node, p.path, access));
    records = read.value;
    file.size = read.size;
  } catch (e) {
    return { problems: [toProblem(e, node, 'path')], files: [file] };
  }
  const csv = csvPreview(records, p);
  const problems: DataProblem[] = [];
  try {
    csvTable(records, p, node, p.path);
  } catch (e) {
    problems.push(toProblem(e, node, 'path'));
  }
  return { problems, files: [file], ...(csv ? { csv } : {}) };
}

function probeIdx(node: string, raw: Record<string, unknown>, access: DataAccess): DataProbeResult {
  const parsed = IdxData.params.safeParse(raw);
  if (!parsed.success) return { problems: [], files: [] };
  const p = parsed.data;
  const problems: DataProblem[] = [];
  const files: ProbedFile[] = [];
  type Field = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
  const read = (field: Field, path: string) => {
    const file: ProbedFile = { field, path };
    files.push(file);
    if (path.trim() === '') {
      problems.push({ code: 'HN051', message: 'no file set: choose an IDX file', node, port: field, path: `params.${field}` });
      return undefined;
    }
    try {
      const r = cached(node, field, path, access, () => readIdx(node, field, path, access));
      file.size = r.size;
      file.dims = r.value.dims;
      return { field, path, ...r.value };
    } catch (e) {
      problems.push(toProblem(e, node, field));
      return undefined;
    }
  };
  const pair = (imagesField: Field, imagesPath: string, labelsField: Field, labelsPath: string) => {
    const images = read(imagesField, imagesPath);
    const labels = read(labelsField, labelsPath);
    if (!images || !labels) return undefined;
    try {
      return checkIdxPair(p, node, images, labels);
    } catch (e) {
      problems.push(toProblem(e, node, imagesField));
      return undefined;
    }
  };
  const testImages = p.testImages?.trim() || undefined;
  const testLabels = p.testLabels?.trim() || undefined;
  const train = pair('trainImages', p.trainImages, 'trainLabels', p.trainLabels);
  // One test file without the other is the compiler's problem (HN012): nothing to read until both are set.
  if (testImages && testLabels) pair('testImages', testImages, 'testLabels', testLabels);
  else if (train && train.n < 2)
    problems.push({ code: 'HN051', message: 'a single image cannot be split into train and test', node, port: 'trainImages', path: 'params.trainImages' });
  return { problems, files };
}

const probes = { csv: probeCsv, idx: probeIdx } satisfies Record<'csv' | 'idx', unknown>;

/**
 * The problems of one data node's files, and what they hold. A node type that reads no files (its declaration
 * has no `dataset.files`) has nothing to probe; invalid params are left to the compiler.
 */
export function probeDataNode(type: string, node: string, params: Record<string, unknown>, access: DataAccess): DataProbeResult {
  const files = getNodeType(type)?.dataset?.files;
  if (!files) return { problems: [], files: [] };
  return probes[files.format](node, params, access);
}

/** The problems of every file-reading data node of a document (`hnet validate`). */
export function probeDocument(doc: HnetDocument, access: DataAccess): HnetProblem[] {
  return doc.nodes.flatMap((n) => probeDataNode(n.type, n.id, n.params, access).problems);
}
