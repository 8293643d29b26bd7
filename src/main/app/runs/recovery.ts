/**
 * Runs found on disk that no open manager owns: a run whose app has gone (closed, crashed, killed) reads as
 * `interrupted`, recorded so at its next listing, and a run that is no longer live is rebuilt from its folder
 * (document snapshot and recorded overrides) to be inspected or to have its weights exported.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FINAL_STATUSES } from '../../../shared/api/events';
import type { Program } from '../../../shared/compiler/ir';
import type { DataAccess } from '../../engine/data/files';
import type { TrainOptions } from '../../engine/options';
import { AppError } from '../errors';
import { readQueueFile } from './queue';
import { prepareRun } from './settings';
import { EVENTS_FILE, RUN_FILE, ownerAlive, readDocumentSnapshot, readHistory, writeAtomic, type RunRecord } from './store';

/** Manager instances of this process that are open, so a listing can tell our own lost runs from going ones. */
const openInstances = new Set<string>();

/** Register a manager instance as open: runs it owns are not taken for lost. */
export function openInstance(instance: string): void {
  openInstances.add(instance);
}

/** The instance has closed: a run it owns and that is not over has been lost. */
export function closeInstance(instance: string): void {
  openInstances.delete(instance);
}

/** The app (this process's open manager, or another process) that owns a run is still there. */
export const ownerIsAlive = (owner: RunRecord['owner']): boolean => ownerAlive(owner, openInstances);

/**
 * The run is not over, but the app that ran it is gone. A queued run the saved queue still holds is not lost: it
 * waits there for the app to start again (./queue.ts).
 */
export function isOrphaned(record: RunRecord): boolean {
  if (FINAL_STATUSES.includes(record.status) || ownerAlive(record.owner, openInstances)) return false;
  if (record.status === 'queued' && record.queueFile && readQueueFile(record.queueFile).runs.some((r) => r.runId === record.id)) return false;
  return true;
}

/**
 * Record an orphaned run as `interrupted`: its step, metrics, total and backend as far as its events go, and an
 * error that says what to do next; ended when its events were last written.
 */
export async function markInterrupted(dir: string, record: RunRecord): Promise<RunRecord> {
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
      message:
        record.status === 'queued'
          ? 'the app ended while the run was queued (it never started); start it again'
          : `the app ended while the run was at step ${Math.max(record.step, h.lastStep)}; resume it from its last checkpoint`,
      step: Math.max(record.step, h.lastStep),
    },
  };
  await writeAtomic(join(dir, RUN_FILE), `${JSON.stringify(next, null, 2)}\n`).catch(() => {});
  return next;
}

/** Program and options of a run that is no longer live, rebuilt from its folder. */
export function rebuildRun(dir: string, record: RunRecord, dataAccess: (() => Omit<DataAccess, 'baseDir'>) | undefined): { program: Program; options: TrainOptions } {
  const text = readDocumentSnapshot(dir);
  if (!text) throw new AppError('not_found', `run ${record.id} has lost its document snapshot`);
  const { program } = prepareRun(text, record.overrides);
  return { program, options: { seed: record.settings.seed, backend: record.settings.backend, ...(record.baseDir ? { baseDir: record.baseDir } : {}), ...dataAccess?.() } };
}
