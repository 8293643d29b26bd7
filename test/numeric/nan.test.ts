/**
 * Divergence: when the loss turns NaN or Inf, train() stops with HN050 and names the node where the first
 * non-finite value appeared, and releases every tensor it made.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { train } from '../../src/main/engine/train';
import { HnetError } from '../../src/shared/compiler/errors';
import type { Backend } from '../../src/shared/document/schema';
import { programOf } from './helpers';

/**
 * A constant context of 1e30 drives a linear head that generates both Dense kernels: dense_1's output is about
 * 1e30·x (finite in float32, whose largest value is 3.4e38), and dense_2 multiplies it by another kernel of
 * about 1e30, which overflows. So the first non-finite value is dense_2's, at step 1.
 */
const overflowing = () =>
  programOf(
    [
      { id: 'data', type: 'data.toy_regression_cl' },
      { id: 'big', type: 'context.constant', params: { values: [1e30] } },
      { id: 'head', type: 'head.linear' },
      { id: 'dense_1', type: 'target.dense', params: { units: 4 } },
      { id: 'dense_2', type: 'target.dense', params: { units: 1 } },
      { id: 'loss', type: 'objective.mse' },
    ],
    [
      'big.value -> head.context',
      'data.x -> dense_1.x',
      'head.weights -> dense_1.kernel',
      'dense_1.y -> dense_2.x',
      'head.weights -> dense_2.kernel',
      'dense_2.y -> loss.prediction',
      'data.y -> loss.target',
    ],
    { steps: 5 },
  );

async function failure(run: Promise<unknown>): Promise<HnetError> {
  try {
    await run;
  } catch (e) {
    if (e instanceof HnetError) return e;
    throw e;
  }
  throw new Error('train() did not fail');
}

describe('a non-finite loss stops training with HN050 naming the node', () => {
  it.each(['wasm', 'cpu'] as Backend[])('overflow in a generated layer (%s)', async (backend) => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const err = await failure(train(overflowing(), { backend, stepEventEvery: 1 }, (e) => e.event === 'step' && steps.push(e.step)));
    expect(err.problem.code).toBe('HN050');
    expect(err.problem.node).toBe('dense_2');
    expect(err.message).toMatch(/the loss became (NaN|infinite) at step 1 \(task 0\): first non-finite value at dense_2\.\S+ \(linear\)/);
    expect(err.message).toMatch(/\(HN050\)$/);
    expect(steps).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('overflow behind a bounded layer is traced past it, to the layer that overflows (cpu)', async () => {
    await useBackend('cpu');
    const program = programOf(
      [
        { id: 'data', type: 'data.toy_regression_cl' },
        { id: 'big', type: 'context.constant', params: { values: [1e30] } },
        { id: 'head', type: 'head.linear' },
        { id: 'dense_1', type: 'target.dense', params: { units: 4, activation: 'tanh' } },
        { id: 'dense_2', type: 'target.dense', params: { units: 4 } },
        { id: 'dense_3', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
      ],
      [
        'big.value -> head.context',
        'data.x -> dense_1.x',
        'dense_1.y -> dense_2.x',
        'head.weights -> dense_2.kernel',
        'dense_2.y -> dense_3.x',
        'head.weights -> dense_3.kernel',
        'dense_3.y -> loss.prediction',
        'data.y -> loss.target',
      ],
      { steps: 5 },
    );
    // dense_1 is owned and bounded by tanh; dense_2's generated kernel (~1e30) gives ~1e30; dense_3 overflows.
    const err = await failure(train(program, { backend: 'cpu' }, () => {}));
    expect(err.problem.code).toBe('HN050');
    expect(err.problem.node).toBe('dense_3');
    expect(err.message).toMatch(/at step 1 \(task 0\): first non-finite value at dense_3\./);
  });

  it('divergence under a huge learning rate after some steps names a node of the graph (cpu)', async () => {
    await useBackend('cpu');
    const nodes = [
      { id: 'data', type: 'data.toy_regression_cl' },
      { id: 'emb', type: 'context.task_embedding', params: { dim: 4 } },
      { id: 'head', type: 'head.mlp', params: { hidden: [32] } },
      { id: 'dense_1', type: 'target.dense', params: { units: 32, activation: 'relu' } },
      { id: 'dense_2', type: 'target.dense', params: { units: 1 } },
      { id: 'loss', type: 'objective.mse' },
    ];
    const program = programOf(
      nodes,
      [
        'data.task -> emb.task',
        'emb.embedding -> head.context',
        'data.x -> dense_1.x',
        'head.weights -> dense_1.kernel',
        'dense_1.y -> dense_2.x',
        'head.weights -> dense_2.kernel',
        'dense_2.y -> loss.prediction',
        'data.y -> loss.target',
      ],
      { steps: 300, optimizer: { type: 'sgd', learningRate: 10 } },
    );
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const err = await failure(train(program, { backend: 'cpu', stepEventEvery: 1 }, (e) => e.event === 'step' && steps.push(e.step)));
    expect(err.problem.code).toBe('HN050');
    expect(steps.length).toBeGreaterThan(0);
    // The failing step is the one after the last reported step.
    expect(err.message).toMatch(new RegExp(`the loss became (NaN|infinite) at step ${steps.length + 1} \\(task 0\\): `));
    expect(nodes.map((n) => n.id)).toContain(err.problem.node);
    expect(err.message).toMatch(new RegExp(`(first non-finite value at ${err.problem.node}\\.|parameter ${err.problem.node}\\.)`));
    expect(tf.memory().numTensors).toBe(before);
  });
});
