/** A task embedding on a dataset with one task: a one-row table, which must train like any other. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { train } from '../../src/main/engine/train';
import { compile } from '../../src/shared/compiler/compile';
import { testDoc } from '../../src/shared/compiler/testDoc';

describe('task embedding with a single task', () => {
  it('trains and moves the embedding', async () => {
    await useBackend('wasm');
    const doc = testDoc(
      [
        ['data', 'data.spirals'],
        ['emb', 'context.task_embedding', { dim: 4 }],
        ['h', 'head.linear'],
        ['d', 'target.dense', { units: 2 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['data.task -> emb.task', 'emb.embedding -> h.context', 'data.x -> d.x', 'h.weights -> d.kernel', 'd.y -> loss.logits', 'data.y -> loss.labels'],
      { steps: 30, optimizer: { type: 'sgd', learningRate: 0.5 } },
    );
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
