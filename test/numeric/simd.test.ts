/**
 * The engine's SIMD kernels for wasm (src/main/engine/simd.wat, loaded by simd.ts) against the JavaScript
 * kernels they replace (kernels.ts, adam.ts), to the bit, on tfjs's single-threaded build (the module imports a
 * private memory) and its threaded one (a shared memory): ReLU's gradient, the max-pool gradient, a convolution's
 * patches, the Adam update and sums over leading axes (against wasm's own Sum), on sizes that leave a tail after the groups of four, with NaN, ±0, ties and
 * padding. And the generated module is the .wat's.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { restartWasm, useBackend } from '../../src/main/engine/backend';
import { simdOf, simdProblem, useSimdKernels } from '../../src/main/engine/simd';
// Registers the fused Adam kernel.
import '../../src/main/engine/adam';
import { PATCH_ROWS } from '../../src/runtime/ts/conv2d.ts';
import { Rng } from '../../src/shared/util/rng';
import { GENERATED, generatedSimd } from '../../scripts/build-simd';

const rng = new Rng(17);
/** Normal values with some NaN, zeros of both signs, and repeats (ties for the max-pool). */
function values(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const u = rng.next();
    if (u < 0.03) return NaN;
    if (u < 0.08) return i % 2 ? 0 : -0;
    if (u < 0.2) return Math.round(rng.normal());
    return rng.normal();
  });
}

/** Equal to the bit, but any NaN for a NaN (WebAssembly does not promise a NaN's payload). */
function sameBits(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const [g, w] = [new Uint32Array(got.buffer, got.byteOffset, got.length), new Uint32Array(want.buffer, want.byteOffset, want.length)];
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i])) expect(Number.isNaN(got[i]), `${what}, element ${i}`).toBe(true);
    else if (g[i] !== w[i]) expect(got[i], `${what}, element ${i}`).toBe(want[i]);
  }
}

/** The outputs of f with the SIMD kernels and with the JavaScript ones. */
function both(f: (tensor: (shape: number[]) => tf.Tensor) => tf.Tensor[]): [Float32Array[], Float32Array[]] {
  const tensor = inputs() as ReturnType<typeof inputs> & { restart: () => void };
  const read = () => (tensor.restart(), tf.tidy(() => f(tensor))).map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  });
  useSimdKernels(true);
  const simd = read();
  useSimdKernels(false);
  try {
    return [simd, read()];
  } finally {
    useSimdKernels(true);
  }
}

/** Tensors of fixed random values: the k-th call in a run of f gets the same values as in the other run. */
function inputs(): (shape: number[]) => tf.Tensor {
  const drawn: Float32Array[] = [];
  let k = 0;
  const tensor = (shape: number[]) => tf.tensor((drawn[k++] ??= values(shape.reduce((a, b) => a * b, 1))), shape);
  // Each run starts again at the first.
  return Object.assign(tensor, { restart: () => (k = 0) });
}

describe.each([1, 2])('SIMD kernels on wasm, %i thread(s)', (threads) => {
  afterAll(async () => {
    useSimdKernels(true);
    await restartWasm(1);
  });

  it('load into the backend\'s memory', async () => {
    await useBackend('wasm');
    await restartWasm(threads);
    expect(simdOf(tf.backend())).not.toBeNull();
    expect(simdProblem()).toBeNull();
  });

  it.each([[1], [3], [4], [7], [1029]])('ReLU\'s gradient, %i elements', async (n) => {
    const [simd, js] = both((tensor) => [tf.engine().runKernel('HnetReluGrad', { dy: tensor([n]), x: tensor([n]) }) as tf.Tensor]);
    sameBits(simd[0], js[0], 'dx');
  });

  const pools: [number[], number, number, 'same' | 'valid'][] = [
    [[2, 8, 8, 4], 2, 2, 'valid'],
    [[3, 9, 7, 5], 2, 2, 'same'],
    [[2, 9, 8, 6], 3, 2, 'same'],
    [[1, 6, 7, 3], 3, 1, 'valid'],
    [[2, 10, 11, 9], 3, 3, 'same'],
  ];
  it.each(pools)('the max-pool gradient, x %j, size %i, stride %i, %s', async (shape, size, stride, pad) => {
    const [simd, js] = both((tensor) => {
      const x = tensor(shape) as tf.Tensor4D;
      const y = tf.maxPool(x, size, stride, pad);
      return [tf.engine().runKernel('MaxPoolGrad', { dy: tensor(y.shape), input: x, output: y }, { filterSize: size, strides: stride, pad }) as tf.Tensor];
    });
    sameBits(simd[0], js[0], 'dx');
  });

  const patches: [number[], number[], number, number, number][] = [
    [[2, 9, 8, 1], [3, 3], 1, 1, 1],
    [[2, 9, 8, 3], [3, 2], 2, 1, 0],
    [[1, 12, 9, 2], [4, 4], 3, 0, 0],
    [[3, 7, 7, 1], [7, 7], 1, 3, 3],
    [[2, 5, 6, 2], [5, 5], 2, 2, 2],
  ];
  it.each(patches)('a convolution\'s patches, x %j, kernel %j, stride %i', async (shape, kernel, stride, top, left) => {
    const [h, w] = [shape[1], shape[2]];
    const outHeight = Math.floor((h + 2 * top - kernel[0]) / stride) + 1;
    const outWidth = Math.floor((w + 2 * left - kernel[1]) / stride) + 1;
    const attrs = { kernel, stride, top, left, outHeight, outWidth };
    const [simd, js] = both((tensor) => [tf.engine().runKernel(PATCH_ROWS, { x: tensor(shape) }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor]);
    sameBits(simd[0], js[0], 'patches');
  });

  const sums: [number[], number[], boolean][] = [
    [[64, 7, 7, 16], [0, 1, 2], false],
    [[1, 45, 2003], [0, 1], true],
    [[33, 5], [0], false],
    [[9, 3, 2], [-3, -2], false],
    [[130, 3], [0], false],
  ];
  it.each(sums)('a sum over leading axes, x %j, axes %j, keepDims %s', async (shape, axis, keepDims) => {
    // wasm's own Sum (SIMD off) sums each column in row order too: the same to the bit.
    const [simd, own] = both((tensor) => [tf.sum(tensor(shape), axis, keepDims)]);
    sameBits(simd[0], own[0], 'sum');
    const summed = axis.map((a) => (a + shape.length) % shape.length);
    const want = keepDims ? shape.map((d, i) => (summed.includes(i) ? 1 : d)) : shape.filter((_, i) => !summed.includes(i));
    expect(tf.tidy(() => tf.sum(tf.ones(shape), axis, keepDims).shape)).toEqual(want);
  });

  it.each([[1], [6], [4099]])('the Adam update, %i elements', async (n) => {
    const attrs = { beta1: 0.9, beta2: 0.999, learningRate: 0.003, epsilon: 1e-8 };
    const [simd, js] = both((tensor) => {
      const v = tf.abs(tensor([n]));
      const inputs = { x: tensor([n]), g: tensor([n]), m: tensor([n]), v, accBeta1: tf.scalar(0.9 ** 3), accBeta2: tf.scalar(0.999 ** 3) };
      return tf.engine().runKernel('HnetAdamUpdate', inputs, attrs) as tf.Tensor[];
    });
    ['x', 'm', 'v'].forEach((name, i) => sameBits(simd[i], js[i], name));
  });
});

describe('the SIMD module', () => {
  it('is what `npm run simd` makes of src/main/engine/simd.wat', async () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(await generatedSimd());
  });
});
