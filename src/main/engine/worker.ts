/**
 * The training worker: runs one {@link train} call per thread, driven by the messages of ./protocol.ts.
 * Loaded through ./worker-entry.mjs (which registers tsx first); {@link startRun} in ./session.ts is its caller.
 *
 * Every engine event is posted as it happens. A failure ends with an `error` event and a `fatal` message:
 * the HnetError's own problem for invalid input or divergence, HN060 with the message (never a stack) for
 * anything unexpected.
 *
 * Inspector queries (./inspect.ts) are queued as they arrive and answered where the loop hands over the live
 * model between steps (RunControl.idle), or while it is paused; once train() returns, queries get an `ended`
 * error (the caller then asks a worker started with `load`, which restores the run's last checkpoint).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, threadId } from 'node:worker_threads';
import type { EngineEvent } from '../../shared/api/events';
import { HnetError, type HnetProblem } from '../../shared/compiler/errors';
import { RunControl, type LiveModel } from './control';
import { InspectError, generateForTasks, inspect, loadForInspection, releaseShadow } from './inspect';
import { ControlFlag, MainToWorker, describeInvalid, type ReplyError, type WorkerToMain } from './protocol';
import { runTraining } from './run';

type Query = Extract<MainToWorker, { type: 'query' }>;

/** Pause and stop come by message and, when the caller shares one, through a flag buffer read on every check. */
class WorkerControl extends RunControl {
  constructor(private readonly flags: Int32Array | null) {
    super();
  }
  override get stopRequested(): boolean {
    return super.stopRequested || (this.flags !== null && Atomics.load(this.flags, ControlFlag.stop) === 1);
  }
  override get pauseRequested(): boolean {
    return !this.stopRequested && (super.pauseRequested || (this.flags !== null && Atomics.load(this.flags, ControlFlag.pause) === 1));
  }
  /** Polls with timers (not microtasks), so resume and stop messages get delivered while it waits. */
  override async waitWhilePaused(): Promise<void> {
    while (this.pauseRequested) {
      if (this.live) await this.answerQueued(this.live);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private live: LiveModel | null = null;
  readonly queries: Query[] = [];

  override async idle(live: LiveModel): Promise<void> {
    this.live = live;
    if (this.queries.length) await this.answerQueued(live);
  }

  private async answerQueued(live: LiveModel): Promise<void> {
    for (let q = this.queries.shift(); q; q = this.queries.shift()) await answer(live, q, 'live');
  }
}

function replyError(id: number, error: ReplyError): void {
  post({ type: 'reply', id, error });
}

async function answer(live: LiveModel, q: Query, source: 'live' | 'checkpoint'): Promise<void> {
  try {
    const query = q.query;
    post({ type: 'reply', id: q.id, result: 'generate' in query ? await generateForTasks(live, query.generate.tasks) : await inspect(live, query, source) });
  } catch (e) {
    const code = e instanceof InspectError ? e.code : e instanceof HnetError ? 'invalid_request' : 'failed';
    replyError(q.id, { code, message: messageOf(e) });
  }
}

function post(message: WorkerToMain): void {
  parentPort?.postMessage(message);
}

function fatal(problem: HnetProblem): void {
  const event: EngineEvent = {
    event: 'error',
    code: problem.code,
    message: problem.message,
    ...(problem.node !== undefined ? { node: problem.node } : {}),
    ...(problem.port !== undefined ? { port: problem.port } : {}),
  };
  post({ type: 'event', event });
  post({ type: 'fatal', problem });
}

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

let control: WorkerControl | null = null;
let running: Extract<MainToWorker, { type: 'start' }> | null = null;
let snapshotQueue: Promise<void> = Promise.resolve();
let snapshotCount = 0;

/**
 * A live query on a run whose model is in another process (pytorch): it writes its state as a checkpoint, which
 * a model here restores to answer from (then it is released). One at a time, in order.
 */
function answerFromSnapshot(snapshot: (path: string) => Promise<number>, q: Query): void {
  const start = running;
  snapshotQueue = snapshotQueue.then(async () => {
    const path = join(tmpdir(), `hnet-live-${process.pid}-${threadId}-${++snapshotCount}.json`);
    let live: LiveModel;
    try {
      await snapshot(path);
      if (!start) throw new Error('the run has not started');
      live = await loadForInspection(start.program, start.options, path);
    } catch (e) {
      if (e instanceof InspectError || e instanceof HnetError) replyError(q.id, { code: e instanceof InspectError ? e.code : 'invalid_request', message: messageOf(e) });
      else replyError(q.id, { code: 'ended', message: messageOf(e) });
      return;
    } finally {
      rmSync(path, { force: true });
    }
    try {
      await answer(live, q, 'live');
    } finally {
      releaseShadow(live.model);
      live.model.dispose();
    }
  });
}
let started = false;
let ended = false;

async function run(message: Extract<MainToWorker, { type: 'start' }>): Promise<void> {
  control = new WorkerControl(message.control ? new Int32Array(message.control) : null);
  running = message;
  const emit = (event: EngineEvent) => post({ type: 'event', event });
  try {
    await runTraining(message.program, message.options, emit, control);
  } catch (e) {
    if (e instanceof HnetError) fatal(e.problem);
    else fatal({ code: 'HN060', message: `training failed: ${messageOf(e)}` });
  } finally {
    ended = true;
    for (const q of control.queries.splice(0)) replyError(q.id, { code: 'ended', message: 'the run ended before the query was answered' });
    // Nothing more will come; let the thread end once the last messages are out.
    parentPort?.close();
  }
}

/** An inspection-only worker: the model restored from a checkpoint answers queries, one at a time, until `close`. */
let inspected: LiveModel | null = null;
const waiting: Query[] = [];
let answering: Promise<void> = Promise.resolve();
const answerInTurn = (live: LiveModel, q: Query) => (answering = answering.then(() => answer(live, q, 'checkpoint')));

async function load(message: Extract<MainToWorker, { type: 'load' }>): Promise<void> {
  try {
    inspected = await loadForInspection(message.program, message.options, message.checkpoint);
  } catch (e) {
    if (e instanceof HnetError) fatal(e.problem);
    else fatal({ code: 'HN060', message: `cannot restore the checkpoint: ${messageOf(e)}` });
    parentPort?.close();
    return;
  }
  post({ type: 'ready', step: inspected.step });
  for (const q of waiting.splice(0)) void answerInTurn(inspected, q);
}

function close(): void {
  // After the answers under way: they read the model.
  void answering.then(() => {
    if (inspected) {
      releaseShadow(inspected.model);
      inspected.model.dispose();
      inspected = null;
    }
    parentPort?.close();
  });
}

parentPort?.on('message', (raw: unknown) => {
  const parsed = MainToWorker.safeParse(raw);
  if (!parsed.success) {
    if (!started) {
      started = true;
      fatal({ code: 'HN060', message: `the training worker received an invalid message: ${describeInvalid(parsed.error)}` });
      parentPort?.close();
    }
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'start':
      if (started) return;
      started = true;
      void run(message);
      return;
    case 'load':
      if (started) return;
      started = true;
      void load(message);
      return;
    case 'query':
      if (inspected) void answerInTurn(inspected, message);
      else if (control?.snapshotter && !ended) answerFromSnapshot(control.snapshotter, message);
      else if (control && !ended) control.queries.push(message);
      else if (started && !ended && !control) waiting.push(message);
      else replyError(message.id, { code: 'ended', message: 'the run has ended' });
      return;
    case 'close':
      close();
      return;
    case 'pause':
      control?.pause();
      return;
    case 'resume':
      control?.resume();
      return;
    case 'stop':
      control?.stop();
      return;
  }
});
