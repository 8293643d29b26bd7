/**
 * The engine's view of a dataset: seeded, deterministic batches per task. Every batch holds samples of a
 * single task, which is what lets a task embedding (context batch 1) generate one weight set per batch.
 */
import type { Batch } from '../../../runtime/ts/batch.ts';
import type { Rng } from '../../../shared/util/rng';

/**
 * Which held-out samples an evaluation reads: `val`, a validation part held out of the training data (what
 * evaluations during training report), or `test`, the test set (what the final evaluation reports).
 */
export type EvalSplit = 'val' | 'test';

/** The stored rows behind a pool dataset's batches, for exports that write the samples once (see pool.ts). */
export interface PoolRows {
  /** Rows of `xSize` values; Uint8Array pools are scaled by `xScale` as batches are drawn. */
  x: Float32Array | Uint8Array;
  xScale: number;
  xSize: number;
  /** Pool rows of a task's split, in the order the batches read them (eval splits capped as evalBatches caps them). */
  rows(task: number, split: 'train' | EvalSplit, maxSamples?: number): Int32Array;
  /** The y of those rows of `task`, as its batches hold them (Split MNIST's relabelled classes). */
  labels(task: number, rows: ArrayLike<number>): Float32Array | Int32Array;
  /** y is x's own values (images to reconstruct): y's rows are the pool's x rows. */
  yIsX: boolean;
}

/** A batch of data (declared with the runtime, whose exported data reader yields the same). */
export type { Batch };

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
  /**
   * Whether the dataset holds a validation split apart from its test split. Without one, `evalBatches(…, 'val')`
   * returns the test batches.
   */
  hasValidation?: boolean;
  /** The fixed evaluation batches of `task` from `split` (default the test split): the same on every call. */
  evalBatches(task: number, batchSize: number, maxSamples: number, split?: EvalSplit): Batch[];
  /** Pool datasets: the stored rows behind the batches. */
  pool?: PoolRows;
}
