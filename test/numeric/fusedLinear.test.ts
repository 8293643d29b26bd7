/**
 * The fused linear op (tf.fused.matMul with bias and ReLU) against the unfused ops it replaces, on the cpu and
 * wasm backends: the same values and the same gradients for x, the kernel and the bias, over [B, in] and
 * points [B, P, in].
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { activation, fusedLinear, linear } from '../../src/runtime/ts/ops.ts';
import { Rng } from '../../src/shared/util/rng';

const values = (n: number, rng: Rng) => Float32Array.from({ length: n }, () => rng.normal());
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe.each(['cpu', 'wasm'] as const)('fusedLinear on %s', (backend) => {
  it.each([
    ['[B, in]', [6, 5]],
    ['[B, P, in]', [3, 4, 5]],
  ] as const)('is relu(x W + b) with its gradients, x %s', async (_, xShape) => {
    await useBackend(backend);
    const rng = new Rng(11);
    const x = tf.tensor(values(xShape.reduce((a, b) => a * b, 1), rng), [...xShape]);
    const w = tf.tensor(values(5 * 7, rng), [5, 7]);
    const b = tf.tensor(values(7, rng), [7]);
    const upstream = tf.tensor(values((x.size / 5) * 7, rng), [...xShape.slice(0, -1), 7]);
    const loss = (f: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(x, w, b), upstream));
    const fused = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => fusedLinear(x, w, b, 'relu');
    const plain = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => activation(linear(x, w, b), 'relu');
    expect(maxDiff(fused(x, w, b), plain(x, w, b))).toBeLessThan(1e-5);
    const got = tf.grads(loss(fused))([x, w, b]);
    const want = tf.grads(loss(plain))([x, w, b]);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i].shape);
      expect(maxDiff(g, want[i]), ['x', 'W', 'b'][i]).toBeLessThan(1e-4);
    });
    expect(maxDiff(fusedLinear(x, w, null, 'linear'), linear(x, w, null))).toBeLessThan(1e-5);
    tf.dispose([x, w, b, upstream, ...got, ...want]);
  });
});
