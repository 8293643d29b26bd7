/**
 * The training worker: runs one {@link train} call per thread, driven by the messages of ./protocol.ts.
 * Loaded through ./worker-entry.mjs (which registers tsx first); {@link startRun} in ./session.ts is its caller.
 *
 * Every engine event is posted as it happens. A failure ends with an `error` event and a `fatal` message:
 * the HnetError's own problem for invalid input or divergence, HN060 with the message (never a stack) for
 * anything unexpected.
 */
import { parentPort } from 'node:worker_threads';
import type { EngineEvent } from '../../shared/api/events';
import { HnetError, type HnetProblem } from '../../shared/compiler/errors';
import { RunControl } from './control';
import { ControlFlag, MainToWorker, describeInvalid, type WorkerToMain } from './protocol';
import { train } from './train';

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
    while (this.pauseRequested) await new Promise((r) => setTimeout(r, 20));
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
let started = false;

async function run(message: Extract<MainToWorker, { type: 'start' }>): Promise<void> {
  control = new WorkerControl(message.control ? new Int32Array(message.control) : null);
  const emit = (event: EngineEvent) => post({ type: 'event', event });
  try {
    await train(message.program, message.options, emit, control);
  } catch (e) {
    if (e instanceof HnetError) fatal(e.problem);
    else fatal({ code: 'HN060', message: `training failed: ${messageOf(e)}` });
  } finally {
    // Nothing more will come; let the thread end once the last messages are out.
    parentPort?.close();
  }
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
