/**
 * Independent forward checks: generated weights and layer outputs recomputed by hand in plain JS (float64)
 * from the model's parameters, compared with the tfjs runtime. Plus a float64 finite-difference check of the
 * tfjs gradients for the per-sample case, where the whole loss is computed in plain JS.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { Model, type Feeds } from '../../src/main/engine/runtime';
import type { Program } from '../../src/shared/compiler/ir';
import { Rng } from '../../src/shared/util/rng';
import {
  addRows,
  disposeFeeds,
  identity,
  jitterParams,
  matmul,
  mlpJS,
  paramValues,
  programOf,
  randomFeeds,
  valuesOf,
  type NodeSpec,
} from './helpers';
import { maxAbsDiff, transposed } from '../helpers/numbers';

beforeAll(async () => {
  await useBackend('cpu');
});

const B = 4;
const F = 5;
const UNITS = 3;
const csv = (extra: Record<string, unknown> = {}): NodeSpec => ({ id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: F, classes: 0, ...extra } });
const encoder: NodeSpec = { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [6], activation: 'tanh', outDim: 4 } };
const taskEmb: NodeSpec = { id: 'emb', type: 'context.task_embedding', params: { dim: 4 } };

/** data.x -> dense_1 (kernel, bias from `head`) -> dense_2 (owned, 1 unit) -> MSE, plus whatever feeds the head. */
function graph(data: NodeSpec, context: NodeSpec[], contextEdges: string[], head: NodeSpec): Program {
  return programOf(
    [data, ...context, head, { id: 'dense_1', type: 'target.dense', params: { units: UNITS } }, { id: 'dense_2', type: 'target.dense', params: { units: 1 } }, { id: 'loss', type: 'objective.mse' }],
    [
      ...contextEdges,
      'data.x -> dense_1.x',
      `${head.id}.weights -> dense_1.kernel`,
      `${head.id}.weights -> dense_1.bias`,
      'dense_1.y -> dense_2.x',
      'dense_2.y -> loss.prediction',
      'data.y -> loss.target',
    ],
  );
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function setup(program: Program, task = 0): Promise<{ model: Model; feeds: Feeds; x: Float32Array; P: (name: string) => Float32Array }> {
  const model = new Model(program, 21);
  const rng = new Rng(5);
  const feeds = randomFeeds(program, B, rng, { task });
  cleanup.push(() => {
    disposeFeeds(feeds);
    model.dispose();
  });
  await model.initHyperfan([feeds]);
  jitterParams(model, rng);
  return { model, feeds, x: feeds.x!.dataSync() as Float32Array, P: (name) => paramValues(model, name) };
}

const generatedValue = (program: Program, target: string, port: string) => program.generated.find((g) => g.target === target && g.targetPort === port)!.value;

/** The encoder's context [B, 4] in float64. */
function encoderJS(x: ArrayLike<number>, P: (name: string) => Float32Array): number[] {
  return mlpJS(Array.from(x), B, [
    { w: P('enc.hidden0.weight'), b: P('enc.hidden0.bias'), inDim: F, outDim: 6, act: Math.tanh },
    { w: P('enc.out.weight'), b: P('enc.out.bias'), inDim: 6, outDim: 4, act: identity },
  ]);
}

/**
 * y_b = x_b · W_b + bias_b with W_b, bias_b taken from row b of flat [rows, F·UNITS + UNITS] (row 0 for every b
 * when rows = 1). A head generates a kernel as PyTorch holds it, [UNITS, F] (nn.Linear's [out, in]).
 */
function denseFromFlat(x: ArrayLike<number>, flat: number[], rows: number): number[] {
  const per = F * UNITS + UNITS;
  const y: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = flat.slice((rows === 1 ? 0 : b) * per, (rows === 1 ? 0 : b) * per + per);
    const W = transposed(row.slice(0, F * UNITS), UNITS, F);
    const bias = row.slice(F * UNITS);
    y.push(...addRows(matmul(Array.from(x).slice(b * F, b * F + F), W, 1, F, UNITS), bias, UNITS));
  }
  return y;
}

