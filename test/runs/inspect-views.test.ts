/**
 * The inspector's views per target kind, over the app service from a run's checkpoint: a SIREN's reconstruction
 * of any test digit (checked against the same generated network evaluated by hand in tfjs, and the digit against
 * the dataset's own), convolution kernels as filter tiles (checked against the heatmap's block means, and a pure
 * check of the layout), and classified samples served from any index of the test split.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTER_VALUES, type GeneratedMatrix } from '../../src/shared/api/runs';
import { useBackend } from '../../src/main/engine/backend';
import { openDataset } from '../../src/main/engine/data';
import { filterTiles } from '../../src/main/engine/inspect';
import { ended, harness, type Harness } from './helpers';
import { rejects } from '../helpers/errors';
import { maxAbsDiff } from '../helpers/numbers';
import { editedTemplate, templateProgram } from '../helpers/templates';

let dir: string;
let h: Harness;
const caller = 'w';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-inspect-views-'));
  h = harness(dir);
  await useBackend('cpu');
});
afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A template trained a few steps, with a small test split; the run id. */
async function trained(template: string, maxEvalSamples: number, steps: number): Promise<string> {
  const text = editedTemplate(template, (doc) => {
    doc.data = { maxEvalSamples, evalBatchSize: 100 };
  });
  const { runId } = await h.service.invoke('run.start', { documentText: text, handle: null, overrides: { steps, evalEvery: 0 } }, caller);
  expect((await ended(h.service, runId)).status).toBe('done');
  return runId;
}

/** Test sample `i` of task 0 as the run's dataset gives it (the same seed, so the same test split). */
function testSample(template: string, maxEvalSamples: number, i: number) {
  const program = templateProgram(template);
  const data = openDataset(program.data.type, program.data.params, { seed: program.training.seed, node: program.data.node });
  const b = data.evalBatches(0, 100, maxEvalSamples)[Math.floor(i / 100)];
  const k = i % 100;
  const xs = b.x.length / b.n;
  const ys = b.y.length / b.n;
  return { x: Array.from(b.x.subarray(k * xs, (k + 1) * xs)), y: Array.from(b.y.subarray(k * ys, (k + 1) * ys), Number) };
}

describe('a SIREN hypernetwork (image reconstruction)', () => {
  let runId: string;
  beforeAll(async () => {
    runId = await trained('siren-inr', 200, 20);
  });

  it('reconstructs the chosen test digit with the network generated for it, beside the digit itself', async () => {
    const r = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { sample: 137 }, predictions: true }, caller);
    expect(r.context).toMatchObject({ task: 0, sample: 137, samples: 200 });
    const p = r.predictions;
    expect(p?.kind).toBe('image');
    if (p?.kind !== 'image') return;
    expect(p).toMatchObject({ index: 137, height: 28, width: 28, channels: 1 });
    expect(p.original.length).toBe(784);
    expect(p.reconstruction.length).toBe(784);
    // The digit is the dataset's test digit 137.
    expect(maxAbsDiff(p.original, testSample('siren-inr', 200, 137).y)).toBeLessThan(1e-3);

    // The same SIREN by hand: the generated weights (whole: every matrix is under maxSide), the pixel grid
    // (row, column) in [-1, 1] row-major, sin(ω₀·(xW + b)) with the template's ω₀, a linear last layer.
    const w = (target: string): GeneratedMatrix => {
      const m = r.weights.find((x) => x.target === target)!;
      expect(m.stride).toEqual([1, 1]);
      return m;
    };
    const layers = [
      ['siren_1', 15],
      ['siren_2', 1],
      ['siren_3', 1],
      ['pixel', null],
    ] as const;
    const byHand = tf.tidy(() => {
      const at = (i: number) => -1 + (2 * i) / 27;
      const grid = Array.from({ length: 784 }, (_, i) => [at(Math.floor(i / 28)), at(i % 28)]);
      let a: tf.Tensor2D = tf.tensor2d(grid);
      for (const [layer, w0] of layers) {
        const k = w(`${layer}.kernel`);
        const b = w(`${layer}.bias`);
        const z = tf.add(tf.matMul(a, tf.tensor2d(k.values, [k.rows, k.cols])), tf.tensor1d(b.values)) as tf.Tensor2D;
        a = w0 === null ? z : (tf.sin(tf.mul(z, w0)) as tf.Tensor2D);
      }
      return Array.from(a.dataSync());
    });
    expect(maxAbsDiff(p.reconstruction, byHand)).toBeLessThan(2e-3);
    // Dense weights are not shown as filters.
    expect(r.weights.every((m) => m.filters === null)).toBe(true);

    let se = 0;
    for (let i = 0; i < 784; i++) se += (p.reconstruction[i] - p.original[i]) ** 2;
    expect(p.mse).toBeCloseTo(se / 784, 4);
    expect(p.psnr).toBeCloseTo(10 * Math.log10(1 / p.mse), 8);
  });

  it('serves every test digit by index, and refuses one past the end', async () => {
    const last = await h.service.invoke('run.inspect', { runId, context: { sample: 199 }, weights: false, predictions: true }, caller);
    const first = await h.service.invoke('run.inspect', { runId, context: { sample: 0 }, weights: false, predictions: true }, caller);
    const img = (x: typeof last) => (x.predictions?.kind === 'image' ? x.predictions : null);
    expect(img(last)?.index).toBe(199);
    expect(maxAbsDiff(img(last)!.original, testSample('siren-inr', 200, 199).y)).toBeLessThan(1e-3);
    expect(maxAbsDiff(img(last)!.reconstruction, img(first)!.reconstruction)).toBeGreaterThan(0.01);
    await rejects(h.service.invoke('run.inspect', { runId, context: { sample: 200 }, predictions: true }, caller), 'not_found', /sample 200 does not exist; task 0 has 200 evaluation samples/);
  });
});

