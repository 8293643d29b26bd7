/**
 * The static twin and the full budget from the editor: `run.start` with `variant: 'static'` trains the same target
 * network with ordinary weights (recorded in the run's settings and name), a resume keeps training the twin, and
 * `budget: 'full'` refuses a document without a full budget by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ended, harness, type Harness } from './helpers';
import { rejects } from '../helpers/errors';
import { templateText } from '../helpers/templates';

let dir: string;
let h: Harness;
let handle: string;
const caller = 'window-1';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-variants-'));
  const docPath = join(dir, 'spirals.hnet.json');
  writeFileSync(docPath, templateText('spirals-per-sample'));
  h = harness(dir);
  handle = h.service.openPath(docPath).handle!;
});

afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static twin runs', () => {
  it('trains ordinary weights instead of generated ones and says so in the run list', async () => {
    const documentText = templateText('spirals-per-sample');
    const { runId: hyper } = await h.service.invoke('run.start', { documentText, handle, name: 'spirals', overrides: { steps: 60, evalEvery: 0 } }, caller);
    await ended(h.service, hyper);
    const { runId: twin } = await h.service.invoke('run.start', { documentText, handle, name: 'spirals', overrides: { steps: 60, evalEvery: 0, checkpointEvery: 20, variant: 'static' } }, caller);
    const summary = await ended(h.service, twin);
    expect(summary.status).toBe('done');
    expect(summary.settings.variant).toBe('static');
    expect(summary.name).toBe('spirals (static twin)');

    const a = await h.service.invoke('run.get', { runId: hyper }, caller);
    const b = await h.service.invoke('run.get', { runId: twin }, caller);
    const target = a.history.start!.budget.generated + a.history.start!.budget.ordinary;
    expect(a.history.start!.budget.hyper).toBeGreaterThan(0);
    expect(b.history.start!.budget).toEqual({ hyper: 0, generated: 0, ordinary: target, compression: null });
    // Same data, budget and seed: both ran the same steps with the same settings apart from the variant.
    expect({ ...b.summary.settings, variant: 'hypernetwork', checkpointEvery: a.summary.settings.checkpointEvery }).toEqual(a.summary.settings);

    const listed = await h.service.invoke('run.list', { handle }, caller);
    expect(listed.find((r) => r.id === twin)?.settings.variant).toBe('static');

    // Resuming the twin from a checkpoint keeps training the twin.
    const at20 = (await h.service.invoke('run.checkpoints', { runId: twin }, caller)).find((c) => c.step === 20)!;
    const resumed = await h.service.invoke('run.resume', { runId: twin, checkpoint: at20.name }, caller);
    const after = await ended(h.service, resumed.runId);
    expect(after).toMatchObject({ status: 'done', step: 60, name: 'spirals (static twin)', settings: { variant: 'static' } });
  });

  it('refuses a full budget the document does not have, naming the field', async () => {
    await rejects(h.service.invoke('run.start', { documentText: templateText('spirals-per-sample'), handle, overrides: { budget: 'full' } }, caller), 'invalid_document', /no full budget.*HN045/s);
  });
});
