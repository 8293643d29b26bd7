/**
 * Answers to the generated-weights inspector, and the pool of (at most one) inspection worker for runs that
 * have ended.
 *
 * While a run is going, queries go to its worker and are answered between two steps on the live model (the
 * manager asks it with {@link checkResult}, {@link withTimeout} and {@link queryFailed}). Once it has ended, a
 * separate inspection worker restores the run's last checkpoint and answers them (so finished runs, and runs of
 * earlier sessions, can be inspected too); one such worker is kept at a time, closed when another run is
 * inspected, when a run starts, or after a minute unused.
 */
import { stat } from 'node:fs/promises';
import { GeneratedTensors, InspectResult, type GenerateQuery, type InspectQuery } from '../../../shared/api/runs';
import { HnetError } from '../../../shared/compiler/errors';
import type { Program } from '../../../shared/compiler/ir';
import type { TrainOptions } from '../../engine/options';
import { QueryError, startInspector, type InspectorHandle, type StartRunOptions } from '../../engine/session';
import { AppError } from '../errors';
import { newestCheckpoint, type RunRecord } from './store';

/** How long a worker, training or inspecting, may take to answer one query. */
export const QUERY_TIMEOUT_MS = 60_000;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('internal', `${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A worker's failure to answer, as the error the editor gets. */
export function queryFailed(e: unknown): never {
  if (e instanceof QueryError) {
    if (e.code === 'not_found') throw new AppError('not_found', e.message);
    if (e.code === 'invalid_request') throw new AppError('invalid_request', e.message);
    throw new AppError('internal', `the inspector failed: ${e.message}`);
  }
  if (e instanceof HnetError) throw new AppError(e.problem.code === 'HN053' ? 'invalid_request' : 'internal', `the run cannot be inspected: ${e.problem.message}`);
  throw e;
}

/** A worker's answer, checked against the contract before the editor sees it. */
export function checkResult(raw: unknown): InspectResult {
  const r = InspectResult.safeParse(raw);
  if (!r.success) throw new AppError('internal', 'the inspector answered something the contract does not allow');
  return r.data;
}

export interface InspectionPoolOptions {
  /** The engine worker's entry, asked for at each start. */
  worker: () => StartRunOptions;
  /** An inspection worker unused this long is closed. */
  idleMs: number;
  /** A run's folder and record (throws when the run is not known). */
  recordOf(runId: string): { dir: string; record: RunRecord };
  /** Program and options to restore a run that is no longer live. */
  rebuild(dir: string, record: RunRecord): { program: Program; options: TrainOptions };
}

/** The inspection worker of ended runs: one at a time, restarted when its run or that run's newest checkpoint changes. */
export class InspectionPool {
  private current: { runId: string; checkpoint: string; mtimeMs: number; handle: InspectorHandle; idle: NodeJS.Timeout | null } | null = null;
  /** Queries to ended runs take turns, so two at once never start two inspection workers. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: InspectionPoolOptions) {}

  /** Answer `query` from the newest checkpoint of the ended run `runId`. */
  ask(runId: string, query: InspectQuery): Promise<InspectResult> {
    return this.inTurn(() => this.fromCheckpoint(runId, query, checkResult));
  }

  /** The full generated weights of `tasks`, from the run's newest checkpoint (the safetensors export). */
  generate(runId: string, tasks: number[]): Promise<GeneratedTensors> {
    const query: GenerateQuery = { generate: { tasks } };
    return this.inTurn(() =>
      this.fromCheckpoint(runId, query, (raw) => {
        const r = GeneratedTensors.safeParse(raw);
        if (!r.success) throw new AppError('internal', 'the inspection worker answered something the contract does not allow');
        return r.data;
      }),
    );
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.turn.then(fn);
    this.turn = turn.catch(() => {});
    return turn;
  }

  /** Close the inspection worker, if one is open (a new run takes the machine). */
  async close(): Promise<void> {
    const i = this.current;
    this.current = null;
    if (!i) return;
    if (i.idle) clearTimeout(i.idle);
    await i.handle.close().catch(() => {});
  }

  /** A run is going away (deleted): its inspection worker, if open, closes. */
  async forget(runId: string): Promise<void> {
    if (this.current?.runId === runId) await this.close();
  }

  private async fromCheckpoint<T>(runId: string, query: InspectQuery | GenerateQuery, check: (raw: unknown) => T): Promise<T> {
    const { dir, record } = this.opts.recordOf(runId);
    const checkpoint = newestCheckpoint(dir);
    if (!checkpoint) throw new AppError('not_found', `run ${runId} has no checkpoint to inspect (it ended before its first one)`);
    const mtimeMs = (await stat(checkpoint)).mtimeMs;
    const open = this.current;
    if (!open || open.runId !== runId || open.checkpoint !== checkpoint || open.mtimeMs !== mtimeMs) {
      await this.close();
      const { program, options } = this.opts.rebuild(dir, record);
      this.current = { runId, checkpoint, mtimeMs, handle: startInspector(program, options, checkpoint, this.opts.worker()), idle: null };
    }
    const current = this.current!;
    if (current.idle) clearTimeout(current.idle);
    current.idle = setTimeout(() => {
      if (this.current === current) void this.close();
    }, this.opts.idleMs);
    current.idle.unref?.();
    try {
      await withTimeout(current.handle.ready, QUERY_TIMEOUT_MS, 'the inspection worker');
      return check(await withTimeout(current.handle.query(query), QUERY_TIMEOUT_MS, 'the inspection worker'));
    } catch (e) {
      if (this.current === current && !(e instanceof QueryError && (e.code === 'not_found' || e.code === 'invalid_request'))) await this.close();
      return queryFailed(e);
    }
  }
}
