/**
 * Hyperfan initialisation (Chang, Sacramento & Zhang 2020): after model.initHyperfan, the weights a head
 * generates should have the variance of a fan-in (or fan-out) initialisation of the target, 1/fan_in
 * (1/fan_out), measured empirically over many contexts; weights whose owned init is a constant (biases, FiLM
 * scale and shift) start exactly at that constant.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { openDataset } from '../../src/main/engine/data';
import { Model, type Feeds } from '../../src/main/engine/runtime';
import type { Program } from '../../src/shared/compiler/ir';
import { Rng } from '../../src/shared/util/rng';
import { moments, programOf, valuesOf, type NodeSpec } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const FAN_IN = 64;
const UNITS = 16; // fan-out of the Dense kernel
const TASKS = 20;
const EMB = 64;

const generated = (program: Program, target: string, port: string) => program.generated.find((g) => g.target === target && g.targetPort === port)!.value;

/** data (x [64], 20 tasks) -> task embedding -> head -> dense_1 (kernel [64, 16] and bias) -> dense_2 -> MSE. */
function perTaskProgram(head: NodeSpec, useBias = true): Program {
  return programOf(
    [
      { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: FAN_IN, classes: 0, tasks: TASKS, taskColumn: 'task' } },
      { id: 'emb', type: 'context.task_embedding', params: { dim: EMB } },
      head,
      { id: 'dense_1', type: 'target.dense', params: { units: UNITS, activation: 'relu', useBias } },
      { id: 'dense_2', type: 'target.dense', params: { units: 1 } },
      { id: 'loss', type: 'objective.mse' },
    ],
    [
      'data.task -> emb.task',
      'emb.embedding -> head.context',
      'data.x -> dense_1.x',
      'head.weights -> dense_1.kernel',
      ...(useBias ? ['head.weights -> dense_1.bias'] : []),
      'dense_1.y -> dense_2.x',
      'dense_2.y -> loss.prediction',
      'data.y -> loss.target',
    ],
  );
}

const taskFeeds = (task: number): Feeds => ({ task: tf.tensor1d([task], 'int32') });

/**
 * initHyperfan measured on all 20 tasks (only the task matters for these heads), then the generated kernel
 * and bias of every task. (train() measures on the first 8 tasks only; with a ReLU MLP head the per-task
 * E[h²] varies widely, so that estimate alone can be off by tens of percent for 20 tasks.)
 */
async function generatedOverTasks(program: Program, seed: number): Promise<{ kernel: number[]; bias: number[] }> {
  const model = new Model(program, seed);
  try {
    const samples = Array.from({ length: TASKS }, (_, i) => taskFeeds(i));
    await model.initHyperfan(samples);
    samples.forEach((f) => f.task.dispose());
    const kid = generated(program, 'dense_1', 'kernel');
    const bid = program.generated.find((g) => g.target === 'dense_1' && g.targetPort === 'bias')?.value;
    const kernel: number[] = [];
    const bias: number[] = [];
    for (let t = 0; t < TASKS; t++) {
      const f = taskFeeds(t);
      const v = valuesOf(model, f, bid ? [kid, bid] : [kid]);
      f.task.dispose();
      expect(v.get(kid)!.shape).toEqual([FAN_IN, UNITS]);
      kernel.push(...v.get(kid)!.data);
      if (bid) bias.push(...v.get(bid)!.data);
    }
    return { kernel, bias };
  } finally {
    model.dispose();
  }
}

const heads: [string, NodeSpec][] = [
  ['head.linear', { id: 'head', type: 'head.linear' }],
  ['head.mlp (default [64, 64] relu)', { id: 'head', type: 'head.mlp' }],
  ['head.mlp (tanh)', { id: 'head', type: 'head.mlp', params: { hidden: [48], activation: 'tanh' } }],
  ['head.low_rank (rank 8)', { id: 'head', type: 'head.low_rank', params: { rank: 8 } }],
  ['head.low_rank (rank 8, hidden [32])', { id: 'head', type: 'head.low_rank', params: { rank: 8, hidden: [32] } }],
  ['head.low_rank (rank 8, learned base)', { id: 'head', type: 'head.low_rank', params: { rank: 8, learnedBase: true } }],
];

