/**
 * The run queue: at most `maxRuns` runs train at once, the rest wait `queued` with their position and start in
 * turn, first in first out. Runs use a gated fixture worker (test/fixtures/worker-gated.mjs) that ends only when
 * the test releases it, so no verdict depends on timing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusEvent } from '../../src/shared/api/events';
import { ended, harness, type Harness } from './helpers';
import { root } from '../helpers/cli';
import { rejects } from '../helpers/errors';
import { fixture, templateText } from '../helpers/templates';
import { until } from '../helpers/wait';

let dir: string;
let gate: BroadcastChannel;
/** Checkpoint paths of the runs whose worker got `start`, in order. */
const started: string[] = [];
const open: Harness[] = [];
const caller = 'w';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-queue-'));
  gate = new BroadcastChannel('hnet-test-gate');
  gate.onmessage = (m) => {
    const data = (m as { data: { started?: string } }).data;
    if (data.started) started.push(data.started);
  };
});

afterEach(async () => {
  for (const h of open.splice(0)) await h.service.close();
});

afterAll(() => {
  gate.close();
  rmSync(dir, { recursive: true, force: true });
});

function gated(maxRuns?: number): Harness {
  const h = harness(join(dir, String(open.length + Math.random()).replace('.', '')), { worker: { workerUrl: fixture('worker-gated.mjs') }, ...(maxRuns ? { maxRuns } : {}) });
  open.push(h);
  return h;
}

const start = async (h: Harness) => (await h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle: null }, caller)).runId;
const hasStarted = (id: string) => started.some((p) => p.includes(id));
const order = (ids: string[]) => ids.map((id) => started.findIndex((p) => p.includes(id)));
const release = (id: string, action: 'done' | 'fail' = 'done') => gate.postMessage({ dir: id, action });
const summary = async (h: Harness, id: string) => (await h.service.invoke('run.get', { runId: id }, caller)).summary;
const statuses = (h: Harness, id: string) => h.events(id).filter((e): e is StatusEvent => e.event === 'status');

const record = (h: Harness, id: string) => JSON.parse(readFileSync(join(h.shell.draftsDir, '..', 'runs', id, 'run.json'), 'utf8'));

