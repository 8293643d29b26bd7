import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxData } from '../../../shared/nodes/data/idx';
import { Rng } from '../../../shared/util/rng';
import { openDataset } from './index';
import { encodeIdx, parseIdx } from './idx';
import { checkBatch, datasetInfo, inferNode, plain } from './testUtil';

const dir = mkdtempSync(join(tmpdir(), 'hnet-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, bytes: Uint8Array) => {
  writeFileSync(join(dir, name), bytes);
  return name;
};

/** n images of h×w whose pixels all equal 10·label + (index mod 10), and their labels. */
function makeSet(prefix: string, n: number, h: number, w: number, classes: number) {
  const labels = Array.from({ length: n }, (_, i) => (i * 7) % classes);
  const pixels = new Uint8Array(n * h * w);
  for (let i = 0; i < n; i++) pixels.fill(10 * labels[i] + (i % 10), i * h * w, (i + 1) * h * w);
  return {
    images: write(`${prefix}-images.idx`, encodeIdx([n, h, w], pixels)),
    labels: write(`${prefix}-labels.idx`, encodeIdx([n], labels)),
  };
}

const open = (params: Record<string, unknown>, seed = 1) =>
  openDataset('data.idx', IdxData.params.parse(params) as Record<string, unknown>, { seed, node: 'idx_1', baseDir: dir });

describe('parseIdx', () => {
  it('round-trips dims and bytes, gzipped or not', () => {
    const bytes = encodeIdx([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
    expect(bytes.subarray(0, 4)).toEqual(Uint8Array.of(0, 0, 8, 3));
    for (const b of [bytes, new Uint8Array(gzipSync(bytes))]) {
      const a = parseIdx(b, 'f');
      expect(a.dims).toEqual([2, 3, 4]);
      expect(Array.from(a.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    }
  });

  it('rejects corrupt files', () => {
    const good = encodeIdx([2, 2, 2], new Uint8Array(8));
    expect(() => parseIdx(good.subarray(0, good.length - 3), 'f')).toThrow(/f: truncated: the header announces 2 × 2 × 2 = 8 bytes of data, the file holds 5/);
    expect(() => parseIdx(Uint8Array.of(...good, 1), 'f')).toThrow(/corrupt/);
    expect(() => parseIdx(good.subarray(0, 9), 'f')).toThrow(/truncated header/);
    expect(() => parseIdx(Uint8Array.of(1, 2), 'f')).toThrow(/too short/);
    expect(() => parseIdx(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0), 'f')).toThrow(/not an IDX file/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 0), 'f')).toThrow(/its data type is float32 \(0x0d\): only unsigned bytes/);
    expect(() => parseIdx(Uint8Array.of(0x1f, 0x8b, 1, 2, 3), 'f')).toThrow(/corrupt gzip/);
    // Neither the file's first bytes nor an unknown type byte is echoed.
    expect(() => parseIdx(Uint8Array.of(0x73, 0x65, 0x63, 0x72, 0, 0, 0, 0), 'f')).toThrow(/^(?!.*(73|65|63|72)).*not an IDX file: expected two zero bytes/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x5a, 1, 0, 0, 0, 0), 'f')).toThrow(/^(?!.*5a).*its data type is not an IDX type/);
  });

  it('holds a gzipped file to the data file limit by what it inflates to', () => {
    const bytes = new Uint8Array(gzipSync(encodeIdx([100, 10, 10], new Uint8Array(10_000))));
    expect(bytes.length).toBeLessThan(1000);
    expect(() => parseIdx(bytes, 'f', 'idx_1', 5000)).toThrow(/idx_1: f: inflates to more than the data file limit of 4\.9 KiB: raise it with --max-data-mb .*\(HN055\)/);
    expect(parseIdx(bytes, 'f', 'idx_1', 20_000).dims).toEqual([100, 10, 10]);
  });
});