const modes = [
  ['hyperfan_in', 1 / FAN_IN],
  ['hyperfan_out', 1 / UNITS],
] as const;

describe('hyperfan initialisation: variance of generated Dense kernels over 20 tasks', () => {
  for (const [mode, target] of modes)
    it.each(heads)(`${mode}: %s`, async (_name, head) => {
      const program = perTaskProgram({ ...head, params: { ...head.params, init: mode } });
      // Pool a few seeds: the statistic is then about the initialisation, not one lucky draw.
      const kernel: number[] = [];
      const bias: number[] = [];
      for (const seed of [1, 2, 3]) {
        const g = await generatedOverTasks(program, seed);
        kernel.push(...g.kernel);
        bias.push(...g.bias);
      }
      const m = moments(kernel);
      expect(m.variance / target, `variance ${m.variance.toExponential(3)}, aimed at ${target.toExponential(3)}`).toBeGreaterThan(0.8);
      expect(m.variance / target, `variance ${m.variance.toExponential(3)}, aimed at ${target.toExponential(3)}`).toBeLessThan(1.2);
      expect(Math.abs(m.mean)).toBeLessThan(0.1 * Math.sqrt(target));
      // Generated biases start at zero, exactly.
      expect(bias.length).toBe(TASKS * UNITS * 3);
      expect(bias.every((b) => b === 0)).toBe(true);
    });

  for (const [mode, target] of modes)
    it(`${mode}: head.chunked (default: chunks of 256, kernel only)`, async () => {
      const program = perTaskProgram({ id: 'head', type: 'head.chunked', params: { init: mode } }, false);
      const kernel: number[] = [];
      for (const seed of [1, 2, 3]) kernel.push(...(await generatedOverTasks(program, seed)).kernel);
      const m = moments(kernel);
      expect(m.variance / target).toBeGreaterThan(0.8);
      expect(m.variance / target).toBeLessThan(1.2);
    });

  it('head.chunked with a bias: the kernel keeps its variance; the bias, sharing a chunk with kernel entries, starts at 1/(3·fanIn)', async () => {
    // A chunked head's last layer is shared by all chunks, so a bias cannot start at exactly zero: chunked hyperfan
    // aims for PyTorch's default bias variance 1/(3·fanIn) instead, as hypnettorch's apply_chunked_hyperfan_init.
    const program = perTaskProgram({ id: 'head', type: 'head.chunked' });
    const kernel: number[] = [];
    const bias: number[] = [];
    for (const seed of [1, 2, 3]) {
      const g = await generatedOverTasks(program, seed);
      kernel.push(...g.kernel);
      bias.push(...g.bias);
    }
    const m = moments(kernel);
    expect(m.variance * FAN_IN).toBeGreaterThan(0.8);
    expect(m.variance * FAN_IN).toBeLessThan(1.2);
    const b = moments(bias);
    expect(b.variance * 3 * FAN_IN).toBeGreaterThan(0.8);
    expect(b.variance * 3 * FAN_IN).toBeLessThan(1.2);
  });
});

describe('hyperfan initialisation: Ha static head driving conv kernels', () => {
  const [K, CIN, COUT] = [3, 8, 16];
  for (const [mode, target] of [
    ['hyperfan_in', 1 / (K * K * CIN)],
    ['hyperfan_out', 1 / (K * K * COUT)],
  ] as const)
    it(`${mode}: kernel [3, 3, 8, 16] variance ≈ ${mode === 'hyperfan_in' ? '1/fan_in = 1/72' : '1/fan_out = 1/144'}, bias stays owned`, async () => {
      const program = programOf(
        [
          { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: 4 * 4 * CIN, classes: 0 } },
          { id: 'img', type: 'target.reshape', params: { shape: [4, 4, CIN] } },
          { id: 'z', type: 'context.learned_vector', params: { dim: 64 } },
          { id: 'head', type: 'head.ha_static', params: { innerDim: 64, init: mode } },
          { id: 'conv', type: 'target.conv2d', params: { filters: COUT, kernelSize: K } },
          { id: 'flat', type: 'target.flatten' },
          { id: 'out', type: 'target.dense', params: { units: 1 } },
          { id: 'loss', type: 'objective.mse' },
        ],
        ['data.x -> img.x', 'img.y -> conv.x', 'z.z -> head.z', 'head.weights -> conv.kernel', 'conv.y -> flat.x', 'flat.y -> out.x', 'out.y -> loss.prediction', 'data.y -> loss.target'],
      );
      const kid = generated(program, 'conv', 'kernel');
      const kernel: number[] = [];
      // One z per model: pool the kernels of several seeds (several draws of z and the head).
      for (const seed of [1, 2, 3, 4]) {
        const model = new Model(program, seed);
        const f = taskFeeds(0);
        await model.initHyperfan([f]);
        const v = valuesOf(model, f, [kid]);
        expect(v.get(kid)!.shape).toEqual([K, K, CIN, COUT]);
        kernel.push(...v.get(kid)!.data);
        f.task.dispose();
        model.dispose();
      }
      const m = moments(kernel);
      expect(m.variance / target).toBeGreaterThan(0.8);
      expect(m.variance / target).toBeLessThan(1.2);
    });
});

