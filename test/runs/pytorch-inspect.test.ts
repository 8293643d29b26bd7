/**
 * Inspecting a run on the pytorch backend over the app service: while the Python process trains (and while it
 * is paused) it answers the inspector's queries by writing its live state in the checkpoint format between two
 * steps, which the training worker inspects (`source: live`); once the run has ended its last checkpoint answers.
 *
 * Needs /usr/bin/python3 (or HNET_PYTHON) with torch, as test/pytorch-backend.test.ts: fails, never skips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ended, harness, streamedSteps, type Harness } from './helpers';
import { templateText } from '../helpers/templates';
import { until } from '../helpers/wait';

let dir: string;
let h: Harness;
const caller = 'w';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-pytorch-inspect-'));
  h = harness(dir);
});
afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a sinusoid-family run on the pytorch backend', () => {
  it('answers live inspection from the Python process, paused too, then from the checkpoint once the run ended', async () => {
    const { runId } = await h.service.invoke(
      'run.start',
      { documentText: templateText('sinusoid-family'), handle: null, overrides: { backend: 'pytorch', steps: 1_000_000, evalEvery: 0 } },
      caller,
    );
    await until(() => streamedSteps(h.events(runId)).length > 0, 'the first steps', 120_000);
    const query = { runId, context: { task: 0 }, weights: true, predictions: true } as const;
    const first = await h.service.invoke('run.inspect', query, caller);
    expect(first.source).toBe('live');
    expect(first.step).toBeGreaterThan(0);
    expect(first.weights.length).toBeGreaterThan(0);
    expect(first.predictions?.kind).toBe('curve');

    // Paused: train.py waits between two steps and still answers, always at the same step.
    expect((await h.service.invoke('run.pause', { runId }, caller)).status).toBe('paused');
    await until(async () => {
      const a = await h.service.invoke('run.inspect', query, caller);
      const b = await h.service.invoke('run.inspect', query, caller);
      return a.step === b.step && a.source === 'live';
    }, 'the paused run to hold still', 60_000);
    const held = await h.service.invoke('run.inspect', query, caller);
    expect(held.step).toBeGreaterThanOrEqual(first.step);
    expect((await h.service.invoke('run.inspect', query, caller)).weights[0].values).toEqual(held.weights[0].values);
    expect((await h.service.invoke('run.resume', { runId }, caller)).status).toBe('running');
    await until(async () => (await h.service.invoke('run.inspect', query, caller)).step > held.step, 'steps after resume', 60_000);

    expect((await h.service.invoke('run.stop', { runId }, caller)).status).toBe('stopped');
    const summary = await ended(h.service, runId);
    expect(summary.backend).toMatch(/^pytorch/);
    const r = await h.service.invoke('run.inspect', query, caller);
    expect(r.source).toBe('checkpoint');
    expect(r.step).toBe(summary.step);
    expect(r.weights.length).toBeGreaterThan(0);
    expect(r.predictions?.kind).toBe('curve');
  }, 180_000);
});
