/**
 * The run manager: training runs started from the editor, for both shells. A run compiles a snapshot of the
 * document, trains it in the engine's worker (never on this thread), streams its events to the editor in batches
 * (./batcher.ts), records them in the run's folder (./store.ts), keeps checkpoints, and answers the
 * generated-weights inspector.
 *
 * Inspection: while a run is going, queries go to its worker and are answered between two steps on the live
 * model. Once it has ended, a separate inspection worker restores the run's last checkpoint and answers them
 * (so finished runs, and runs of earlier sessions, can be inspected too); one such worker is kept at a time,
 * closed when another run is inspected, when a run starts, or after a minute unused.
 *
 * Nothing a run does can take the app down: every callback is guarded, and failures end up in the run's status
 * (`diverged`, `crashed`, `failed`) and error, never as an exception on this thread.
 *
 * @example
 * const runs = createRunManager({ push: (caller, m) => send(caller, m), defaultRoot });
 * const { runId } = await runs.start({ documentText, root, baseDir, name: 'model.hnet.json', overrides: { steps: 500 }, caller });
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Push } from '../../../shared/api/contract';
import { FINAL_STATUSES, type EngineEvent, type RunStatus, type StreamEvent } from '../../../shared/api/events';
import {
  InspectResult,
  applyRunEvent,
  emptyHistory,
  type CheckpointInfo,
  type InspectQuery,
  type RunDetail,
  type RunHistory,
  type RunOverrides,
  type RunSummary,
} from '../../../shared/api/runs';
import { HnetError, formatProblem } from '../../../shared/compiler/errors';
import { DEFAULT_RESOURCE_LIMITS, checkResources, estimateResources, type ResourceLimits } from '../../../shared/compiler/estimate';
import type { Program } from '../../../shared/compiler/ir';
import { decode, readCheckpoint, writeWeights } from '../../engine/checkpoint';
import type { DataAccess } from '../../engine/data/files';
import type { TrainOptions } from '../../engine/options';
import { outlineProgram } from '../../engine/outline';
import { QueryError, startInspector, startRun, type InspectorHandle, type RunHandle, type StartRunOptions } from '../../engine/session';
import { AppError } from '../errors';
import { StreamBatcher } from './batcher';
import { prepareRun } from './settings';
import {
  CHECKPOINTS_DIR,
  DOCUMENT_FILE,
  EVENTS_FILE,
  EventLog,
  LATEST_CHECKPOINT,
  RUN_FILE,
  RecordWriter,
  checkpointPath,
  keepCheckpoint,
  listCheckpoints,
  listRunDirs,
  newRunId,
  newestCheckpoint,
  ownerAlive,
  readDocumentSnapshot,
  readHistory,
  readRecord,
  summaryOf,
  thisHost,
  writeAtomic,
  type RunRecord,
} from './store';

export interface RunManagerOptions<C> {
  /** Deliver a push: Electron sends it to the window that started the run, the browser mode to every editor. */
  push(caller: C, message: Push): void;
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
}

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
  checkpoints(runId: string): Promise<CheckpointInfo[]>;
  exportWeights(runId: string): Promise<{ dir: string; files: string[]; step: number }>;
  inspect(runId: string, query: InspectQuery): Promise<InspectResult>;
  /** Resolves once the run has ended and everything it recorded is on disk. */
  settled(runId: string): Promise<void>;
  /** Stop every run (each ends `interrupted` unless it finishes within a moment), close workers, flush files. */
  close(): Promise<void>;
}

interface Live<C> {
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
  writer: RecordWriter;
  caller: C;
  t0: number;
  /** Kept checkpoints are linked one after another. */
  keeping: Promise<void>;
  recordTimer: NodeJS.Timeout | null;
  ended: Promise<void>;
  markEnded: () => void;
  /** The app is closing: a run that does not end on its own is `interrupted`, not `crashed`. */
  closing: boolean;
  finished: boolean;
}

/** Manager instances of this process that are open, so a listing can tell our own lost runs from going ones. */
const openInstances = new Set<string>();

const RECORD_EVERY_MS = 1000;
const QUERY_TIMEOUT_MS = 60_000;
const CLOSE_WAIT_MS = 3000;

