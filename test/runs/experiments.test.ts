/**
 * Experiments through the app service as the Train tab makes them: a sweep over a node parameter and a training
 * setting with seeds (its runs grouped, the queue taking what the limit does not, a bad value refused before
 * anything starts), provenance recorded, runs renamed and deleted, and an unsaved document's runs kept apart from
 * another's and moved beside the document when it is saved.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsTable } from '../../src/shared/api/runTable';
import { sweepResults } from '../../src/shared/sweep';
import { root } from '../helpers/cli';
import { rejects } from '../helpers/errors';
import { PYTHON } from '../helpers/python';
import { templateText } from '../helpers/templates';
import { ended, harness, type Harness } from './helpers';

let dir: string;
let h: Harness;
let handle: string;
let docPath: string;
const caller = 'w';
const documentText = templateText('sinusoid-family');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-experiments-'));
  docPath = join(dir, 'waves.hnet.json');
  writeFileSync(docPath, documentText);
  h = harness(dir, { maxRuns: 1 });
  handle = h.service.openPath(docPath).handle!;
});

afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sweeps from the editor', () => {
  it('runs every configuration and seed as ordinary grouped runs, with mean ± sd per configuration', async () => {
    const sweep = { settings: [{ key: 'dense_1.units', values: [8, 16] }], seeds: [1, 2] };
    const { groupId, runIds } = await h.service.invoke('sweep.start', { documentText, handle, overrides: { steps: 15, evalEvery: 0 }, sweep }, caller);
    expect(runIds).toHaveLength(4);
    // One trains, the others wait in the queue.
    const queued = (await h.service.invoke('run.list', { handle }, caller)).filter((r) => r.status === 'queued');
    expect(queued.length).toBeGreaterThanOrEqual(2);
    for (const id of runIds) expect((await ended(h.service, id)).status).toBe('done');

    const runs = (await h.service.invoke('run.list', { handle }, caller)).filter((r) => r.group?.id === groupId);
    expect(runs.map((r) => [r.group!.config['dense_1.units'], r.settings.seed]).sort()).toEqual([[16, 1], [16, 2], [8, 1], [8, 2]]);
    for (const r of runs) {
      expect(r.params).toEqual({ 'dense_1.units': r.group!.config['dense_1.units'] });
      expect(r.nodeParams['dense_1.units']).toBe(r.group!.config['dense_1.units']);
    }
    // The generated kernel of dense_1 follows the swept width: [1, units].
    const small = runs.find((r) => r.group!.config['dense_1.units'] === 8)!;
    const detail = await h.service.invoke('run.get', { runId: small.id }, caller);
    expect(detail.outline.heads.flatMap((x) => x.routes).find((r) => r.target === 'dense_1.kernel')?.shape).toEqual([1, 8]);

    const results = sweepResults(runs, groupId);
    expect(results.map((r) => [r.config, r.done])).toEqual([
      [{ 'dense_1.units': 8 }, 2],
      [{ 'dense_1.units': 16 }, 2],
    ]);
    expect(results[0].metrics.mse.n).toBe(2);
    expect(results[0].metrics.mse.sd).not.toBeNull();
    // The table shows what the sweep varied, and nothing that stayed the same.
    const keys = runsTable(runs).columns.map((c) => c.key);
    expect(keys).toContain('param:dense_1.units');
    expect(keys).toContain('setting:seed');
    expect(keys).toContain('setting:graph');
    expect(keys).not.toContain('setting:learningRate');
  }, 180_000);

  it('refuses a sweep with a value or a parameter the graph cannot take, before anything starts', async () => {
    const before = (await h.service.invoke('run.list', { handle }, caller)).length;
    await rejects(
      h.service.invoke('sweep.start', { documentText, handle, overrides: { steps: 5 }, sweep: { settings: [{ key: 'dense_1.units', values: [8, -1] }] } }, caller),
      'invalid_document',
      /dense_1.units=-1: [\s\S]*dense_1.units: Units must be at least 1/,
    );
    await rejects(
      h.service.invoke('sweep.start', { documentText, handle, sweep: { settings: [{ key: 'dense_1.unitz', values: [8] }] } }, caller),
      'invalid_document',
      /target.dense has no parameter "unitz"; it has units/,
    );
    await rejects(h.service.invoke('sweep.start', { documentText, handle, sweep: { settings: [{ key: 'nope', values: [1] }] } }, caller), 'invalid_request', /nope/);
    expect((await h.service.invoke('run.list', { handle }, caller)).length).toBe(before);
  });
});

describe('provenance, rename and delete', () => {
  it('records the app version, the hashes and the seed; renames and deletes a run', async () => {
    const { runId } = await h.service.invoke('run.start', { documentText, handle, overrides: { steps: 10, seed: 7 } }, caller);
    const r = await ended(h.service, runId);
    expect(r.provenance).toMatchObject({ appVersion: '0.0.0', documentHash: createHash('sha256').update(documentText).digest('hex'), seed: 7 });
    expect(r.provenance!.graphHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.provenance!.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.seconds).toBeGreaterThan(0);
    // The same graph and data with another seed: same graph hash; the sinusoid's waves are drawn from the seed.
    const { runId: other } = await h.service.invoke('run.start', { documentText, handle, overrides: { steps: 10, seed: 7, learningRate: 0.01 } }, caller);
    const o = await ended(h.service, other);
    expect(o.provenance!.graphHash).toBe(r.provenance!.graphHash);
    expect(o.provenance!.dataHash).toBe(r.provenance!.dataHash);

    // Its folder holds a TensorBoard log of what it recorded (read by the independent reader).
    const runDir = join(dir, 'waves.runs', runId);
    const tbFiles = readdirSync(join(runDir, 'tensorboard'));
    expect(tbFiles).toHaveLength(1);
    const tb = JSON.parse(execFileSync(PYTHON, [join(root, 'test', 'fixtures', 'read_tfevents.py'), join(runDir, 'tensorboard', tbFiles[0])], { encoding: 'utf8' })) as { step: number; values: { tag: string; simple_value?: number }[] }[];
    const recorded = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; step: number; loss: number });
    const losses = tb.flatMap((e) => e.values.filter((v) => v.tag === 'train/loss').map((v) => [e.step, v.simple_value]));
    expect(losses).toEqual(recorded.filter((e) => e.event === 'step').map((e) => [e.step, Math.fround(e.loss)]));

    const renamed = await h.service.invoke('run.rename', { runId, label: '  baseline  ' }, caller);
    expect(renamed.label).toBe('baseline');
    expect(JSON.parse(readFileSync(join(dir, 'waves.runs', runId, 'run.json'), 'utf8')).label).toBe('baseline');
    expect((await h.service.invoke('run.rename', { runId, label: '' }, caller)).label).toBeNull();

    await h.service.invoke('run.delete', { runId }, caller);
    expect(existsSync(join(dir, 'waves.runs', runId))).toBe(false);
    expect((await h.service.invoke('run.list', { handle }, caller)).some((x) => x.id === runId)).toBe(false);
    await rejects(h.service.invoke('run.get', { runId }, caller), 'not_found');
  }, 120_000);

  it('will not delete a run that is still going', async () => {
    const { runId } = await h.service.invoke('run.start', { documentText, handle, overrides: { steps: 100_000 } }, caller);
    await rejects(h.service.invoke('run.delete', { runId }, caller), 'conflict', /stop it before deleting it/);
    await h.service.invoke('run.stop', { runId }, caller);
    await ended(h.service, runId);
    await h.service.invoke('run.delete', { runId }, caller);
  }, 120_000);
});

describe("unsaved documents' runs", () => {
  it('keeps two unsaved documents apart, and moves one’s runs beside it when it is saved', async () => {
    const a = await h.service.invoke('run.start', { documentText, handle: null, unsaved: 'u-aaaa', overrides: { steps: 5 } }, caller);
    const b = await h.service.invoke('run.start', { documentText, handle: null, unsaved: 'u-bbbb', overrides: { steps: 5 } }, caller);
    await ended(h.service, a.runId);
    await ended(h.service, b.runId);
    expect((await h.service.invoke('run.list', { handle: null, unsaved: 'u-aaaa' }, caller)).map((r) => r.id)).toEqual([a.runId]);
    expect((await h.service.invoke('run.list', { handle: null, unsaved: 'u-bbbb' }, caller)).map((r) => r.id)).toEqual([b.runId]);

    const saved = join(dir, 'saved.hnet.json');
    writeFileSync(saved, documentText);
    const savedHandle = h.service.openPath(saved).handle!;
    expect(await h.service.invoke('run.adopt', { unsaved: 'u-aaaa', handle: savedHandle }, caller)).toEqual({ moved: 1 });
    expect((await h.service.invoke('run.list', { handle: savedHandle }, caller)).map((r) => r.id)).toEqual([a.runId]);
    expect(await h.service.invoke('run.list', { handle: null, unsaved: 'u-aaaa' }, caller)).toEqual([]);
    // The moved run is whole: its history and checkpoints came along.
    expect((await h.service.invoke('run.get', { runId: a.runId }, caller)).history.steps.step.length).toBeGreaterThan(0);
    expect((await h.service.invoke('run.checkpoints', { runId: a.runId }, caller)).length).toBeGreaterThan(0);
  }, 120_000);
});
