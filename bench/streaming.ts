/**
 * Streaming must not slow training. Steps per second of the sinusoid template trained in the engine's worker:
 *
 *   alone     startRun() (a worker session) with nobody listening but this benchmark.
 *   with UI   the same run started over `hnet serve`'s WebSocket by a connected editor: the run manager records
 *             every event (events.jsonl, run.json, kept checkpoints), batches them (at most ~20 pushes/s) and
 *             pushes them to the client, which folds them into a run history with the dashboard's reducer.
 *
 * Both train the same program with the same options (steps, step-event cadence, checkpoint cadence: the
 * manager's own), in alternating order, round after round, so machine noise hits both alike. Steps/s is
 * measured the same way for both: from the arrival times of the step events on the main thread, over the run's
 * last 90% of steps (worker start, model setup and the final evaluation excluded).
 *
 * Also measured during each run: the event-loop delay (p99) of the main thread (where the server, or Electron's
 * main process, answers the editor) and of the simulated editor (its own worker thread; in the app it is the
 * renderer process), and the main thread's event-loop utilisation (the share of the time it was busy): the
 * difference between the two variants is what streaming costs the main thread, a number that machine noise
 * moves much less than steps/s.
 *
 *   npx tsx bench/streaming.ts [--rounds 3] [--steps 2000] [--backend wasm]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { RunOverrides } from '../src/shared/api/runs';
import { prepareRun } from '../src/main/app/runs/settings';
import { startRun } from '../src/main/engine/session';
import { startServer } from '../src/main/server/server';
import type { Backend } from '../src/shared/document/schema';
import { TEMPLATES, flag, fmt, heading, isMain, median, numFlag, table } from './common';

/** The aims: streaming costs under 3% of steps/s; the event loops stay under 50 ms at the 99th percentile. */
export const AIM_SLOWDOWN = 0.03;
export const AIM_LAG_MS = 50;
const LAG_RESOLUTION_MS = 1;
/** The first tenth of a run's steps is left out of the rate (warm-up: kernels compiled, caches filled). */
const WARMUP_FRACTION = 0.1;

export interface StreamingRound {
  alone: number;
  withUi: number;
  ratio: number;
  mainLagAloneMs: number;
  mainLagWithUiMs: number;
  /** Share of the run's time the main thread was busy. */
  mainBusyAlone: number;
  mainBusyWithUi: number;
  clientBusy: number;
  clientLagMs: number;
  clientLagMaxMs: number;
  /** Pushes the editor received per second of the run, and step points in them. */
  pushesPerSecond: number;
  points: number;
}

export interface StreamingResult {
  steps: number;
  backend: string;
  rounds: StreamingRound[];
  ratio: number;
  slowdown: number;
  mainLagMs: number;
  clientLagMs: number;
  pushesPerSecond: number;
  /** Median extra share of the main thread's time spent on recording and streaming (0.01: 1% of one core). */
  mainBusyExtra: number;
  /** Ratios' interquartile range. */
  spread: [number, number];
}

/** Steps/s from (arrival ms, step) pairs, past the warm-up. */
function rate(points: { t: number; step: number }[], total: number): number {
  const from = points.find((p) => p.step >= total * WARMUP_FRACTION);
  const last = points[points.length - 1];
  if (!from || !last || last.t <= from.t) return NaN;
  return ((last.step - from.step) * 1000) / (last.t - from.t);
}

/** Event-loop delay (p99, ms) and utilisation of this thread from now until the returned function is called. */
function loopMonitor() {
  const h = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const elu = performance.eventLoopUtilization();
  h.enable();
  return () => {
    h.disable();
    return { lagMs: Math.max(0, h.percentile(99) / 1e6 - LAG_RESOLUTION_MS), busy: performance.eventLoopUtilization(elu).utilization };
  };
}

