/**
 * The ops a Hypernet Studio program is written with, computing what the engine computes (channels-last images,
 * TensorFlow padding, exact GELU). One implementation: the engine's interpreter (src/main/engine/runtime.ts)
 * calls these functions, and the TypeScript export ships this file as src/ops.ts for its generated forward().
 * Call them inside tf.tidy or tf.variableGrads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2d as trainableConv2d } from './conv2d.ts';
import type { RunOptions } from './types.ts';

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'sin' | 'elu' | 'leaky_relu' | 'softplus' | 'linear';

/** y = x W + b over the last axis, W [in, out] shared by every sample (b [out], or [B, out] per sample). */
export function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  let y: tf.Tensor;
  if (x.rank === 2) y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  else {
    const inDim = x.shape[x.rank - 1];
    const flat = tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w as tf.Tensor2D);
    y = tf.reshape(flat, [...x.shape.slice(0, -1), w.shape[1]!]);
  }
  return b ? tf.add(y, channels(b, y.rank)) : y;
}

/**
 * act(x W + b) as one fused kernel, W [in, out] shared and b [out] (or null); act linear or relu. Always a 2-D
 * product: wasm's batched fused product leaves the ReLU off rows of later batches (tfjs-backend-wasm 4.22).
 */
export function fusedLinear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, act: 'linear' | 'relu'): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  const y = tf.fused.matMul({ a: flat as tf.Tensor2D, b: w as tf.Tensor2D, bias: b ?? undefined, activation: act });
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]!]);
}

/**
 * One weight set per sample, W [B, in, out]: x [B, in] as a batched product [B, 1, in] x [B, in, out], or
 * points x [B, P, in] as [B, P, in] x [B, in, out] (a per-sample bias [B, out] is the same for every point).
 */
export function linearPerSample(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  const y = x.rank === 3 ? tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D) : tf.squeeze(tf.matMul(tf.expandDims(x, 1) as tf.Tensor3D, w as tf.Tensor3D), [1]);
  return b ? tf.add(y, channels(b, y.rank)) : y;
}

export function activation(x: tf.Tensor, fn: Activation, w0 = 1): tf.Tensor {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'gelu':
      // The exact (erf) form, as PyTorch's default.
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    case 'sin':
      return tf.sin(w0 === 1 ? x : tf.mul(x, w0));
    case 'elu':
      return tf.elu(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, 0.01);
    case 'softplus':
      return tf.softplus(x);
    case 'linear':
      return x;
  }
}

/** x * factor + offset (a fixed affine map, e.g. image scaling). */
export function scale(x: tf.Tensor, factor: number, offset: number): tf.Tensor {
  return tf.add(tf.mul(x, factor), offset);
}

/** size entries of axis from begin. */
export function slice(x: tf.Tensor, axis: number, begin: number, size: number): tf.Tensor {
  return tf.slice(x, x.shape.map((_, i) => (i === axis ? begin : 0)), x.shape.map((_, i) => (i === axis ? size : -1)));
}

/**
 * tf.tile, with the gradient as one sum over the repeats. tfjs's own Tile gradient adds one slice of dy per
 * repeat (a slice and an add kernel each: 90 kernels to repeat a chunked head's embedding for 45 chunks).
 */
export function tile(x: tf.Tensor, reps: number[]): tf.Tensor {
  if (reps.every((r) => r === 1)) return x;
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor;
    return {
      value: tf.tile(xi, reps),
      gradFunc: (dy) => {
        // Output axis i is (repeat, position) = [reps[i], shape[i]]: sum the repeats away.
        const split = xi.shape.flatMap((s, i) => [reps[i], s]);
        return tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, split), reps.map((_, i) => 2 * i)), xi.shape);
      },
    };
  });
  return run(x) as tf.Tensor;
}

/** Repeat a [1, ...] value along the batch dimension of like. */
export function broadcastBatch(a: tf.Tensor, like: tf.Tensor): tf.Tensor {
  return tile(a, [like.shape[0], ...a.shape.slice(1).map(() => 1)]);
}

/** Every row of a [N, d] beside every row of b [M, e]: [N, M, d + e] (chunked heads). */
export function pairRows(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [n, d] = a.shape;
  const [m, e] = b.shape;
  const left = tile(tf.reshape(a, [n, 1, d]), [1, m, 1]);
  const right = tile(tf.reshape(b, [1, m, e]), [n, 1, 1]);
  return tf.concat([left, right], 2);
}

/**
 * 2-D convolution, channels-last, kernel [kh, kw, cin, cout]; it trains on every backend (see conv2d.ts). inputGrad
 * false: x is data, whose gradient nothing needs.
 */
export function conv2d(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null, strides: number, padding: 'same' | 'valid', inputGrad = true): tf.Tensor {
  const y = trainableConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, padding, inputGrad);
  return bias ? tf.add(y, bias) : y;
}

