/**
 * Runs waiting for a slot, in order (first in, first out unless the user reorders them): run ids with their
 * folders, each with its run.json (status `queued`) and document snapshot already written. The queue is saved in
 * `queue.json` (atomically, on every change) when it has a file, so the runs it holds come back queued after the
 * app restarts, paused or not, in the same order (./manager.ts restores them).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeAtomic } from './store';

export const QUEUE_FILE = 'queue.json';

const QueueFile = z.object({
  format: z.literal('hnet-queue'),
  version: z.literal(1),
  paused: z.boolean(),
  runs: z.array(z.object({ runId: z.string(), dir: z.string() })),
});
export type QueueEntry = z.infer<typeof QueueFile>['runs'][number];

/** What a queue file holds, or an empty unpaused queue when it is missing or unreadable. */
export function readQueueFile(path: string): { paused: boolean; runs: QueueEntry[] } {
  try {
    const r = QueueFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (r.success) return { paused: r.data.paused, runs: r.data.runs };
  } catch {
    // none yet, or damaged: start empty
  }
  return { paused: false, runs: [] };
}

export class RunQueue {
  private entries: QueueEntry[] = [];
  private pausedFlag = false;
  private chain: Promise<void> = Promise.resolve();

  /** `file`: where the queue is saved (none: it lives in memory only, as for `hnet sweep`). */
  constructor(
    readonly file: string | null = null,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  get length(): number {
    return this.entries.length;
  }
  get paused(): boolean {
    return this.pausedFlag;
  }
  add(id: string, dir = ''): number {
    this.entries.push({ runId: id, dir });
    this.save();
    return this.entries.length;
  }
  /** 1-based; undefined when not queued. */
  position(id: string): number | undefined {
    const i = this.entries.findIndex((e) => e.runId === id);
    return i < 0 ? undefined : i + 1;
  }
  remove(id: string): boolean {
    const i = this.entries.findIndex((e) => e.runId === id);
    if (i >= 0) {
      this.entries.splice(i, 1);
      this.save();
    }
    return i >= 0;
  }
  /** The run that starts next (taken out of the queue). */
  next(): string | undefined {
    const e = this.entries.shift();
    if (e) this.save();
    return e?.runId;
  }
  /** Move a queued run to `position` (1-based, clamped to the queue); false when it is not queued. */
  move(id: string, position: number): boolean {
    const i = this.entries.findIndex((e) => e.runId === id);
    if (i < 0) return false;
    const [e] = this.entries.splice(i, 1);
    this.entries.splice(Math.max(0, Math.min(this.entries.length, Math.floor(position) - 1)), 0, e);
    this.save();
    return true;
  }
  setPaused(paused: boolean): void {
    this.pausedFlag = paused;
    this.save();
  }
  /** Put back what a queue file held (restoring after a restart); saves nothing. */
  restore(paused: boolean, entries: readonly QueueEntry[]): void {
    this.pausedFlag = paused;
    this.entries = [...entries];
  }
  list(): readonly string[] {
    return this.entries.map((e) => e.runId);
  }
  /** Written when everything saved so far is on disk. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private save(): void {
    const file = this.file;
    if (!file) return;
    const text = `${JSON.stringify({ format: 'hnet-queue', version: 1, paused: this.pausedFlag, runs: this.entries }, null, 2)}\n`;
    this.chain = this.chain.then(() => writeAtomic(file, text)).catch(this.onError);
  }
}
