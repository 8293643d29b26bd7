/**
 * A training run in a worker thread, so callers (the CLI, the Electron main process, `hnet serve`) never block.
 *
 * @example
 * const run = startRun(program, { steps: 500, baseDir });
 * run.on((e) => { if (e.event === 'step') console.log(e.step, e.loss); });
 * process.on('SIGINT', () => run.stop());
 * const done = await run.done; // rejects with an HnetError: HN050 diverged, HN051 data, HN060 worker crashed...
 *
 * Inspector queries (./inspect.ts) go to the live model with `run.query(...)`, answered between two steps; after
 * the run, {@link startInspector} restores its checkpoint in a fresh worker and answers them there.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { DoneEvent, EngineEvent } from '../../shared/api/events';
import type { GenerateQuery, InspectQuery } from '../../shared/api/runs';
import { HnetError, type HnetProblem } from '../../shared/compiler/errors';
import type { Program } from '../../shared/compiler/ir';
import type { TrainOptions } from './options';
import { CONTROL_BYTES, ControlFlag, WorkerToMain, describeInvalid, type MainToWorker, type ReplyError } from './protocol';
import { SHARE } from './threads';

export type RunListener = (event: EngineEvent) => void;

export interface RunHandle {
  /** Receive every event of the run, in order, from the next one on. Returns a function that unsubscribes. */
  on(listener: RunListener): () => void;
  pause(): void;
  resume(): void;
  /** Ask the run to stop after the current step; `done` then resolves with `stopped: true`. */
  stop(): void;
  /** End the worker at once (no done event); `done` rejects with HN060 if the run had not finished. */
  kill(): Promise<void>;
  /**
   * Ask the live model an inspector question; answered between two steps (or while paused). Resolves with the
   * worker's answer (unchecked: validate it against InspectResult); rejects with a {@link QueryError}, `ended`
   * when the run finished first.
   */
  query(query: InspectQuery | GenerateQuery): Promise<unknown>;
  /** The done event; rejects with an {@link HnetError} when the run fails. */
  readonly done: Promise<DoneEvent>;
}

export interface StartRunOptions {
  /**
   * The worker's entry module. Defaults to ./worker-entry.mjs next to this file; the Electron build passes its
   * bundled worker here, tests pass fixtures.
   */
  workerUrl?: URL | string;
  /**
   * V8 heap limits for the worker, so a runaway run ends the worker rather than the caller. Default
   * {@link DEFAULT_WORKER_LIMITS}.
   */
  resourceLimits?: ResourceLimits;
  /**
   * The most threads the run's wasm backend takes by default (HNET_WASM_THREADS_SHARE in the worker, ./threads.ts):
   * the run manager gives each run its share of the CPUs when several may train at once.
   */
  wasmThreads?: number;
}

/**
 * A training worker's heap: far above what any template needs (the resource estimate refuses runs over 1 GB by
 * default), low enough that a run that runs away ends with HN061 instead of taking the app with it.
 */
export const DEFAULT_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 4096 };

/** The worker hit its heap limit: the run ends with HN061, recorded on the run; the caller carries on. */
const outOfMemory = (limits: ResourceLimits): HnetError =>
  new HnetError({
    code: 'HN061',
    message: `the training worker ran out of memory (its heap limit is ${limits.maxOldGenerationSizeMb ?? 'the default'} MB); make the model or the batch size smaller`,
  });

const crashed = (detail: string): HnetError =>
  new HnetError({ code: 'HN060', message: `training worker crashed: ${detail}` });

/** An inspector query that got no answer; `code` says why (see protocol.ts ReplyError). */
export class QueryError extends Error {
  constructor(
    readonly code: ReplyError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Queries sent to a worker and waiting for their replies. */
class PendingQueries {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: QueryError) => void }>();
  add(): { id: number; promise: Promise<unknown> } {
    const id = this.next++;
    const promise = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    return { id, promise };
  }
  settle(reply: { id: number; result?: unknown; error?: ReplyError }): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if (reply.error) w.reject(new QueryError(reply.error.code, reply.error.message));
    else w.resolve(reply.result);
  }
  fail(id: number, error: QueryError): void {
    this.settle({ id, error: { code: error.code, message: error.message } });
  }
  failAll(error: QueryError): void {
    for (const id of [...this.waiting.keys()]) this.fail(id, error);
  }
}

