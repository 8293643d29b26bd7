/** Pause, resume and stop for a training run, shared by the worker and in-process callers. */
import type { Dataset } from './data';
import type { Model } from './runtime';

/** The running model between two steps, as the loop hands it to {@link RunControl.idle}. */
export interface LiveModel {
  model: Model;
  data: Dataset;
  /** Steps taken so far. */
  step: number;
}

export class RunControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  get stopRequested(): boolean {
    return this.stopped;
  }
  get pauseRequested(): boolean {
    return this.paused;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.wake?.();
  }
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
  /** Resolves at once unless paused; then when resumed or stopped. */
  async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
  }
  /**
   * Called by the loop between steps, where the model is consistent: the training worker answers inspection
   * queries (./inspect.ts) here; the loop waits for what it returns. A no-op unless overridden.
   */
  idle(_live: LiveModel): void | Promise<void> {}
  /**
   * Set while a backend whose model lives in another process runs (pytorch, ./pytorch.ts): has it write its live
   * state as a checkpoint at `path` between two steps (or while paused); resolves with the step it holds.
   */
  snapshotter: ((path: string) => Promise<number>) | null = null;
}
