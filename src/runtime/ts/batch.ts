/**
 * A batch of training or evaluation data as plain arrays, and as the tensors a model reads: what the engine's
 * datasets and the exported data reader (data.ts) both yield, and how both the engine and the exported trainer
 * turn it into inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Inputs } from './types.ts';

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

/** The tensors of a batch, x [n, ...xShape] and y [n, ...yShape]; dispose them with disposeInputs. */
export function batchInputs(b: Batch, xShape: readonly number[], yShape: readonly number[]): Inputs {
  return {
    x: tf.tensor(b.x, [b.n, ...xShape]),
    y: b.y instanceof Int32Array ? tf.tensor(b.y, [b.n, ...yShape], 'int32') : tf.tensor(b.y, [b.n, ...yShape]),
    task: tf.tensor1d([b.task], 'int32'),
    ...(b.context ? { context: tf.tensor(b.context, [1, b.context.length]) } : {}),
  };
}

export const disposeInputs = (i: Inputs): void => tf.dispose([i.x, i.y, i.task, ...(i.context ? [i.context] : [])]);