export function startRun(program: Program, options: TrainOptions = {}, start: StartRunOptions = {}): RunHandle {
  const listeners = new Set<RunListener>();
  const flags = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  let settled = false;
  let resolveDone!: (done: DoneEvent) => void;
  let rejectDone!: (error: HnetError) => void;
  const done = new Promise<DoneEvent>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // Callers that only listen to events must not get an unhandled rejection; awaiting `done` still sees it.
  done.catch(() => {});

  const deliver = (event: EngineEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // One faulty listener must not end the run or starve the others.
      }
    }
  };

  const queries = new PendingQueries();
  let worker: Worker;
  try {
    worker = new Worker(start.workerUrl ?? new URL('./worker-entry.mjs', import.meta.url), {
      resourceLimits: start.resourceLimits ?? DEFAULT_WORKER_LIMITS,
      ...(start.wasmThreads ? { env: { ...process.env, [SHARE]: String(start.wasmThreads) } } : {}),
    });
  } catch (e) {
    const error = crashed(`could not start it (${e instanceof Error ? e.message : String(e)})`);
    settled = true;
    rejectDone(error);
    return {
      on: () => () => {},
      pause() {},
      resume() {},
      stop() {},
      kill: async () => {},
      query: () => Promise.reject(new QueryError('ended', 'the training worker did not start')),
      done,
    };
  }

  const finish = (outcome: { done: DoneEvent } | { error: HnetError; announce: boolean }) => {
    if (settled) return;
    settled = true;
    queries.failAll(new QueryError('ended', 'the run ended before the query was answered'));
    if ('done' in outcome) resolveDone(outcome.done);
    else {
      if (outcome.announce) {
        const p = outcome.error.problem;
        deliver({ event: 'error', code: p.code, message: p.message, ...(p.node ? { node: p.node } : {}), ...(p.port ? { port: p.port } : {}) });
      }
      rejectDone(outcome.error);
    }
    void worker.terminate().catch(() => {});
  };

  worker.on('message', (raw: unknown) => {
    if (settled) return;
    const parsed = WorkerToMain.safeParse(raw);
    if (!parsed.success) {
      deliver({ event: 'log', level: 'warn', message: `dropped an invalid message from the training worker (${describeInvalid(parsed.error)})` });
      return;
    }
    const message = parsed.data;
    if (message.type === 'reply') return queries.settle(message);
    if (message.type === 'ready') return;
    if (message.type === 'fatal') {
      // The worker sent its own error event just before.
      finish({ error: new HnetError(message.problem as HnetProblem), announce: false });
      return;
    }
    deliver(message.event);
    if (message.event.event === 'done') finish({ done: message.event });
  });
  worker.on('error', (e: unknown) => {
    if ((e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      finish({ error: outOfMemory(start.resourceLimits ?? DEFAULT_WORKER_LIMITS), announce: true });
      return;
    }
    const detail = e instanceof Error ? e.message : String(e);
    finish({ error: crashed(detail.length > 300 ? `${detail.slice(0, 300)}...` : detail), announce: true });
  });
  worker.on('messageerror', () => {
    deliver({ event: 'log', level: 'warn', message: 'dropped a message from the training worker that could not be read' });
  });
  worker.on('exit', (code) => {
    finish({ error: crashed(code === 0 ? 'it ended without finishing the run' : `it exited with code ${code}`), announce: true });
  });

  const send = (message: MainToWorker) => {
    if (settled) return;
    try {
      worker.postMessage(message);
    } catch {
      // The worker is gone; its exit handler settles the run.
    }
  };

  send({ type: 'start', program, options, control: flags.buffer as SharedArrayBuffer });

  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pause() {
      Atomics.store(flags, ControlFlag.pause, 1);
      send({ type: 'pause' });
    },
    resume() {
      Atomics.store(flags, ControlFlag.pause, 0);
      send({ type: 'resume' });
    },
    stop() {
      Atomics.store(flags, ControlFlag.stop, 1);
      send({ type: 'stop' });
    },
    async kill() {
      finish({ error: crashed('it was ended before the run finished'), announce: false });
      await worker.terminate().catch(() => {});
    },
    query(query) {
      if (settled) return Promise.reject(new QueryError('ended', 'the run has ended'));
      const { id, promise } = queries.add();
      try {
        worker.postMessage({ type: 'query', id, query } satisfies MainToWorker);
      } catch (e) {
        queries.fail(id, new QueryError('failed', e instanceof Error ? e.message : String(e)));
      }
      return promise;
    },
    done,
  };
}

