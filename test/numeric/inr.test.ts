/**
 * Numeric checks of coordinate networks (implicit neural representations): a SIREN layer over the pixel grid
 * with per-sample weights from a learned-base head, then a layer with an owned kernel and a per-sample bias
 * broadcast over the points, recomputed in plain JS (float64); PSNR against a hand computation; central finite
 * differences of the whole loss; and the generated SIREN at initialisation (learned base and hyperfan).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { Model, type Feeds } from '../../src/main/engine/runtime';
import type { Program } from '../../src/shared/compiler/ir';
import { Rng } from '../../src/shared/util/rng';
import { disposeFeeds, gradCheck, jitterParams, moments, paramValues, programOf, randomFeeds, valuesOf, type NodeSpec } from './helpers';
import { maxAbsDiff } from '../helpers/numbers';
import { templateProgram } from '../helpers/templates';

beforeAll(async () => {
  await useBackend('cpu');
});

const B = 3;
const SIDE = 28;
const P = SIDE * SIDE;
const UNITS = 4;
const CODE = 3;
const W0 = 3;
const PEAK = 2;

/**
 * digits.x -> enc (one linear layer) -> head (linear, learned base) -> siren_1 (kernel, bias; sin(W0·z)) over
 * digits.coords -> out (owned kernel, bias from bias_head) -> MSE and PSNR against digits.y.
 */
function pointsProgram(): Program {
  const nodes: NodeSpec[] = [
    { id: 'digits', type: 'data.mnist_inr' },
    { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [], outDim: CODE } },
    { id: 'head', type: 'head.linear', params: { learnedBase: true } },
    { id: 'siren_1', type: 'target.dense', params: { units: UNITS, activation: 'sin', w0: W0, init: 'siren_first' } },
    { id: 'bias_head', type: 'head.linear' },
    { id: 'out', type: 'target.dense', params: { units: 1 } },
    { id: 'loss', type: 'objective.mse' },
    { id: 'psnr', type: 'metric.psnr', params: { peak: PEAK } },
  ];
  return programOf(nodes, [
    'digits.x -> enc.x',
    'enc.context -> head.context',
    'head.weights -> siren_1.kernel',
    'head.weights -> siren_1.bias',
    'digits.coords -> siren_1.x',
    'enc.context -> bias_head.context',
    'bias_head.weights -> out.bias',
    'siren_1.y -> out.x',
    'out.y -> loss.prediction',
    'digits.y -> loss.target',
    'out.y -> psnr.prediction',
    'digits.y -> psnr.target',
  ]);
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function setup(program: Program, jitter = true): Promise<{ model: Model; feeds: Feeds }> {
  const model = new Model(program, 11);
  const rng = new Rng(4);
  // Intensities in [0, 1] for the images and targets, as the dataset gives them.
  const feeds = randomFeeds(program, B, rng);
  const unit = (t: tf.Tensor) => tf.tidy(() => tf.sigmoid(t));
  const [x, y] = [unit(feeds.x!), unit(feeds.y!)];
  tf.dispose([feeds.x!, feeds.y!]);
  feeds.x = x;
  feeds.y = y;
  cleanup.push(() => {
    disposeFeeds(feeds);
    model.dispose();
  });
  await model.initHyperfan([feeds]);
  if (jitter) jitterParams(model, rng);
  return { model, feeds };
}

/** (row, column) of pixel i in [-1, 1], row-major. */
const coord = (i: number): [number, number] => [-1 + (2 * Math.floor(i / SIDE)) / (SIDE - 1), -1 + (2 * (i % SIDE)) / (SIDE - 1)];

/** The network's output [B, P] in float64 from the model's parameters. */
function predictJS(x: ArrayLike<number>, param: (name: string) => Float32Array): number[] {
  const [we, be] = [param('enc.out.weight'), param('enc.out.bias')];
  const [wh, base0, base1] = [param('head.out.weight'), param('head.base0'), param('head.base1')];
  const [wb, bb] = [param('bias_head.out.weight'), param('bias_head.out.bias')];
  const kernelOut = param('out.kernel');
  const generated = 2 * UNITS + UNITS;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const code = Array.from({ length: CODE }, (_, j) => {
      let s = be[j];
      for (let i = 0; i < P; i++) s += x[b * P + i] * we[i * CODE + j];
      return s;
    });
    // Head output: Δ = code · W, split into the kernel, generated in PyTorch's [UNITS, 2] order, then the bias
    // [UNITS]; each plus its base, which is held in the parameter's own shape ([2, UNITS] for the kernel).
    const flat = Array.from({ length: generated }, (_, k) => code.reduce((s, c, j) => s + c * wh[j * generated + k], 0));
    const kernel = (i: number, u: number) => flat[u * 2 + i] + base0[i * UNITS + u];
    const bias = (u: number) => flat[2 * UNITS + u] + base1[u];
    const outBias = code.reduce((s, c, j) => s + c * wb[j], bb[0]);
    for (let p = 0; p < P; p++) {
      const [r, c] = coord(p);
      let y = outBias;
      for (let u = 0; u < UNITS; u++) y += Math.sin(W0 * (r * kernel(0, u) + c * kernel(1, u) + bias(u))) * kernelOut[u];
      out.push(y);
    }
  }
  return out;
}

