import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/util/rng';
import { openDataset } from './index';
import { loadMnist, mnistPermutation, PIXELS } from './mnist';

const opts = { seed: 3, node: 'mnist_1' };

/** Pool row of a sample, found by its pixels (the bundled digits are distinct). */
function rowIndex(): Map<string, number> {
  const pool = loadMnist();
  const index = new Map<string, number>();
  for (let r = 0; r < pool.n; r++) index.set(pool.x.subarray(r * PIXELS, (r + 1) * PIXELS).join(','), r);
  return index;
}

describe('mnist', () => {
  it('loads the 10,000 bundled digits once, scaled to [0, 1]', () => {
    const pool = loadMnist();
    expect(pool.n).toBe(10_000);
    expect(pool.x.length).toBe(10_000 * PIXELS);
    let min = Infinity;
    let max = -Infinity;
    for (const v of pool.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBeGreaterThan(0.9);
    expect(max).toBeLessThanOrEqual(1);
    expect(new Set(pool.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(loadMnist()).toBe(pool);
  });

  it('splits train and test by trainFraction, without overlap, fixed by the seed', () => {
    const d = openDataset('data.mnist', { trainFraction: 0.8, layout: 'flat' }, opts);
    expect(d.trainSize(0)).toBeGreaterThan(7990);
    expect(d.trainSize(0)).toBeLessThan(8010);
    const index = rowIndex();
    const testRows = new Set<number>();
    for (const b of d.evalBatches(0, 1000, Infinity))
      for (let i = 0; i < b.n; i++) testRows.add(index.get(b.x.subarray(i * PIXELS, (i + 1) * PIXELS).join(','))!);
    expect(testRows.size).toBe(10_000 - d.trainSize(0));
    const b = d.trainBatch(0, 500, new Rng(1));
    for (let i = 0; i < b.n; i++) expect(testRows.has(index.get(b.x.subarray(i * PIXELS, (i + 1) * PIXELS).join(','))!)).toBe(false);
  });

  it('image layout holds the same pixels as flat', () => {
    const flat = openDataset('data.mnist', { trainFraction: 0.8, layout: 'flat' }, opts);
    const image = openDataset('data.mnist', { trainFraction: 0.8, layout: 'image' }, opts);
    expect(image.xShape).toEqual([28, 28, 1]);
    expect(image.trainBatch(0, 8, new Rng(2)).x).toEqual(flat.trainBatch(0, 8, new Rng(2)).x);
  });
});

describe('mnist as images to reconstruct', () => {
  it('has the MNIST split, with every image\'s own pixels as its targets', () => {
    const inr = openDataset('data.mnist_inr', { trainFraction: 0.8, layout: 'flat' }, opts);
    const mnist = openDataset('data.mnist', { trainFraction: 0.8, layout: 'flat' }, opts);
    expect([inr.yShape, inr.yDtype]).toEqual([[PIXELS, 1], 'float32']);
    expect(inr.trainSize(0)).toBe(mnist.trainSize(0));
    const held = inr.evalBatches(0, 500, 1000);
    expect(held.map((b) => Array.from(b.x))).toEqual(mnist.evalBatches(0, 500, 1000).map((b) => Array.from(b.x)));
    for (const b of held) expect(b.y).toEqual(b.x);
    const b = inr.trainBatch(0, 16, new Rng(4));
    expect(b.x).toEqual(mnist.trainBatch(0, 16, new Rng(4)).x);
    expect(b.y).toEqual(b.x);
  });
});

describe('split mnist', () => {
  it('task k holds only digits 2k and 2k+1, relabelled 0 and 1', () => {
    const d = openDataset('data.split_mnist', { trainFraction: 0.8, layout: 'flat' }, opts);
    expect(d.tasks).toBe(5);
    expect(d.classes).toBe(2);
    const pool = loadMnist();
    const index = rowIndex();
    for (let t = 0; t < 5; t++) {
      const batches = [d.trainBatch(t, 300, new Rng(t)), ...d.evalBatches(t, 128, Infinity)];
      const seen = new Set<number>();
      for (const b of batches) {
        expect(b.task).toBe(t);
        for (let i = 0; i < b.n; i++) {
          const digit = pool.labels[index.get(b.x.subarray(i * PIXELS, (i + 1) * PIXELS).join(','))!];
          expect(digit === 2 * t || digit === 2 * t + 1).toBe(true);
          expect(b.y[i]).toBe(digit - 2 * t);
          seen.add(b.y[i]);
        }
      }
      expect(seen).toEqual(new Set([0, 1]));
    }
    // Task 2 is exactly the 4s and 5s.
    const fours = pool.labels.filter((l) => l === 4 || l === 5).length;
    const testOf2 = d.evalBatches(2, 10_000, Infinity).reduce((s, b) => s + b.n, 0);
    expect(d.trainSize(2) + testOf2).toBe(fours);
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

  it('every task shows the same digits through its permutation, with the original labels', () => {
    const d = openDataset('data.permuted_mnist', { tasks: 4, trainFraction: 0.8, layout: 'flat' }, opts);
    expect(d.tasks).toBe(4);
    const plain = d.evalBatches(0, 50, 50)[0];
    for (let t = 1; t < 4; t++) {
      const b = d.evalBatches(t, 50, 50)[0];
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