export interface InspectorHandle {
  /** Resolves with the checkpoint's step once the model is restored; rejects with an HnetError (HN053, HN060...). */
  readonly ready: Promise<number>;
  /** As {@link RunHandle.query}, on the restored model. */
  query(query: InspectQuery | GenerateQuery): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * A worker that restores a run's checkpoint into a model and answers inspector queries until closed, so a run
 * can be inspected after it ended (or after the app restarted) without loading tfjs on the caller's thread.
 * `options` are the run's own (seed, backend, baseDir): the dataset is rebuilt with the same evaluation sets.
 */
export function startInspector(program: Program, options: TrainOptions, checkpoint: string, start: StartRunOptions = {}): InspectorHandle {
  const queries = new PendingQueries();
  let closed = false;
  let resolveReady!: (step: number) => void;
  let rejectReady!: (e: HnetError) => void;
  const ready = new Promise<number>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});
  let worker: Worker;
  try {
    worker = new Worker(start.workerUrl ?? new URL('./worker-entry.mjs', import.meta.url), {
      resourceLimits: start.resourceLimits ?? DEFAULT_WORKER_LIMITS,
    });
  } catch (e) {
    rejectReady(crashed(`could not start it (${e instanceof Error ? e.message : String(e)})`));
    return { ready, query: () => Promise.reject(new QueryError('failed', 'the inspection worker did not start')), close: async () => {} };
  }
  const end = (error: HnetError) => {
    if (closed) return;
    closed = true;
    rejectReady(error);
    queries.failAll(new QueryError('failed', error.problem.message));
    void worker.terminate().catch(() => {});
  };
  worker.on('message', (raw: unknown) => {
    const parsed = WorkerToMain.safeParse(raw);
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.type === 'reply') queries.settle(m);
    else if (m.type === 'ready') resolveReady(m.step);
    else if (m.type === 'fatal') end(new HnetError(m.problem as HnetProblem));
  });
  worker.on('error', (e: unknown) => end(crashed(e instanceof Error ? e.message : String(e))));
  const exited = new Promise<void>((r) => worker.once('exit', () => r()));
  worker.on('exit', (code) => end(crashed(code === 0 ? 'it ended' : `it exited with code ${code}`)));
  worker.postMessage({ type: 'load', program, options, checkpoint } satisfies MainToWorker);
  return {
    ready,
    query(query) {
      if (closed) return Promise.reject(new QueryError('ended', 'the inspection worker is closed'));
      const { id, promise } = queries.add();
      worker.postMessage({ type: 'query', id, query } satisfies MainToWorker);
      return promise;
    },
    async close() {
      if (closed) return void (await worker.terminate().catch(() => {}));
      closed = true;
      queries.failAll(new QueryError('ended', 'the inspection worker was closed'));
      try {
        worker.postMessage({ type: 'close' } satisfies MainToWorker);
      } catch {
        // already gone
      }
      // A clean close lets tfjs release its memory; a worker that does not end soon is ended.
      const timer = setTimeout(() => void worker.terminate().catch(() => {}), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
