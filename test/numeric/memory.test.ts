/**
 * No tensor leaks: tf.memory().numTensors is the same after every training step (after the first two, which
 * create the optimizer's slots), evaluations in between included, and back to where it started once train()
 * returns.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { clProgram, record } from './helpers';
import { templateProgram } from '../helpers/templates';

describe('constant tensor count during training (wasm)', () => {
  it('sinusoid template, evaluating every 10 steps', async () => {
    await useBackend('wasm');
    const program = templateProgram('sinusoid-family', (doc) => (doc.training.evalEvery = 10));
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const r = await record(program, { steps: 40, backend: 'wasm' }, (e) => {
      if (e.event === 'step') counts.push(tf.memory().numTensors);
    });
    expect(counts).toHaveLength(40);
    expect(r.events.filter((e) => e.event === 'eval').length).toBeGreaterThanOrEqual(3);
    expect(new Set(counts.slice(2))).toEqual(new Set([counts[2]]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continual learning with the output regulariser: constant within each task, + one target set per earlier task', async () => {
    await useBackend('wasm');
    const program = clProgram({ evalEvery: 4 });
    const routes = program.generated.length; // every generated weight here depends on the task only
    expect(routes).toBe(6);
    const before = tf.memory().numTensors;
    const byTask = new Map<number, number[]>();
    const r = await record(program, { steps: 12, backend: 'wasm' }, (e) => {
      if (e.event === 'step') byTask.set(e.task, [...(byTask.get(e.task) ?? []), tf.memory().numTensors]);
    });
    expect(r.steps).toHaveLength(36);
    expect([...byTask.keys()]).toEqual([0, 1, 2]);
    expect(r.steps.some((s) => s.losses.output_regularizer > 0)).toBe(true);
    const first = byTask.get(0)!.slice(2);
    expect(new Set(first)).toEqual(new Set([first[0]]));
    for (const task of [1, 2]) {
      const counts = byTask.get(task)!;
      expect(new Set(counts)).toEqual(new Set([counts[0]]));
      // The regulariser's targets: what the head generated for each earlier task, one tensor per route.
      expect(counts[0] - first[0]).toBe(routes * task);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
