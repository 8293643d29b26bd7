/**
 * What the finite datasets share: every sample lives once in a pool (rows of x and y), and each task is two
 * lists of row indices into it, its training and its test split. Tasks that only relabel (Split MNIST) or
 * permute pixels (Permuted MNIST) reuse the same pool, so no task copies the images.
 */
import { fail } from '../../../shared/compiler/errors';
import type { Rng } from '../../../shared/util/rng';
import type { Batch, Dataset, EvalSplit } from './types';

export interface PoolSpec {
  /** Node id, for error messages. */
  node: string;
  tasks: number;
  xShape: number[];
  yShape: number[];
  yDtype: 'float32' | 'int32';
  classes?: number;
  /** Rows of prod(xShape) values. Uint8Array pools (IDX images) are scaled by xScale as they are read. */
  x: Float32Array | Uint8Array;
  xScale?: number;
  /** Rows of prod(yShape) values: class ids (Int32Array) or targets (Float32Array, or bytes scaled by yScale). */
  y: Float32Array | Int32Array | Uint8Array;
  yScale?: number;
  /** Per task: row indices of its training split. */
  train: Int32Array[];
  /** Per task: row indices of its test split, in evaluation order. */
  test: Int32Array[];
  /** Per task: row indices of its validation split (held out of the training data), when it has one. */
  val?: Int32Array[];
  /** Per task: a pixel permutation (output value i = input value perm[i]), or undefined for none. */
  xPermutation?: (task: number) => Int32Array | undefined;
  /** Per task: the label a stored class id becomes (Split MNIST maps 4/5 to 0/1). */
  mapLabel?: (task: number, label: number) => number;
}

export const prod = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function checkTask(node: string, tasks: number, task: number): void {
  if (!Number.isInteger(task) || task < 0 || task >= tasks)
    fail('HN051', `task ${task} does not exist: the dataset has ${tasks} task${tasks === 1 ? '' : 's'} (0…${tasks - 1})`, { node });
}

export function checkBatchSize(node: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) fail('HN051', `batch size ${batchSize} is not a positive integer`, { node });
}

/** How many evaluation samples a cap allows (Infinity means no cap). */
export const evalCount = (available: number, maxSamples: number): number =>
  Math.max(0, Math.min(available, Number.isFinite(maxSamples) ? Math.floor(maxSamples) : available));

