/**
 * The wasm matrix-product kernels (src/main/engine/kernels.ts) against the cpu backend: every combination of
 * transposed operands, batched products, short-by-wide products (computed transposed), and the (2-D) fused
 * product with bias and ReLU, values and gradients; and wasm's own kernels come back when asked (what the
 * benchmark compares against).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { useWasmKernels } from '../../src/main/engine/kernels';
import { Rng } from '../../src/shared/util/rng';

const rng = new Rng(5);
const data = (shape: number[]) => ({ shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) });
type Data = ReturnType<typeof data>;

/** y and the gradients of sum(y · u) for a, b (and the bias), as plain arrays, on the backend in use. */
function run(a: Data, b: Data, tA: boolean, tB: boolean, fused: { bias: Data; relu: boolean } | null): number[][] {
  return tf.tidy(() => {
    const [ta, tb] = [tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape)];
    const bias = fused ? tf.tensor(fused.bias.values, fused.bias.shape) : null;
    const f = (x: tf.Tensor, w: tf.Tensor, c?: tf.Tensor) =>
      fused ? tf.fused.matMul({ a: x, b: w, transposeA: tA, transposeB: tB, bias: c, activation: fused.relu ? 'relu' : 'linear' }) : tf.matMul(x, w, tA, tB);
    const y = bias ? f(ta, tb, bias) : f(ta, tb);
    const u = tf.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)), y.shape);
    const inputs = bias ? [ta, tb, bias] : [ta, tb];
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(xs[0], xs[1], xs[2]), u)))(inputs);
    return [y, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

const close = (got: number[][], want: number[][]) =>
  got.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - want[i][j]), `output ${i}, element ${j}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i][j])))));

describe('wasm matrix products', () => {
  const cases: [string, boolean, boolean][] = [
    ['a·b', false, false],
    ['aᵀ·b', true, false],
    ['a·bᵀ', false, true],
    ['aᵀ·bᵀ', true, true],
  ];
  it.each(cases)('%s and its gradients equal the cpu backend, plain, batched and fused', async (_, tA, tB) => {
    const shapes = (lead: number[]) => ({
      a: data([...lead, ...(tA ? [7, 5] : [5, 7])]),
      b: data([...lead, ...(tB ? [3, 7] : [7, 3])]),
    });
    for (const lead of [[], [2]]) {
      const { a, b } = shapes(lead);
      const fused = { bias: data([3]), relu: true };
      await useBackend('cpu');
      // The fused product only 2-D, as fusedLinear runs it: wasm's own batched _FusedMatMul leaves the ReLU off
      // some rows of later batches (tfjs-backend-wasm 4.22), so ops.fusedLinear flattens its input first.
      const want = [run(a, b, tA, tB, null), lead.length ? null : run(a, b, tA, tB, fused)];
      await useBackend('wasm');
      close(run(a, b, tA, tB, null), want[0]!);
      if (want[1]) close(run(a, b, tA, tB, fused), want[1]);
    }
  });

  // Short-by-wide products, which run as Cᵀ = Bᵀ·Aᵀ (a hypernetwork's output layer and its input gradient).
  const wide: [string, number, boolean, boolean][] = [
    ['z·W, one row', 1, false, false],
    ['dy·Wᵀ, one row', 1, false, true],
    ['z·W, three rows', 3, false, false],
    ['zᵀ·W, two rows', 2, true, false],
    ['zᵀ·Wᵀ, one row', 1, true, true],
  ];
  it.each(wide)('%s (k 32, n 1500) and its gradients equal the cpu backend', async (_, m, tA, tB) => {
    const a = data(tA ? [32, m] : [m, 32]);
    const b = data(tB ? [1500, 32] : [32, 1500]);
    await useBackend('cpu');
    const want = run(a, b, tA, tB, null);
    await useBackend('wasm');
    close(run(a, b, tA, tB, null), want);
  });

  it('puts wasm\'s own kernels back and the faster ones in place again', async () => {
    await useBackend('wasm');
    const ours = tf.getKernel('BatchMatMul', 'wasm');
    useWasmKernels(false);
    const own = tf.getKernel('BatchMatMul', 'wasm');
    expect(own).not.toBe(ours);
    const a = data([4, 6]);
    const b = data([5, 6]);
    const plain = run(a, b, false, true, null);
    useWasmKernels(true);
    useWasmKernels(true);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(own);
    close(run(a, b, false, true, null), plain);
  });
});

describe('wasm Slice read in place', () => {
  const cases: [string, number[], number[], number[]][] = [
    ['a flat run', [1, 40], [0, 7], [1, 20]],
    ['whole rows (contiguous)', [6, 5], [2, 0], [3, 5]],
    ['a 2-D block', [6, 5], [1, 2], [4, 2]],
    ['a 3-D block', [4, 5, 6], [1, 0, 3], [2, 5, 2]],
    ['a 4-D block', [3, 4, 5, 2], [1, 1, 0, 1], [2, 2, 5, 1]],
    ['a 5-D block', [2, 3, 2, 3, 4], [1, 0, 1, 1, 1], [1, 3, 1, 2, 2]],
    ['to the end (size -1)', [5, 6], [2, 1], [-1, -1]],
    ['nothing', [5, 6], [2, 1], [0, 3]],
  ];
  it.each(cases)('%s equals the cpu backend, for float32, int32 and bool', async (_, shape, begin, size) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const make = {
      float32: () => tf.tensor(Float32Array.from({ length: n }, (_, i) => i + 0.5), shape),
      int32: () => tf.tensor(Int32Array.from({ length: n }, (_, i) => i * 3 - 7), shape, 'int32'),
      bool: () => tf.tensor(Uint8Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), shape, 'bool'),
    };
    for (const f of Object.values(make)) {
      await useBackend('cpu');
      const want = tf.tidy(() => tf.slice(f(), begin, size).arraySync());
      await useBackend('wasm');
      const before = tf.memory().numTensors;
      expect(tf.tidy(() => tf.slice(f(), begin, size).arraySync())).toEqual(want);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('is the engine\'s kernel while its kernels are on', async () => {
    await useBackend('wasm');
    const ours = tf.getKernel('Slice', 'wasm')?.kernelFunc;
    useWasmKernels(false);
    const own = tf.getKernel('Slice', 'wasm')?.kernelFunc;
    expect(own).not.toBe(ours);
    useWasmKernels(true);
    expect(tf.getKernel('Slice', 'wasm')?.kernelFunc).not.toBe(own);
  });
});
