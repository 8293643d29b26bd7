/**
 * ops.tile (src/runtime/ts/ops.ts): tf.tile's values, with a gradient that sums the repeats in one kernel,
 * against tfjs's own Tile gradient (a slice and an add per repeat), on cpu and wasm, ranks 1 to 4.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { tile } from '../../src/runtime/ts/ops';
import { Rng } from '../../src/shared/util/rng';

const rng = new Rng(5);
const CASES: [number[], number[]][] = [
  [[3], [4]],
  [[1, 16], [45, 1]],
  [[2, 3], [2, 3]],
  [[1, 1, 16], [1, 45, 1]],
  [[2, 1, 3], [3, 2, 1]],
  [[2, 2, 1, 3], [1, 3, 2, 2]],
];

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const normals = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** The value of f(x) and the gradient of L = sum(f(x) · u). */
function run(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, u: tf.Tensor) {
  const value = tf.tidy(() => Array.from(f(x).dataSync()));
  const grad = tf.tidy(() => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), u)))(x).dataSync()));
  return { value, grad };
}

describe.each(['cpu', 'wasm'] as const)('tile on %s', (backend) => {
  it.each(CASES)("of %j by %j: tf.tile's values, and its gradient to 1e-6", async (shape, reps) => {
    await useBackend(backend);
    const x = tf.tensor(normals(count(shape)), shape);
    const u = tf.tensor(normals(count(shape) * count(reps)), shape.map((s, i) => s * reps[i]));
    const mine = run((v) => tile(v, reps), x, u);
    const theirs = run((v) => tf.tile(v, reps), x, u);
    tf.dispose([x, u]);
    expect(mine.value).toEqual(theirs.value);
    expect(mine.grad).toHaveLength(count(shape));
    mine.grad.forEach((g, i) => expect(Math.abs(g - theirs.grad[i]), `element ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(theirs.grad[i]))));
  });

  it('takes a fixed number of kernels for its gradient, not one slice and add per repeat', async () => {
    await useBackend(backend);
    const x = tf.tensor(normals(16), [1, 1, 16]);
    const u = tf.tensor(normals(45 * 16), [1, 45, 16]);
    // Kernel names copied at once: tf.profile hands back the same object every time.
    const kernels = async (f: (v: tf.Tensor) => tf.Tensor) => (await tf.profile(() => run(f, x, u).grad)).kernels.map((k) => k.name);
    const mine = await kernels((v) => tile(v, [1, 45, 1]));
    const theirs = await kernels((v) => tf.tile(v, [1, 45, 1]));
    tf.dispose([x, u]);
    expect(mine.filter((k) => k === 'Slice')).toHaveLength(0);
    // The same forward pass and loss around both: tfjs's gradient adds 45 slices and 45 adds, this one a sum.
    expect(theirs.length - mine.length).toBeGreaterThanOrEqual(85);
  });
});
