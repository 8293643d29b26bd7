/**
 * A live run's run.json: what it says when the run is created, how often it is rewritten while the run trains,
 * and the status and error it ends with. The files themselves are ./store.ts's.
 */
import type { RunStatus } from '../../../shared/api/events';
import type { RunGroup, RunOverrides } from '../../../shared/api/runs';
import { HnetError } from '../../../shared/compiler/errors';
import { outlineProgram } from '../../engine/outline';
import { provenanceOf } from './provenance';
import type { PreparedRun } from './settings';
import { thisHost, type RunRecord } from './store';
import type { Live, ResumeSource, RunOutcome } from './types';

/** While a run trains its record is rewritten at most this often (a status change is written at once). */
const RECORD_EVERY_MS = 1000;

/** An error's message, cut to a length a record and a status line can hold. */
export const messageOf = (e: unknown) => {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 500 ? `${m.slice(0, 500)}...` : m;
};

/** The status a run ends with when its worker fails with `e`. */
export function statusOfFailure(e: unknown): RunStatus {
  if (e instanceof HnetError) return e.problem.code === 'HN050' ? 'diverged' : e.problem.code === 'HN060' || e.problem.code === 'HN061' ? 'crashed' : 'failed';
  return 'crashed';
}

/** The record of a run just created: queued until its worker starts (then `running`), so its first write says so. */
export function newRecord(args: {
  id: string;
  name: string;
  now: string;
  prepared: Pick<PreparedRun, 'settings' | 'program' | 'graphHash' | 'nodeParams'>;
  overrides: RunOverrides;
  /** The snapshot's text (its hash goes into the provenance) and the app's version. */
  documentText: string;
  appVersion: string;
  group?: RunGroup | null;
  label?: string | null;
  resumeFrom: ResumeSource | undefined;
  baseDir: string | null;
  /** This manager instance, so a listing can tell its own lost runs from going ones (./recovery.ts). */
  instance: string;
}): RunRecord {
  const { now, resumeFrom } = args;
  return {
    format: 'hnet-run',
    version: 1,
    id: args.id,
    name: args.name,
    startedAt: now,
    endedAt: null,
    updatedAt: now,
    status: 'queued',
    step: resumeFrom?.step ?? 0,
    totalSteps: null,
    metrics: {},
    settings: args.prepared.settings,
    overrides: args.overrides,
    backend: null,
    error: null,
    resumedFrom: resumeFrom ? { runId: resumeFrom.runId, checkpoint: resumeFrom.checkpoint, step: resumeFrom.step } : null,
    baseDir: args.baseDir,
    outline: outlineProgram(args.prepared.program),
    owner: { pid: process.pid, host: thisHost, instance: args.instance },
    label: args.label ?? null,
    group: args.group ?? null,
    provenance: provenanceOf({ appVersion: args.appVersion, documentText: args.documentText, graphHash: args.prepared.graphHash, seed: args.prepared.settings.seed }),
    nodeParams: args.prepared.nodeParams,
    seconds: null,
    queueFile: null,
  };
}

/** Write the run's record now, or within {@link RECORD_EVERY_MS} (writes asked for meanwhile are one write). */
export function saveRecord<C>(l: Live<C>, now = false): void {
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

/**
 * The status a run ends with, and the message its final status event carries; the record's step, metrics and
 * error are set to match (its status is left to the caller, which sets it once the record is written).
 */
export function conclude<C>(l: Live<C>, outcome: RunOutcome): { status: RunStatus; message: string | undefined } {
  const r = l.record;
  if ('dequeued' in outcome) {
    // Taken out of the queue before it started: stopped by its user, or interrupted by the app closing.
    if (!l.closing) return { status: 'stopped', message: undefined };
    r.error = { code: 'interrupted', message: 'the app closed while the run was queued; start it again', step: r.step };
    return { status: 'interrupted', message: r.error.message };
  }
  if ('done' in outcome) {
    r.metrics = outcome.done.metrics;
    r.step = outcome.done.step;
    r.seconds = outcome.done.seconds;
    return { status: outcome.done.stopped ? 'stopped' : 'done', message: undefined };
  }
  r.step = l.history.lastStep;
  const e = outcome.error;
  const p = e instanceof HnetError ? e.problem : { code: 'HN060', message: messageOf(e) };
  r.error = {
    code: l.closing ? 'interrupted' : p.code,
    message: l.closing ? `the app closed while the run was at step ${r.step}; resume it from its last checkpoint` : p.message,
    ...('node' in p && p.node ? { node: p.node } : {}),
    ...('port' in p && p.port ? { port: p.port } : {}),
    step: r.step,
  };
  return { status: l.closing ? 'interrupted' : statusOfFailure(e), message: r.error.message };
}
