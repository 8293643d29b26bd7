/**
 * The probe reports what a run would fail on, naming the node and the param, and previews what the node reads.
 * Each problem case is checked against the loader itself: the run (openDataset) must fail on the same file, so
 * the probe and the training read cannot drift apart.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from './idx';
import { openDataset } from './index';
import { probeDataNode } from './probe';

const root = mkdtempSync(join(tmpdir(), 'hnet-probe-'));
const outside = mkdtempSync(join(tmpdir(), 'hnet-probe-outside-'));
mkdirSync(join(root, 'data'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
const access = { baseDir: root };

const good = ['a,b,label', ...Array.from({ length: 12 }, (_, i) => `${i},${i * 0.5},${i % 2}`)].join('\n') + '\n';
writeFileSync(join(root, 'data', 'good.csv'), good);
writeFileSync(join(root, 'bad-cell.csv'), good.replace('3,1.5,1', '3,oops,1'));
writeFileSync(join(outside, 'secret.csv'), good);
const csv = (params: Record<string, unknown>) => probeDataNode('data.csv', 'csv_1', { features: 2, classes: 2, ...params }, access);
/** The run's verdict on the same node: its error message, or null when it opens. */
const run = (type: string, params: Record<string, unknown>): string | null => {
  try {
    openDataset(type, params, { seed: 1, node: 'csv_1', ...access });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
};

describe('data.probe of a CSV node', () => {
  it('a good file: no problems, the header, the first rows and what each column is for', () => {
    const r = csv({ path: 'data/good.csv' });
    expect(r.problems).toEqual([]);
    expect(run('data.csv', { path: 'data/good.csv', features: 2 })).toBeNull();
    expect(r.files).toEqual([{ field: 'path', path: 'data/good.csv', size: good.length }]);
    expect(r.csv).toEqual({
      header: ['a', 'b', 'label'],
      rows: [['0', '0', '0'], ['1', '0.5', '1'], ['2', '1', '0'], ['3', '1.5', '1'], ['4', '2', '0']],
      rowCount: 12,
      columnCount: 3,
      roles: ['input', 'input', 'target'],
    });
  });

  it('a missing file is a problem of the node\'s path', () => {
    const r = csv({ path: 'data/nope.csv' });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'HN051', node: 'csv_1', port: 'path', path: 'params.path' });
    expect(r.problems[0].message).toMatch(/^file not found: .*nope\.csv$/);
    expect(run('data.csv', { path: 'data/nope.csv', features: 2 })).toMatch(/file not found/);
    expect(r.csv).toBeUndefined();
  });

  it('an empty path asks for a file', () => {
    expect(csv({ path: '' }).problems).toMatchObject([{ port: 'path', message: expect.stringMatching(/no file set/) }]);
  });

  it('a label column the header lacks is a problem of labelColumn, and the preview still shows the header', () => {
    const r = csv({ path: 'data/good.csv', labelColumn: 'target' });
    expect(r.problems).toMatchObject([{ code: 'HN051', node: 'csv_1', port: 'labelColumn', path: 'params.labelColumn' }]);
    expect(r.problems[0].message).toMatch(/^no column named "target" in the header of data\/good\.csv \(it names 3 columns\)/);
    expect(run('data.csv', { path: 'data/good.csv', labelColumn: 'target', features: 2 })).toMatch(/no column named "target"/);
    expect(r.csv?.header).toEqual(['a', 'b', 'label']);
    expect(r.csv?.roles).toEqual(['unused', 'unused', 'unused']);
  });

  it('a feature count that disagrees with the header is a problem of features', () => {
    const r = csv({ path: 'data/good.csv', features: 3 });
    expect(r.problems).toMatchObject([{ port: 'features', message: expect.stringMatching(/has 2 feature columns but features = 3/) }]);
    expect(run('data.csv', { path: 'data/good.csv', features: 3 })).toMatch(/has 2 feature columns but features = 3/);
  });

  it('a non-numeric cell names the line and column, never the cell', () => {
    const r = csv({ path: 'bad-cell.csv' });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ port: 'path' });
    expect(r.problems[0].message).toMatch(/^bad-cell\.csv line 5, column 2: expected a plain decimal number/);
    expect(r.problems[0].message).not.toMatch(/oops/);
    expect(run('data.csv', { path: 'bad-cell.csv', features: 2 })).toMatch(/line 5, column 2/);
  });

  it('a class id out of range is a problem of classes', () => {
    writeFileSync(join(root, 'three.csv'), good.replace('4,2,0', '4,2,2'));
    expect(csv({ path: 'three.csv' }).problems).toMatchObject([{ port: 'classes', message: expect.stringMatching(/expected a class id, a whole number from 0 to 1/) }]);
  });

  it('a file outside the document\'s folder is refused, and nothing of it is shown', () => {
    const r = csv({ path: join(outside, 'secret.csv') });
    expect(r.problems).toMatchObject([{ code: 'HN054', port: 'path' }]);
    expect(r.csv).toBeUndefined();
    expect(r.files[0].size).toBeUndefined();
  });

  it('a file changed on disk is read again (the cache goes by modification time)', () => {
    const file = join(root, 'changing.csv');
    writeFileSync(file, good);
    expect(csv({ path: 'changing.csv' }).problems).toEqual([]);
    writeFileSync(file, good.replace('a,b,label', 'a,b,c,label').replace(/^(\d+),/gm, '$1,7,'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(csv({ path: 'changing.csv' }).problems).toMatchObject([{ port: 'features' }]);
  });
});