describe('forward pass against a plain-JS computation', () => {
  it('per-sample Dense from a linear head over an mlp_encoder: y_b = x_b W_b + bias_b', async () => {
    const program = graph(csv(), [encoder], ['data.x -> enc.x', 'enc.context -> head.context'], { id: 'head', type: 'head.linear' });
    const { model, feeds, x, P } = await setup(program);
    const c = encoderJS(x, P);
    const flat = addRows(matmul(c, P('head.out.weight'), B, 4, F * UNITS + UNITS), P('head.out.bias'), F * UNITS + UNITS);
    const expected = denseFromFlat(x, flat, B);
    const kernelId = generatedValue(program, 'dense_1', 'kernel');
    const got = valuesOf(model, feeds, ['dense_1.y', kernelId]);
    expect(got.get(kernelId)!.shape).toEqual([B, F, UNITS]);
    expect(got.get('dense_1.y')!.shape).toEqual([B, UNITS]);
    expect(maxAbsDiff(got.get('dense_1.y')!.data, expected)).toBeLessThan(1e-5);
    // The samples really get different kernels.
    const k = got.get(kernelId)!.data;
    expect(maxAbsDiff(k.slice(0, F * UNITS), k.slice(F * UNITS, 2 * F * UNITS))).toBeGreaterThan(1e-2);
  });

  it('per-task Dense from a linear head over a task embedding: one W for the whole batch', async () => {
    const program = graph(csv({ tasks: 3, taskColumn: 'task' }), [taskEmb], ['data.task -> emb.task', 'emb.embedding -> head.context'], { id: 'head', type: 'head.linear' });
    const task = 2;
    const { model, feeds, x, P } = await setup(program, task);
    const e = Array.from(P('emb.table').slice(task * 4, task * 4 + 4));
    const flat = addRows(matmul(e, P('head.out.weight'), 1, 4, F * UNITS + UNITS), P('head.out.bias'), F * UNITS + UNITS);
    const expected = denseFromFlat(x, flat, 1);
    const kernelId = generatedValue(program, 'dense_1', 'kernel');
    const got = valuesOf(model, feeds, ['dense_1.y', kernelId]);
    expect(got.get(kernelId)!.shape).toEqual([F, UNITS]);
    expect(maxAbsDiff(got.get(kernelId)!.data, transposed(flat.slice(0, F * UNITS), UNITS, F))).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.get('dense_1.y')!.data, expected)).toBeLessThan(1e-5);
  });

  const chunked: NodeSpec = { id: 'head', type: 'head.chunked', params: { chunkSize: 5, chunkEmbeddingDim: 3, hidden: [4], activation: 'tanh' } };
  /** Chunks assembled by hand: chunk c of context row r is MLP([context_r, embedding_c]); laid end to end and cut. */
  function chunkedJS(ctx: number[], rows: number, dim: number, P: (name: string) => Float32Array): number[] {
    const total = F * UNITS + UNITS; // 18 = 3 chunks of 5 and a cut one
    const chunks = Math.ceil(total / 5);
    expect(chunks).toBe(4);
    const emb = P('head.chunk_embeddings');
    const out: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row: number[] = [];
      for (let c = 0; c < chunks; c++) {
        const input = [...ctx.slice(r * dim, r * dim + dim), ...Array.from(emb.slice(c * 3, c * 3 + 3))];
        row.push(
          ...mlpJS(input, 1, [
            { w: P('head.hidden0.weight'), b: P('head.hidden0.bias'), inDim: dim + 3, outDim: 4, act: Math.tanh },
            { w: P('head.out.weight'), b: P('head.out.bias'), inDim: 4, outDim: 5, act: identity },
          ]),
        );
      }
      out.push(...row.slice(0, total));
    }
    return out;
  }

  it('chunked head (per task): chunks assembled by hand from the head parameters', async () => {
    const program = graph(csv({ tasks: 3, taskColumn: 'task' }), [taskEmb], ['data.task -> emb.task', 'emb.embedding -> head.context'], chunked);
    const task = 1;
    const { model, feeds, x, P } = await setup(program, task);
    const e = Array.from(P('emb.table').slice(task * 4, task * 4 + 4));
    const flat = chunkedJS(e, 1, 4, P);
    const got = valuesOf(model, feeds, ['dense_1.y', 'head.flat', generatedValue(program, 'dense_1', 'bias')]);
    expect(maxAbsDiff(got.get('head.flat')!.data, flat)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.get(generatedValue(program, 'dense_1', 'bias'))!.data, flat.slice(F * UNITS))).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.get('dense_1.y')!.data, denseFromFlat(x, flat, 1))).toBeLessThan(1e-5);
  });

  it('chunked head (per sample): one chunked weight set per sample', async () => {
    const program = graph(csv(), [encoder], ['data.x -> enc.x', 'enc.context -> head.context'], chunked);
    const { model, feeds, x, P } = await setup(program);
    const flat = chunkedJS(encoderJS(x, P), B, 4, P);
    const got = valuesOf(model, feeds, ['dense_1.y', 'head.flat']);
    expect(maxAbsDiff(got.get('head.flat')!.data, flat)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.get('dense_1.y')!.data, denseFromFlat(x, flat, B))).toBeLessThan(1e-5);
  });

  it('low-rank head with learned base (per sample): W_b = (U_b V_bᵀ)ᵀ + W₀ with U_b V_bᵀ in [out, in], bias generated directly', async () => {
    const r = 2;
    const program = graph(csv(), [encoder], ['data.x -> enc.x', 'enc.context -> head.context'], { id: 'head', type: 'head.low_rank', params: { rank: r, learnedBase: true } });
    const { model, feeds, x, P } = await setup(program);
    const c = encoderJS(x, P);
    const size = (F + UNITS) * r + UNITS;
    const out = addRows(matmul(c, P('head.out.weight'), B, 4, size), P('head.out.bias'), size);
    const base = P('head.base0');
    const flat: number[] = [];
    for (let b = 0; b < B; b++) {
      const row = out.slice(b * size, (b + 1) * size);
      // U [UNITS, r] then V [F, r]: U·Vᵀ is the kernel as nn.Linear holds it, [out, in].
      const U = row.slice(0, UNITS * r);
      const V = row.slice(UNITS * r, (F + UNITS) * r);
      const W = transposed(matmul(U, transposed(V, F, r), UNITS, r, F), UNITS, F).map((v, i) => v + base[i]);
      // denseFromFlat reads kernels as [out, in].
      flat.push(...transposed(W, F, UNITS), ...row.slice((F + UNITS) * r));
    }
    const got = valuesOf(model, feeds, ['dense_1.y', generatedValue(program, 'dense_1', 'kernel')]);
    const kernel = got.get(generatedValue(program, 'dense_1', 'kernel'))!.data;
    for (let b = 0; b < B; b++)
      expect(maxAbsDiff(kernel.slice(b * F * UNITS, (b + 1) * F * UNITS), transposed(flat.slice(b * (F * UNITS + UNITS), b * (F * UNITS + UNITS) + F * UNITS), UNITS, F))).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.get('dense_1.y')!.data, denseFromFlat(x, flat, B))).toBeLessThan(1e-5);
  });

  it('Ha static head: kernel[i, j, c, o] = (z W1 + b1)[c] · W2 + b2 at (o, i, j) (PyTorch\'s weight[o, c, i, j]), and the valid convolution by hand', async () => {
    const [H, W, CIN, COUT, K, D, NZ] = [4, 4, 3, 2, 3, 4, 5];
    const program = programOf(
      [
        { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: H * W * CIN, classes: 0 } },
        { id: 'img', type: 'target.reshape', params: { shape: [H, W, CIN] } },
        { id: 'z', type: 'context.learned_vector', params: { dim: NZ } },
        { id: 'head', type: 'head.ha_static', params: { innerDim: D } },
        { id: 'conv', type: 'target.conv2d', params: { filters: COUT, kernelSize: K, padding: 'valid' } },
        { id: 'flat', type: 'target.flatten' },
        { id: 'out', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
      ],
      ['data.x -> img.x', 'img.y -> conv.x', 'z.z -> head.z', 'head.weights -> conv.kernel', 'conv.y -> flat.x', 'flat.y -> out.x', 'out.y -> loss.prediction', 'data.y -> loss.target'],
    );
    const { model, feeds, x, P } = await setup(program);
    const a = addRows(matmul(P('z.z'), P('head.stage1.weight'), 1, NZ, CIN * D), P('head.stage1.bias'), CIN * D);
    const k2 = addRows(matmul(a, P('head.stage2.weight'), CIN, D, K * K * COUT), P('head.stage2.bias'), K * K * COUT);
    const kernel = new Array<number>(K * K * CIN * COUT);
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++)
        for (let c = 0; c < CIN; c++) for (let o = 0; o < COUT; o++) kernel[((i * K + j) * CIN + c) * COUT + o] = k2[c * K * K * COUT + (o * K + i) * K + j];
    const conv: number[] = [];
    const bias = P('conv.bias');
    for (let b = 0; b < B; b++)
      for (let i = 0; i <= H - K; i++)
        for (let j = 0; j <= W - K; j++)
          for (let o = 0; o < COUT; o++) {
            let s = bias[o];
            for (let di = 0; di < K; di++)
              for (let dj = 0; dj < K; dj++)
                for (let c = 0; c < CIN; c++) s += x[((b * H + i + di) * W + j + dj) * CIN + c] * kernel[((di * K + dj) * CIN + c) * COUT + o];
            conv.push(s);
          }
    const kid = generatedValue(program, 'conv', 'kernel');
    const got = valuesOf(model, feeds, [kid, 'conv.y']);
    expect(got.get(kid)!.shape).toEqual([K, K, CIN, COUT]);
    expect(maxAbsDiff(got.get(kid)!.data, kernel)).toBeLessThan(1e-5);
    expect(got.get('conv.y')!.shape).toEqual([B, H - K + 1, W - K + 1, COUT]);
    expect(maxAbsDiff(got.get('conv.y')!.data, conv)).toBeLessThan(1e-5);
  });

  it('FiLM head (per sample): y = x·(1 + Δscale) + Δshift, exactly the identity at initialisation', async () => {
    const program = programOf(
      [
        csv(),
        encoder,
        { id: 'head', type: 'head.film', params: { hidden: [] } },
        { id: 'film', type: 'target.film' },
        { id: 'out', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
      ],
      ['data.x -> enc.x', 'enc.context -> head.context', 'data.x -> film.x', 'head.scale -> film.scale', 'head.shift -> film.shift', 'film.y -> out.x', 'out.y -> loss.prediction', 'data.y -> loss.target'],
    );
    const model0 = new Model(program, 4);
    const rng = new Rng(8);
    const feeds0 = randomFeeds(program, B, rng);
    cleanup.push(() => {
      disposeFeeds(feeds0);
      model0.dispose();
    });
    await model0.initHyperfan([feeds0]);
    const init = valuesOf(model0, feeds0, ['film.y']);
    expect(maxAbsDiff(init.get('film.y')!.data, feeds0.x!.dataSync())).toBe(0);

    const { model, feeds, x, P } = await setup(program);
    const c = encoderJS(x, P);
    const scale = addRows(matmul(c, P('head.scale.weight'), B, 4, F), P('head.scale.bias'), F).map((v) => 1 + v);
    const shift = addRows(matmul(c, P('head.shift.weight'), B, 4, F), P('head.shift.bias'), F);
    const expected = Array.from(x).map((v, i) => v * scale[i] + shift[i]);
    expect(maxAbsDiff(valuesOf(model, feeds, ['film.y']).get('film.y')!.data, expected)).toBeLessThan(1e-5);
  });
});

