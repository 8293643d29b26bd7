/**
 * Inspecting a run on the pytorch backend over the app service: while the Python process trains, the
 * inspector's queries are refused at once with `conflict` and a sentence saying when they can be answered (the
 * process writes checkpoints but answers no live requests); once the run has ended its last checkpoint, written
 * by train.py in the engine's format, answers them.
 *
 * Needs /usr/bin/python3 (or HNET_PYTHON) with torch, as test/pytorch-backend.test.ts: fails, never skips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ended, harness, rejects, streamedSteps, templateText, until, type Harness } from './helpers';

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
  it('refuses live inspection with its reason, then answers from the checkpoint once the run ended', async () => {
    const { runId } = await h.service.invoke(
      'run.start',
      { documentText: templateText('sinusoid-family'), handle: null, overrides: { backend: 'pytorch', steps: 1_000_000, evalEvery: 0 } },
      caller,
    );
    await until(() => streamedSteps(h.events(runId)).length > 0, 'the first steps', 120_000);
    const query = { runId, context: { task: 0 }, weights: true, predictions: true } as const;
    // Refused while it runs, and while it is paused (the model is in the Python process either way).
    await rejects(h.service.invoke('run.inspect', query, caller), 'conflict', /pytorch backend.*inspected once it ends \(from its last checkpoint\)/);
    expect((await h.service.invoke('run.pause', { runId }, caller)).status).toBe('paused');
    await rejects(h.service.invoke('run.inspect', query, caller), 'conflict', /once it ends/);
    expect((await h.service.invoke('run.resume', { runId }, caller)).status).toBe('running');

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
