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
    // The queued run is on disk already (folder, run.json), so the queue could be persisted as a list of ids.
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

  it('closing the app ends queued runs interrupted, without starting them', async () => {
    const h = gated(1);
    const [a, b] = [await start(h), await start(h)];
    await until(() => hasStarted(a), 'the first run to start');
    await h.service.close();
    expect(record(h, b)).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
    expect(record(h, b).error.message).toMatch(/queued/);
    expect(hasStarted(b)).toBe(false);

    // A queued run of an app that died without closing (its record still says queued) reads interrupted too.
    const lost = { ...record(h, b), status: 'queued', error: null, endedAt: null, owner: { ...record(h, b).owner, pid: spawnSync(process.execPath, ['-e', '0']).pid, instance: 'gone' } };
    writeFileSync(join(h.shell.draftsDir, '..', 'runs', b, 'run.json'), JSON.stringify(lost));
    const again = harness(dirname(h.shell.draftsDir), { worker: { workerUrl: fixture('worker-gated.mjs') } });
    open.push(again);
    const listed = (await again.service.invoke('run.list', { handle: null }, caller)).find((r) => r.id === b);
    expect(listed).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
    expect(listed?.error?.message).toMatch(/queued \(it never started\); start it again/);
  });

  it('hnet serve --max-runs takes a whole number of 1 or more', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'serve', '--no-open', '--max-runs', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--max-runs must be a whole number of 1 or more/);
  });
});
