/**
 * Resuming from a checkpoint continues the run exactly: train N steps writing a checkpoint every k, keep the one
 * written at step k, resume from it, and every loss after step k equals the uninterrupted run's, bit for bit
 * (same backend). Also for a continual-learning run whose checkpoint falls inside the second task.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/shared/api/events';
import type { Program } from '../../src/shared/compiler/ir';
import type { Backend } from '../../src/shared/document/schema';
import { clProgram, record } from './helpers';
import { templateProgram } from '../helpers/templates';

const dir = mkdtempSync(join(tmpdir(), 'hnet-numeric-ck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The uninterrupted run (checkpointing every k, keeping a copy of the step-k file) and the resumed one. */
async function interruptedAndWhole(program: Program, name: string, steps: number, k: number, backend: Backend, leakCheck = true) {
  const path = join(dir, `${name}.ckpt.json`);
  const atK = join(dir, `${name}.step${k}.json`);
  const whole = await record(program, { steps, backend, checkpointPath: path, checkpointEvery: k }, (e) => {
    if (e.event === 'checkpoint' && e.step === k) copyFileSync(path, atK);
  });
  const checkpoints = whole.events.filter((e): e is Extract<EngineEvent, { event: 'checkpoint' }> => e.event === 'checkpoint').map((e) => e.step);
  const before = tf.memory().numTensors;
  const resumed = await record(program, { steps, backend, resumeFrom: atK });
  // Nothing of the restored state outlives the run.
  if (leakCheck) expect(tf.memory().numTensors).toBe(before);
  return { whole, resumed, checkpoints };
}

describe('checkpoint resume is exact', () => {
  // k = 13: there tfjs's pow(0.9, 14) differs in the last bit from Adam's running product 0.9·0.9·…
  it.each(['wasm', 'cpu'] as Backend[])('sinusoid template, 30 steps, checkpoint at 13 (%s)', async (backend) => {
    const program = templateProgram('sinusoid-family');
    const { whole, resumed, checkpoints } = await interruptedAndWhole(program, `sinusoid-${backend}`, 30, 13, backend);
    expect(checkpoints).toEqual([13, 26, 30]);
    expect(whole.losses).toHaveLength(30);
    expect(resumed.steps.map((s) => s.step)).toEqual(Array.from({ length: 17 }, (_, i) => 14 + i));
    expect(resumed.losses).toEqual(whole.losses.slice(13));
    expect(resumed.done.step).toBe(30);
    expect(resumed.done.metrics).toEqual(whole.done.metrics);
  });

  it('continual learning (3 tasks of 10 steps, output regulariser), checkpoint at step 15 inside task 1 (wasm)', async () => {
    const program = clProgram();
    const { whole, resumed, checkpoints } = await interruptedAndWhole(program, 'cl', 10, 15, 'wasm');
    expect(checkpoints).toEqual([15, 30, 30]);
    expect(whole.steps.map((s) => s.task)).toEqual([...Array(10).fill(0), ...Array(10).fill(1), ...Array(10).fill(2)]);
    expect(resumed.steps.map((s) => s.step)).toEqual(Array.from({ length: 15 }, (_, i) => 16 + i));
    expect(resumed.steps[0].task).toBe(1);
    // The regulariser is active right after the resume (its targets came back from the checkpoint).
    expect(resumed.steps[0].losses.output_regularizer).toBeGreaterThan(0);
    expect(resumed.steps).toEqual(whole.steps.slice(15).map((s) => ({ ...s, stepsPerSecond: expect.any(Number) })));
    expect(resumed.losses).toEqual(whole.losses.slice(15));
    expect(resumed.done.accuracyMatrix).toEqual(whole.done.accuracyMatrix);
    expect(resumed.done.metrics).toEqual(whole.done.metrics);
    const taskEnds = (r: typeof whole) => r.events.filter((e) => e.event === 'task_end');
    expect(taskEnds(resumed)).toEqual(taskEnds(whole).slice(1));
  });

  it.each([
    ['sgd with momentum', { type: 'sgd', learningRate: 0.002, momentum: 0.9 }],
    ['rmsprop with momentum', { type: 'rmsprop', learningRate: 0.002, momentum: 0.5 }],
    ['adam', { type: 'adam', learningRate: 0.01 }],
  ])('continual learning with %s, checkpoint at step 13 inside task 1 (cpu)', async (_name, optimizer) => {
    const program = clProgram({ optimizer });
    // tfjs's MomentumOptimizer.dispose() forgets the learning-rate scalar its SGD base class keeps: one tensor per
    // run with momentum leaks inside tfjs, restored or not, so the tensor count is not checked for it here.
    const { whole, resumed } = await interruptedAndWhole(program, `cl-${optimizer.type}`, 10, 13, 'cpu', optimizer.type !== 'sgd');
    expect(resumed.steps.map((s) => s.step)).toEqual(Array.from({ length: 17 }, (_, i) => 14 + i));
    expect(resumed.losses).toEqual(whole.losses.slice(13));
    expect(resumed.done.accuracyMatrix).toEqual(whole.done.accuracyMatrix);
  });
});