describe('convolution kernels as filters', () => {
  it('lays a [kh, kw, in, out] kernel out filter by filter, input channel by channel (pure)', () => {
    const [kh, kw, cin, cout] = [3, 2, 4, 5];
    const values = new Float32Array(kh * kw * cin * cout);
    // Each value spells its own place: 1000·out + 100·in + 10·row + column.
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++) for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) values[((y * kw + x) * cin + c) * cout + o] = 1000 * o + 100 * c + 10 * y + x;
    const f = filterTiles(values, [kh, kw, cin, cout]);
    expect(f).toMatchObject({ kernel: [3, 2], inChannels: 4, outChannels: 5, shownIn: 4, shownOut: 5 });
    expect(f.values.slice(0, 6)).toEqual([0, 1, 10, 11, 20, 21]);
    const tile = (o: number, c: number) => f.values.slice((o * cin + c) * 6, (o * cin + c + 1) * 6);
    expect(tile(4, 3)).toEqual([4300, 4301, 4310, 4311, 4320, 4321]);

    // A kernel too big to send whole: the first filters and input channels, within the cap.
    const big = filterTiles(new Float32Array(3 * 3 * 64 * 128).map((_, i) => i), [3, 3, 64, 128]);
    expect(big).toMatchObject({ shownOut: 128, shownIn: Math.floor(MAX_FILTER_VALUES / (9 * 128)) });
    expect(big.values.length).toBe(big.shownOut * big.shownIn * 9);
    expect(big.values.length).toBeLessThanOrEqual(MAX_FILTER_VALUES);
  });

  it('HA static CNN: the generated conv kernel as 16 x 16 tiles of 7 x 7 that agree with its heatmap', async () => {
    const runId = await trained('ha-static-mnist-cnn', 100, 2);
    const r = await h.service.invoke('run.inspect', { runId, head: 'hyper', target: 'conv_2.kernel', context: { task: 0 } }, caller);
    const m = r.weights[0];
    expect(m.shape).toEqual([7, 7, 16, 16]);
    const f = m.filters!;
    expect(f).toMatchObject({ kernel: [7, 7], inChannels: 16, outChannels: 16, shownIn: 16, shownOut: 16 });
    expect(f.values.length).toBe(16 * 16 * 49);
    // The heatmap is the kernel as [kh·kw·in, out] averaged in blocks of 4 rows: 4 input channels of one tap.
    expect(m.stride).toEqual([4, 1]);
    const tap = (o: number, c: number, y: number, x: number) => f.values[(o * 16 + c) * 49 + y * 7 + x];
    for (const [o, y, x, c0] of [
      [0, 0, 0, 0],
      [5, 3, 6, 8],
      [15, 6, 2, 12],
    ]) {
      const mean = (tap(o, c0, y, x) + tap(o, c0 + 1, y, x) + tap(o, c0 + 2, y, x) + tap(o, c0 + 3, y, x)) / 4;
      expect(m.values[((y * 7 + x) * 16 + c0) / 4 * 16 + o]).toBeCloseTo(mean, 3);
    }
    expect(Math.min(...f.values)).toBeCloseTo(m.stats.min, 3);
    expect(Math.max(...f.values)).toBeCloseTo(m.stats.max, 3);
  });
});

describe('classified samples by index', () => {
  it('MNIST classifier: twelve test images from the chosen one on, to the end of the split', async () => {
    const runId = await trained('chunked-compression', 300, 2);
    const r = await h.service.invoke('run.inspect', { runId, context: { sample: 250, task: 0 }, weights: false, predictions: true }, caller);
    expect(r.context.samples).toBe(300);
    expect(r.predictions?.kind === 'classes' && r.predictions.samples.map((s) => s.index)).toEqual(Array.from({ length: 12 }, (_, i) => 250 + i));
    if (r.predictions?.kind !== 'classes') return;
    const want = testSample('chunked-compression', 300, 250);
    expect(maxAbsDiff(r.predictions.samples[0].x, want.x)).toBeLessThan(1e-3);
    expect(r.predictions.samples[0].label).toBe(want.y[0]);
    const end = await h.service.invoke('run.inspect', { runId, context: { sample: 295, task: 0 }, weights: false, predictions: true }, caller);
    expect(end.predictions?.kind === 'classes' && end.predictions.samples.map((s) => s.index)).toEqual([295, 296, 297, 298, 299]);
    await rejects(h.service.invoke('run.inspect', { runId, context: { sample: 300, task: 0 }, predictions: true }, caller), 'not_found', /sample 300 does not exist/);
  });
});