export async function benchStreaming(opts: { rounds: number; steps: number; backend?: Backend; log?: (s: string) => void }): Promise<StreamingResult> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'hnet-bench-streaming-'));
  const documentText = readFileSync(join(TEMPLATES, 'sinusoid-family.hnet.json'), 'utf8');
  const overrides: RunOverrides = { steps: opts.steps, evalEvery: 0, ...(opts.backend ? { backend: opts.backend } : {}) };
  // The program and cadences the run manager would use, so "alone" differs only by the streaming.
  const { program, settings } = prepareRun(documentText, overrides);
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>bench</title>');
  const runsDir = join(dir, 'runs');
  const server = await startServer({ port: 0, rendererDir, draftsDir: join(dir, 'drafts'), runsDir });
  const client = new Worker(new URL('./streaming-client.mjs', import.meta.url), { workerData: { port: server.port, token: server.token } });
  let backend = '';

  async function alone(): Promise<{ rate: number; lagMs: number; busy: number }> {
    const points: { t: number; step: number }[] = [];
    const stopLag = loopMonitor();
    const t0 = performance.now();
    const run = startRun(program, { checkpointPath: join(dir, 'alone', 'latest.json'), checkpointEvery: settings.checkpointEvery, stepEventEvery: settings.stepEventEvery });
    run.on((e) => {
      if (e.event === 'step') points.push({ t: performance.now() - t0, step: e.step });
      if (e.event === 'start') backend = e.backend;
    });
    await run.done;
    return { rate: rate(points, opts.steps), ...stopLag() };
  }

  type Ran = { runId: string; status: string; messages: number; points: number; seconds: number; lagP99Ms: number; lagMaxMs: number; busy: number };
  async function withUi(): Promise<{ rate: number; lagMs: number; busy: number; client: Ran }> {
    const stopLag = loopMonitor();
    client.postMessage({ type: 'run', documentText, overrides });
    const ran = await new Promise<Ran>((r) => client.once('message', r));
    const loop = stopLag();
    if (ran.status !== 'done') throw new Error(`the streamed run ended ${ran.status}`);
    // The manager recorded each event's arrival on the main thread (ms since the run started).
    const points = readFileSync(join(runsDir, ran.runId, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: number; event: string; step?: number })
      .filter((e) => e.event === 'step')
      .map((e) => ({ t: e.t, step: e.step! }));
    return { rate: rate(points, opts.steps), ...loop, client: ran };
  }

  const rounds: StreamingRound[] = [];
  try {
    for (let i = 0; i < opts.rounds; i++) {
      // ABBA: the order alternates so drift during a round favours neither.
      const first = i % 2 === 0 ? 'alone' : 'withUi';
      const a1 = first === 'alone' ? await alone() : null;
      const u = await withUi();
      const a = a1 ?? (await alone());
      const round: StreamingRound = {
        alone: a.rate,
        withUi: u.rate,
        ratio: u.rate / a.rate,
        mainLagAloneMs: a.lagMs,
        mainLagWithUiMs: u.lagMs,
        mainBusyAlone: a.busy,
        mainBusyWithUi: u.busy,
        clientBusy: u.client.busy,
        clientLagMs: u.client.lagP99Ms,
        clientLagMaxMs: u.client.lagMaxMs,
        pushesPerSecond: u.client.messages / Math.max(1e-9, u.client.seconds),
        points: u.client.points,
      };
      rounds.push(round);
      log(`  round ${i + 1}/${opts.rounds}: alone ${fmt(round.alone, 1)} steps/s, with UI ${fmt(round.withUi, 1)} steps/s (ratio ${fmt(round.ratio, 3)})`);
    }
  } finally {
    await client.terminate();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = median(rounds.map((r) => r.ratio));
  const sorted = rounds.map((r) => r.ratio).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
  return {
    steps: opts.steps,
    backend,
    rounds,
    ratio,
    slowdown: 1 - ratio,
    mainLagMs: Math.max(...rounds.map((r) => r.mainLagWithUiMs)),
    clientLagMs: Math.max(...rounds.map((r) => r.clientLagMs)),
    pushesPerSecond: Math.max(...rounds.map((r) => r.pushesPerSecond)),
    mainBusyExtra: median(rounds.map((r) => r.mainBusyWithUi - r.mainBusyAlone)),
    spread: [q(0.25), q(0.75)],
  };
}

export function printStreaming(r: StreamingResult): void {
  heading(`Streaming to a connected editor (sinusoid, ${r.steps} steps, ${r.backend})`);
  console.log(
    table(
      ['round', 'alone steps/s', 'with UI steps/s', 'ratio', 'main busy alone', 'main busy with UI', 'main p99 lag alone', 'main p99 lag with UI', 'editor busy', 'editor p99 lag', 'pushes/s', 'points'],
      r.rounds.map((x, i) => [
        i + 1,
        fmt(x.alone, 1),
        fmt(x.withUi, 1),
        fmt(x.ratio, 3),
        `${fmt(x.mainBusyAlone * 100, 1)}%`,
        `${fmt(x.mainBusyWithUi * 100, 1)}%`,
        `${fmt(x.mainLagAloneMs, 1)} ms`,
        `${fmt(x.mainLagWithUiMs, 1)} ms`,
        `${fmt(x.clientBusy * 100, 1)}%`,
        `${fmt(x.clientLagMs, 1)} ms`,
        fmt(x.pushesPerSecond, 1),
        x.points,
      ]),
    ),
  );
  console.log(
    `median ratio ${fmt(r.ratio, 3)} (p25-p75 ${fmt(r.spread[0], 3)}-${fmt(r.spread[1], 3)}): ${fmt(Math.abs(r.slowdown) * 100, 1)}% ` +
      `${r.slowdown >= 0 ? 'slower' : 'faster'} with a connected editor (aim: under ${AIM_SLOWDOWN * 100}% slower)`,
  );
  console.log(`recording + streaming keep the main thread busy ${fmt(r.mainBusyExtra * 100, 2)}% more of the time (median over rounds)`);
  console.log(`event-loop p99 during runs: main ${fmt(r.mainLagMs, 1)} ms, editor ${fmt(r.clientLagMs, 1)} ms (worst round; aim: under ${AIM_LAG_MS} ms)`);
}

if (isMain(import.meta.url)) {
  const backend = flag('backend') as Backend | undefined;
  console.log('Timing training with and without a connected editor (alternating runs)...');
  const r = await benchStreaming({ rounds: numFlag('rounds', 5), steps: numFlag('steps', 1500), ...(backend ? { backend } : {}), log: (s) => console.log(s) });
  printStreaming(r);
}
