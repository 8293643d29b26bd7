/** A task embedding on a dataset with one task: a one-row table, which must train like any other. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { train } from '../../src/main/engine/train';
import { compile } from '../../src/shared/compiler/compile';
import { singleTaskEmbeddingDoc } from '../fixtures/singleTask';

describe('task embedding with a single task', () => {
  it('trains and moves the embedding', async () => {
    await useBackend('wasm');
    const doc = singleTaskEmbeddingDoc({ steps: 30, optimizer: { type: 'sgd', learningRate: 0.5 } });
    const r = compile(doc);
    expect(r.problems).toEqual([]);
    const losses: number[] = [];
    const before = tf.memory().numTensors;
    const done = await train(r.program!, { stepEventEvery: 1 }, (e) => e.event === 'step' && losses.push(e.loss));
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses.slice(0, 5).reduce((a, b) => a + b) / 5);
    expect(done.metrics.loss).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