describe('hyperfan initialisation: per-sample weights from an encoder over real batches', () => {
  it.each([
    ['head.mlp', { id: 'head', type: 'head.mlp' }],
    ['head.linear', { id: 'head', type: 'head.linear' }],
    ['head.low_rank (rank 8)', { id: 'head', type: 'head.low_rank', params: { rank: 8 } }],
  ] as [string, NodeSpec][])('%s: Dense kernel [B, 64, 16] over 512 moons samples ≈ 1/64', async (_name, head) => {
    const program = programOf(
      [
        { id: 'data', type: 'data.moons' },
        { id: 'enc', type: 'context.mlp_encoder' },
        head,
        { id: 'dense_0', type: 'target.dense', params: { units: FAN_IN, activation: 'relu' } },
        { id: 'dense_1', type: 'target.dense', params: { units: UNITS, activation: 'relu' } },
        { id: 'dense_2', type: 'target.dense', params: { units: 2 } },
        { id: 'loss', type: 'objective.cross_entropy' },
      ],
      [
        'data.x -> enc.x',
        'enc.context -> head.context',
        'data.x -> dense_0.x',
        'dense_0.y -> dense_1.x',
        'head.weights -> dense_1.kernel',
        'head.weights -> dense_1.bias',
        'dense_1.y -> dense_2.x',
        'dense_2.y -> loss.logits',
        'data.y -> loss.labels',
      ],
    );
    const data = openDataset('data.moons', program.data.params, { seed: 1, node: 'data' });
    const toFeeds = (b: { x: Float32Array; y: Float32Array | Int32Array; n: number }): Feeds => ({
      x: tf.tensor(b.x, [b.n, 2]),
      y: tf.tensor1d(b.y as Int32Array, 'int32'),
      task: tf.tensor1d([0], 'int32'),
    });
    const release = (f: Feeds) => tf.dispose([f.x!, f.y!, f.task]);
    const kid = generated(program, 'dense_1', 'kernel');
    const bid = generated(program, 'dense_1', 'bias');
    const kernel: number[] = [];
    const bias: number[] = [];
    for (const seed of [1, 2]) {
      const model = new Model(program, seed);
      const rng = new Rng(seed).fork('init');
      // As train() does: two real training batches (of 32).
      const samples = [0, 1].map(() => toFeeds(data.trainBatch(0, 32, rng)));
      await model.initHyperfan(samples);
      samples.forEach(release);
      for (let i = 0; i < 8; i++) {
        const f = toFeeds(data.trainBatch(0, 32, rng));
        const v = valuesOf(model, f, [kid, bid]);
        expect(v.get(kid)!.shape).toEqual([32, FAN_IN, UNITS]);
        kernel.push(...v.get(kid)!.data);
        bias.push(...v.get(bid)!.data);
        release(f);
      }
      model.dispose();
    }
    const m = moments(kernel);
    expect(m.variance * FAN_IN).toBeGreaterThan(0.8);
    expect(m.variance * FAN_IN).toBeLessThan(1.2);
    expect(bias.every((b) => b === 0)).toBe(true);
  });
});

