/**
 * TensorBoard event files, read back by an independent reader (test/fixtures/read_tfevents.py: its own CRC-32C,
 * its own protobuf decoding, Python's stdlib; no code shared with src/main/engine/tensorboard.ts): `hnet train
 * --logdir` on the sinusoid and on Split MNIST, the run folder of a run started from the app, and the writer on
 * hand-given events. A damaged byte is caught by the reader, so its CRC check is real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoneEvent, EngineEvent } from '../src/shared/api/events';
import { TensorboardLog } from '../src/main/engine/tensorboard';
import { hnet, jsonLines, root } from './helpers/cli';
import { PYTHON } from './helpers/python';

interface TbValue {
  tag: string;
  simple_value?: number;
  histo?: { min: number; max: number; num: number; sum: number; sum_squares: number; bucket_limit: number[]; bucket: number[] };
}
interface TbEvent {
  wall_time: number;
  step: number;
  file_version?: string;
  values: TbValue[];
}

const READER = join(root, 'test', 'fixtures', 'read_tfevents.py');

function read(file: string): TbEvent[] {
  const r = spawnSync(PYTHON, [READER, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`the reader refused ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as TbEvent[];
}
const eventFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).map((f) => join(dir, f));
/** value by tag, per step */
const series = (events: TbEvent[], tag: string) => events.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => ({ step: e.step, v })));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-tb-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hnet train --logdir', () => {
  it('writes what the run reported: the loss per step, the final metrics, and histograms of generated weights', () => {
    const logdir = join(dir, 'sinusoid');
    const r = hnet(['train', join(root, 'templates', 'sinusoid-family.hnet.json'), '--steps', '40', '--json', '--logdir', logdir]);
    expect(r.status, r.stderr).toBe(0);
    const reported = jsonLines<EngineEvent>(r.stdout);
    const [file, ...more] = eventFiles(logdir);
    expect(more).toEqual([]);
    expect(file).toMatch(/events\.out\.tfevents\.\d+\.\S+$/);
    const events = read(file);
    expect(events[0]).toMatchObject({ file_version: 'brain.Event:2', step: 0, values: [] });

    const steps = reported.filter((e): e is Extract<EngineEvent, { event: 'step' }> => e.event === 'step');
    const loss = series(events, 'train/loss');
    expect(loss.map((x) => x.step)).toEqual(steps.map((e) => e.step));
    loss.forEach((x, i) => expect(x.v.simple_value).toBe(Math.fround(steps[i].loss)));

    const done = reported.find((e): e is DoneEvent => e.event === 'done')!;
    for (const [metric, v] of Object.entries(done.metrics)) {
      const [point] = series(events, `final/${metric}`);
      expect(point.step).toBe(done.step);
      expect(point.v.simple_value).toBe(Math.fround(v));
    }

    // A histogram per generated tensor at each weight-statistics point: its buckets count every value, and its
    // sum of squares is the square of the norm the engine reported (computed apart, on the device).
    const weights = reported.filter((e): e is Extract<EngineEvent, { event: 'weights' }> => e.event === 'weights');
    expect(weights.length).toBeGreaterThan(0);
    for (const w of weights)
      for (const s of w.stats) {
        const tag = `generated/${s.head}/${s.target}`;
        const h = series(events, tag).find((x) => x.step === w.step)!.v.histo!;
        expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(h.num);
        expect(h.bucket_limit).toHaveLength(h.bucket.length);
        expect(h.bucket_limit.at(-1)).toBe(h.max);
        expect(h.min).toBeLessThanOrEqual(h.max);
        expect(Math.sqrt(h.sum_squares)).toBeCloseTo(s.norm, 3);
        expect(h.sum / h.num).toBeCloseTo(s.mean, 4);
        expect(series(events, `${tag}/norm`).find((x) => x.step === w.step)!.v.simple_value).toBe(Math.fround(s.norm));
      }
  }, 120_000);

  it('continual learning: metrics per task and split; one folder per seed', () => {
    const logdir = join(dir, 'split');
    const r = hnet(['train', join(root, 'templates', 'split-mnist-hnet.hnet.json'), '--steps', '8', '--seeds', '1,2', '--json', '--logdir', logdir]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(logdir).sort()).toEqual(['seed-1', 'seed-2']);
    const reported = jsonLines<EngineEvent & { seed?: number }>(r.stdout).filter((e) => e.seed === 2);
    const events = read(eventFiles(join(logdir, 'seed-2'))[0]);
    const evals = reported.filter((e): e is Extract<EngineEvent, { event: 'eval' }> & { seed: number } => e.event === 'eval');
    expect(evals.length).toBeGreaterThanOrEqual(5);
    for (const e of evals)
      for (const [task, metrics] of Object.entries(e.perTask)) {
        const point = series(events, `${e.split ?? 'eval'}/accuracy/task${task}`).find((x) => x.step === e.step);
        expect(point?.v.simple_value).toBe(Math.fround(metrics.accuracy));
      }
  }, 240_000);
});

describe('the event file itself', () => {
  it('holds hand-given events as the reader decodes them, and a damaged byte fails its CRC', async () => {
    const tbDir = join(dir, 'hand');
    const tb = new TensorboardLog(tbDir);
    tb.event({ event: 'step', step: 3, task: 1, loss: 0.25, losses: { fit: 0.2, 'reg ularizer': 0.05 }, stepsPerSecond: 12.5 });
    tb.event({ event: 'eval', step: 5, task: 0, metrics: { accuracy: 0.75 }, perTask: { '0': { accuracy: 0.5 }, '3': { accuracy: 1 } }, split: 'val' });
    tb.event({
      event: 'weights',
      step: 7,
      stats: [{ head: 'h', target: 'd.kernel', norm: 2, mean: 0.5, std: 1, histogram: { min: -1, max: 2, num: 4, sum: 2, sumSquares: 4, limits: [0.5, 2], counts: [1, 3] } }],
    });
    tb.event({ event: 'log', level: 'info', message: 'not a scalar' });
    await tb.close();
    const file = eventFiles(tbDir)[0];
    const events = read(file);
    expect(events.map((e) => [e.step, e.values.map((v) => v.tag)])).toEqual([
      [0, []],
      [3, ['train/loss', 'train/loss/fit', 'train/loss/reg_ularizer', 'train/steps_per_second']],
      [5, ['val/accuracy', 'val/accuracy/task0', 'val/accuracy/task3']],
      [7, ['generated/h/d.kernel/norm', 'generated/h/d.kernel']],
    ]);
    expect(events[1].values.map((v) => v.simple_value)).toEqual([0.25, Math.fround(0.2), Math.fround(0.05), 12.5]);
    expect(events[3].values[1].histo).toEqual({ min: -1, max: 2, num: 4, sum: 2, sum_squares: 4, bucket_limit: [0.5, 2], bucket: [1, 3] });
    expect(events[2].wall_time).toBeGreaterThan(1.7e9);

    const bytes = readFileSync(file);
    bytes[bytes.length - 6] ^= 0x40;
    const damaged = join(dir, 'damaged.tfevents');
    writeFileSync(damaged, bytes);
    const r = spawnSync(PYTHON, [READER, damaged], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/record 3: the data's CRC does not match/);
  });
});