export function poolDataset(spec: PoolSpec): Dataset {
  const { node, tasks, xShape, yShape, yDtype, x: px, y: py, train, test } = spec;
  const xSize = prod(xShape);
  const ySize = prod(yShape);
  const scale = spec.xScale ?? 1;
  if (train.length !== tasks || test.length !== tasks || (spec.val && spec.val.length !== tasks))
    throw new Error(`${node}: pool has splits for ${train.length} tasks, expected ${tasks}`);
  // A validation split counts only when every task has one (a tiny `validation` can leave a Split MNIST task without).
  const val = spec.val && spec.val.every((rows) => rows.length > 0) ? spec.val : undefined;
  const evalSplit = (task: number, split: EvalSplit) => (split === 'val' && val ? val[task] : test[task]);
  /** The rows an evaluation of `split` reads, capped at maxSamples. */
  const evalRows = (task: number, split: EvalSplit, maxSamples: number): Int32Array => {
    const rows = evalSplit(task, split);
    const n = evalCount(rows.length, maxSamples);
    // A cap keeps evenly strided samples rather than the first n, so an ordered test set (toy
    // regression's evenly spaced x) still covers its whole range.
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = rows[Math.floor((i * rows.length) / n)];
    return out;
  };

  /** The batch of task `task` made of pool rows `rows`. */
  const gather = (task: number, rows: ArrayLike<number>): Batch => {
    const n = rows.length;
    const x = new Float32Array(n * xSize);
    const perm = spec.xPermutation?.(task);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      const src = r * xSize;
      const dst = i * xSize;
      if (perm) for (let j = 0; j < xSize; j++) x[dst + j] = px[src + perm[j]] * scale;
      else if (scale === 1 && px instanceof Float32Array) x.set(px.subarray(src, src + xSize), dst);
      else for (let j = 0; j < xSize; j++) x[dst + j] = px[src + j] * scale;
    }
    return { x, y: gatherY(task, rows), n, task };
  };

  const gatherY = (task: number, rows: ArrayLike<number>): Float32Array | Int32Array => {
    const n = rows.length;
    const y = yDtype === 'int32' ? new Int32Array(n * ySize) : new Float32Array(n * ySize);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      for (let j = 0; j < ySize; j++) {
        const v = py[r * ySize + j];
        y[i * ySize + j] = spec.mapLabel ? spec.mapLabel(task, v) : spec.yScale !== undefined ? v * spec.yScale : v;
      }
    }
    return y;
  };

  const evalCache = new Map<string, Batch[]>();

  return {
    tasks,
    xShape: [...xShape],
    yShape: [...yShape],
    yDtype,
    classes: spec.classes,
    trainSize(task) {
      checkTask(node, tasks, task);
      return train[task].length;
    },
    trainBatch(task, batchSize, rng: Rng) {
      checkTask(node, tasks, task);
      checkBatchSize(node, batchSize);
      const split = train[task];
      // Uniform with replacement: one rng draw per sample, nothing else touches the stream.
      const rows = new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) rows[i] = split[rng.int(split.length)];
      return gather(task, rows);
    },
    hasValidation: val !== undefined,
    evalBatches(task, batchSize, maxSamples, split = 'test') {
      checkTask(node, tasks, task);
      checkBatchSize(node, batchSize);
      const which = split === 'val' && val ? 'val' : 'test';
      const key = `${which}:${task}:${batchSize}:${maxSamples}`;
      let batches = evalCache.get(key);
      if (!batches) {
        const rows = evalRows(task, which, maxSamples);
        batches = [];
        for (let s = 0; s < rows.length; s += batchSize) batches.push(gather(task, rows.subarray(s, Math.min(rows.length, s + batchSize))));
        evalCache.set(key, batches);
      }
      return batches.slice();
    },
    pool: {
      x: px,
      xScale: scale,
      xSize,
      rows(task, split, maxSamples = Infinity) {
        checkTask(node, tasks, task);
        return split === 'train' ? train[task] : evalRows(task, split, maxSamples);
      },
      labels: gatherY,
      yIsX: (py as ArrayLike<number>) === (px as ArrayLike<number>),
    },
  };
}

/**
 * Split rows into train and test sets class by class, so every class keeps `trainFraction` of its rows (at
 * least one row on each side when it has two or more). Both splits come out shuffled by `rng`.
 */
export function stratifiedSplit(labels: ArrayLike<number>, classes: number, trainFraction: number, rng: Rng): { train: Int32Array; test: Int32Array } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byClass) {
    const { train: tr, test: te } = randomSplit(rows, 1 - trainFraction, rng);
    train.push(...tr);
    test.push(...te);
  }
  return { train: shuffled(train, rng), test: shuffled(test, rng) };
}

/**
 * Shuffle rows with `rng` and hold out round(n · testFraction) of them as the test set, at least one and
 * leaving at least one for training when there are two or more rows.
 */
export function randomSplit(rows: ArrayLike<number>, testFraction: number, rng: Rng): { train: Int32Array; test: Int32Array } {
  const all = shuffled(rows, rng);
  const n = all.length;
  const nTest = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  return { train: all.slice(nTest), test: all.slice(0, nTest) };
}

export function shuffled(rows: ArrayLike<number>, rng: Rng): Int32Array {
  const p = rng.permutation(rows.length);
  const out = new Int32Array(rows.length);
  for (let i = 0; i < out.length; i++) out[i] = rows[p[i]];
  return out;
}

export const range = (from: number, to: number): Int32Array => {
  const out = new Int32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
};

export const linspace = (lo: number, hi: number, n: number): number[] =>
  n === 1 ? [(lo + hi) / 2] : Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