const messageOf = (e: unknown) => {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 500 ? `${m.slice(0, 500)}...` : m;
};

function statusOfFailure(e: unknown): RunStatus {
  if (e instanceof HnetError) return e.problem.code === 'HN050' ? 'diverged' : e.problem.code === 'HN060' || e.problem.code === 'HN061' ? 'crashed' : 'failed';
  return 'crashed';
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('internal', `${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createRunManager<C>(opts: RunManagerOptions<C>): RunManager<C> {
  const instance = randomBytes(8).toString('hex');
  openInstances.add(instance);
  const live = new Map<string, Live<C>>();
  /** Run id -> run folder, for every run this manager started or listed. */
  const known = new Map<string, string>();
  const roots = new Set<string>([opts.defaultRoot]);
  let inspector: { runId: string; checkpoint: string; mtimeMs: number; handle: InspectorHandle; idle: NodeJS.Timeout | null } | null = null;
  let closed = false;

  /** Recording is best effort: a full disk must not end a run or the app. The run's editor hears about it. */
  const warn = (l: Live<C> | undefined, what: string) => (e: unknown) => {
    l?.batcher.add({ event: 'log', level: 'warn', message: `${what}: ${messageOf(e)}` });
  };

  function locate(runId: string): string {
    const dir = known.get(runId);
    if (dir) return dir;
    for (const root of roots) {
      const candidate = join(root, runId);
      if (readRecord(candidate)) {
        known.set(runId, candidate);
        return candidate;
      }
    }
    throw new AppError('not_found', `run ${runId} is not known here; list the document's runs first`);
  }

  function recordOf(runId: string): { dir: string; record: RunRecord } {
    const l = live.get(runId);
    if (l) return { dir: l.dir, record: l.record };
    const dir = locate(runId);
    const record = readRecord(dir);
    if (!record) throw new AppError('not_found', `run ${runId} has no readable run.json`);
    return { dir, record };
  }

  function saveRecord(l: Live<C>, now = false): void {
    l.record.updatedAt = new Date().toISOString();
    if (now) {
      if (l.recordTimer) clearTimeout(l.recordTimer);
      l.recordTimer = null;
      void l.writer.write(l.record);
      return;
    }
    if (l.recordTimer) return;
    l.recordTimer = setTimeout(() => {
      l.recordTimer = null;
      void l.writer.write(l.record);
    }, RECORD_EVERY_MS);
    l.recordTimer.unref?.();
  }

  function emitStatus(l: Live<C>, status: RunStatus, message?: string): void {
    l.record.status = status;
    const e: StreamEvent = { event: 'status', status, step: l.history.lastStep, ...(message ? { message } : {}) };
    l.log.append(e, performance.now() - l.t0);
    applyRunEvent(l.history, e);
    l.batcher.add(e);
    saveRecord(l, true);
  }

  function onEvent(l: Live<C>, e: EngineEvent): void {
    if (l.finished) return;
    l.log.append(e, performance.now() - l.t0);
    applyRunEvent(l.history, e);
    l.record.step = l.history.lastStep;
    switch (e.event) {
      case 'start':
        l.record.totalSteps = e.totalSteps;
        l.record.backend = e.backend;
        saveRecord(l);
        break;
      case 'eval':
        l.record.metrics = e.metrics;
        saveRecord(l);
        break;
      case 'checkpoint':
        l.keeping = l.keeping.then(() => keepCheckpoint(l.dir, e.step)).catch(warn(l, 'a checkpoint could not be kept'));
        saveRecord(l);
        break;
      case 'task_end':
        saveRecord(l);
        break;
      default:
        break;
    }
    l.batcher.add(e);
  }

  /**
   * The run is over: its final status and error are written (events.jsonl flushed to disk, run.json replaced)
   * before the editor hears the final status, so whoever sees it can rely on everything being recorded.
   */
  async function finish(l: Live<C>, outcome: { done: Extract<EngineEvent, { event: 'done' }> } | { error: unknown }): Promise<void> {
    if (l.finished) return;
    l.finished = true;
    const r = l.record;
    let status: RunStatus;
    let message: string | undefined;
    if ('done' in outcome) {
      status = outcome.done.stopped ? 'stopped' : 'done';
      r.metrics = outcome.done.metrics;
      r.step = outcome.done.step;
    } else {
      r.step = l.history.lastStep;
      const e = outcome.error;
      status = l.closing ? 'interrupted' : statusOfFailure(e);
      const p = e instanceof HnetError ? e.problem : { code: 'HN060', message: messageOf(e) };
      r.error = {
        code: l.closing ? 'interrupted' : p.code,
        message: l.closing ? `the app closed while the run was at step ${r.step}; resume it from its last checkpoint` : p.message,
        ...('node' in p && p.node ? { node: p.node } : {}),
        ...('port' in p && p.port ? { port: p.port } : {}),
        step: r.step,
      };
      message = r.error.message;
    }
    const event: StreamEvent = { event: 'status', status, step: r.step, ...(message ? { message } : {}) };
    try {
      if (l.recordTimer) clearTimeout(l.recordTimer);
      l.recordTimer = null;
      l.log.append(event, performance.now() - l.t0);
      await l.keeping;
      await l.log.flush(true);
      const now = new Date().toISOString();
      await l.writer.write({ ...r, status, endedAt: now, updatedAt: now });
      r.endedAt = now;
    } catch {
      // Already reported through warn(); the run is over either way.
    } finally {
      r.status = status;
      applyRunEvent(l.history, event);
      l.batcher.add(event);
      l.batcher.close();
      live.delete(l.id);
      l.markEnded();
    }
  }

  async function launch(args: StartArgs<C> & { resumeFrom?: { runId: string; checkpoint: string; step: number; path: string } }): Promise<{ runId: string }> {
    if (closed) throw new AppError('conflict', 'the app is closing');
    const overrides = args.overrides ?? {};
    const prepared = prepareRun(args.documentText, overrides);
    const refusal = checkResources(
      estimateResources(prepared.program, prepared.settings.batchSize),
      opts.resourceLimits ?? DEFAULT_RESOURCE_LIMITS,
      'raise the limits (hnet serve --max-memory GB --max-gflops N)',
    );
    if (refusal) throw new AppError('invalid_document', `the document cannot be trained:\n  ${formatProblem(refusal)}`);
    const id = newRunId();
    const dir = join(args.root, id);
    const now = new Date().toISOString();
    try {
      await mkdir(join(dir, CHECKPOINTS_DIR), { recursive: true });
      await writeAtomic(join(dir, DOCUMENT_FILE), args.documentText);
    } catch (e) {
      throw new AppError('io', `cannot create the run's folder beside the document: ${messageOf(e)}`);
    }
    let resumeFrom: string | undefined;
    if (args.resumeFrom) {
      // The new run keeps its own copy: the source run may prune its checkpoints later.
      resumeFrom = join(dir, CHECKPOINTS_DIR, 'origin.json');
      await copyFile(args.resumeFrom.path, resumeFrom);
    }
    const record: RunRecord = {
      format: 'hnet-run',
      version: 1,
      id,
      name: args.name ?? prepared.doc.metadata.name,
      startedAt: now,
      endedAt: null,
      updatedAt: now,
      status: 'running',
      step: args.resumeFrom?.step ?? 0,
      totalSteps: null,
      metrics: {},
      settings: prepared.settings,
      overrides,
      backend: null,
      error: null,
      resumedFrom: args.resumeFrom ? { runId: args.resumeFrom.runId, checkpoint: args.resumeFrom.checkpoint, step: args.resumeFrom.step } : null,
      baseDir: args.baseDir,
      outline: outlineProgram(prepared.program),
      owner: { pid: process.pid, host: thisHost, instance },
    };
    // The run's own entry, once made; failures to record before that are thrown to the caller instead.
    let self: Live<C> | undefined;
    const writer = new RecordWriter(join(dir, RUN_FILE), (e) => warn(self, 'the run record could not be saved')(e));
    try {
      await writer.write(record);
    } catch (e) {
      throw new AppError('io', `cannot write the run record: ${messageOf(e)}`);
    }
    const options: TrainOptions = {
      checkpointPath: join(dir, CHECKPOINTS_DIR, LATEST_CHECKPOINT),
      checkpointEvery: prepared.settings.checkpointEvery,
      stepEventEvery: prepared.settings.stepEventEvery,
      ...(args.baseDir ? { baseDir: args.baseDir } : {}),
      ...opts.dataAccess?.(),
      ...(resumeFrom ? { resumeFrom } : {}),
    };
    // A new run takes the machine: an idle inspection worker goes.
    await closeInspector();

    let markEnded!: () => void;
    const ended = new Promise<void>((r) => (markEnded = r));
    const l: Live<C> = {
      id,
      dir,
      record,
      history: emptyHistory(),
      documentText: args.documentText,
      program: prepared.program,
      options,
      handle: undefined as unknown as RunHandle,
      batcher: new StreamBatcher((event) => {
        try {
          opts.push(args.caller, { type: 'engine', runId: id, event });
        } catch {
          // The editor went away; the run goes on and is recorded.
        }
      }, opts.flushIntervalMs),
      log: new EventLog(join(dir, EVENTS_FILE), (e) => warn(self, 'the run history could not be saved')(e)),
      writer,
      caller: args.caller,
      t0: performance.now(),
      keeping: Promise.resolve(),
      recordTimer: null,
      ended,
      markEnded,
      closing: false,
      finished: false,
    };
    self = l;
    l.history.lastStep = record.step;
    live.set(id, l);
    known.set(id, dir);
    roots.add(args.root);
    emitStatus(l, 'running');
    l.handle = startRun(prepared.program, options, opts.worker ?? {});
    l.handle.on((e) => {
      try {
        onEvent(l, e);
      } catch (err) {
        warn(l, 'an event could not be recorded')(err);
      }
    });
    l.handle.done.then(
      (done) => void finish(l, { done }),
      (error: unknown) => void finish(l, { error }),
    );
    return { runId: id };
  }

  function liveRun(runId: string, action: string): Live<C> {
    const l = live.get(runId);
    if (l && !l.finished) return l;
    const { record } = recordOf(runId);
    throw new AppError('conflict', `cannot ${action} run ${runId}: it has ended (${record.status})`);
  }

  async function closeInspector(): Promise<void> {
    const i = inspector;
    inspector = null;
    if (!i) return;
    if (i.idle) clearTimeout(i.idle);
    await i.handle.close().catch(() => {});
  }

  /** Program and options to rebuild a run that is no longer live (inspection, export). */
  function rebuild(dir: string, record: RunRecord): { program: Program; options: TrainOptions } {
    const l = live.get(record.id);
    if (l) return { program: l.program, options: l.options };
    const text = readDocumentSnapshot(dir);
    if (!text) throw new AppError('not_found', `run ${record.id} has lost its document snapshot`);
    const { program } = prepareRun(text, record.overrides);
    return { program, options: { seed: record.settings.seed, backend: record.settings.backend, ...(record.baseDir ? { baseDir: record.baseDir } : {}), ...opts.dataAccess?.() } };
  }

  function queryFailed(e: unknown): never {
    if (e instanceof QueryError) {
      if (e.code === 'not_found') throw new AppError('not_found', e.message);
      if (e.code === 'invalid_request') throw new AppError('invalid_request', e.message);
      throw new AppError('internal', `the inspector failed: ${e.message}`);
    }
    if (e instanceof HnetError) throw new AppError(e.problem.code === 'HN053' ? 'invalid_request' : 'internal', `the run cannot be inspected: ${e.problem.message}`);
    throw e;
  }

  function checkResult(raw: unknown): InspectResult {
    const r = InspectResult.safeParse(raw);
    if (!r.success) throw new AppError('internal', 'the inspector answered something the contract does not allow');
    return r.data;
  }

  /** Queries to ended runs take turns, so two at once never start two inspection workers. */
  let inspectorTurn: Promise<unknown> = Promise.resolve();
  function inspectEnded(runId: string, query: InspectQuery): Promise<InspectResult> {
    const turn = inspectorTurn.then(() => inspectFromCheckpoint(runId, query));
    inspectorTurn = turn.catch(() => {});
    return turn;
  }

  async function inspectFromCheckpoint(runId: string, query: InspectQuery): Promise<InspectResult> {
    const { dir, record } = recordOf(runId);
    const checkpoint = newestCheckpoint(dir);
    if (!checkpoint) throw new AppError('not_found', `run ${runId} has no checkpoint to inspect (it ended before its first one)`);
    const mtimeMs = (await stat(checkpoint)).mtimeMs;
    if (!inspector || inspector.runId !== runId || inspector.checkpoint !== checkpoint || inspector.mtimeMs !== mtimeMs) {
      await closeInspector();
      const { program, options } = rebuild(dir, record);
      inspector = { runId, checkpoint, mtimeMs, handle: startInspector(program, options, checkpoint, opts.worker ?? {}), idle: null };
    }
    const current = inspector;
    if (current.idle) clearTimeout(current.idle);
    current.idle = setTimeout(() => {
      if (inspector === current) void closeInspector();
    }, opts.inspectorIdleMs ?? 60_000);
    current.idle.unref?.();
    try {
      await withTimeout(current.handle.ready, QUERY_TIMEOUT_MS, 'the inspection worker');
      return checkResult(await withTimeout(current.handle.query(query), QUERY_TIMEOUT_MS, 'the inspection worker'));
    } catch (e) {
      if (inspector === current && !(e instanceof QueryError && (e.code === 'not_found' || e.code === 'invalid_request'))) await closeInspector();
      return queryFailed(e);
    }
  }

  async function markInterrupted(dir: string, record: RunRecord): Promise<RunRecord> {
    const h = readHistory(dir);
    let endedAt = record.updatedAt;
    try {
      endedAt = (await stat(join(dir, EVENTS_FILE))).mtime.toISOString();
    } catch {
      // no events: keep the record's own time
    }
    const last = h.evals[h.evals.length - 1];
    const next: RunRecord = {
      ...record,
      status: 'interrupted',
      step: Math.max(record.step, h.lastStep),
      metrics: last ? last.metrics : record.metrics,
      totalSteps: record.totalSteps ?? h.start?.totalSteps ?? null,
      backend: record.backend ?? h.start?.backend ?? null,
      endedAt,
      updatedAt: new Date().toISOString(),
      error: {
        code: 'interrupted',
        message: `the app ended while the run was at step ${Math.max(record.step, h.lastStep)}; resume it from its last checkpoint`,
        step: Math.max(record.step, h.lastStep),
      },
    };
    await writeAtomic(join(dir, RUN_FILE), `${JSON.stringify(next, null, 2)}\n`).catch(() => {});
    return next;
  }

  return {
    // A static twin's document name says so already (variants.ts); a name from the editor gets it added.
    start: (args) => launch(args.name !== undefined && args.overrides?.variant === 'static' ? { ...args, name: `${args.name} (static twin)` } : args),

    async pause(runId) {
      const l = liveRun(runId, 'pause');
      if (l.record.status === 'running') {
        l.handle.pause();
        emitStatus(l, 'paused');
      }
      return { status: l.record.status };
    },

    async resume(runId) {
      const l = live.get(runId);
      if (!l || l.finished) {
        const { record } = recordOf(runId);
        throw new AppError('conflict', `run ${runId} has ended (${record.status}); resume it from one of its checkpoints`);
      }
      if (l.record.status === 'paused') {
        l.handle.resume();
        emitStatus(l, 'running');
      }
      return { runId, status: l.record.status };
    },

    async resumeFrom(runId, checkpoint, overrides, caller) {
      const { dir, record } = recordOf(runId);
      const path = checkpointPath(dir, checkpoint);
      if (!path) throw new AppError('not_found', `run ${runId} has no checkpoint "${checkpoint}" (see run.checkpoints)`);
      const text = readDocumentSnapshot(dir);
      if (!text) throw new AppError('not_found', `run ${runId} has lost its document snapshot`);
      const step = Number(/^step-(\d+)$/.exec(checkpoint)![1]);
      const started = await launch({
        documentText: text,
        root: dirname(dir),
        baseDir: record.baseDir,
        name: record.name,
        overrides: { ...record.overrides, ...overrides },
        caller,
        resumeFrom: { runId, checkpoint, step, path },
      });
      return { runId: started.runId, status: 'running' as const };
    },

    async stop(runId) {
      const l = live.get(runId);
      if (!l || l.finished) return { status: recordOf(runId).record.status };
      l.handle.stop();
      // The loop stops after its step, evaluates, writes a final checkpoint and reports done; wait for that.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([l.ended, new Promise<void>((r) => (timer = setTimeout(r, opts.stopWaitMs ?? 15_000)))]);
      clearTimeout(timer);
      return { status: l.record.status };
    },

    async list(root) {
      roots.add(root);
      const out: RunSummary[] = [];
      for (const dir of listRunDirs(root)) {
        const l = live.get(basename(dir));
        if (l) {
          out.push(summaryOf(l.record));
          continue;
        }
        let record = readRecord(dir);
        if (!record) continue;
        known.set(record.id, dir);
        if (!FINAL_STATUSES.includes(record.status) && !ownerAlive(record.owner, openInstances)) record = await markInterrupted(dir, record);
        out.push(summaryOf(record));
      }
      return out;
    },

    get(runId) {
      const l = live.get(runId);
      if (l) return { summary: summaryOf(l.record), documentText: l.documentText, outline: l.record.outline, history: l.history };
      const dir = locate(runId);
      const record = readRecord(dir);
      if (!record) throw new AppError('not_found', `run ${runId} has no readable run.json`);
      // A run whose app is gone reads as interrupted even before a listing records it so.
      if (!FINAL_STATUSES.includes(record.status) && !ownerAlive(record.owner, openInstances)) record.status = 'interrupted';
      const history = readHistory(dir);
      history.status = record.status;
      if (record.error && !history.error) history.error = { code: record.error.code, message: record.error.message, ...(record.error.node ? { node: record.error.node } : {}) };
      return { summary: summaryOf(record), documentText: readDocumentSnapshot(dir), outline: record.outline, history };
    },

    async checkpoints(runId) {
      const { dir } = recordOf(runId);
      const l = live.get(runId);
      if (l) await l.keeping;
      return listCheckpoints(dir);
    },

    async exportWeights(runId) {
      const { dir, record } = recordOf(runId);
      const l = live.get(runId);
      if (l) await l.keeping;
      const path = newestCheckpoint(dir);
      if (!path) throw new AppError('not_found', `run ${runId} has no checkpoint yet; its weights are saved at its first checkpoint`);
      const { program } = rebuild(dir, record);
      const out = join(dir, 'weights');
      try {
        const ck = readCheckpoint(path, program);
        writeWeights(
          out,
          program.params.map((p) => ({ name: p.name, shape: p.shape, values: decode(ck.params[p.name]) })),
        );
        return { dir: out, files: ['weights.json', 'weights.bin'], step: ck.step };
      } catch (e) {
        if (e instanceof HnetError) throw new AppError('invalid_request', e.problem.message);
        throw new AppError('io', `cannot write the weights: ${messageOf(e)}`);
      }
    },

    async inspect(runId, query) {
      const l = live.get(runId);
      if (l && !l.finished) {
        try {
          return checkResult(await withTimeout(l.handle.query(query), QUERY_TIMEOUT_MS, 'the training run'));
        } catch (e) {
          if (!(e instanceof QueryError && e.code === 'ended')) return queryFailed(e);
          // The run ended meanwhile: its final checkpoint answers.
          await l.ended;
        }
      }
      return inspectEnded(runId, query);
    },

    async settled(runId) {
      await live.get(runId)?.ended;
    },

    async close() {
      if (closed) return;
      closed = true;
      const running = [...live.values()];
      for (const l of running) {
        l.closing = true;
        l.handle.stop();
      }
      await Promise.race([Promise.all(running.map((l) => l.ended)), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
      for (const l of running) if (!l.finished) await l.handle.kill();
      await Promise.all(running.map((l) => l.ended));
      await closeInspector();
      openInstances.delete(instance);
    },
  };
}
