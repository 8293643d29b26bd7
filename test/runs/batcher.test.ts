/**
 * The stream batcher and the history reducer, without training: step events coalesced into `steps` with every
 * point kept, other events kept in order, the flush rate bounded, and a history built from raw step events equal
 * to one built from the batches an editor receives. The clock is Vitest's fake one (timers and performance.now),
 * so no verdict depends on how fast the machine is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, StreamEvent } from '../../src/shared/api/events';
import { StreamEvent as StreamEventSchema } from '../../src/shared/api/events';
import { applyRunEvent, emptyHistory } from '../../src/shared/api/runs';
import { StreamBatcher } from '../../src/main/app/runs/batcher';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const step = (n: number, losses: Record<string, number> = { mse: n / 10 }): EngineEvent => ({
  event: 'step',
  step: n,
  task: 0,
  loss: n / 10,
  losses,
  stepsPerSecond: 100,
});
const start: EngineEvent = { event: 'start', backend: 'cpu', totalSteps: 1000, tasks: [0], budget: { hyper: 1, generated: 1, ordinary: 0, compression: null } };
const evalAt = (n: number): EngineEvent => ({ event: 'eval', step: n, task: 0, metrics: { mse: 1 }, perTask: { '0': { mse: 1 } } });

describe('StreamBatcher', () => {
  it('coalesces step events into one steps event per flush, keeping every point and the order of other events', () => {
    const sent: StreamEvent[] = [];
    const b = new StreamBatcher((e) => sent.push(e), 50);
    b.add(start);
    for (let i = 1; i <= 30; i++) b.add(step(i));
    b.add(evalAt(30));
    for (let i = 31; i <= 40; i++) b.add(step(i));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(0); // the first flush of a run is not held back
    expect(sent.map((e) => e.event)).toEqual(['start', 'steps', 'eval', 'steps']);
    for (const e of sent) expect(StreamEventSchema.safeParse(e).success).toBe(true);
    const [, first, , second] = sent as [StreamEvent, Extract<StreamEvent, { event: 'steps' }>, StreamEvent, Extract<StreamEvent, { event: 'steps' }>];
    expect(first.points.step).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(first.points.losses.mse).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) / 10));
    expect(second.points.step).toEqual(Array.from({ length: 10 }, (_, i) => i + 31));
    expect(second).toMatchObject({ step: 40, loss: 4, totalSteps: 1000, stepsPerSecond: 100 });
    expect(second.etaSeconds).toBeCloseTo(9.6, 6);
  });

  it('flushes at once for the end of a run, and at most every interval otherwise', () => {
    const sent: { at: number; e: StreamEvent }[] = [];
    const b = new StreamBatcher((e) => sent.push({ at: performance.now(), e }), 50);
    const t0 = performance.now();
    // One step every 2 ms for a second of (fake) time.
    let n = 0;
    while (performance.now() - t0 < 1000) {
      b.add(step(++n));
      vi.advanceTimersByTime(2);
    }
    expect(n).toBe(500);
    const beforeDone = sent.length;
    b.add({ event: 'done', step: n, seconds: 1, metrics: {}, stopped: false });
    const done = sent[sent.length - 1];
    expect(done.e.event).toBe('done'); // no wait
    expect(done.at).toBe(t0 + 1000);
    const steps = sent.filter((s) => s.e.event === 'steps');
    // 1000 ms at one flush per 50 ms: the first at once, then 20 timed ones, then the one the done event forces.
    expect(steps.length).toBeLessThanOrEqual(22);
    const timed = sent.slice(0, beforeDone);
    expect(timed.length).toBeGreaterThanOrEqual(19);
    for (let i = 1; i < timed.length; i++) expect(timed[i].at - timed[i - 1].at).toBeGreaterThanOrEqual(50);
    expect(steps.flatMap((s) => (s.e.event === 'steps' ? s.e.points.step : []))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    b.close();
    b.add(step(n + 1));
    vi.advanceTimersByTime(60);
    expect(sent[sent.length - 1].e.event).toBe('done');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pads a loss part that appears late with null (the output regulariser from the second task on)', async () => {
    const sent: StreamEvent[] = [];
    const b = new StreamBatcher((e) => sent.push(e), 10);
    b.add(step(1, { mse: 1 }));
    b.add(step(2, { mse: 1, output_regularizer: 0.5 }));
    b.add(step(3, { mse: 1 }));
    b.flush();
    const s = sent[0] as Extract<StreamEvent, { event: 'steps' }>;
    expect(s.points.losses).toEqual({ mse: [1, 1, 1], output_regularizer: [null, 0.5, null] });
  });
});

describe('applyRunEvent', () => {
  it('builds the same history from raw step events (events.jsonl) as from streamed batches (the editor)', () => {
    const raw: EngineEvent[] = [start, ...Array.from({ length: 25 }, (_, i) => step(i + 1, i > 10 ? { mse: i, output_regularizer: 1 } : { mse: i })), evalAt(25)];
    raw.push(
      { event: 'task_end', task: 0, step: 25, accuracyMatrix: [[0.5, null]], metricName: 'mse' },
      { event: 'weights', step: 25, stats: [{ head: 'h', target: 'dense_1.kernel', norm: 2, mean: 0, std: 1 }] },
      { event: 'log', level: 'info', message: 'hello' },
      { event: 'done', step: 25, seconds: 1, metrics: { mse: 0.5 }, stopped: false },
    );
    const fromRaw = emptyHistory();
    for (const e of raw) applyRunEvent(fromRaw, e);

    const streamed: StreamEvent[] = [];
    const b = new StreamBatcher((e) => streamed.push(e), 5);
    for (const e of raw) {
      b.add(e);
      vi.advanceTimersByTime(1);
    }
    b.close();
    const fromStream = emptyHistory();
    for (const e of streamed) applyRunEvent(fromStream, e);

    expect(fromStream.steps).toEqual(fromRaw.steps);
    expect(fromStream.mean).toEqual(fromRaw.mean);
    expect(fromRaw.steps.losses.output_regularizer.slice(0, 11)).toEqual(new Array(11).fill(null));
    expect(fromRaw.mean.mse).toEqual({ step: [25], value: [1] }); // the done's final metrics at the same step do not repeat it
    expect(fromRaw.perTask['0'].mse.step).toEqual([25]);
    expect(fromRaw.accuracyMatrix).toEqual([[0.5, null]]);
    expect(fromRaw.weights['h -> dense_1.kernel'].norm).toEqual([2]);
    expect(fromRaw.logs).toEqual([{ level: 'info', message: 'hello', step: 25 }]);
    expect(fromRaw.status).toBe('done');
  });
});
