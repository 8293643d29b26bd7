/**
 * Gradients' saved inputs without Identity kernels (src/main/engine/tape.ts): the same gradients to the bit as
 * tfjs's own saving, no Identity kernels, and no tensor left behind, on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { useKernelFreeSaves } from '../../src/main/engine/tape';
import { Rng } from '../../src/shared/util/rng';

const rng = new Rng(3);
const normals = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** A small MLP's loss gradients (product, bias, tanh, ReLU, softmax cross-entropy), as arrays. */
function grads(x: tf.Tensor2D, w1: tf.Variable, w2: tf.Variable, labels: tf.Tensor1D): number[][] {
  return tf.tidy(() => {
    const { grads: g } = tf.variableGrads(() => {
      const h = tf.relu(tf.tanh(tf.add(tf.matMul(x, w1), 0.1)));
      const logits = tf.matMul(h, w2);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(logits)), -1))) as tf.Scalar;
    }, [w1, w2]);
    return [w1, w2].map((v) => Array.from(g[v.name].dataSync()));
  });
}

describe.each(['cpu', 'wasm'] as const)('kernel-free saves on %s', (backend) => {
  afterEach(() => useKernelFreeSaves(true));

  it("give tfjs's gradients to the bit, with no Identity kernel and no tensor left", async () => {
    await useBackend(backend);
    const x = tf.tensor2d(normals(8 * 5), [8, 5]);
    const w1 = tf.variable(tf.tensor2d(normals(5 * 6), [5, 6]));
    const w2 = tf.variable(tf.tensor2d(normals(6 * 3), [6, 3]));
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    useKernelFreeSaves(false);
    const theirs = grads(x, w1, w2, labels);
    const identities = (await tf.profile(() => grads(x, w1, w2, labels))).kernels.filter((k) => k.name === 'Identity').length;
    useKernelFreeSaves(true);
    const before = tf.memory().numTensors;
    const mine = grads(x, w1, w2, labels);
    expect(tf.memory().numTensors).toBe(before);
    const mineIdentities = (await tf.profile(() => grads(x, w1, w2, labels))).kernels.filter((k) => k.name === 'Identity').length;
    tf.dispose([x, w1, w2, labels]);
    expect(mine).toEqual(theirs);
    expect(identities).toBeGreaterThan(5);
    expect(mineIdentities).toBeLessThan(identities - 5);
  });
});
