import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvData } from '../../../shared/nodes/data/csv';
import { Rng } from '../../../shared/util/rng';
import { parseCsv } from './csv';
import { openDataset } from './index';
import { checkBatch, datasetInfo, inferNode, plain } from './testUtil';

const dir = mkdtempSync(join(tmpdir(), 'hnet-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
/** Write a CSV into the temp folder; returns its name (relative to the folder). */
function csv(text: string): string {
  const name = `data${fileNo++}.csv`;
  writeFileSync(join(dir, name), text);
  return name;
}

const open = (params: Record<string, unknown>, seed = 1) =>
  openDataset('data.csv', CsvData.params.parse(params) as Record<string, unknown>, { seed, node: 'csv_1', baseDir: dir });

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF, a BOM and blank lines', () => {
    const text = '\ufeffa,"b, c",d\r\n1,"x ""q""",3\r\n\r\n"multi\nline",5 , 6\n\n  \n';
    expect(parseCsv(text)).toEqual([
      { fields: ['a', 'b, c', 'd'], line: 1 },
      { fields: ['1', 'x "q"', '3'], line: 2 },
      { fields: ['multi\nline', '5 ', ' 6'], line: 4 },
    ]);
    expect(parseCsv('a,b\r1,2\r')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', '2'], line: 2 },
    ]);
    expect(parseCsv('a,\n,')).toEqual([
      { fields: ['a', ''], line: 1 },
      { fields: ['', ''], line: 2 },
    ]);
  });

  it('reports unclosed quotes and stray quotes with their line', () => {
    expect(() => parseCsv('a\n"open\n')).toThrow(/never closed/);
    expect(() => parseCsv('a\nb"c\n')).toThrow(/quote/);
    expect(() => parseCsv('a\n"b"c\n')).toThrow(/after a closing quote/);
  });
});