describe('data.probe of an IDX node', () => {
  const images = (n: number, h = 4, w = 4) => encodeIdx([n, h, w], new Uint8Array(n * h * w).fill(9));
  const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % 3));
  writeFileSync(join(root, 'img-10'), images(10));
  writeFileSync(join(root, 'lab-10'), labels(10));
  writeFileSync(join(root, 'lab-9'), labels(9));
  const idx = (params: Record<string, unknown>) => probeDataNode('data.idx', 'idx_1', { height: 4, width: 4, classes: 3, ...params }, access);

  it('good files: no problems, and the dimensions of each', () => {
    const r = idx({ trainImages: 'img-10', trainLabels: 'lab-10' });
    expect(r.problems).toEqual([]);
    expect(r.files).toMatchObject([
      { field: 'trainImages', path: 'img-10', dims: [10, 4, 4] },
      { field: 'trainLabels', path: 'lab-10', dims: [10] },
    ]);
    expect(run('data.idx', { trainImages: 'img-10', trainLabels: 'lab-10', height: 4, width: 4, classes: 3 })).toBeNull();
  });

  it('images and labels whose counts disagree are a problem of the labels', () => {
    const r = idx({ trainImages: 'img-10', trainLabels: 'lab-9' });
    expect(r.problems).toMatchObject([{ code: 'HN051', node: 'idx_1', port: 'trainLabels', message: 'trainLabels (lab-9) holds 9 labels but trainImages (img-10) holds 10 images' }]);
    expect(run('data.idx', { trainImages: 'img-10', trainLabels: 'lab-9', height: 4, width: 4, classes: 3 })).toMatch(/holds 9 labels but/);
  });

  it('images of another size are a problem of the images', () => {
    expect(idx({ trainImages: 'img-10', trainLabels: 'lab-10', height: 5 }).problems).toMatchObject([
      { port: 'trainImages', message: expect.stringMatching(/images are 4×4 \(height × width\) but the node says height = 5/) },
    ]);
  });

  it('each missing or unset file is a problem of its own param', () => {
    const r = idx({ trainImages: 'gone', trainLabels: '' });
    expect(r.problems.map((p) => [p.port, p.message.replace(/:.*/, '')])).toEqual([
      ['trainImages', 'file not found'],
      ['trainLabels', 'no file set'],
    ]);
  });

  it('a file that is not IDX says so', () => {
    writeFileSync(join(root, 'not-idx'), 'hello, world');
    expect(idx({ trainImages: 'not-idx', trainLabels: 'lab-10' }).problems).toMatchObject([{ port: 'trainImages', message: expect.stringMatching(/not an IDX file/) }]);
  });
});

describe('data.probe of other nodes', () => {
  it('a node that reads no files has nothing to probe', () => {
    expect(probeDataNode('data.moons', 'moons_1', {}, access)).toEqual({ problems: [], files: [] });
    expect(probeDataNode('layer.dense', 'd', {}, access)).toEqual({ problems: [], files: [] });
  });
});
