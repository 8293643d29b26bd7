/**
 * A training run in a worker thread, so callers (the CLI, the Electron main process, `hnet serve`) never block.
 *
 * @example
 * const run = startRun(program, { steps: 500, baseDir });
 * run.on((e) => { if (e.event === 'step') console.log(e.step, e.loss); });
 * process.on('SIGINT', () => run.stop());
 * const done = await run.done; // rejects with an HnetError: HN050 diverged, HN051 data, HN060 worker crashed...
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { DoneEvent, EngineEvent } from '../../shared/api/events';
import { HnetError, type HnetProblem } from '../../shared/compiler/errors';
import type { Program } from '../../shared/compiler/ir';
import type { TrainOptions } from './options';
import { CONTROL_BYTES, ControlFlag, WorkerToMain, describeInvalid, type MainToWorker } from './protocol';

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
  /** The done event; rejects with an {@link HnetError} when the run fails. */
  readonly done: Promise<DoneEvent>;
}

export interface StartRunOptions {
  /**
   * The worker's entry module. Defaults to ./worker-entry.mjs next to this file; the Electron build passes its
   * bundled worker here, tests pass fixtures.
   */
  workerUrl?: URL | string;
  /** V8 heap limits for the worker, so a runaway run ends the worker rather than the caller. */
  resourceLimits?: ResourceLimits;
}

const crashed = (detail: string): HnetError =>
  new HnetError({ code: 'HN060', message: `training worker crashed: ${detail}` });

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

  let worker: Worker;
  try {
    worker = new Worker(start.workerUrl ?? new URL('./worker-entry.mjs', import.meta.url), {
      ...(start.resourceLimits ? { resourceLimits: start.resourceLimits } : {}),
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
      done,
    };
  }

  const finish = (outcome: { done: DoneEvent } | { error: HnetError; announce: boolean }) => {
    if (settled) return;
    settled = true;
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
    if (message.type === 'fatal') {
      // The worker sent its own error event just before.
      finish({ error: new HnetError(message.problem as HnetProblem), announce: false });
      return;
    }
    deliver(message.event);
    if (message.event.event === 'done') finish({ done: message.event });
  });
  worker.on('error', (e: unknown) => {
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
    done,
  };
}