describe('hyperfan initialisation: FiLM', () => {
  it('generated scale starts at exactly 1 and shift at exactly 0 for every task', async () => {
    const program = programOf(
      [
        { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: 8, classes: 0, tasks: TASKS, taskColumn: 'task' } },
        { id: 'emb', type: 'context.task_embedding', params: { dim: 16 } },
        { id: 'head', type: 'head.film', params: { hidden: [32] } },
        { id: 'film', type: 'target.film' },
        { id: 'out', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
      ],
      ['data.task -> emb.task', 'emb.embedding -> head.context', 'data.x -> film.x', 'head.scale -> film.scale', 'head.shift -> film.shift', 'film.y -> out.x', 'out.y -> loss.prediction', 'data.y -> loss.target'],
    );
    const model = new Model(program, 1);
    const samples = Array.from({ length: 8 }, (_, i) => taskFeeds(i));
    await model.initHyperfan(samples);
    samples.forEach((f) => f.task.dispose());
    for (let t = 0; t < TASKS; t++) {
      const f = taskFeeds(t);
      const v = valuesOf(model, f, [generated(program, 'film', 'scale'), generated(program, 'film', 'shift')]);
      expect([...v.get(generated(program, 'film', 'scale'))!.data]).toEqual(Array(8).fill(1));
      expect([...v.get(generated(program, 'film', 'shift'))!.data]).toEqual(Array(8).fill(0));
      f.task.dispose();
    }
    model.dispose();
  });
});

/**
 * init 'xavier' is hypercl's (von Oswald et al. 2020, mnist/train_utils.py generate_classifier): every weight matrix
 * of the head torch.nn.init.xavier_uniform_, every bias zero, chunk embeddings N(0, 1), no hyperfan scaling. The
 * drawn values are checked against U(±sqrt(6 / (fan_in + fan_out))) computed here from the shapes alone.
 */
describe("init 'xavier': hypercl's Glorot-uniform head", () => {
  const xavierHeads: [string, NodeSpec, string[]][] = [
    ['head.chunked, hidden [25, 25] elu', { id: 'head', type: 'head.chunked', params: { init: 'xavier', chunkSize: 100, chunkEmbeddingDim: 8, hidden: [25, 25], activation: 'elu' } }, ['hidden0.weight', 'hidden1.weight', 'out.weight']],
    ['head.mlp, hidden [32]', { id: 'head', type: 'head.mlp', params: { init: 'xavier', hidden: [32] } }, ['hidden0.weight', 'out.weight']],
    ['head.low_rank, hidden [32]', { id: 'head', type: 'head.low_rank', params: { init: 'xavier', rank: 4, hidden: [32] } }, ['hidden0.weight', 'out.weight']],
  ];
  it.each(xavierHeads)('%s', async (_name, head, matrices) => {
    const program = perTaskProgram(head);
    const model = new Model(program, 7);
    try {
      const samples = Array.from({ length: 4 }, (_, i) => taskFeeds(i));
      await model.initHyperfan(samples);
      samples.forEach((f) => f.task.dispose());
      const own = program.params.filter((p) => p.node === 'head');
      for (const name of matrices) {
        const spec = own.find((p) => p.name === `head.${name}`)!;
        const [fanIn, fanOut] = spec.shape;
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        const values = Array.from(model.vars.get(spec.name)!.dataSync());
        expect(Math.max(...values.map(Math.abs)), spec.name).toBeLessThanOrEqual(limit + 1e-7);
        // U(±limit) has variance limit²/3; thousands of draws land within 10 %.
        const m = moments(values);
        expect(m.variance / (limit * limit / 3), spec.name).toBeGreaterThan(0.9);
        expect(m.variance / (limit * limit / 3), spec.name).toBeLessThan(1.1);
      }
      for (const p of own.filter((q) => q.name.endsWith('.bias'))) expect(Array.from(model.vars.get(p.name)!.dataSync()).every((v) => v === 0), p.name).toBe(true);
      const emb = own.find((p) => p.name === 'head.chunk_embeddings');
      if (emb) {
        const m = moments(Array.from(model.vars.get(emb.name)!.dataSync()));
        expect(m.variance).toBeGreaterThan(0.7);
        expect(m.variance).toBeLessThan(1.3);
      }
    } finally {
      model.dispose();
    }
  });
});
