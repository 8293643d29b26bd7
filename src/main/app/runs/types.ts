/**
 * The run manager's contract (what the shells call, ./manager.ts implements) and the state it keeps for each run
 * it has started, shared by its parts: ./queue.ts, ./record.ts, ./inspection.ts, ./recovery.ts.
 */
import type { Push } from '../../../shared/api/contract';
import type { EngineEvent, RunStatus } from '../../../shared/api/events';
import type { CheckpointInfo, InspectQuery, InspectResult, RunDetail, RunGroup, RunHistory, RunOverrides, RunSummary } from '../../../shared/api/runs';
import type { ResourceLimits } from '../../../shared/compiler/estimate';
import type { Program } from '../../../shared/compiler/ir';
import type { DataAccess } from '../../engine/data/files';
import type { TrainOptions } from '../../engine/options';
import type { RunHandle, StartRunOptions } from '../../engine/session';
import type { TensorboardLog } from '../../engine/tensorboard';
import type { SweepSpec } from '../../../shared/sweep';
import type { StreamBatcher } from './batcher';
import type { EventLog, RecordWriter, RunRecord } from './store';

export interface RunManagerOptions<C> {
  /**
   * Deliver a push: Electron sends it to the window that started the run, the browser mode to every editor. A run
   * restored from the saved queue has no caller (undefined): its pushes go to every editor.
   */
  push(caller: C | undefined, message: Push): void;
  /** Where runs of unsaved documents go. */
  defaultRoot: string;
  /** The engine worker's entry (the Electron build passes its bundled worker; tests pass crashing fixtures). */
  worker?: StartRunOptions;
  /** Default 50 ms: at most about 20 pushes a second per run. */
  flushIntervalMs?: number;
  /** An inspection worker unused this long is closed. Default 60 s. */
  inspectorIdleMs?: number;
  /** How long `run.stop` waits for the run to wind down before answering. Default 15 s. */
  stopWaitMs?: number;
  /** Folders granted for data files besides the document's, and the size limit; asked for at each start. */
  dataAccess?: () => Omit<DataAccess, 'baseDir'>;
  /** Runs estimated above these per training step are refused at start. Default DEFAULT_RESOURCE_LIMITS. */
  resourceLimits?: ResourceLimits;
  /** At most this many runs train at once; others wait, queued. Default {@link DEFAULT_MAX_RUNS}. */
  maxRuns?: number;
  /** The app's version, recorded in every run's provenance. Default: package.json's. */
  appVersion?: string;
  /**
   * Where the queue is saved so queued runs survive a restart (./queue.ts). Default `<defaultRoot>/queue.json`;
   * null: in memory only (`hnet sweep`, whose queue ends with the command).
   */
  queueFile?: string | null;
}

/** How many runs train at once unless told otherwise: each takes a worker and its own heap (see session.ts). */
export const DEFAULT_MAX_RUNS = 2;

export interface StartArgs<C> {
  documentText: string;
  /** Folder that holds the document's runs (`<name>.runs`, or the per-user folder). */
  root: string;
  /** The document's folder, for data files named by relative path; null for an unsaved document. */
  baseDir: string | null;
  /** Shown in the run list; default: the document's metadata name. */
  name?: string;
  overrides?: RunOverrides;
  caller: C;
  /** The sweep or seed repeat the run belongs to. */
  group?: RunGroup;
  /** The run's own name (the runs table shows it instead of the id). */
  label?: string;
}

/** The checkpoint of an earlier run that a new run continues from. */
export interface ResumeSource {
  runId: string;
  checkpoint: string;
  step: number;
  /** The checkpoint file in the source run's folder. */
  path: string;
}

