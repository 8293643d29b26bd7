/**
 * The benchmark's simulated editor, in its own worker thread (as the real editor has its own process): a
 * WebSocket client of `hnet serve` that starts runs, receives their pushes and folds them into a run history with
 * the same reducer the dashboard uses (applyRunEvent), while measuring its own event-loop delay.
 *
 * Messages from the benchmark: { type: 'run', documentText, overrides } -> { type: 'ran', runId, status,
 * messages, points, seconds, lagP99Ms, lagMaxMs, busy }.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { Push } from '../src/shared/api/contract';
import { applyRunEvent, emptyHistory, type RunHistory } from '../src/shared/api/runs';

const { port, token } = workerData as { port: number; token: string };
const RESOLUTION_MS = 1;

const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { headers: { Origin: `http://127.0.0.1:${port}` } });
let next = 1;
const waiting = new Map<number, (r: { result?: unknown; error?: { message: string } }) => void>();
let current: { runId: string | null; history: RunHistory; messages: number; first: number; last: number; done: () => void } | null = null;

ws.on('message', (data) => {
  const msg = JSON.parse(String(data)) as { id?: number; push?: unknown; result?: unknown; error?: { message: string } };
  if ('push' in msg) {
    const push = Push.parse(msg.push);
    if (push.type !== 'engine' || !current) return;
    // The run's first push (its status) can arrive before the reply to run.start.
    current.runId ??= push.runId;
    if (push.runId !== current.runId) return;
    current.messages++;
    current.last = performance.now();
    applyRunEvent(current.history, push.event);
    if (push.event.event === 'status' && !['running', 'paused'].includes(push.event.status)) current.done();
  } else if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg);
});

function call<T>(method: string, params: unknown): Promise<T> {
  const id = next++;
  return new Promise((done, fail) => {
    waiting.set(id, (r) => (r.error ? fail(new Error(r.error.message)) : done(r.result as T)));
    ws.send(JSON.stringify({ id, method, params }));
  });
}

const opened = new Promise<void>((r) => ws.once('open', () => r()));

parentPort!.on('message', async (m: { type: 'run'; documentText: string; overrides: Record<string, unknown> }) => {
  await opened;
  const lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const elu = performance.eventLoopUtilization();
  let markDone!: () => void;
  const finished = new Promise<void>((r) => (markDone = r));
  current = { runId: null, history: emptyHistory(), messages: 0, first: performance.now(), last: performance.now(), done: markDone };
  lag.enable();
  const { runId } = await call<{ runId: string }>('run.start', { documentText: m.documentText, handle: null, overrides: m.overrides });
  current.runId ??= runId;
  await finished;
  lag.disable();
  const c = current;
  current = null;
  parentPort!.postMessage({
    type: 'ran',
    runId,
    status: c.history.status,
    messages: c.messages,
    points: c.history.steps.step.length,
    seconds: (c.last - c.first) / 1000,
    lagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - RESOLUTION_MS),
    lagMaxMs: Math.max(0, lag.max / 1e6 - RESOLUTION_MS),
    busy: performance.eventLoopUtilization(elu).utilization,
  });
});