describe('the run queue', () => {
  it('trains at most maxRuns at once (default 2), queues the rest with their position, starts them first in first out', async () => {
    const h = gated();
    const ids = [await start(h), await start(h), await start(h), await start(h)];
    await until(() => hasStarted(ids[0]) && hasStarted(ids[1]), 'the first two runs to start');
    expect((await summary(h, ids[0])).status).toBe('running');
    expect((await summary(h, ids[1])).status).toBe('running');
    const third = await h.service.invoke('run.get', { runId: ids[2] }, caller);
    expect(third.summary).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(third.history).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(await summary(h, ids[3])).toMatchObject({ status: 'queued', queuePosition: 2 });
    const listed = await h.service.invoke('run.list', { handle: null }, caller);
    expect(listed.find((r) => r.id === ids[3])).toMatchObject({ status: 'queued', queuePosition: 2 });
    // The queued run is on disk already (folder, run.json), and so is the queue (queue.json).
    expect(record(h, ids[3]).status).toBe('queued');
    expect(hasStarted(ids[2]) || hasStarted(ids[3])).toBe(false);
    await rejects(h.service.invoke('run.inspect', { runId: ids[3], context: { task: 0 } }, caller), 'conflict', /queued \(position 2\)/);

    // The first run ends: the first queued one starts, the other moves up, and the editor hears both.
    release(ids[0]);
    expect((await ended(h.service, ids[0])).status).toBe('done');
    await until(() => hasStarted(ids[2]), 'the third run to start');
    await until(() => statuses(h, ids[3]).some((e) => e.position === 1), 'the fourth run to move up');
    expect(await summary(h, ids[2])).toMatchObject({ status: 'running' });
    expect((await summary(h, ids[2])).queuePosition).toBeUndefined();
    expect(await summary(h, ids[3])).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(hasStarted(ids[3])).toBe(false);
    expect(statuses(h, ids[2]).map((e) => [e.status, e.position])).toEqual([
      ['queued', 1],
      ['running', undefined],
    ]);
    expect(statuses(h, ids[3]).map((e) => [e.status, e.position])).toEqual([
      ['queued', 2],
      ['queued', 1],
    ]);

    release(ids[1]);
    await until(() => hasStarted(ids[3]), 'the fourth run to start');
    release(ids[2]);
    release(ids[3]);
    for (const id of ids) expect((await ended(h.service, id)).status).toBe('done');
    // The first two start together (their workers announce in either order); the queued ones strictly in turn.
    const [o1, o2, o3, o4] = order(ids);
    expect(Math.max(o1, o2)).toBeLessThan(o3);
    expect(o3).toBeLessThan(o4);
  });

  it('stopping a queued run takes it out of the queue: stopped, never started', async () => {
    const h = gated(1);
    const [a, b, c] = [await start(h), await start(h), await start(h)];
    await until(() => hasStarted(a), 'the first run to start');
    expect(await summary(h, c)).toMatchObject({ status: 'queued', queuePosition: 2 });
    expect(await h.service.invoke('run.stop', { runId: b }, caller)).toEqual({ status: 'stopped' });
    const stopped = await summary(h, b);
    expect(stopped.status).toBe('stopped');
    expect(stopped.endedAt).not.toBeNull();
    expect(record(h, b).status).toBe('stopped');
    expect(statuses(h, b).at(-1)).toMatchObject({ status: 'stopped' });
    await until(() => statuses(h, c).some((e) => e.position === 1), 'the last run to move up');
    release(a);
    await until(() => hasStarted(c), 'the last run to start');
    expect(hasStarted(b)).toBe(false);
    release(c);
    expect((await ended(h.service, c)).status).toBe('done');
    expect(hasStarted(b)).toBe(false);
  });

  it('a failed run frees its slot, and so does a stopped one', async () => {
    const h = gated(1);
    const [a, b, c] = [await start(h), await start(h), await start(h)];
    await until(() => hasStarted(a), 'the first run to start');
    release(a, 'fail');
    const failed = await ended(h.service, a);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'HN051' });
    await until(() => hasStarted(b), 'the second run to start');
    expect(await summary(h, c)).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(await h.service.invoke('run.stop', { runId: b }, caller)).toEqual({ status: 'stopped' });
    await until(() => hasStarted(c), 'the third run to start');
    release(c);
    expect((await ended(h.service, c)).status).toBe('done');
  });

  it('the queue survives a restart: queued runs come back queued, in order and paused as they were, then train', async () => {
    const h = gated(1);
    const [a, b, c] = [await start(h), await start(h), await start(h)];
    await until(() => hasStarted(a), 'the first run to start');
    // The user puts c first and pauses the queue; then the app closes.
    expect((await h.service.invoke('queue.move', { runId: c, position: 1 }, caller)).runs.map((r) => r.id)).toEqual([c, b]);
    expect(await h.service.invoke('queue.pause', { paused: true }, caller)).toMatchObject({ paused: true });
    await h.service.close();
    expect(record(h, a)).toMatchObject({ status: 'stopped' }); // the gated worker stops at once when asked
    expect(record(h, b)).toMatchObject({ status: 'queued', error: null });
    const saved = JSON.parse(readFileSync(join(h.shell.draftsDir, '..', 'runs', 'queue.json'), 'utf8'));
    expect(saved).toMatchObject({ format: 'hnet-queue', paused: true, runs: [{ runId: c }, { runId: b }] });

    // The app starts again on the same folders: both wait, paused, in the user's order; pushes go to every editor.
    const again = harness(dirname(h.shell.draftsDir), { worker: { workerUrl: fixture('worker-gated.mjs') }, maxRuns: 1 });
    open.push(again);
    const q = await again.service.invoke('queue.get', {}, caller);
    expect(q.paused).toBe(true);
    expect(q.runs.map((r) => [r.id, r.status, r.queuePosition])).toEqual([
      [c, 'queued', 1],
      [b, 'queued', 2],
    ]);
    const listed = await again.service.invoke('run.list', { handle: null }, caller);
    expect(listed.find((r) => r.id === b)).toMatchObject({ status: 'queued', queuePosition: 2 });
    expect(hasStarted(c) || hasStarted(b)).toBe(false);
    await again.service.invoke('queue.pause', { paused: false }, caller);
    await until(() => hasStarted(c), 'the first queued run to start after the restart');
    expect(hasStarted(b)).toBe(false);
    expect(again.events(c).some((e) => e.event === 'status' && e.status === 'running')).toBe(true);
    expect(again.pushes.find((p) => p.runId === c)?.caller).toBeUndefined();
    release(c);
    await until(() => hasStarted(b), 'the second queued run to start');
    release(b);
    expect((await ended(again.service, c)).status).toBe('done');
    expect((await ended(again.service, b)).status).toBe('done');
    expect((await again.service.invoke('queue.get', {}, caller)).runs).toEqual([]);
  });

  it('a queued run of an app that died without a saved queue reads interrupted', async () => {
    const h = gated(1);
    const [a, b] = [await start(h), await start(h)];
    await until(() => hasStarted(a), 'the first run to start');
    const lost = { ...record(h, b), queueFile: null, owner: { ...record(h, b).owner, pid: spawnSync(process.execPath, ['-e', '0']).pid, instance: 'gone' } };
    await h.service.close();
    writeFileSync(join(h.shell.draftsDir, '..', 'runs', b, 'run.json'), JSON.stringify(lost));
    rmSync(join(h.shell.draftsDir, '..', 'runs', 'queue.json'));
    const again = harness(dirname(h.shell.draftsDir), { worker: { workerUrl: fixture('worker-gated.mjs') } });
    open.push(again);
    const listed = (await again.service.invoke('run.list', { handle: null }, caller)).find((r) => r.id === b);
    expect(listed).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
    expect(listed?.error?.message).toMatch(/queued \(it never started\); start it again/);
    expect(hasStarted(b)).toBe(false);
  });

  it('pausing holds the queue (running runs go on), moving reorders it, clearing empties it', async () => {
    const h = gated(1);
    const [a, b, c, d] = [await start(h), await start(h), await start(h), await start(h)];
    await until(() => hasStarted(a), 'the first run to start');
    expect((await h.service.invoke('queue.get', {}, caller)).runs.map((r) => r.id)).toEqual([b, c, d]);
    await h.service.invoke('queue.pause', { paused: true }, caller);
    // The queued runs tell every editor (their Queue cards ask again).
    await until(() => statuses(h, d).some((e) => e.message === 'the queue is paused'), 'the pause to be pushed');
    release(a);
    expect((await ended(h.service, a)).status).toBe('done');
    expect(hasStarted(b)).toBe(false);
    // Out-of-range positions are clamped; a run that is not queued is refused by name.
    expect((await h.service.invoke('queue.move', { runId: b, position: 99 }, caller)).runs.map((r) => [r.id, r.queuePosition])).toEqual([
      [c, 1],
      [d, 2],
      [b, 3],
    ]);
    await rejects(h.service.invoke('queue.move', { runId: a, position: 1 }, caller), 'conflict', /is not queued/);
    await until(() => statuses(h, b).some((e) => e.position === 3), 'the moved run to hear its place');
    await h.service.invoke('queue.pause', { paused: false }, caller);
    await until(() => hasStarted(c), 'the new first run to start');
    const cleared = await h.service.invoke('queue.clear', {}, caller);
    expect(cleared.runs).toEqual([]);
    expect((await summary(h, d)).status).toBe('stopped');
    expect((await summary(h, b)).status).toBe('stopped');
    release(c);
    expect((await ended(h.service, c)).status).toBe('done');
    expect(hasStarted(b) || hasStarted(d)).toBe(false);
  });

  it('hnet serve --max-runs takes a whole number of 1 or more', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'serve', '--no-open', '--max-runs', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--max-runs must be a whole number of 1 or more/);
  });
});