describe('tfjs gradients against float64 finite differences of a plain-JS loss', () => {
  it('per-sample linear head over an mlp_encoder: every parameter entry', async () => {
    const program = graph(csv(), [encoder], ['data.x -> enc.x', 'enc.context -> head.context'], { id: 'head', type: 'head.linear' });
    const { model, feeds, x } = await setup(program);
    const y = Array.from(feeds.y!.dataSync());
    const names = program.params.map((p) => p.name);
    const params = new Map(names.map((n) => [n, Array.from(paramValues(model, n))]));
    const per = F * UNITS + UNITS;
    const lossJS = (p: Map<string, number[]>): number => {
      const c = mlpJS(Array.from(x), B, [
        { w: p.get('enc.hidden0.weight')!, b: p.get('enc.hidden0.bias')!, inDim: F, outDim: 6, act: Math.tanh },
        { w: p.get('enc.out.weight')!, b: p.get('enc.out.bias')!, inDim: 6, outDim: 4, act: identity },
      ]);
      const flat = addRows(matmul(c, p.get('head.out.weight')!, B, 4, per), p.get('head.out.bias')!, per);
      const h = denseFromFlat(x, flat, B);
      const out = addRows(matmul(h, p.get('dense_2.kernel')!, B, UNITS, 1), p.get('dense_2.bias')!, 1);
      return out.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / B;
    };
    // The JS loss is the runtime's loss.
    const runtimeLoss = tf.tidy(() => model.evaluate(feeds, [program.losses[0].value], { training: false, step: 0 }).get(program.losses[0].value)!.dataSync()[0]);
    expect(Math.abs(lossJS(params) - runtimeLoss)).toBeLessThan(1e-5 * Math.max(1, runtimeLoss));

    const varList = names.map((n) => model.vars.get(n)!);
    const grads = new Map<string, Float32Array>();
    tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => model.evaluate(feeds, [program.losses[0].value], { training: false, step: 0 }).get(program.losses[0].value) as tf.Scalar, varList);
      for (const n of names) grads.set(n, Float32Array.from(g[model.prefix + n].dataSync() as Float32Array));
    });
    let maxG = 0;
    for (const g of grads.values()) for (const v of g) maxG = Math.max(maxG, Math.abs(v));
    const h = 1e-6;
    const bad: string[] = [];
    let compared = 0;
    for (const n of names) {
      const p = params.get(n)!;
      for (let i = 0; i < p.length; i++) {
        const keep = p[i];
        p[i] = keep + h;
        const fp = lossJS(params);
        p[i] = keep - h;
        const fm = lossJS(params);
        p[i] = keep;
        const numeric = (fp - fm) / (2 * h);
        const a = grads.get(n)![i];
        compared++;
        if (Math.abs(a - numeric) > 1e-5 * maxG + 1e-3 * Math.abs(numeric)) bad.push(`${n}[${i}]: tfjs ${a} float64 ${numeric}`);
      }
    }
    expect(compared).toBe(program.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0));
    expect(bad).toEqual([]);
  });
});
