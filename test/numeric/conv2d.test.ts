/**
 * The convolution that trains on wasm (src/runtime/ts/conv2d.ts): where the backend has no Conv2DBackpropFilter,
 * its gradients must equal the cpu backend's native ones, for both paddings, strides 1 to 3, odd and even sizes,
 * by both forms of the filter gradient (the engine's patch-rows kernel, and the convolution form).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { useWasmKernels } from '../../src/main/engine/kernels';
import { conv2d, PATCH_ROWS, patchRowsPay } from '../../src/runtime/ts/conv2d.ts';
import { Rng } from '../../src/shared/util/rng';

const cases = [
  { x: [2, 9, 9, 3], k: [3, 3, 3, 4], stride: 1, mode: 'same' },
  { x: [2, 10, 8, 2], k: [5, 3, 2, 3], stride: 2, mode: 'same' },
  { x: [3, 11, 11, 2], k: [7, 7, 2, 4], stride: 1, mode: 'valid' },
  { x: [1, 12, 9, 1], k: [4, 4, 1, 2], stride: 3, mode: 'valid' },
  { x: [2, 8, 7, 2], k: [4, 2, 2, 3], stride: 1, mode: 'same' },
  // Few rows (kh·kw·cin) for the columns (cout): the patch-rows form at stride 1.
  { x: [2, 9, 8, 1], k: [3, 3, 1, 8], stride: 1, mode: 'same' },
  { x: [3, 7, 9, 3], k: [2, 2, 3, 8], stride: 1, mode: 'valid' },
] as const;

function values(shape: readonly number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Loss Σ y·r (a fixed random r) and its gradients for x and the kernel. */
function grads(c: (typeof cases)[number], inputGrad = true) {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x, 1), c.x as unknown as [number, number, number, number]);
    const k = tf.tensor4d(values(c.k, 2), c.k as unknown as [number, number, number, number]);
    const f = (a: tf.Tensor, b: tf.Tensor) => {
      const y = conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.mode, inputGrad);
      return tf.sum(tf.mul(y, tf.tensor(values(y.shape, 3), y.shape)));
    };
    const [dx, dk] = tf.grads(f)([x, k]);
    return { y: f(x, k).dataSync()[0], dx: Array.from(dx.dataSync()), dk: Array.from(dk.dataSync()) };
  });
}

describe('conv2d gradients without a native filter-gradient kernel', () => {
  it('wasm has no Conv2DBackpropFilter (else this test checks nothing new)', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  it.each(cases)('match the cpu backend: x $x, kernel $k, stride $stride, $mode', async (c) => {
    await useBackend('cpu');
    const expected = grads(c);
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const actual = grads(c);
    expect(tf.memory().numTensors).toBe(before);
    expect(actual.y).toBeCloseTo(expected.y, 3);
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(maxDiff(actual.dx, expected.dx)).toBeLessThan(1e-3);
    expect(maxDiff(actual.dk, expected.dk)).toBeLessThan(1e-3);
  });

  it.each(cases)('for data input (inputGrad false) the same kernel gradient, none for x: x $x, stride $stride, $mode', async (c) => {
    await useBackend('wasm');
    const full = grads(c);
    const before = tf.memory().numTensors;
    const kernelOnly = grads(c, false);
    expect(tf.memory().numTensors).toBe(before);
    expect(kernelOnly.dk).toEqual(full.dk);
    expect(kernelOnly.y).toBe(full.y);
    expect(kernelOnly.dx.every((v) => v === 0)).toBe(true);
  });

  it('the cases take both forms of the filter gradient, at stride 1 too', () => {
    const pays = cases.map((c) => patchRowsPay([c.k[0], c.k[1]], c.k[2], c.k[3], c.stride));
    expect(pays).toContain(false);
    expect(cases.filter((c, i) => c.stride === 1 && pays[i]).length).toBeGreaterThan(0);
  });

  it.each(cases)('the patch-rows form where it pays, equal to the convolution form: x $x, kernel $k, stride $stride', async (c) => {
    await useBackend('wasm');
    const rowsPay = patchRowsPay([c.k[0], c.k[1]], c.k[2], c.k[3], c.stride);
    const kernels = async () => (await tf.profile(() => grads(c))).kernelNames;
    expect((await kernels()).includes(PATCH_ROWS)).toBe(rowsPay);
    const withRows = grads(c);
    useWasmKernels(false);
    try {
      expect((await kernels()).includes(PATCH_ROWS)).toBe(false);
      const without = grads(c);
      without.dk.forEach((v, i) => expect(Math.abs(v - withRows.dk[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
      expect(without.dx).toEqual(withRows.dx);
    } finally {
      useWasmKernels(true);
    }
  });
});
