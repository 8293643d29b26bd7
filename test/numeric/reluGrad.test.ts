/**
 * ReLU's gradient on wasm (one kernel for small tensors, src/main/engine/kernels.ts) against the cpu backend's
 * (tfjs's dy · step(x)), to the bit: zeros of both signs, negatives, infinities and NaN included, below and
 * above the size where wasm keeps tfjs's three kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { Rng } from '../../src/shared/util/rng';

const rng = new Rng(17);
const SPECIAL = [0, -0, -1, 1, Infinity, -Infinity, NaN];

/** x with the special values first, and u, the weights of L = sum(relu(x) · u). */
function problem(n: number) {
  const x = Float32Array.from({ length: n }, (_, i) => (i < SPECIAL.length ? SPECIAL[i] : rng.normal()));
  const u = Float32Array.from({ length: n }, (_, i) => (i === 1 ? -2 : rng.normal()));
  return { x, u };
}

function grad({ x, u }: ReturnType<typeof problem>): number[] {
  return tf.tidy(() => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), tf.tensor(u))))(tf.tensor(x)).dataSync()));
}

describe('ReLU gradient on wasm', () => {
  it.each([[100], [20_000]])('of %i elements equals the cpu backend to the bit', async (n) => {
    const p = problem(n);
    await useBackend('cpu');
    const want = grad(p);
    await useBackend('wasm');
    const got = grad(p);
    // Object.is tells -0 from 0 and NaN from NaN, as the bits do.
    got.forEach((v, i) => expect(Object.is(v, want[i]), `element ${i}: ${v} against ${want[i]}`).toBe(true));
  });

  it('is one kernel for a small tensor', async () => {
    await useBackend('wasm');
    const p = problem(100);
    const info = await tf.profile(() => grad(p));
    expect(info.kernels.filter((k) => k.name === 'HnetReluGrad')).toHaveLength(1);
    expect(info.kernels.filter((k) => k.name === 'Step')).toHaveLength(0);
  });
});
