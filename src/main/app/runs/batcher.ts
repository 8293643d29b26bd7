/**
 * Streaming a run's events to the editor without slowing it: step events are coalesced into one `steps` event
 * per flush (every point kept, as series), and flushes happen at most once per `intervalMs` (50 ms: about 20 a
 * second). Every other event is kept, in order, and goes out with the next flush; the events that end a run
 * (done, error) and status changes flush at once.
 *
 * @example
 * const b = new StreamBatcher((e) => push({ type: 'engine', runId, event: e }));
 * run.on((e) => b.add(e));
 */
import type { EngineEvent, StepEvent, StepsEvent, StreamEvent } from '../../../shared/api/events';

export const FLUSH_INTERVAL_MS = 50;

export class StreamBatcher {
  private queue: StreamEvent[] = [];
  /** The `steps` event at the end of the queue that step events still join. */
  private open: StepsEvent | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  private totalSteps: number | null = null;
  private closed = false;
  /** Flushes so far (for tests and the benchmark). */
  flushes = 0;

  constructor(
    private readonly send: (event: StreamEvent) => void,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {}

  add(e: EngineEvent | StreamEvent): void {
    if (this.closed) return;
    if (e.event === 'start') this.totalSteps = e.totalSteps;
    if (e.event === 'step') this.addStep(e);
    else {
      this.open = null;
      this.queue.push(e);
    }
    if (e.event === 'done' || e.event === 'error' || e.event === 'status') this.flush();
    else this.schedule();
  }

  private addStep(e: StepEvent): void {
    const eta = this.totalSteps !== null && e.stepsPerSecond > 0 ? Math.max(0, this.totalSteps - e.step) / e.stepsPerSecond : null;
    let s = this.open;
    if (!s) {
      s = { event: 'steps', step: e.step, task: e.task, loss: e.loss, stepsPerSecond: e.stepsPerSecond, totalSteps: this.totalSteps, etaSeconds: eta, points: { step: [], task: [], loss: [], losses: {} } };
      this.open = s;
      this.queue.push(s);
    }
    const p = s.points;
    const n = p.step.length;
    p.step.push(e.step);
    p.task.push(e.task);
    p.loss.push(e.loss);
    for (const [name, v] of Object.entries(e.losses)) (p.losses[name] ??= new Array<number | null>(n).fill(null)).push(v);
    for (const series of Object.values(p.losses)) if (series.length < n + 1) series.push(null);
    s.step = e.step;
    s.task = e.task;
    s.loss = e.loss;
    s.stepsPerSecond = e.stepsPerSecond;
    s.totalSteps = this.totalSteps;
    s.etaSeconds = eta;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
    // A pending flush never keeps the process alive on its own.
    this.timer.unref?.();
  }

  /** Send everything queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const out = this.queue;
    this.queue = [];
    this.open = null;
    this.lastFlush = performance.now();
    this.flushes++;
    for (const e of out) {
      try {
        this.send(e);
      } catch {
        // A transport that fails (a closed window) must not end the run's recording.
      }
    }
  }

  /** Flush and accept nothing more. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