describe('data.csv', () => {
  it('reads features, labels and tasks; shapes match the node', () => {
    const rows = ['f1,label,f2,task'];
    for (let i = 0; i < 40; i++) rows.push(`${i},${i % 3},${-i / 2},${i % 2}`);
    const params = { path: csv(rows.join('\n') + '\n'), labelColumn: 'label', taskColumn: 'task', features: 2, classes: 3, tasks: 2, testFraction: 0.25 };
    const d = open(params);
    expect(datasetInfo(d)).toEqual(inferNode(CsvData, params));
    expect(d.classes).toBe(3);
    expect(d.trainSize(0) + d.trainSize(1)).toBe(30);
    for (const t of [0, 1]) {
      const b = d.trainBatch(t, 20, new Rng(t));
      checkBatch(d, b, t);
      for (let i = 0; i < b.n; i++) {
        const f1 = b.x[2 * i];
        expect(f1 % 2).toBe(t); // rows of task t have f1 ≡ t (mod 2)
        expect(b.x[2 * i + 1]).toBe(-f1 / 2);
        expect(b.y[i]).toBe(f1 % 3);
      }
      const evals = d.evalBatches(t, 3, 100);
      expect(evals.reduce((s, e) => s + e.n, 0)).toBe(5);
      expect(evals.map((e) => e.n)).toEqual([3, 2]);
    }
    // Deterministic split.
    expect(open(params).evalBatches(0, 10, 10).map(plain)).toEqual(d.evalBatches(0, 10, 10).map(plain));
    expect(open(params, 2).evalBatches(0, 10, 10).map(plain)).not.toEqual(d.evalBatches(0, 10, 10).map(plain));
  });

  it('regression with classes = 0: float32 targets of shape [1]', () => {
    const params = { path: csv('x,y\n1,0.5\n2,1.5\n3,-2.25\n4,1e3\n'), labelColumn: 'y', features: 1, classes: 0 };
    const d = open(params);
    expect(d.yDtype).toBe('float32');
    expect(d.yShape).toEqual([1]);
    expect(datasetInfo(d)).toEqual(inferNode(CsvData, params));
    const b = d.trainBatch(0, 30, new Rng(0));
    for (let i = 0; i < b.n; i++) expect(b.y[i]).toBe({ 1: 0.5, 2: 1.5, 3: -2.25, 4: 1000 }[b.x[i]]);
  });

  it('resolves absolute paths too', () => {
    const d = open({ path: join(dir, csv('a,label\n1,0\n2,1\n')), features: 1 });
    expect(d.trainSize(0) + d.evalBatches(0, 10, 10)[0].n).toBe(2);
  });

  const errors: [string, Record<string, unknown>, RegExp][] = [
    ['no path', { path: '' }, /csv_1: path: no file set \(HN051\)/],
    ['missing file', { path: 'nope.csv' }, /csv_1: path: file not found: .*nope\.csv/],
    ['missing label column', { path: 'a,b,c\n1,2,3\n' }, /csv_1: labelColumn: no column named "label" in the header of data\d+\.csv \(it names 3 columns\): set labelColumn to one of them/],
    ['missing task column', { path: 'a,label\n1,0\n', taskColumn: 'task', features: 1 }, /taskColumn: no column named "task"/],
    ['tasks without a task column', { path: 'a,label\n1,0\n', tasks: 2, features: 1 }, /tasks = 2 needs a task column/],
    ['feature count', { path: 'a,b,c,label\n1,2,3,0\n', features: 2 }, /has 3 feature columns but features = 2/],
    ['non-numeric cell', { path: 'a,b,label\n1,2,0\n3,abc,1\n' }, /data\d+\.csv line 3, column 2: expected a plain decimal number/],
    ['empty cell', { path: 'a,b,label\n1,,0\n' }, /line 2, column 2: empty cell: expected a number/],
    ['hex is not a number', { path: 'a,b,label\n0x10,1,0\n' }, /line 2, column 1: expected a plain decimal number/],
    ['wrong field count', { path: 'a,b,label\n1,2,0\n1,2\n' }, /line 3: 2 fields, but the header has 3/],
    ['label out of range', { path: 'a,b,label\n1,2,0\n1,2,2\n' }, /line 3, column "label": expected a class id, a whole number from 0 to 1 \(classes = 2\)/],
    ['fractional label', { path: 'a,b,label\n1,2,0.5\n' }, /line 2, column "label": expected a class id/],
    ['task out of range', { path: 'a,label,t\n1,0,0\n1,1,3\n', taskColumn: 't', tasks: 2, features: 1 }, /line 3, column "t": expected a task id, a whole number from 0 to 1 \(tasks = 2\)/],
    ['task without rows', { path: 'a,label,t\n1,0,0\n1,1,0\n', taskColumn: 't', tasks: 2, features: 1 }, /task 1 has no rows/],
    ['no rows', { path: 'a,b,label\n\n' }, /has a header but no data rows/],
    ['empty file', { path: '' + '\n' }, /is empty/],
    ['duplicate header', { path: 'a,a,label\n1,2,0\n' }, /columns 1 and 2 of the header have the same name/],
    ['unclosed quote', { path: 'a,b,label\n1,"2,0\n' }, /line 2: a quoted field is never closed/],
  ];
  it.each(errors)('error: %s', (_, params, message) => {
    const p = { ...params };
    // Fixtures given as text are written to a file; the special cases name a path directly.
    if (typeof p.path === 'string' && p.path.includes('\n')) p.path = csv(p.path);
    expect(() => open(p)).toThrow(message);
  });
});

describe('data.csv errors never quote the file', () => {
  // Each file holds the secret where the check that fails would look; no message may carry it.
  const S = 'hunter2-SECRET-7f3a';
  const N = '73313379'; // a secret made of digits, in numeric cells
  const cases: [string, string, Record<string, unknown>][] = [
    ['a header line without the label column (a one-line secret file)', `${S}\n`, {}],
    ['a header with an unexpected feature column', `a,${S},label\n1,2,0\n`, { features: 1 }],
    ['a duplicate column name', `${S},${S},label\n1,2,0\n`, { features: 2 }],
    ['a cell that is not a number', `a,label\n1,0\n${S},1\n`, { features: 1 }],
    ['a number too large for float32', `a,label\n1,0\n${N}e99,1\n`, { features: 1 }],
    ['a label that is not a class id', `a,label\n1,0\n2,${N}\n`, { features: 1, classes: 2 }],
    ['a fractional label', `a,label\n1,0\n2,0.${N}\n`, { features: 1, classes: 2 }],
    ['a task id out of range', `a,label,t\n1,0,0\n2,1,${N}\n`, { features: 1, taskColumn: 't', tasks: 2 }],
    ['a quote after text', `a,label\n1,0\n"${S}"${S},1\n`, { features: 1 }],
    ['a stray quote', `a,label\n1,0\n${S}"x,1\n`, { features: 1 }],
  ];
  it.each(cases)('%s', (_, text, params) => {
    let message = '';
    try {
      open({ path: csv(text), ...params });
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toMatch(/csv_1: .*\(HN051\)/);
    expect(message).not.toContain(S);
    expect(message).not.toContain(N);
  });
});
