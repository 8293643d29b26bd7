/**
 * Run history on disk. Every run has a folder, beside its document so nothing is lost on restart:
 *
 *   <document folder>/<document name>.runs/<runId>/
 *     run.json            settings, status, timestamps, final metrics (replaced atomically on every change)
 *     document.hnet.json  the document exactly as it was when the run started
 *     events.jsonl        every event as it arrived, one JSON object per line with `t` (ms since the start)
 *     checkpoints/        step-<N>.json kept checkpoints; latest.json is the one the worker writes
 *     tensorboard/        events.out.tfevents.* (`tensorboard --logdir <document name>.runs` shows every run)
 *     weights/            weights.json + weights.bin once exported
 *
 * A new unsaved document's runs go to a per-user folder (Electron: userData/runs; browser mode:
 * ~/.hypernet-studio/runs). Everything read back is validated; a damaged run folder is skipped, never fatal.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, unlink, copyFile, appendFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { RunStatus, StreamEvent, type EngineEvent, type StepEvent, type StreamEvent as StreamEventT } from '../../../shared/api/events';
import { ProgramOutline, Provenance, RunError, RunGroup, RunOverrides, RunSettings, RUN_ID, applyRunEvent, emptyHistory, type CheckpointInfo, type RunHistory, type RunSummary } from '../../../shared/api/runs';

export const RUN_FILE = 'run.json';
export const DOCUMENT_FILE = 'document.hnet.json';
export const EVENTS_FILE = 'events.jsonl';
export const CHECKPOINTS_DIR = 'checkpoints';
export const TENSORBOARD_DIR = 'tensorboard';
export const LATEST_CHECKPOINT = 'latest.json';
/** Checkpoints kept per run (the newest); older ones are removed as new ones arrive. */
export const KEPT_CHECKPOINTS = 5;

/** What run.json holds. */
export const RunRecord = z.object({
  format: z.literal('hnet-run'),
  version: z.literal(1),
  id: z.string().regex(RUN_ID),
  name: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  updatedAt: z.string(),
  status: RunStatus,
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(0).nullable(),
  metrics: z.record(z.string(), z.number()),
  settings: RunSettings,
  overrides: RunOverrides,
  backend: z.string().nullable(),
  error: RunError.nullable(),
  resumedFrom: z.object({ runId: z.string(), checkpoint: z.string(), step: z.number().int().min(0) }).nullable(),
  /** The document's folder, for data files named by relative path. */
  baseDir: z.string().nullable(),
  outline: ProgramOutline,
  /** Which app process runs it, so a later listing can tell a run that is going from one the app lost. */
  owner: z.object({ pid: z.number().int(), host: z.string(), instance: z.string() }),
  // Kept since the runs table (records written before read with these defaults).
  /** The user's name for the run (the runs table's rename). */
  label: z.string().max(200).nullable().default(null),
  group: RunGroup.nullable().default(null),
  provenance: Provenance.nullable().default(null),
  nodeParams: z.record(z.string(), z.unknown()).default({}),
  /** Training seconds, from the done event. */
  seconds: z.number().nullable().default(null),
  /** The saved queue that holds the run while it is queued: it waits there across restarts (./queue.ts). */
  queueFile: z.string().nullable().default(null),
});
export type RunRecord = z.infer<typeof RunRecord>;

export function summaryOf(r: RunRecord): RunSummary {
  return {
    id: r.id,
    name: r.name,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    status: r.status,
    step: r.step,
    totalSteps: r.totalSteps,
    metrics: r.metrics,
    settings: r.settings,
    backend: r.backend,
    error: r.error,
    resumedFrom: r.resumedFrom,
    label: r.label,
    params: r.overrides.params ?? {},
    group: r.group,
    provenance: r.provenance,
    nodeParams: r.nodeParams,
    seconds: r.seconds,
  };
}

/** `model.hnet.json` -> `<folder>/model.runs` */
export function runsDirFor(documentPath: string): string {
  const stem = basename(documentPath).replace(/\.hnet\.json$/i, '').replace(/\.json$/i, '') || 'document';
  return join(dirname(documentPath), `${stem}.runs`);
}

/** A new run id: UTC start time (so ids sort by time) and 6 random characters. */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from(randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
  return `run-${stamp}-${suffix}`;
}

export const thisHost = hostname();

// ---------------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------------

/** Replace `path` with `text` atomically (temporary file, flush, rename), off the caller's thread. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx', 0o644);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
}

/** Writes of one file, in order, each replacing the last; a failure is reported and the next write tries again. */
export class RecordWriter {
  private chain: Promise<void> = Promise.resolve();
  private pending: string | null = null;
  constructor(
    private readonly path: string,
    private readonly onError: (e: unknown) => void,
  ) {}
  write(record: RunRecord): Promise<void> {
    // Only the newest content matters: writes queued behind a slow one collapse into one.
    const first = this.pending === null;
    this.pending = `${JSON.stringify(record, null, 2)}\n`;
    if (first) {
      this.chain = this.chain.then(async () => {
        const text = this.pending!;
        this.pending = null;
        try {
          await writeAtomic(this.path, text);
        } catch (e) {
          this.onError(e);
        }
      });
    }
    return this.chain;
  }
  flushed(): Promise<void> {
    return this.chain;
  }
}

/**
 * events.jsonl: lines are buffered and appended a few times a second (and at once for the events that end a
 * run, which are also flushed to disk), so recording costs the main thread almost nothing per event.
 */