export interface RunManager<C> {
  start(args: StartArgs<C>): Promise<{ runId: string }>;
  pause(runId: string): Promise<{ status: RunStatus }>;
  resume(runId: string): Promise<{ runId: string; status: RunStatus }>;
  /** A new run of `runId`'s document snapshot that continues from one of its checkpoints. */
  resumeFrom(runId: string, checkpoint: string, overrides: RunOverrides | undefined, caller: C): Promise<{ runId: string; status: RunStatus }>;
  stop(runId: string): Promise<{ status: RunStatus }>;
  list(root: string): Promise<RunSummary[]>;
  get(runId: string): RunDetail;
  /** Name a run (null: back to its id); live runs too. */
  rename(runId: string, label: string | null): Promise<RunSummary>;
  /** Remove an ended run's folder with everything it recorded; a run still going must be stopped first. */
  remove(runId: string): Promise<void>;
  /**
   * Start every run of a sweep (checked first: nothing starts when one configuration does not compile); runs
   * beyond the concurrency limit wait in the queue. The runs share a group id.
   */
  sweep(args: StartArgs<C> & { spec: SweepSpec }): Promise<{ groupId: string; runIds: string[] }>;
  /**
   * Move the runs kept in `from` (an unsaved document's folder) to `to` (the folder beside the document it was saved
   * as): ended runs now, runs still going when they end. Returns how many runs move.
   */
  adopt(from: string, to: string): Promise<number>;
  /** The queue: whether it is paused, and the runs waiting in order. */
  queueState(): { paused: boolean; runs: RunSummary[] };
  /** Pause the queue (nothing new starts from it; running runs go on) or let it go on. */
  pauseQueue(paused: boolean): { paused: boolean; runs: RunSummary[] };
  /** Move a queued run to `position` (1 starts next). */
  moveQueued(runId: string, position: number): { paused: boolean; runs: RunSummary[] };
  /** Take every queued run out of the queue (each ends `stopped`, never started). */
  clearQueue(): Promise<{ paused: boolean; runs: RunSummary[] }>;
  checkpoints(runId: string): Promise<CheckpointInfo[]>;
  /**
   * The run's trained weights from its newest checkpoint: `hnet` (weights.json + weights.bin), or `safetensors`
   * (model.safetensors: the hypernetwork's parameters and the weights it generates for `tasks`, default the
   * tasks trained, with the document, seed, metrics and provenance in `__metadata__`).
   */
  exportWeights(runId: string, format?: 'hnet' | 'safetensors', tasks?: number[]): Promise<{ dir: string; files: string[]; step: number }>;
  inspect(runId: string, query: InspectQuery): Promise<InspectResult>;
  /** Resolves once the run has ended and everything it recorded is on disk. */
  settled(runId: string): Promise<void>;
  /** Stop every run (each ends `interrupted` unless it finishes within a moment), close workers, flush files. */
  close(): Promise<void>;
}

/** A run this manager started and that has not ended yet (queued, running or paused). */
export interface Live<C> {
  id: string;
  dir: string;
  record: RunRecord;
  history: RunHistory;
  documentText: string;
  program: Program;
  options: TrainOptions;
  handle: RunHandle;
  batcher: StreamBatcher;
  log: EventLog;
  /** The run's TensorBoard event file (`<run folder>/tensorboard/`). */
  tensorboard: TensorboardLog;
  writer: RecordWriter;
  /** Who started it (undefined for a run restored from the saved queue). */
  caller: C | undefined;
  t0: number;
  /** Kept checkpoints are linked one after another. */
  keeping: Promise<void>;
  recordTimer: NodeJS.Timeout | null;
  ended: Promise<void>;
  markEnded: () => void;
  /** The app is closing: a run that does not end on its own is `interrupted`, not `crashed`. */
  closing: boolean;
  finished: boolean;
  /** Its worker was started (false while queued). */
  started: boolean;
  /** Move the run's folder into this runs folder once it has ended (its unsaved document was saved). */
  moveTo?: string;
}

/** How a run ended: its worker reported done, its worker failed, or it was taken out of the queue unstarted. */
export type RunOutcome = { done: Extract<EngineEvent, { event: 'done' }> } | { error: unknown } | { dequeued: true };
