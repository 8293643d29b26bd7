/**
 * The wasm max-pool gradient (src/main/engine/kernels.ts) against the cpu backend's: window sizes, strides and
 * both paddings, overlapping windows, and ties (each window's dy goes to its first largest input).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { useWasmKernels } from '../../src/main/engine/kernels';
import { Rng } from '../../src/shared/util/rng';

const rng = new Rng(11);

/** dL/dx of L = sum(maxPool(x) · u), u fixed, on the backend in use. */
function poolGrad(x: Float32Array, shape: [number, number, number, number], size: number, stride: number, padding: 'same' | 'valid'): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, shape);
    const y = tf.maxPool(xt, size, stride, padding);
    const u = tf.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i + 1)), y.shape);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, size, stride, padding), u)))(xt);
    return g.dataSync() as Float32Array;
  });
}

describe('wasm max-pool gradient', () => {
  const cases: [number, number, 'same' | 'valid', [number, number, number, number]][] = [
    [2, 2, 'valid', [3, 8, 8, 5]],
    [2, 2, 'same', [2, 7, 9, 3]],
    [3, 2, 'same', [2, 9, 8, 4]],
    [3, 1, 'valid', [1, 6, 7, 2]],
    [3, 3, 'same', [2, 10, 11, 3]],
  ];
  it.each(cases)('size %i, stride %i, %s padding equals the cpu backend, ties included', async (size, stride, padding, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    // Normal values, then the same rounded to a few levels and rectified: many windows hold equal maxima.
    const inputs = [Float32Array.from({ length: n }, () => rng.normal()), Float32Array.from({ length: n }, () => Math.max(0, Math.round(rng.normal() * 2) / 2))];
    for (const x of inputs) {
      await useBackend('cpu');
      const want = poolGrad(x, shape, size, stride, padding);
      await useBackend('wasm');
      useWasmKernels(true);
      const got = poolGrad(x, shape, size, stride, padding);
      want.forEach((v, i) => expect(Math.abs(got[i] - v), `element ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
    }
  });

  it('gives a window of -Infinity no gradient, as the cpu backend', async () => {
    const x = Float32Array.from({ length: 16 }, (_, i) => ([0, 1, 4, 5].includes(i) ? -Infinity : i));
    const shape: [number, number, number, number] = [1, 4, 4, 1];
    await useBackend('cpu');
    const want = poolGrad(x, shape, 2, 2, 'valid');
    await useBackend('wasm');
    expect(Array.from(poolGrad(x, shape, 2, 2, 'valid'))).toEqual(Array.from(want));
  });
});