describe('a SIREN over the pixel grid with per-sample weights', () => {
  it('computes what a hand-written float64 forward pass computes', async () => {
    const program = pointsProgram();
    const { model, feeds } = await setup(program);
    const got = valuesOf(model, feeds, [program.prediction!]).get(program.prediction!)!;
    expect(got.shape).toEqual([B, P, 1]);
    const want = predictJS(feeds.x!.dataSync(), (name) => paramValues(model, name));
    expect(maxAbsDiff(got.data, want)).toBeLessThan(1e-4);
  });

  it('reports PSNR as 10·log10(peak²/MSE) per image, averaged, and MSE over every pixel', async () => {
    const program = pointsProgram();
    const { model, feeds } = await setup(program);
    const vals = valuesOf(model, feeds, [program.prediction!, 'psnr.psnr', 'loss.loss']);
    const pred = vals.get(program.prediction!)!.data;
    const y = feeds.y!.dataSync();
    let psnr = 0;
    let total = 0;
    for (let b = 0; b < B; b++) {
      let se = 0;
      for (let p = 0; p < P; p++) se += (pred[b * P + p] - y[b * P + p]) ** 2;
      psnr += (10 * Math.log10((PEAK * PEAK) / (se / P))) / B;
      total += se;
    }
    expect(vals.get('psnr.psnr')!.data[0]).toBeCloseTo(psnr, 4);
    expect(vals.get('loss.loss')!.data[0]).toBeCloseTo(total / (B * P), 6);
  });

  it('caps a perfect reconstruction at 100 dB', async () => {
    const program = programOf(
      [
        { id: 'digits', type: 'data.mnist_inr' },
        { id: 'd', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
        { id: 'psnr', type: 'metric.psnr', params: { peak: PEAK } },
      ],
      ['digits.coords -> d.x', 'd.y -> loss.prediction', 'digits.y -> loss.target', 'digits.y -> psnr.prediction', 'digits.y -> psnr.target'],
    );
    const { model, feeds } = await setup(program, false);
    expect(valuesOf(model, feeds, ['psnr.psnr']).get('psnr.psnr')!.data[0]).toBeCloseTo(100, 4);
  });

  it('has tfjs gradients that match central finite differences of the loss', async () => {
    const { model, feeds } = await setup(pointsProgram());
    const r = gradCheck(model, feeds, { perParam: 6 });
    expect(r.failures).toEqual([]);
    expect(r.significant).toBeGreaterThan(r.checked / 2);
    // Every parameter, the learned bases and the zero-initialised Δ layer included, gets gradient.
    for (const [name, g] of r.maxGrad) expect(g, name).toBeGreaterThan(0);
    expect(r.directional.analytic).toBeCloseTo(r.directional.numeric, 3);
  });
});

describe('the template’s generated SIREN at initialisation', () => {
  it('is the same SIREN for every digit, drawn with SIREN’s initialisation (learned base)', async () => {
    const program = templateProgram('siren-inr');
    const { model, feeds } = await setup(program, false);
    const route = (target: string, port: string) => program.generated.find((g) => g.target === target && g.targetPort === port)!;
    const layers: [string, number, number][] = [
      // target, fan-in, ω₀ (siren_1 uses U(±1/in), the later layers U(±√(6/in)/ω₀)).
      ['siren_1', 2, 15],
      ['siren_2', 32, 1],
      ['siren_3', 32, 1],
    ];
    const vals = valuesOf(
      model,
      feeds,
      layers.flatMap(([t]) => [route(t, 'kernel').value, route(t, 'bias').value]),
    );
    for (const [target, fanIn, w0] of layers) {
      const limit = target === 'siren_1' ? 1 / fanIn : Math.sqrt(6 / fanIn) / w0;
      const kernel = vals.get(route(target, 'kernel').value)!;
      const n = kernel.data.length / B;
      // Δ starts at zero: every sample's kernel is the base.
      for (let b = 1; b < B; b++) expect(maxAbsDiff(kernel.data.subarray(b * n, (b + 1) * n), kernel.data.subarray(0, n)), target).toBe(0);
      const first = kernel.data.subarray(0, n);
      expect(Math.max(...Array.from(first, Math.abs)), target).toBeLessThanOrEqual(limit);
      if (n >= 1000) expect(moments(first).variance / (limit * limit / 3), target).toBeCloseTo(1, 0);
      const bias = vals.get(route(target, 'bias').value)!.data;
      expect(Math.max(...Array.from(bias, Math.abs)), target).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    }
  });

  it('under hyperfan instead, starts each digit from its own SIREN at the prescribed scale', async () => {
    const program = templateProgram('siren-inr', (doc) => {
      const head = doc.nodes.find((n: { id: string }) => n.id === 'hyper');
      head.params = { init: 'hyperfan_in' };
    });
    const { model, feeds } = await setup(program, false);
    const kernel = program.generated.find((g) => g.target === 'siren_2' && g.targetPort === 'kernel')!;
    const v = valuesOf(model, feeds, [kernel.value]).get(kernel.value)!;
    const n = v.data.length / B;
    expect(maxAbsDiff(v.data.subarray(n, 2 * n), v.data.subarray(0, n))).toBeGreaterThan(0);
    // SIREN's variance for a later layer, 2/(in·ω₀²), measured over the batch's generated kernels.
    const m = moments(v.data);
    expect(m.meanSquare / (2 / 32)).toBeGreaterThan(0.5);
    expect(m.meanSquare / (2 / 32)).toBeLessThan(2);
  });
});
