/**
 * Training runs over the app service (the API both shells serve), with real training in the engine's worker:
 * batched pushes, pause/resume/stop, run history on disk found again by a new service (a restart), snapshots,
 * resuming from a checkpoint, and the failures a run can end in (diverged, crashed, interrupted) without the
 * app going down.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunHistory } from '../../src/shared/api/runs';
import { ended, harness, streamedSteps, type Harness } from './helpers';
import { rejects } from '../helpers/errors';
import { editedTemplate, fixture, templateText } from '../helpers/templates';
import { until } from '../helpers/wait';

let dir: string;
let docPath: string;
let h: Harness;
let handle: string;
const caller = 'window-1';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-runs-'));
  docPath = join(dir, 'waves.hnet.json');
  writeFileSync(docPath, templateText('sinusoid-family'));
  h = harness(dir);
  handle = h.service.openPath(docPath).handle!;
});

afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a run started from the editor', () => {
  let runId: string;

  it('compiles the document, trains it in the worker and streams coalesced step batches', async () => {
    const started = await h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle, overrides: { steps: 150, evalEvery: 50 } }, caller);
    runId = started.runId;
    const summary = await ended(h.service, runId);
    expect(summary.status).toBe('done');
    expect(summary.step).toBe(150);
    expect(summary.settings.steps).toBe(150);
    expect(summary.backend).toBeTruthy();
    expect(Object.keys(summary.metrics)).toContain('mse');

    const events = h.events(runId);
    expect(h.pushes.filter((p) => p.runId === runId).every((p) => p.caller === caller)).toBe(true);
    expect(events.some((e) => e.event === 'step')).toBe(false);
    expect(events.filter((e) => e.event === 'steps').length).toBeGreaterThan(0);
    expect(events.map((e) => e.event)).toContain('eval');
    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'status', status: 'done' });

    // Nothing lost: every step event the engine sent reached the editor, once, in order.
    const { history } = await h.service.invoke('run.get', { runId }, caller);
    const streamed = streamedSteps(events);
    expect(streamed).toEqual(history.steps.step);
    expect(streamed.length).toBe(150); // stepEventEvery 1 for a short run
    expect([...streamed].sort((a, b) => a - b)).toEqual(streamed);
  });

  it('pushes at most about 20 batches a second', () => {
    const runPushes = h.pushes.filter((p) => p.runId === runId);
    // Pushes of one flush go out together; a flush that carries a status, done or error event is immediate.
    // The batcher's timer spaces flushes 50 ms apart (batcher.test.ts checks it exactly, with fake timers). Seen from
    // here, each flush's first push also waits for what the app does with the events before pushing them (the run's
    // record on disk), which on a loaded machine delays one flush more than the next: a gap can read a few ms short,
    // never half. The count below holds the rate whatever the jitter.
    const flushes: { at: number; flush: number; immediate: boolean }[] = [];
    for (const p of runPushes) {
      const immediate = p.event.event === 'status' || p.event.event === 'done' || p.event.event === 'error';
      const lastFlush = flushes[flushes.length - 1];
      if (lastFlush && p.flush === lastFlush.flush) lastFlush.immediate ||= immediate;
      else flushes.push({ at: p.at, flush: p.flush, immediate });
    }
    const timed = flushes.filter((f) => !f.immediate);
    expect(timed.length).toBeGreaterThan(2);
    const gaps = timed.slice(1).map((f, i) => f.at - timed[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThanOrEqual(45);
    const seconds = (runPushes[runPushes.length - 1].at - runPushes[0].at) / 1000;
    expect(timed.length).toBeLessThanOrEqual(Math.ceil(seconds * 20) + 1);
  });

  it('keeps the run beside the document: run.json, the document snapshot, events.jsonl and checkpoints', async () => {
    const runDir = join(dir, 'waves.runs', runId);
    const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ id: runId, status: 'done', step: 150, name: 'waves.hnet.json' });
    expect(readFileSync(join(runDir, 'document.hnet.json'), 'utf8')).toBe(templateText('sinusoid-family'));
    const lines = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines.filter((l) => JSON.parse(l).event === 'step').length).toBe(150);
    const checkpoints = await h.service.invoke('run.checkpoints', { runId }, caller);
    expect(checkpoints.map((c) => c.step)).toEqual([150, 100, 50]);
    expect(checkpoints[0].name).toMatch(/^step-0*150$/);
  });

  it('run.get returns the series a reloaded editor or a comparison view draws', async () => {
    const detail = await h.service.invoke('run.get', { runId }, caller);
    expect(RunHistory.safeParse(detail.history).success).toBe(true);
    expect(detail.documentText).toBe(templateText('sinusoid-family'));
    expect(detail.outline.heads.map((x) => x.head)).toEqual(['hyper']);
    expect(detail.outline.kind).toBe('regression');
    const { history } = detail;
    expect(history.status).toBe('done');
    expect(history.steps.loss.length).toBe(150);
    expect(detail.outline.metrics).toEqual(['mse']);
    const [loss] = detail.outline.losses;
    expect(history.steps.losses[loss]?.length).toBe(150);
    expect(history.mean.mse.step).toEqual([50, 100, 150]);
    expect(history.perTask['0'].mse.value.length).toBe(3);
    expect(Object.keys(history.weights).length).toBeGreaterThan(0);
    const w = Object.values(history.weights)[0];
    expect(w.step.length).toBe(w.norm.length);
    expect(history.done?.step).toBe(150);
    expect(history.start?.totalSteps).toBe(150);
  });

  it('exports the trained weights into the run folder', async () => {
    const out = await h.service.invoke('run.exportWeights', { runId }, caller);
    expect(out.step).toBe(150);
    expect(out.savedTo).toBeNull();
    const manifest = JSON.parse(readFileSync(join(out.dir, 'weights.json'), 'utf8'));
    expect(manifest.format).toBe('hnet-weights');
    expect(existsSync(join(out.dir, 'weights.bin'))).toBe(true);
  });

  it('pauses, resumes and stops; stopping keeps what was recorded', async () => {
    const { runId: id } = await h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle, overrides: { steps: 100_000, evalEvery: 0 } }, caller);
    await until(() => streamedSteps(h.events(id)).length > 2, 'the first steps');

    expect(await h.service.invoke('run.pause', { runId: id }, caller)).toEqual({ status: 'paused' });
    // The engine says when its loop is idle (the step in flight has ended) and when it goes on.
    const said = (prefix: string) => h.events(id).findIndex((e) => e.event === 'log' && e.message.startsWith(prefix));
    await until(() => said('paused at step') >= 0, 'the loop to pause');
    expect((await h.service.invoke('run.list', { handle }, caller)).find((r) => r.id === id)?.status).toBe('paused');
    const whilePaused = streamedSteps(h.events(id)).length;

    expect(await h.service.invoke('run.resume', { runId: id }, caller)).toEqual({ runId: id, status: 'running' });
    await until(() => streamedSteps(h.events(id)).length > whilePaused, 'a step after resume');
    await until(() => said('resumed at step') >= 0, 'the loop to resume');
    // Nothing stepped while paused: the first step streamed after the pause comes after the resume.
    const paused = Number((h.events(id)[said('paused at step')] as { message: string }).message.match(/\d+$/)![0]);
    expect(Math.max(...streamedSteps(h.events(id).slice(0, said('resumed at step'))))).toBeLessThanOrEqual(paused);

    const stopped = await h.service.invoke('run.stop', { runId: id }, caller);
    expect(stopped.status).toBe('stopped');
    const detail = await h.service.invoke('run.get', { runId: id }, caller);
    expect(detail.summary.status).toBe('stopped');
    expect(detail.summary.step).toBeGreaterThan(0);
    expect(detail.summary.step).toBeLessThan(100_000);
    expect(detail.history.steps.step.length).toBeGreaterThan(whilePaused - 1);
    expect(Object.keys(detail.summary.metrics).length).toBeGreaterThan(0);
    expect(h.events(id).map((e) => (e.event === 'status' ? e.status : null)).filter(Boolean)).toEqual(['running', 'paused', 'running', 'stopped']);
    await rejects(h.service.invoke('run.pause', { runId: id }, caller), 'conflict', /has ended \(stopped\)/);
    await rejects(h.service.invoke('run.resume', { runId: id }, caller), 'conflict', /checkpoints/);
  });

  it('trains the snapshot it started with while the document is edited and saved', async () => {
    const original = templateText('sinusoid-family');
    const { runId: id } = await h.service.invoke('run.start', { documentText: original, handle, overrides: { steps: 60, evalEvery: 0 } }, caller);
    // The editor changes the graph (a wider first layer) and saves over the file while the run goes on.
    const edited = editedTemplate('sinusoid-family', (doc) => {
      doc.nodes.find((n: { id: string }) => n.id === 'dense_1').params.units = 7;
    });
    await h.service.invoke('document.save', { handle, text: edited }, caller);
    const live = await h.service.invoke('run.inspect', { runId: id, head: 'hyper', target: 'dense_1.kernel', context: { sample: 0 } }, caller);
    const summary = await ended(h.service, id);
    expect(summary.status).toBe('done');
    const detail = await h.service.invoke('run.get', { runId: id }, caller);
    expect(detail.documentText).toBe(original);
    const kernel = detail.outline.heads[0].routes.find((r) => r.target === 'dense_1.kernel')!;
    expect(kernel.shape[1]).not.toBe(7);
    expect(live.weights[0].shape).toEqual(kernel.shape);
    expect(readFileSync(docPath, 'utf8')).toBe(edited);
  });

  it('resumes from a checkpoint as a new run that continues the step count', async () => {
    const { runId: source } = await h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle, overrides: { steps: 40, evalEvery: 0, checkpointEvery: 10 } }, caller);
    expect((await ended(h.service, source)).status).toBe('done');
    const checkpoints = await h.service.invoke('run.checkpoints', { runId: source }, caller);
    const at20 = checkpoints.find((c) => c.step === 20)!;
    expect(at20).toBeTruthy();
    const resumed = await h.service.invoke('run.resume', { runId: source, checkpoint: at20.name }, caller);
    expect(resumed.runId).not.toBe(source);
    const summary = await ended(h.service, resumed.runId);
    expect(summary).toMatchObject({ status: 'done', step: 40, resumedFrom: { runId: source, checkpoint: at20.name, step: 20 } });
    const { history } = await h.service.invoke('run.get', { runId: resumed.runId }, caller);
    expect(history.steps.step[0]).toBe(21);
    expect(history.steps.step[history.steps.step.length - 1]).toBe(40);
    await rejects(h.service.invoke('run.resume', { runId: source, checkpoint: 'step-999' }, caller), 'not_found');
    await rejects(h.service.invoke('run.resume', { runId: source, checkpoint: '../../etc/passwd' }, caller), 'not_found');
  });

  it('refuses a document that does not compile, naming the problems', async () => {
    const broken = editedTemplate('sinusoid-family', (doc) => {
      doc.edges = doc.edges.filter((e: { target: string; targetPort: string }) => !(e.target === 'loss'));
    });
    await rejects(h.service.invoke('run.start', { documentText: broken, handle }, caller), 'invalid_document', /cannot be trained:\n\s+loss/);
    await rejects(h.service.invoke('run.start', { documentText: '{', handle: null }, caller), 'invalid_document', /HN001/);
    await rejects(h.service.invoke('run.get', { runId: 'run-20200101-000000-zzzzzz' }, caller), 'not_found');
    await rejects(h.service.invoke('run.get', { runId: '../secrets' }, caller), 'invalid_request');
    await rejects(h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle: 'h_unknown' }, caller), 'unknown_handle');
  });

  it('a new service (an app restart) lists the runs with their metrics, and marks lost ones interrupted', async () => {
    const before = await h.service.invoke('run.list', { handle }, caller);
    expect(before.length).toBeGreaterThanOrEqual(4);

    // A run an earlier app process was training when it died: its owner is gone.
    const lostId = 'run-20200101-000000-lost01';
    const lostDir = join(dir, 'waves.runs', lostId);
    cpSync(join(dir, 'waves.runs', runId), lostDir, { recursive: true });
    const record = JSON.parse(readFileSync(join(lostDir, 'run.json'), 'utf8'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    Object.assign(record, { id: lostId, status: 'running', endedAt: null, owner: { ...record.owner, pid: dead, instance: 'gone' } });
    writeFileSync(join(lostDir, 'run.json'), JSON.stringify(record));
    writeFileSync(join(dir, 'waves.runs', 'run-20200101-000000-broken'), 'not a folder'); // ignored

    const restarted = harness(dir);
    try {
      const again = restarted.service.openPath(docPath).handle!;
      const after = await restarted.service.invoke('run.list', { handle: again }, caller);
      const first = after.find((r) => r.id === runId)!;
      expect(first).toMatchObject({ status: 'done', step: 150 });
      expect(first.metrics).toEqual(before.find((r) => r.id === runId)!.metrics);
      const lost = after.find((r) => r.id === lostId)!;
      expect(lost.status).toBe('interrupted');
      expect(lost.error?.message).toMatch(/ended while the run was at step 150/);
      expect(after.map((r) => r.id)).toEqual([...after.map((r) => r.id)].sort().reverse());

      const detail = await restarted.service.invoke('run.get', { runId }, caller);
      const original = await h.service.invoke('run.get', { runId }, caller);
      expect(detail.history.steps).toEqual(original.history.steps);
      expect(detail.history.mean).toEqual(original.history.mean);
    } finally {
      await restarted.service.close();
    }
  });
});

describe('failures', () => {
  it('a diverging run ends diverged, names the node, and offers its last checkpoint', async () => {
    const text = editedTemplate('sinusoid-family', (doc) => {
      doc.training.optimizer = { type: 'sgd', learningRate: 10 };
    });
    const { runId } = await h.service.invoke('run.start', { documentText: text, handle: null, overrides: { steps: 500, checkpointEvery: 1, evalEvery: 0 } }, caller);
    const summary = await ended(h.service, runId);
    expect(summary.status).toBe('diverged');
    expect(summary.error).toMatchObject({ code: 'HN050' });
    expect(summary.error?.node).toBeTruthy();
    expect(summary.error?.message).toMatch(/became (NaN|infinite) at step \d+/);
    const { history } = await h.service.invoke('run.get', { runId }, caller);
    expect(history.error).toMatchObject({ code: 'HN050', node: summary.error?.node });
    const last = h.events(runId).at(-1)!;
    expect(last).toMatchObject({ event: 'status', status: 'diverged' });
    const checkpoints = await h.service.invoke('run.checkpoints', { runId }, caller);
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints[0].step).toBeLessThanOrEqual(summary.step);
    // The unsaved document's runs live in the per-user folder.
    expect(existsSync(join(dir, 'runs', runId, 'run.json'))).toBe(true);
  });

  it('a crashing training worker ends the run crashed; the app carries on', async () => {
    const crashing = harness(dir, { worker: { workerUrl: fixture('worker-exit.mjs') } });
    try {
      const { runId } = await crashing.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle: null }, caller);
      const summary = await ended(crashing.service, runId);
      expect(summary.status).toBe('crashed');
      expect(summary.error).toMatchObject({ code: 'HN060' });
      expect(summary.error?.message).toMatch(/training worker crashed/);
      expect(crashing.events(runId).map((e) => e.event)).toEqual(['status', 'log', 'error', 'status']);
      // The service still answers.
      expect((await crashing.service.invoke('templates.list', {}, caller)).length).toBeGreaterThan(0);
      expect((await crashing.service.invoke('run.list', { handle: null }, caller)).find((r) => r.id === runId)?.status).toBe('crashed');
      await rejects(crashing.service.invoke('run.inspect', { runId, context: { task: 0 } }, caller), 'not_found', /no checkpoint/);
    } finally {
      await crashing.service.close();
    }
  });

  it('closing the app stops a run and records it', async () => {
    const closing = harness(dir);
    const { runId } = await closing.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle: null, overrides: { steps: 100_000 } }, caller);
    await until(() => streamedSteps(closing.events(runId)).length > 0, 'the first steps');
    await closing.service.close();
    const record = JSON.parse(readFileSync(join(dir, 'runs', runId, 'run.json'), 'utf8'));
    expect(['stopped', 'interrupted']).toContain(record.status);
    expect(record.step).toBeGreaterThan(0);
  });
});
