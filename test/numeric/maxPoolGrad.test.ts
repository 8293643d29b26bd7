/**
 * The wasm max-pool gradient (src/main/engine/kernels.ts, its SIMD and its JavaScript form) against a loop over its definition (each window's dy
 * goes to its last largest input, summed where windows overlap) and, on inputs without ties, against the cpu
 * backend: window sizes, strides, both paddings, overlapping windows, ties and windows of negative values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { useWasmKernels } from '../../src/main/engine/kernels';
import { useSimdKernels } from '../../src/main/engine/simd';
import { Rng } from '../../src/shared/util/rng';

const rng = new Rng(11);
type Shape = [number, number, number, number];

/** The weights u of L = sum(maxPool(x) · u). */
const weights = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));

/** dL/dx on the backend in use. */
function poolGrad(x: Float32Array, shape: Shape, size: number, stride: number, padding: 'same' | 'valid'): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, shape);
    const y = tf.maxPool(xt, size, stride, padding);
    const u = tf.tensor(weights(y.size), y.shape);
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, size, stride, padding), u)))(xt).dataSync() as Float32Array;
  });
}

/** dL/dx by the definition, TensorFlow's padding: `same` pads (out − 1)·stride + size − in, the smaller half first. */
function reference(x: Float32Array, [n, h, w, c]: Shape, size: number, stride: number, padding: 'same' | 'valid'): Float64Array {
  const out = (d: number) => (padding === 'same' ? Math.ceil(d / stride) : Math.floor((d - size) / stride) + 1);
  const pad = (d: number) => (padding === 'same' ? Math.floor(Math.max((out(d) - 1) * stride + size - d, 0) / 2) : 0);
  const [ho, wo] = [out(h), out(w)];
  const u = weights(n * ho * wo * c);
  const dx = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let d = 0; d < c; d++) {
          let [best, at] = [-Infinity, -1];
          for (let r = i * stride - pad(h); r < i * stride - pad(h) + size; r++)
            for (let q = j * stride - pad(w); q < j * stride - pad(w) + size; q++) {
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              const k = ((b * h + r) * w + q) * c + d;
              if (x[k] >= best) [best, at] = [x[k], k];
            }
          if (at >= 0) dx[at] += u[((b * ho + i) * wo + j) * c + d];
        }
  return dx;
}

const near = (got: ArrayLike<number>, want: ArrayLike<number>) =>
  Array.from(want).forEach((v, i) => expect(Math.abs(got[i] - v), `element ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));

describe('wasm max-pool gradient', () => {
  const cases: [number, number, 'same' | 'valid', Shape][] = [
    [2, 2, 'valid', [3, 8, 8, 5]],
    [2, 2, 'same', [2, 7, 9, 3]],
    [3, 2, 'same', [2, 9, 8, 4]],
    [3, 1, 'valid', [1, 6, 7, 2]],
    [3, 3, 'same', [2, 10, 11, 3]],
  ];
  it.each(cases)('size %i, stride %i, %s padding: the definition, and the cpu backend where nothing ties', async (size, stride, padding, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const distinct = Float32Array.from({ length: n }, () => rng.normal());
    // Rounded to a few levels and rectified: many windows hold their maximum more than once.
    const tied = Float32Array.from({ length: n }, () => Math.max(0, Math.round(rng.normal() * 2) / 2));
    // All below zero, where wasm's own kernel gave no gradient.
    const negative = Float32Array.from({ length: n }, () => -1 - Math.abs(rng.normal()));
    await useBackend('cpu');
    const [cpuDistinct, cpuNegative] = [poolGrad(distinct, shape, size, stride, padding), poolGrad(negative, shape, size, stride, padding)];
    await useBackend('wasm');
    useWasmKernels(true);
    // The SIMD kernel, then the JavaScript one.
    for (const simd of [true, false]) {
      useSimdKernels(simd);
      try {
        for (const x of [distinct, tied, negative]) near(poolGrad(x, shape, size, stride, padding), reference(x, shape, size, stride, padding));
        near(poolGrad(distinct, shape, size, stride, padding), cpuDistinct);
        near(poolGrad(negative, shape, size, stride, padding), cpuNegative);
      } finally {
        useSimdKernels(true);
      }
    }
  });
});
