/**
 * Runs in the browser mode: a WebSocket client of `hnet serve` starts a run and receives its events as engine
 * pushes, as every connected editor does; a second server on the same folders (a restart) lists the run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Push } from '../../src/shared/api/contract';
import type { StreamEvent } from '../../src/shared/api/events';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { templateText } from '../helpers/templates';
import { until } from '../helpers/wait';

let dir: string;
let rendererDir: string;
let file: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-runs-server-'));
  rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>editor</title>');
  file = join(dir, 'waves.hnet.json');
  writeFileSync(file, templateText('sinusoid-family'));
  server = await startServer({ port: 0, rendererDir, file, draftsDir: join(dir, 'drafts') });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function connect(s: RunningServer): Promise<WebSocket> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, { headers: { Origin: `http://127.0.0.1:${s.port}` } });
    ws.once('open', () => done(ws));
    ws.once('error', fail);
  });
}

function client(ws: WebSocket) {
  let next = 1;
  const waiting = new Map<number, (r: { result?: unknown; error?: { message: string; code?: string } }) => void>();
  const pushes: Push[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; push?: unknown };
    if ('push' in msg) pushes.push(Push.parse(msg.push));
    else if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg as { result?: unknown; error?: { message: string; code?: string } });
  });
  return {
    pushes,
    engine: (runId: string): StreamEvent[] => pushes.flatMap((p) => (p.type === 'engine' && p.runId === runId ? [p.event] : [])),
    call<T>(method: string, params: unknown): Promise<T> {
      const id = next++;
      return new Promise((done, fail) => {
        waiting.set(id, (r) => (r.error ? fail(new Error(`${r.error.code}: ${r.error.message}`)) : done(r.result as T)));
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
  };
}

describe('runs over the WebSocket', () => {
  it('every connected editor receives a run’s engine pushes; a restarted server lists the run', async () => {
    const a = client(await connect(server));
    const b = client(await connect(server));
    const opened = await a.call<{ handle: string }>('document.initial', {});
    const { runId } = await a.call<{ runId: string }>('run.start', { documentText: templateText('sinusoid-family'), handle: opened.handle, overrides: { steps: 40, evalEvery: 20 } });
    const isDone = (events: StreamEvent[]) => events.some((e) => e.event === 'status' && e.status === 'done');
    await until(() => isDone(a.engine(runId)) && isDone(b.engine(runId)), 'the done status on both clients');
    for (const c of [a, b]) {
      const events = c.engine(runId);
      expect(events[0]).toMatchObject({ event: 'status', status: 'running' });
      expect(events.map((e) => e.event)).toContain('start');
      expect(events.map((e) => e.event)).toContain('eval');
      const steps = events.flatMap((e) => (e.event === 'steps' ? e.points.step : []));
      expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
    const list = await a.call<{ id: string; status: string }[]>('run.list', { handle: opened.handle });
    expect(list.find((r) => r.id === runId)?.status).toBe('done');

    const again = await startServer({ port: 0, rendererDir, file, draftsDir: join(dir, 'drafts') });
    try {
      const c = client(await connect(again));
      const reopened = await c.call<{ handle: string }>('document.initial', {});
      const listed = await c.call<{ id: string; status: string; step: number }[]>('run.list', { handle: reopened.handle });
      expect(listed.find((r) => r.id === runId)).toMatchObject({ status: 'done', step: 40 });
      const detail = await c.call<{ history: { steps: { step: number[] } } }>('run.get', { runId });
      expect(detail.history.steps.step.length).toBe(40);
    } finally {
      await again.close();
    }
  });
});