export function pool(x: tf.Tensor, kind: 'max' | 'avg', size: number, strides: number, padding: 'same' | 'valid'): tf.Tensor {
  return kind === 'max' ? tf.maxPool(x as tf.Tensor4D, size, strides, padding) : tf.avgPool(x as tf.Tensor4D, size, strides, padding);
}

/** A per-channel value [C] or per-sample [B, C], shaped to broadcast over activations of the given rank. */
export function channels(p: tf.Tensor, rank: number): tf.Tensor {
  if (p.rank === 1 || rank === 2) return p;
  return tf.reshape(p, [p.shape[0], ...Array<number>(rank - 2).fill(1), p.shape[1]!]);
}

/** Normalise over the last axis (biased variance, epsilon inside the root), then scale and shift. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const norm = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(norm, channels(gamma, x.rank)), channels(beta, x.rank));
}

/** FiLM: x * scale + shift along the last axis. */
export function film(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(x, channels(scale, x.rank)), channels(shift, x.rank));
}

/** Inverted dropout while training, seeded by (run seed, step, op id); the identity at evaluation. */
export function dropout(x: tf.Tensor, rate: number, opts: RunOptions, id: string): tf.Tensor {
  return opts.training && rate > 0 ? tf.dropout(x, rate, undefined, hashSeed(opts.seed, opts.step, id)) : x;
}

/**
 * Row task of a table [T, d], as [1, d]. The row is picked with a one-hot product, not tf.gather: gather's
 * gradient needs the UnsortedSegmentSum kernel, which the wasm backend does not have. The one-hot is made
 * int32 and cast: wasm's OneHot with dtype float32 writes integer bit patterns.
 */
export function embedding(table: tf.Tensor, task: tf.Tensor): tf.Tensor {
  // A one-row table (a single-task dataset) is its own row; tf.oneHot needs a depth of at least 2.
  if (table.shape[0] === 1) return table;
  return tf.matMul(tf.cast(tf.oneHot(tf.cast(task, 'int32') as tf.Tensor1D, table.shape[0]), 'float32'), table);
}

/** The (row, column) of every pixel of a height x width image, row-major, each in [-1, 1]: [1, height * width, 2]. */
export function pixelGrid(height: number, width: number): tf.Tensor {
  const at = (i: number, n: number) => (n === 1 ? 0 : -1 + (2 * i) / (n - 1));
  const values = new Float32Array(height * width * 2);
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      values[(r * width + c) * 2] = at(r, height);
      values[(r * width + c) * 2 + 1] = at(c, width);
    }
  return tf.tensor(values, [1, height * width, 2]);
}

/** Gaussian noise while training, seeded by (run seed, step, op id); zeros at evaluation. */
export function noise(shape: number[], std: number, opts: RunOptions, id: string): tf.Tensor {
  return opts.training && std > 0 ? tf.randomNormal(shape, 0, std, 'float32', hashSeed(opts.seed, opts.step, id)) : tf.zeros(shape);
}

/** Mean softmax cross-entropy of logits [B, K] against class ids [B]. */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  const k = logits.shape[1]!;
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, k), tf.logSoftmax(logits)), -1)));
}

export function mse(prediction: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.mean(tf.squaredDifference(prediction, target));
}

/** Binary cross-entropy with logits, in the numerically stable form. */
export function bce(logits: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const z = tf.reshape(logits, [-1]);
  const y = tf.cast(tf.reshape(target, [-1]), 'float32');
  return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
}

export function meanSquare(x: tf.Tensor): tf.Tensor {
  return tf.mean(tf.square(x));
}

export function accuracy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')), 'float32'));
}

export function binaryAccuracy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  const predicted = tf.cast(tf.greater(tf.reshape(logits, [-1]), 0), 'int32');
  return tf.mean(tf.cast(tf.equal(predicted, tf.cast(tf.reshape(labels, [-1]), 'int32')), 'float32'));
}

/** Mean over samples of 10 log10(peak^2 / MSE of the sample) in dB, the MSE floored at 1e-10 * peak^2. */
export function psnr(prediction: tf.Tensor, target: tf.Tensor, peak: number): tf.Tensor {
  const d = tf.squaredDifference(prediction, target);
  const mse = tf.mean(tf.reshape(d, [d.shape[0] ?? 1, -1]), 1);
  const peak2 = peak * peak;
  return tf.mean(tf.mul(tf.log(tf.div(peak2, tf.maximum(mse, 1e-10 * peak2))), 10 / Math.LN10));
}

/** A 31-bit seed for (run seed, step, op): stable across runs, different for every random op and step. */
export function hashSeed(seed: number, step: number, id: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  h = Math.imul(h ^ step, 0x01000193) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}