describe('data.idx', () => {
  const train = makeSet('train', 60, 4, 3, 5);
  const test = makeSet('test', 12, 4, 3, 5);
  const base = { height: 4, width: 3, classes: 5 };

  it('reads train and test files, pixels scaled to [0, 1]', () => {
    const params = { ...base, trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
    const d = open(params);
    expect(datasetInfo(d)).toEqual(inferNode(IdxData, params));
    expect(d.xShape).toEqual([12]);
    expect(d.trainSize(0)).toBe(60);
    const evals = d.evalBatches(0, 5, 100);
    expect(evals.map((b) => b.n)).toEqual([5, 5, 2]);
    // The test split is the test file, in order.
    expect(Array.from(evals[0].y)).toEqual([0, 2, 4, 1, 3]);
    const b = d.trainBatch(0, 30, new Rng(4));
    checkBatch(d, b, 0);
    for (let i = 0; i < b.n; i++) {
      const v = b.x[i * 12];
      expect(b.x.subarray(i * 12, (i + 1) * 12).every((p) => p === v)).toBe(true);
      expect(Math.floor(Math.round(v * 255) / 10)).toBe(b.y[i]);
    }
  });

  it('image layout and a seeded split when there are no test files', () => {
    const params = { ...base, layout: 'image', trainImages: train.images, trainLabels: train.labels, testFraction: 0.25 };
    const d = open(params);
    expect(d.xShape).toEqual([4, 3, 1]);
    expect(datasetInfo(d)).toEqual(inferNode(IdxData, params));
    expect(d.trainSize(0)).toBe(45);
    expect(d.evalBatches(0, 100, 100)[0].n).toBe(15);
    expect(open(params).evalBatches(0, 100, 100).map(plain)).toEqual(d.evalBatches(0, 100, 100).map(plain));
    expect(open(params, 9).evalBatches(0, 100, 100).map(plain)).not.toEqual(d.evalBatches(0, 100, 100).map(plain));
  });

  it('reads gzipped files', () => {
    const gz = write('gz-images.idx.gz', new Uint8Array(gzipSync(encodeIdx([3, 4, 3], new Uint8Array(36).fill(255)))));
    const gzl = write('gz-labels.idx.gz', new Uint8Array(gzipSync(encodeIdx([3], [0, 1, 2]))));
    const d = open({ ...base, trainImages: gz, trainLabels: gzl });
    expect(d.trainBatch(0, 2, new Rng(0)).x.every((v) => v === 1)).toBe(true);
  });

  it('names the node, the field and the problem', () => {
    const short = write('short.idx', encodeIdx([5, 4, 3], new Uint8Array(60)).subarray(0, 50));
    const fewLabels = write('few-labels.idx', encodeIdx([59], new Uint8Array(59)));
    const bigLabels = write('big-labels.idx', encodeIdx([60], new Uint8Array(60).fill(7)));
    const p = { ...base, trainImages: train.images, trainLabels: train.labels };
    expect(() => open({ ...p, trainImages: 'missing.idx' })).toThrow(/idx_1: trainImages: file not found: .*missing\.idx \(HN051\)/);
    expect(() => open({ ...p, trainImages: '' })).toThrow(/trainImages: no file set/);
    expect(() => open({ ...p, trainImages: short })).toThrow(/idx_1: trainImages \(short\.idx\): truncated/);
    expect(() => open({ ...p, height: 28 })).toThrow(/images are 4×3 \(height × width\) but the node says height = 28, width = 3/);
    expect(() => open({ ...p, trainLabels: fewLabels })).toThrow(/holds 59 labels but trainImages \(train-images\.idx\) holds 60 images/);
    expect(() => open({ ...p, trainLabels: bigLabels })).toThrow(/the label at index 0 is out of range: expected a class id from 0 to 4 \(classes = 5\)/);
    expect(() => open({ ...p, trainLabels: train.images })).toThrow(/expected labels of dimension \[n\], found \[60, 4, 3\]/);
    expect(() => open({ ...p, trainImages: train.labels })).toThrow(/expected images of dimensions \[n, height, width\], found \[60\]/);
    expect(() => open({ ...p, testImages: test.images })).toThrow(/set both test images and test labels/);
  });
});
