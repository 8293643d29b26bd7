/**
 * One big request must not stall the other editors. Two clients of `hnet serve`'s WebSocket, both in a worker
 * thread of its own (so the server's main thread does only the server's work, and building A's message does not
 * delay B): B asks `app.info` back to back and records each answer's latency, from 300 ms before A sends one big
 * message until A gets its answer; and the longest event-loop delay of the server's main thread meanwhile (the
 * machine's other load shows in B's latency but not there). Reported: B's worst and median latency while A's
 * message is handled, per kind of message, and the answer A got.
 *
 *   node bin/run-ts.mjs bench/requests.ts [--mb 45]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startServer } from '../src/main/server/server';
import { fmt, heading, isMain, numFlag, table } from './common';

/** Client A: sends one big message of each kind when told, reports when it was answered. */
const CLIENT_A = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { url, origin, mb } = workerData;
const open = () => new Promise((done, fail) => {
  const ws = new WebSocket(url, [], { headers: { Origin: origin }, maxPayload: 1 << 30 });
  ws.once('open', () => done(ws));
  ws.once('error', fail);
});
const big = (kind) => {
  const n = mb * 1024 * 1024;
  const req = (params) => JSON.stringify({ id: 1, method: 'autosave.write', params });
  if (kind === 'string') return req({ id: 'big', name: 'big', text: 'x'.repeat(n) });
  if (kind === 'numbers') return req({ id: 'big', name: 'big', text: 'x', pad: Array.from({ length: Math.floor(n / 8) }, (_, i) => i * 1.5) });
  return req({ id: 'big', name: 'big', text: 'x', pad: Array.from({ length: Math.floor(n / 12) }, () => ({ a: [1] })) });
};
parentPort.on('message', async (kind) => {
  const text = big(kind);
  const ws = await open();
  parentPort.postMessage({ ready: true });
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  const answer = await new Promise((done) => {
    ws.once('message', (d) => done(String(d).slice(0, 300)));
    ws.once('close', (code, reason) => done('closed ' + code + ' ' + String(reason)));
    ws.send(text);
  });
  parentPort.postMessage({ kind, bytes: Buffer.byteLength(text), took: performance.now() - t0, answer });
  ws.terminate();
});
`;

/** Client B: asks app.info back to back until told to stop, reports the latencies. */
const CLIENT_B = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { url, origin } = workerData;
let stop = false;
parentPort.on('message', async (m) => {
  if (m === 'stop') { stop = true; return; }
  const ws = await new Promise((done, fail) => {
    const w = new WebSocket(url, { headers: { Origin: origin } });
    w.once('open', () => done(w));
    w.once('error', fail);
  });
  stop = false;
  const latencies = [];
  let id = 100;
  while (!stop) {
    const t0 = performance.now();
    await new Promise((done) => { ws.once('message', done); ws.send(JSON.stringify({ id: id++, method: 'app.info', params: {} })); });
    latencies.push(performance.now() - t0);
    await new Promise((r) => setImmediate(r));
  }
  ws.terminate();
  parentPort.postMessage(latencies);
});
`;

export async function benchRequests(mb: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hnet-bench-requests-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html>');
  const server = await startServer({ port: 0, rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
  try {
    const wsPath = createRequire(import.meta.url).resolve('ws');
    const workerData = { wsPath, url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`, origin: `http://127.0.0.1:${server.port}`, mb };
    const a = new Worker(CLIENT_A, { eval: true, workerData });
    const b = new Worker(CLIENT_B, { eval: true, workerData });
    const next = (w: Worker) => new Promise<unknown>((done, fail) => {
      w.once('message', done);
      w.once('error', fail);
    });
    const results: { kind: string; bytes: number; took: number; during: number[]; answer: string; loopMax: number }[] = [];
    for (const kind of ['string', 'numbers', 'objects']) {
      const ready = next(a);
      a.postMessage(kind);
      await ready;
      const latencies = next(b);
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      b.postMessage('go');
      const answered = (await next(a)) as { kind: string; bytes: number; took: number; answer: string };
      loop.disable();
      b.postMessage('stop');
      results.push({ ...answered, during: (await latencies) as number[], loopMax: loop.max / 1e6 });
    }
    await a.terminate();
    await b.terminate();
    heading(`B's app.info latency while A sends one ${mb} MB message`);
    const rows = results.map((r) => {
      const sorted = [...r.during].sort((x, y) => x - y);
      return [
        r.kind,
        `${fmt(r.bytes / 1024 / 1024, 1)} MB`,
        `${fmt(r.took, 0)} ms`,
        String(sorted.length),
        `${fmt(sorted[Math.floor(sorted.length / 2)] ?? NaN, 2)} ms`,
        `${fmt(sorted[sorted.length - 1] ?? NaN, 0)} ms`,
        `${fmt(r.loopMax, 0)} ms`,
        r.answer.replace(/\s+/g, ' ').slice(0, 120),
      ];
    });
    console.log(table(['message', 'size', 'A answered after', 'B answers', 'B median', 'B worst', 'server loop max delay', "A's answer"], rows));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await benchRequests(numFlag('mb', 45));
