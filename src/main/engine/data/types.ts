/**
 * The engine's view of a dataset: seeded, deterministic batches per task. Every batch holds samples of a
 * single task, which is what lets a task embedding (context batch 1) generate one weight set per batch.
 */
import type { Rng } from '../../../shared/util/rng';

export interface Batch {
  /** n samples of x, row-major, each of the dataset's xShape. */
  x: Float32Array;
  /** n labels (int32 class ids) or n targets of yShape (float32). */
  y: Float32Array | Int32Array;
  n: number;
  task: number;
  /** One context vector for the whole batch (sinusoid: amplitude and phase), when the dataset has one. */
  context?: Float32Array;
}

export interface Dataset {
  /** Number of tasks (1 for ordinary datasets). */
  tasks: number;
  xShape: number[];
  yShape: number[];
  yDtype: 'float32' | 'int32';
  /** Number of classes for classification datasets. */
  classes?: number;
  contextShape?: number[];
  /** Number of training samples of a task (for epochs). */
  trainSize(task: number): number;
  /** A random training batch of `task`, drawn with `rng` (the only source of randomness). */
  trainBatch(task: number, batchSize: number, rng: Rng): Batch;
  /** The fixed evaluation (test) batches of `task`: the same on every call. */
  evalBatches(task: number, batchSize: number, maxSamples: number): Batch[];
}
