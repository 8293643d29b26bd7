/**
 * The run manager: training runs started from the editor, for both shells. A run compiles a snapshot of the
 * document, trains it in the engine's worker (never on this thread), streams its events to the editor in batches
 * (./batcher.ts), records them in the run's folder (./store.ts), keeps checkpoints, and answers the
 * generated-weights inspector.
 *
 * Its parts: the contract and each live run's state (./types.ts), the queue (./queue.ts), the run record
 * (./record.ts), the inspector's answers and the inspection worker of ended runs (./inspection.ts), and runs whose
 * app has gone (./recovery.ts). This file ties them together: a run's lifecycle from start to its final status.
 *
 * Concurrency: at most `maxRuns` runs train at once (default {@link DEFAULT_MAX_RUNS}; `hnet serve --max-runs`).
 * A run started beyond that is recorded at once (folder, snapshot, run.json) with status `queued` and waits in
 * {@link RunQueue}; when a training run ends (done, stopped, failed, crashed) the first queued one starts, and the
 * others' positions are pushed to the editor. Stopping a queued run takes it out of the queue (status `stopped`,
 * never started). The queue can be paused (nothing new starts from it), reordered and cleared, and it is saved in
 * `queue.json` in the per-user runs folder on every change: when the app closes (or dies) with runs waiting, its
 * next start takes them up again, in their order and paused as they were ({@link restoreQueue}).
 *
 * Nothing a run does can take the app down: every callback is guarded, and failures end up in the run's status
 * (`diverged`, `crashed`, `failed`) and error, never as an exception on this thread.
 *
 * @example
 * const runs = createRunManager({ push: (caller, m) => send(caller, m), defaultRoot });
 * const { runId } = await runs.start({ documentText, root, baseDir, name: 'model.hnet.json', overrides: { steps: 500 }, caller });
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { EngineEvent, RunStatus, StreamEvent } from '../../../shared/api/events';
import { applyRunEvent, emptyHistory, type RunSummary } from '../../../shared/api/runs';
import { HnetError, formatProblem } from '../../../shared/compiler/errors';
import { DEFAULT_RESOURCE_LIMITS, checkResources, estimateResources } from '../../../shared/compiler/estimate';
import type { Program } from '../../../shared/compiler/ir';
import { decode, readCheckpoint, writeWeights } from '../../engine/checkpoint';
import type { TrainOptions } from '../../engine/options';
import { QueryError, startRun, type RunHandle } from '../../engine/session';
import { wasmThreadCount } from '../../engine/threads';
import { TensorboardLog } from '../../engine/tensorboard';
import { AppError } from '../errors';
import { packageVersion } from '../paths';
import { StreamBatcher } from './batcher';
import { InspectionPool, QUERY_TIMEOUT_MS, checkResult, queryFailed, withTimeout } from './inspection';
import { QUEUE_FILE, RunQueue, readQueueFile } from './queue';
import { conclude, messageOf, newRecord, saveRecord } from './record';
import { closeInstance, isOrphaned, markInterrupted, openInstance, ownerIsAlive, rebuildRun } from './recovery';
import { expandSweep, groupOf, type SweepSpec } from '../../../shared/sweep';
import { writeRunSafetensors } from './safetensorsExport';
import { prepareRun } from './settings';
import {
  CHECKPOINTS_DIR,
  DOCUMENT_FILE,
  EVENTS_FILE,
  EventLog,
  LATEST_CHECKPOINT,
  RUN_FILE,
  RecordWriter,
  TENSORBOARD_DIR,
  checkpointPath,
  keepCheckpoint,
  listCheckpoints,
  listRunDirs,
  newRunId,
  newestCheckpoint,
  readDocumentSnapshot,
  readHistory,
  readRecord,
  summaryOf,
  thisHost,
  writeAtomic,
  type RunRecord,
} from './store';
import { DEFAULT_MAX_RUNS, type Live, type ResumeSource, type RunManager, type RunManagerOptions, type RunOutcome, type StartArgs } from './types';

export { DEFAULT_MAX_RUNS, RunQueue };

/** The wasm threads of one of `maxRuns` runs training at once (undefined: a malformed setting, left to the run). */
export function sharedThreads(maxRuns: number, env: NodeJS.ProcessEnv = process.env): number | undefined {
  try {
    return Math.max(1, Math.floor(wasmThreadCount(env) / maxRuns));
  } catch {
    return undefined;
  }
}
export type { RunManager, RunManagerOptions, StartArgs };

