/**
 * One big request must not stall the other editors. Two clients of `hnet serve`'s WebSocket, both in a worker
 * thread (so the server's main thread does only the server's work): B asks `app.info` back to back and records
 * each answer's latency, while A sends one big message. Reported: B's worst and median latency while A's
 * message is handled, per kind of message, and the answer A got.
 *
 *   node bin/run-ts.mjs bench/requests.ts [--mb 45]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { startServer } from '../src/main/server/server';
import { fmt, heading, isMain, numFlag, table } from './common';

const CLIENTS = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { url, origin, protocols, mb } = workerData;
const open = () => new Promise((done, fail) => {
  const ws = new WebSocket(url, protocols, { headers: { Origin: origin }, maxPayload: 1 << 30 });
  ws.once('open', () => done(ws));
  ws.once('error', fail);
});
const big = (kind) => {
  const n = mb * 1024 * 1024;
  if (kind === 'string') return JSON.stringify({ id: 1, method: 'autosave.write', params: { id: 'big', name: 'big', text: 'x'.repeat(n) } });
  if (kind === 'numbers') return JSON.stringify({ id: 1, method: 'autosave.write', params: { id: 'big', name: 'big', text: 'x', pad: Array.from({ length: Math.floor(n / 8) }, (_, i) => i * 1.5) } });
  return JSON.stringify({ id: 1, method: 'autosave.write', params: { id: 'big', name: 'big', text: 'x', pad: Array.from({ length: Math.floor(n / 12) }, () => ({ a: [1] })) } });
};
(async () => {
  const a = await open();
  const b = await open();
  const results = [];
  for (const kind of ['string', 'numbers', 'objects']) {
    const text = big(kind);
    const latencies = [];
    let stop = false;
    const pinger = (async () => {
      let id = 100;
      while (!stop) {
        const t0 = performance.now();
        await new Promise((done) => { b.once('message', done); b.send(JSON.stringify({ id: id++, method: 'app.info', params: {} })); });
        latencies.push(performance.now() - t0);
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const before = latencies.length;
    const t0 = performance.now();
    const answer = await new Promise((done) => {
      a.once('message', (d) => done(String(d).slice(0, 300)));
      a.once('close', (code, reason) => done('closed ' + code + ' ' + String(reason)));
      a.send(text);
    });
    const took = performance.now() - t0;
    stop = true;
    await pinger;
    const during = latencies.slice(before);
    if (a.readyState !== WebSocket.OPEN) { a.terminate(); Object.assign(a, await open()); }
    results.push({ kind, bytes: Buffer.byteLength(text), took, during, answer });
    if (a.readyState !== 1) results[results.length - 1].reopened = true;
  }
  parentPort.postMessage(results);
  process.exit(0);
})().catch((e) => { parentPort.postMessage({ error: String(e) }); });
`;

export async function benchRequests(mb: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hnet-bench-requests-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html>');
  const server = await startServer({ port: 0, rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
  try {
    const wsPath = createRequire(import.meta.url).resolve('ws');
    const results = await new Promise<unknown>((done, fail) => {
      const w = new Worker(CLIENTS, {
        eval: true,
        workerData: {
          wsPath,
          url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
          origin: `http://127.0.0.1:${server.port}`,
          protocols: [],
          mb,
        },
      });
      w.once('message', done);
      w.once('error', fail);
    });
    if (!Array.isArray(results)) throw new Error(JSON.stringify(results));
    heading(`B's app.info latency while A sends one ${mb} MB message`);
    const rows = (results as { kind: string; bytes: number; took: number; during: number[]; answer: string }[]).map((r) => {
      const sorted = [...r.during].sort((x, y) => x - y);
      return [
        r.kind,
        `${fmt(r.bytes / 1024 / 1024, 1)} MB`,
        `${fmt(r.took, 0)} ms`,
        String(sorted.length),
        `${fmt(sorted[Math.floor(sorted.length / 2)] ?? NaN, 1)} ms`,
        `${fmt(sorted[sorted.length - 1] ?? NaN, 0)} ms`,
        r.answer.replace(/\s+/g, ' ').slice(0, 120),
      ];
    });
    console.log(table(['message', 'size', 'A answered after', 'B answers', 'B median', 'B worst', "A's answer"], rows));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await benchRequests(numFlag('mb', 45));
