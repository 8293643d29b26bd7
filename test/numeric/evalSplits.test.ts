/**
 * Evaluations during training read the validation split a dataset holds out of its training data; the end of
 * each task and the final evaluation read the test set; every eval event names the split it measured.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/shared/api/events';
import { useBackend } from '../../src/main/engine/backend';
import { programOf, record } from './helpers';

/** A fixed model (learning rate ≈ 0) on two Split MNIST tasks: what an evaluation reports depends on its data alone. */
const splitMnist = (validation: number) =>
  programOf(
    [
      { id: 'digits', type: 'data.split_mnist', params: { validation } },
      { id: 'dense', type: 'target.dense', params: { units: 2 } },
      { id: 'loss', type: 'objective.cross_entropy' },
      { id: 'acc', type: 'metric.accuracy' },
    ],
    ['digits.x -> dense.x', 'dense.y -> loss.logits', 'digits.y -> loss.labels', 'dense.y -> acc.logits', 'digits.y -> acc.labels'],
    { tasks: [0, 1], schedule: 'sequential', steps: 4, evalEvery: 2, batchSize: 8, optimizer: { type: 'sgd', learningRate: 1e-30 }, seed: 2 },
    { maxEvalSamples: 400, evalBatchSize: 200 },
  );

type EvalEvent = Extract<EngineEvent, { event: 'eval' }>;
const evals = (events: EngineEvent[]) => events.filter((e): e is EvalEvent => e.event === 'eval');

describe('evaluation splits', () => {
  it('during training: the validation split; at the end of a task and at the end: the test set', async () => {
    await useBackend('wasm');
    const { events, done } = await record(splitMnist(5000), {});
    const ev = evals(events);
    // Task 0: an evaluation at step 2 (during), then the end of the task (step 4); task 1: step 6, then step 8.
    expect(ev.map((e) => [e.step, e.split])).toEqual([[2, 'val'], [4, 'test'], [6, 'val'], [8, 'test']]);
    // The model does not move: the validation and test figures differ only because the samples do.
    expect(ev[0].perTask[0].loss).not.toBeCloseTo(ev[1].perTask[0].loss, 6);
    expect(done.metrics.loss).toBeCloseTo(ev[3].metrics.loss, 6);
  });

  it('without a validation split, evaluations during training read the test set and say so', async () => {
    await useBackend('wasm');
    const { events } = await record(splitMnist(0), {});
    const ev = evals(events);
    expect(ev.map((e) => [e.step, e.split])).toEqual([[2, 'test'], [4, 'test'], [6, 'test'], [8, 'test']]);
    expect(ev[0].perTask[0].loss).toBeCloseTo(ev[1].perTask[0].loss, 6);
  });
});