/** How long closing the app waits for its runs to wind down before their workers are killed. */
const CLOSE_WAIT_MS = 3000;

export function createRunManager<C>(opts: RunManagerOptions<C>): RunManager<C> {
  const instance = randomBytes(8).toString('hex');
  openInstance(instance);
  const live = new Map<string, Live<C>>();
  const queue = new RunQueue(opts.queueFile === undefined ? join(opts.defaultRoot, QUEUE_FILE) : opts.queueFile, (e) =>
    console.warn(`hnet: the run queue could not be saved: ${messageOf(e)}`),
  );
  const maxRuns = Math.max(1, Math.floor(opts.maxRuns ?? DEFAULT_MAX_RUNS));
  // Each run's share of the CPUs for wasm, so that runs training at once do not fight over them. A malformed
  // HNET_WASM_THREADS is left to each run's worker, whose start refuses it naming the variable.
  const threadsPerRun = sharedThreads(maxRuns);
  const training = () => [...live.values()].filter((l) => l.started && !l.finished).length;
  /** Run id -> run folder, for every run this manager started or listed. */
  const known = new Map<string, string>();
  const roots = new Set<string>([opts.defaultRoot]);
  let closed = false;
  const appVersion = opts.appVersion ?? packageVersion();
  const inspection = new InspectionPool({ worker: () => opts.worker ?? {}, idleMs: opts.inspectorIdleMs ?? 60_000, recordOf, rebuild });

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

  function emitStatus(l: Live<C>, status: RunStatus, message?: string): void {
    l.record.status = status;
    const position = status === 'queued' ? queue.position(l.id) : undefined;
    const e: StreamEvent = { event: 'status', status, step: l.history.lastStep, ...(message ? { message } : {}), ...(position ? { position } : {}) };
    l.log.append(e, performance.now() - l.t0);
    applyRunEvent(l.history, e);
    l.batcher.add(e);
    saveRecord(l, true);
  }

  function onEvent(l: Live<C>, e: EngineEvent): void {
    if (l.finished) return;
    l.log.append(e, performance.now() - l.t0);
    l.tensorboard.event(e);
    applyRunEvent(l.history, e);
    l.record.step = l.history.lastStep;
    switch (e.event) {
      case 'start':
        l.record.totalSteps = e.totalSteps;
        l.record.backend = e.backend;
        if (l.record.provenance && e.dataHash) l.record.provenance.dataHash = e.dataHash;
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
  async function finish(l: Live<C>, outcome: RunOutcome): Promise<void> {
    if (l.finished) return;
    l.finished = true;
    const r = l.record;
    const { status, message } = conclude(l, outcome);
    const event: StreamEvent = { event: 'status', status, step: r.step, ...(message ? { message } : {}) };
    try {
      if (l.recordTimer) clearTimeout(l.recordTimer);
      l.recordTimer = null;
      l.log.append(event, performance.now() - l.t0);
      await l.keeping;
      await l.log.flush(true);
      await l.tensorboard.close();
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
      if (l.moveTo) await moveRun(l.id, l.dir, l.moveTo);
      l.markEnded();
      startQueued();
    }
  }

  /** Move an ended run's folder into another runs folder (best effort: a run that cannot move stays where it is). */
  async function moveRun(id: string, dir: string, toRoot: string): Promise<boolean> {
    const target = join(toRoot, id);
    try {
      await mkdir(toRoot, { recursive: true });
      await rename(dir, target);
    } catch {
      try {
        // Another file system: copy, then remove.
        await cp(dir, target, { recursive: true, errorOnExist: true, force: false });
        await rm(dir, { recursive: true, force: true });
      } catch {
        return false;
      }
    }
    known.set(id, target);
    roots.add(toRoot);
    return true;
  }

  /** Start queued runs while slots are free (unless the queue is paused), then tell the ones still waiting where they stand. */
  function startQueued(): void {
    if (closed) return;
    while (queue.length > 0 && training() < maxRuns && !queue.paused) {
      const next = live.get(queue.next()!);
      if (next && !next.finished) begin(next);
    }
    for (const id of queue.list()) {
      const q = live.get(id);
      if (q && !q.finished && q.history.queuePosition !== queue.position(id)) emitStatus(q, 'queued');
    }
  }

  /** Start a run's worker (now, or when it leaves the queue). */
  function begin(l: Live<C>): void {
    l.started = true;
    // A new run takes the machine: an idle inspection worker goes.
    void inspection.close();
    emitStatus(l, 'running');
    l.handle = startRun(l.program, l.options, { wasmThreads: threadsPerRun, ...opts.worker });
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
  }

  /** A run's live state: its program and worker options, its event log, its pushes to the editor (`caller`). */
  function newLive(a: {
    id: string;
    dir: string;
    record: RunRecord;
    writer: RecordWriter;
    documentText: string;
    prepared: ReturnType<typeof prepareRun>;
    baseDir: string | null;
    resumeFrom: string | undefined;
    caller: C | undefined;
  }): Live<C> {
    const options: TrainOptions = {
      checkpointPath: join(a.dir, CHECKPOINTS_DIR, LATEST_CHECKPOINT),
      checkpointEvery: a.prepared.settings.checkpointEvery,
      stepEventEvery: a.prepared.settings.stepEventEvery,
      ...(a.baseDir ? { baseDir: a.baseDir } : {}),
      ...opts.dataAccess?.(),
      ...(a.resumeFrom ? { resumeFrom: a.resumeFrom } : {}),
    };
    let markEnded!: () => void;
    const ended = new Promise<void>((r) => (markEnded = r));
    const l: Live<C> = {
      id: a.id,
      dir: a.dir,
      record: a.record,
      history: emptyHistory(),
      documentText: a.documentText,
      program: a.prepared.program,
      options,
      handle: undefined as unknown as RunHandle,
      batcher: new StreamBatcher((event) => {
        try {
          opts.push(a.caller, { type: 'engine', runId: a.id, event });
        } catch {
          // The editor went away; the run goes on and is recorded.
        }
      }, opts.flushIntervalMs),
      log: new EventLog(join(a.dir, EVENTS_FILE), (e) => warn(l, 'the run history could not be saved')(e)),
      tensorboard: new TensorboardLog(join(a.dir, TENSORBOARD_DIR), (e) => warn(l, 'the TensorBoard log could not be written')(e)),
      writer: a.writer,
      caller: a.caller,
      t0: performance.now(),
      keeping: Promise.resolve(),
      recordTimer: null,
      ended,
      markEnded,
      closing: false,
      finished: false,
      started: false,
    };
    l.history.lastStep = a.record.step;
    return l;
  }

  /**
   * The runs a saved queue holds (the app closed, or crashed, with runs waiting) come back queued, in their order
   * and with the queue's pause; their pushes go to every editor (the one that queued them is gone). A run that no
   * longer compiles ends `failed`, saying why.
   */
  function restoreQueue(): void {
    if (!queue.file) return;
    const saved = readQueueFile(queue.file);
    const kept: { runId: string; dir: string }[] = [];
    for (const { runId, dir } of saved.runs) {
      const record = readRecord(dir);
      if (!record || record.id !== runId || record.status !== 'queued' || live.has(runId)) continue;
      // Another app that still runs (a second `hnet serve` on the same user folder) keeps its own queued runs.
      if (ownerIsAlive(record.owner)) continue;
      const documentText = readDocumentSnapshot(dir);
      let prepared: ReturnType<typeof prepareRun>;
      try {
        if (!documentText) throw new AppError('not_found', 'its document snapshot is gone');
        prepared = prepareRun(documentText, record.overrides);
      } catch (e) {
        const now = new Date().toISOString();
        const failed = { ...record, status: 'failed' as const, endedAt: now, updatedAt: now, error: { code: 'HN004', message: `the queued run cannot start after the restart: ${messageOf(e)}`, step: 0 } };
        void writeAtomic(join(dir, RUN_FILE), `${JSON.stringify(failed, null, 2)}\n`).catch(() => {});
        continue;
      }
      record.owner = { pid: process.pid, host: thisHost, instance };
      let self: Live<C> | undefined;
      const writer = new RecordWriter(join(dir, RUN_FILE), (e) => warn(self, 'the run record could not be saved')(e));
      const origin = join(dir, CHECKPOINTS_DIR, 'origin.json');
      const l = newLive({ id: runId, dir, record, writer, documentText: documentText!, prepared, baseDir: record.baseDir, resumeFrom: record.resumedFrom && existsSync(origin) ? origin : undefined, caller: undefined });
      self = l;
      live.set(runId, l);
      known.set(runId, dir);
      roots.add(dirname(dir));
      kept.push({ runId, dir });
      saveRecord(l, true);
    }
    queue.restore(saved.paused, kept);
    if (kept.length !== saved.runs.length) queue.setPaused(saved.paused); // saves the queue without the runs that went
    if (kept.length) queueMicrotask(() => startQueued());
  }

  async function launch(args: StartArgs<C> & { resumeFrom?: ResumeSource }): Promise<{ runId: string }> {
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
    const record = newRecord({
      id,
      name: args.name ?? prepared.doc.metadata.name,
      now,
      prepared,
      overrides,
      resumeFrom: args.resumeFrom,
      baseDir: args.baseDir,
      instance,
      documentText: args.documentText,
      appVersion,
      group: args.group ?? null,
      label: args.label ?? null,
    });
    // The run's own entry, once made; failures to record before that are thrown to the caller instead.
    let self: Live<C> | undefined;
    const writer = new RecordWriter(join(dir, RUN_FILE), (e) => warn(self, 'the run record could not be saved')(e));
    try {
      await writer.write(record);
    } catch (e) {
      throw new AppError('io', `cannot write the run record: ${messageOf(e)}`);
    }
    const l = newLive({ id, dir, record, writer, documentText: args.documentText, prepared, baseDir: args.baseDir, resumeFrom, caller: args.caller });
    self = l;
    live.set(id, l);
    known.set(id, dir);
    roots.add(args.root);
    // A new run takes the machine: an idle inspection worker goes (before the run's worker starts).
    if (training() < maxRuns) await inspection.close();
    if (l.finished) return { runId: id };
    if (training() >= maxRuns || queue.paused) {
      record.queueFile = queue.file;
      queue.add(id, dir);
      emitStatus(l, 'queued');
    } else {
      begin(l);
    }
    return { runId: id };
  }

  /** The queue as the editor shows it. */
  function queueView(): { paused: boolean; runs: RunSummary[] } {
    return { paused: queue.paused, runs: queue.list().flatMap((id) => (live.has(id) ? [summaryOfLive(live.get(id)!)] : [])) };
  }

  /** A run's summary, with its queue position while queued. */
  function summaryOfLive(l: Live<C>): RunSummary {
    const position = queue.position(l.id);
    return { ...summaryOf(l.record), ...(position ? { queuePosition: position } : {}) };
  }

  function liveRun(runId: string, action: string): Live<C> {
    const l = live.get(runId);
    if (l && !l.finished) return l;
    const { record } = recordOf(runId);
    throw new AppError('conflict', `cannot ${action} run ${runId}: it has ended (${record.status})`);
  }

  /** Program and options to rebuild a run that is no longer live (inspection, export). */
  function rebuild(dir: string, record: RunRecord): { program: Program; options: TrainOptions } {
    const l = live.get(record.id);
    if (l) return { program: l.program, options: l.options };
    return rebuildRun(dir, record, opts.dataAccess);
  }

  restoreQueue();

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
      return { runId: started.runId, status: live.get(started.runId)?.record.status ?? 'running' };
    },

    async stop(runId) {
      const l = live.get(runId);
      if (!l || l.finished) return { status: recordOf(runId).record.status };
      if (!l.started) {
        queue.remove(runId);
        await finish(l, { dequeued: true });
        return { status: l.record.status };
      }
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
          out.push(summaryOfLive(l));
          continue;
        }
        let record = readRecord(dir);
        if (!record) continue;
        known.set(record.id, dir);
        if (isOrphaned(record)) record = await markInterrupted(dir, record);
        out.push(summaryOf(record));
      }
      return out;
    },

    get(runId) {
      const l = live.get(runId);
      if (l) return { summary: summaryOfLive(l), documentText: l.documentText, outline: l.record.outline, history: l.history };
      const dir = locate(runId);
      const record = readRecord(dir);
      if (!record) throw new AppError('not_found', `run ${runId} has no readable run.json`);
      // A run whose app is gone reads as interrupted even before a listing records it so.
      if (isOrphaned(record)) record.status = 'interrupted';
      const history = readHistory(dir);
      history.status = record.status;
      if (record.error && !history.error) history.error = { code: record.error.code, message: record.error.message, ...(record.error.node ? { node: record.error.node } : {}) };
      return { summary: summaryOf(record), documentText: readDocumentSnapshot(dir), outline: record.outline, history };
    },

    async rename(runId, label) {
      const name = label?.trim() ? label.trim().slice(0, 200) : null;
      const l = live.get(runId);
      if (l && !l.finished) {
        l.record.label = name;
        saveRecord(l, true);
        await l.writer.flushed();
        return summaryOfLive(l);
      }
      const { dir, record } = recordOf(runId);
      record.label = name;
      try {
        await writeAtomic(join(dir, RUN_FILE), `${JSON.stringify(record, null, 2)}\n`);
      } catch (e) {
        throw new AppError('io', `cannot rename run ${runId}: ${messageOf(e)}`);
      }
      return summaryOf(record);
    },

    async remove(runId) {
      const l = live.get(runId);
      if (l && !l.finished) throw new AppError('conflict', `run ${runId} is ${l.record.status}; stop it before deleting it`);
      const { dir } = recordOf(runId);
      // Only a run folder (named by its id, with its run.json) is ever removed.
      if (basename(dir) !== runId || !readRecord(dir)) throw new AppError('not_found', `run ${runId} has no run folder to delete`);
      await inspection.forget(runId);
      try {
        await rm(dir, { recursive: true, force: true });
      } catch (e) {
        throw new AppError('io', `cannot delete run ${runId}: ${messageOf(e)}`);
      }
      known.delete(runId);
    },

    async sweep(args) {
      const spec: SweepSpec = args.spec;
      const runs = expandSweep(spec);
      // Every configuration is checked before any run starts: a bad value names itself, and nothing is half-started.
      for (const run of runs) {
        try {
          prepareRun(args.documentText, { ...args.overrides, ...run.overrides, params: { ...args.overrides?.params, ...run.overrides.params } });
        } catch (e) {
          const what = Object.entries(run.config).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
          throw new AppError(e instanceof AppError ? e.code : 'invalid_request', `sweep configuration ${what || `seed ${run.seed}`}: ${messageOf(e)}`);
        }
      }
      const groupId = `sweep-${randomBytes(6).toString('hex')}`;
      const runIds: string[] = [];
      for (const run of runs) {
        const params = { ...args.overrides?.params, ...run.overrides.params };
        const overrides = { ...args.overrides, ...run.overrides, ...(Object.keys(params).length ? { params } : {}) };
        const { runId } = await launch({ ...args, overrides, group: groupOf(groupId, spec, run) });
        runIds.push(runId);
      }
      return { groupId, runIds };
    },

    async adopt(from, to) {
      if (from === to) return 0;
      let moved = 0;
      for (const dir of listRunDirs(from)) {
        const id = basename(dir);
        const l = live.get(id);
        if (l && !l.finished) {
          l.moveTo = to;
          moved++;
          continue;
        }
        await inspection.forget(id);
        if (await moveRun(id, dir, to)) moved++;
      }
      return moved;
    },

    queueState: () => queueView(),

    pauseQueue(paused) {
      const was = queue.paused;
      queue.setPaused(paused);
      // Every editor hears it through the queued runs' status (the Queue cards ask again on a status push).
      if (was !== paused)
        for (const id of queue.list()) {
          const l = live.get(id);
          if (l && !l.finished) emitStatus(l, 'queued', paused ? 'the queue is paused' : undefined);
        }
      if (!paused) startQueued();
      return queueView();
    },

    moveQueued(runId, position) {
      if (!queue.move(runId, position)) {
        const l = live.get(runId);
        throw new AppError('conflict', `run ${runId} is not queued${l ? ` (it is ${l.record.status})` : ''}`);
      }
      startQueued();
      return queueView();
    },

    async clearQueue() {
      for (const id of [...queue.list()]) {
        const l = live.get(id);
        queue.remove(id);
        if (l && !l.started) await finish(l, { dequeued: true });
      }
      return queueView();
    },

    async checkpoints(runId) {
      const { dir } = recordOf(runId);
      const l = live.get(runId);
      if (l) await l.keeping;
      return listCheckpoints(dir);
    },

    async exportWeights(runId, format = 'hnet', tasks) {
      const { dir, record } = recordOf(runId);
      const l = live.get(runId);
      if (l) await l.keeping;
      const path = newestCheckpoint(dir);
      if (!path) throw new AppError('not_found', `run ${runId} has no checkpoint yet; its weights are saved at its first checkpoint`);
      const { program } = rebuild(dir, record);
      const out = join(dir, 'weights');
      let ck: ReturnType<typeof readCheckpoint>;
      try {
        ck = readCheckpoint(path, program);
      } catch (e) {
        if (e instanceof HnetError) throw new AppError('invalid_request', e.problem.message);
        throw e;
      }
      if (format === 'safetensors') {
        const trained = record.outline.taskList.length ? record.outline.taskList : [0];
        const wanted = tasks ?? trained;
        const bad = wanted.find((t) => t >= record.outline.tasks);
        if (bad !== undefined) throw new AppError('invalid_request', `task ${bad} does not exist; the data has ${record.outline.tasks} task(s)`);
        const generated = program.generated.length ? await inspection.generate(runId, wanted) : { step: ck.step, tensors: [], notes: [] };
        const file = 'model.safetensors';
        try {
          writeRunSafetensors(join(out, file), {
            program,
            checkpoint: ck,
            generated,
            tasks: wanted,
            documentText: readDocumentSnapshot(dir) ?? '',
            record: { id: record.id, name: record.name, seed: record.settings.seed, metrics: record.metrics, provenance: record.provenance },
          });
        } catch (e) {
          throw new AppError('io', `cannot write the safetensors file: ${messageOf(e)}`);
        }
        return { dir: out, files: [file], step: ck.step };
      }
      try {
        writeWeights(
          out,
          program.params.map((p) => ({ name: p.name, shape: p.shape, values: decode(ck.params[p.name]) })),
        );
        return { dir: out, files: ['weights.json', 'weights.bin'], step: ck.step };
      } catch (e) {
        throw new AppError('io', `cannot write the weights: ${messageOf(e)}`);
      }
    },

    async inspect(runId, query) {
      const l = live.get(runId);
      if (l && !l.started) {
        throw new AppError('conflict', `run ${runId} is queued (position ${queue.position(runId) ?? '?'}); it can be inspected once it has started`);
      }
      if (l && !l.finished) {
        try {
          return checkResult(await withTimeout(l.handle.query(query), QUERY_TIMEOUT_MS, 'the training run'));
        } catch (e) {
          if (!(e instanceof QueryError && e.code === 'ended')) return queryFailed(e);
          // The run ended meanwhile: its final checkpoint answers.
          await l.ended;
        }
      }
      return inspection.ask(runId, query);
    },

    async settled(runId) {
      await live.get(runId)?.ended;
    },

    async close() {
      if (closed) return;
      closed = true;
      const queued = [...live.values()].filter((l) => !l.started);
      for (const l of queued) {
        if (queue.file) {
          // It stays queued, in the saved queue: the next start of the app takes it up again.
          l.finished = true;
          if (l.recordTimer) clearTimeout(l.recordTimer);
          await l.log.flush(true);
          await l.writer.flushed();
          l.batcher.close();
          live.delete(l.id);
          l.markEnded();
          continue;
        }
        queue.remove(l.id);
        l.closing = true;
        await finish(l, { dequeued: true });
      }
      await queue.flushed();
      const running = [...live.values()];
      for (const l of running) {
        l.closing = true;
        l.handle.stop();
      }
      await Promise.race([Promise.all(running.map((l) => l.ended)), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
      for (const l of running) if (!l.finished) await l.handle.kill();
      await Promise.all(running.map((l) => l.ended));
      await inspection.close();
      closeInstance(instance);
    },
  };
}