export class EventLog {
  private lines: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly path: string,
    private readonly onError: (e: unknown) => void,
    private readonly everyMs = 250,
  ) {}
  append(event: EngineEvent | StreamEventT, t: number): void {
    this.lines.push(`${JSON.stringify({ t: Math.round(t), ...event })}\n`);
    if (!this.timer) this.timer = setTimeout(() => void this.flush(false), this.everyMs);
  }
  /** Append what is buffered; `sync` also flushes the file to disk. */
  flush(sync: boolean): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = this.lines.join('');
    this.lines = [];
    this.chain = this.chain.then(async () => {
      try {
        if (!sync) {
          if (text) await appendFile(this.path, text);
          return;
        }
        const fh = await open(this.path, 'a');
        try {
          if (text) await fh.write(text);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } catch (e) {
        this.onError(e);
      }
    });
    return this.chain;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading back
// ---------------------------------------------------------------------------------------------------------------

export function readRecord(runDir: string): RunRecord | null {
  try {
    const r = RunRecord.safeParse(JSON.parse(readFileSync(join(runDir, RUN_FILE), 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Run folders under a runs root, newest first. */
export function listRunDirs(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => RUN_ID.test(n))
    .sort()
    .reverse()
    .map((n) => join(root, n));
}

/** Replay events.jsonl into a history. A torn last line (the app died mid-write) and invalid lines are skipped. */
export function readHistory(runDir: string): RunHistory {
  const h = emptyHistory();
  let text: string;
  try {
    text = readFileSync(join(runDir, EVENTS_FILE), 'utf8');
  } catch {
    return h;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    // Step events are nearly every line of a long run: checked by hand, the rest by the schema.
    if (isStepEvent(value)) {
      applyRunEvent(h, value);
      continue;
    }
    const e = StreamEvent.safeParse(value);
    if (e.success) applyRunEvent(h, e.data);
  }
  return h;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isStepEvent(v: unknown): v is StepEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (e.event !== 'step' || !Number.isInteger(e.step) || !Number.isInteger(e.task) || !finite(e.loss) || !finite(e.stepsPerSecond)) return false;
  const losses = e.losses;
  if (typeof losses !== 'object' || losses === null || Array.isArray(losses)) return false;
  for (const x of Object.values(losses)) if (!finite(x)) return false;
  return true;
}

export function readDocumentSnapshot(runDir: string): string {
  try {
    return readFileSync(join(runDir, DOCUMENT_FILE), 'utf8');
  } catch {
    return '';
  }
}

/** Whether the process that owns a run is still there (a run of another live app is not "interrupted"). */
export function ownerAlive(owner: RunRecord['owner'], liveInstances: ReadonlySet<string>): boolean {
  if (owner.host !== thisHost) return true; // a folder shared with another machine: not ours to judge
  if (owner.pid === process.pid) return liveInstances.has(owner.instance);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------------------------------------------

const KEPT = /^step-(\d+)\.json$/;
export const CHECKPOINT_NAME = /^step-\d{1,12}$/;

const stepName = (step: number) => `step-${String(step).padStart(9, '0')}`;

/** The step a checkpoint file says it is at, read from its beginning (the field comes before the tensors). */
async function checkpointStep(path: string): Promise<number | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const m = /"step":(\d+)/.exec(buf.subarray(0, bytesRead).toString('utf8'));
    return m ? Number(m[1]) : null;
  } finally {
    await fh.close();
  }
}

/**
 * Keep the checkpoint the worker just wrote (latest.json) as step-<N>.json: a hard link when the file system
 * allows (no copy; the worker replaces latest.json by rename, so the link keeps this version), else a copy.
 * Named by the step inside the file, so a newer checkpoint written meanwhile is never mislabelled.
 */
export async function keepCheckpoint(runDir: string, fallbackStep: number): Promise<void> {
  const dir = join(runDir, CHECKPOINTS_DIR);
  const latest = join(dir, LATEST_CHECKPOINT);
  const temp = join(dir, `.keep-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await link(latest, temp);
  } catch {
    await copyFile(latest, temp);
  }
  const step = (await checkpointStep(temp).catch(() => null)) ?? fallbackStep;
  await rename(temp, join(dir, `${stepName(step)}.json`));
  const kept = (await readdir(dir)).filter((n) => KEPT.test(n)).sort();
  for (const old of kept.slice(0, Math.max(0, kept.length - KEPT_CHECKPOINTS))) await rm(join(dir, old), { force: true });
}

export async function listCheckpoints(runDir: string): Promise<CheckpointInfo[]> {
  const dir = join(runDir, CHECKPOINTS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: CheckpointInfo[] = [];
  for (const n of names) {
    const m = KEPT.exec(n);
    if (!m) continue;
    try {
      const st = await stat(join(dir, n));
      out.push({ name: n.replace(/\.json$/, ''), step: Number(m[1]), savedAt: st.mtime.toISOString(), bytes: st.size });
    } catch {
      // removed meanwhile
    }
  }
  return out.sort((a, b) => b.step - a.step);
}

/** The file of a kept checkpoint named as {@link listCheckpoints} names it; null when there is none. */
export function checkpointPath(runDir: string, name: string): string | null {
  if (!CHECKPOINT_NAME.test(name)) return null;
  const m = /^step-(\d+)$/.exec(name)!;
  const path = join(runDir, CHECKPOINTS_DIR, `${stepName(Number(m[1]))}.json`);
  return existsSync(path) ? path : null;
}

/** The newest checkpoint of a run: latest.json, else the newest kept one. */
export function newestCheckpoint(runDir: string): string | null {
  const latest = join(runDir, CHECKPOINTS_DIR, LATEST_CHECKPOINT);
  if (existsSync(latest)) return latest;
  try {
    const kept = readdirSync(join(runDir, CHECKPOINTS_DIR))
      .filter((n) => KEPT.test(n))
      .sort();
    return kept.length ? join(runDir, CHECKPOINTS_DIR, kept[kept.length - 1]) : null;
  } catch {
    return null;
  }
}
