/**
 * Finite-difference gradient checks: for every head kind, per-sample generated weights and task embeddings,
 * tf.variableGrads of the program's total loss against central differences of the loss itself (cpu backend,
 * float32), on a random subset of every parameter's entries plus a random direction through all of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { Model } from '../../src/main/engine/runtime';
import { Rng } from '../../src/shared/util/rng';
import { disposeFeeds, gradCheck, jitterParams, paramValues, programOf, randomFeeds, type NodeSpec } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const csv = (features: number, extra: Record<string, unknown> = {}): NodeSpec => ({ id: 'data', type: 'data.csv', params: { path: 'unused.csv', features, classes: 0, ...extra } });
const csvTasks = (features: number, tasks: number, classes = 0): NodeSpec => csv(features, { tasks, taskColumn: 'task', classes });
const waves: NodeSpec = { id: 'data', type: 'data.sinusoid' };
const dense = (id: string, units: number, activation = 'linear', extra: Record<string, unknown> = {}): NodeSpec => ({ id, type: 'target.dense', params: { units, activation, ...extra } });
const mse = (pred: string): { nodes: NodeSpec[]; edges: string[] } => ({
  nodes: [{ id: 'loss', type: 'objective.mse' }],
  edges: [`${pred}.y -> loss.prediction`, 'data.y -> loss.target'],
});

interface Case {
  name: string;
  nodes: NodeSpec[];
  edges: string[];
  batch?: number;
  classes?: number;
  task?: number;
  perParam?: number;
}

/** x -> dense_1 (kernel and bias from `head`, tanh) -> dense_2 (owned) -> MSE. */
function twoLayer(name: string, data: NodeSpec, context: NodeSpec[], contextEdges: string[], head: NodeSpec, units = 6): Case {
  const loss = mse('dense_2');
  return {
    name,
    nodes: [data, ...context, head, dense('dense_1', units, 'tanh'), dense('dense_2', 1), ...loss.nodes],
    edges: [
      ...contextEdges,
      'data.x -> dense_1.x',
      `${head.id}.weights -> dense_1.kernel`,
      `${head.id}.weights -> dense_1.bias`,
      'dense_1.y -> dense_2.x',
      ...loss.edges,
    ],
  };
}

const taskEmb: NodeSpec = { id: 'emb', type: 'context.task_embedding', params: { dim: 4 } };

const cases: Case[] = [
  twoLayer('head.linear from the data context', waves, [], ['data.context -> head.context'], { id: 'head', type: 'head.linear' }),
  twoLayer('head.linear from a task embedding', csvTasks(5, 3), [taskEmb], ['data.task -> emb.task', 'emb.embedding -> head.context'], { id: 'head', type: 'head.linear' }),
  {
    ...twoLayer('head.mlp (two hidden layers), also driving dense_2', waves, [], ['data.context -> head.context'], {
      id: 'head',
      type: 'head.mlp',
      params: { hidden: [8, 6], activation: 'tanh' },
    }),
  },
  twoLayer('head.chunked (last chunk cut)', waves, [], ['data.context -> head.context'], {
    id: 'head',
    type: 'head.chunked',
    params: { chunkSize: 7, chunkEmbeddingDim: 3, hidden: [6], activation: 'tanh' },
  }, 8),
  twoLayer('head.low_rank without base', csvTasks(5, 3), [taskEmb], ['data.task -> emb.task', 'emb.embedding -> head.context'], {
    id: 'head',
    type: 'head.low_rank',
    params: { rank: 2, hidden: [6], activation: 'tanh' },
  }),
  twoLayer('head.low_rank with learned base', csvTasks(5, 3), [taskEmb], ['data.task -> emb.task', 'emb.embedding -> head.context'], {
    id: 'head',
    type: 'head.low_rank',
    params: { rank: 2, hidden: [6], activation: 'tanh', learnedBase: true },
  }),
  {
    name: 'head.ha_static driving two conv2d kernels',
    nodes: [
      csv(48),
      { id: 'img', type: 'target.reshape', params: { shape: [4, 4, 3] } },
      { id: 'z', type: 'context.learned_vector', params: { dim: 5 } },
      { id: 'head', type: 'head.ha_static', params: { innerDim: 4 } },
      { id: 'conv_1', type: 'target.conv2d', params: { filters: 4, kernelSize: 3, activation: 'tanh' } },
      { id: 'conv_2', type: 'target.conv2d', params: { filters: 4, kernelSize: 3, activation: 'tanh', padding: 'valid' } },
      { id: 'flat', type: 'target.flatten' },
      dense('dense_2', 1),
      ...mse('dense_2').nodes,
    ],
    edges: [
      'data.x -> img.x',
      'img.y -> conv_1.x',
      'z.z -> head.z',
      'head.weights -> conv_1.kernel',
      'conv_1.y -> conv_2.x',
      'head.weights -> conv_2.kernel',
      'conv_2.y -> flat.x',
      'flat.y -> dense_2.x',
      ...mse('dense_2').edges,
    ],
  },
  {
    name: 'head.film driving target.film (per task)',
    nodes: [
      waves,
      { id: 'head', type: 'head.film', params: { hidden: [5], activation: 'tanh' } },
      dense('dense_1', 6),
      { id: 'film', type: 'target.film' },
      { id: 'act', type: 'target.activation', params: { fn: 'tanh' } },
      dense('dense_2', 1),
      ...mse('dense_2').nodes,
    ],
    edges: [
      'data.context -> head.context',
      'data.x -> dense_1.x',
      'dense_1.y -> film.x',
      'head.scale -> film.scale',
      'head.shift -> film.shift',
      'film.y -> act.x',
      'act.y -> dense_2.x',
      ...mse('dense_2').edges,
    ],
  },
  {
    name: 'head.film driving target.film (per sample, over conv features)',
    nodes: [
      csv(48),
      { id: 'img', type: 'target.reshape', params: { shape: [4, 4, 3] } },
      { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [6], activation: 'tanh', outDim: 3 } },
      { id: 'head', type: 'head.film', params: { hidden: [], activation: 'tanh' } },
      { id: 'conv_1', type: 'target.conv2d', params: { filters: 4, kernelSize: 3, activation: 'tanh' } },
      { id: 'film', type: 'target.film' },
      { id: 'flat', type: 'target.flatten' },
      dense('dense_2', 1),
      ...mse('dense_2').nodes,
    ],
    edges: [
      'data.x -> img.x',
      'data.x -> enc.x',
      'enc.context -> head.context',
      'img.y -> conv_1.x',
      'conv_1.y -> film.x',
      'head.scale -> film.scale',
      'head.shift -> film.shift',
      'film.y -> flat.x',
      'flat.y -> dense_2.x',
      ...mse('dense_2').edges,
    ],
  },
  {
    name: 'per-sample Dense kernel [B, in, out] from an mlp_encoder over x (cross-entropy)',
    classes: 3,
    nodes: [
      csv(5, { classes: 3 }),
      { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [6], activation: 'tanh', outDim: 4 } },
      { id: 'head', type: 'head.mlp', params: { hidden: [7], activation: 'tanh' } },
      dense('dense_1', 6, 'tanh'),
      dense('dense_2', 3),
      { id: 'loss', type: 'objective.cross_entropy' },
    ],
    edges: [
      'data.x -> enc.x',
      'enc.context -> head.context',
      'data.x -> dense_1.x',
      'head.weights -> dense_1.kernel',
      'head.weights -> dense_1.bias',
      'dense_1.y -> dense_2.x',
      'dense_2.y -> loss.logits',
      'data.y -> loss.labels',
    ],
  },
  {
    name: 'per-sample low_rank and chunked heads sharing one encoder',
    nodes: [
      csv(5),
      { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [6], activation: 'tanh', outDim: 4 } },
      { id: 'lr', type: 'head.low_rank', params: { rank: 2, hidden: [], learnedBase: true } },
      { id: 'ch', type: 'head.chunked', params: { chunkSize: 5, chunkEmbeddingDim: 2, hidden: [4], activation: 'tanh' } },
      dense('dense_1', 6, 'tanh'),
      dense('dense_2', 1),
      ...mse('dense_2').nodes,
    ],
    edges: [
      'data.x -> enc.x',
      'enc.context -> lr.context',
      'enc.context -> ch.context',
      'data.x -> dense_1.x',
      'lr.weights -> dense_1.kernel',
      'ch.weights -> dense_1.bias',
      'dense_1.y -> dense_2.x',
      'ch.weights -> dense_2.kernel',
      ...mse('dense_2').edges,
    ],
  },
];

describe('finite-difference gradient checks (cpu, float32)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const program = programOf(c.nodes, c.edges);
    const model = new Model(program, 3);
    const rng = new Rng(11);
    const feeds = randomFeeds(program, c.batch ?? 5, rng, { classes: c.classes, task: c.task ?? 1 });
    try {
      await model.initHyperfan([feeds]);
      jitterParams(model, rng);
      const r = gradCheck(model, feeds, { perParam: c.perParam ?? 6, eps: 1e-2, rtol: 2e-2 });
      expect(r.failures).toEqual([]);
      // Not vacuous: most compared entries carry a gradient well above the noise floor, and every parameter
      // is reached by the loss.
      expect(r.significant).toBeGreaterThan(r.checked / 2);
      for (const [name, g] of r.maxGrad) expect(g, `${name} gets no gradient`).toBeGreaterThan(0);
      expect(Math.abs(r.directional.analytic - r.directional.numeric)).toBeLessThan(2e-2 * Math.abs(r.directional.analytic) + 1e-5);
    } finally {
      disposeFeeds(feeds);
      model.dispose();
    }
  });
});

describe('gradients through a task embedding', () => {
  it('reach exactly the fed task\'s row, and match finite differences on every entry of the table', async () => {
    const c = cases[1];
    const program = programOf(c.nodes, c.edges);
    const model = new Model(program, 5);
    const rng = new Rng(3);
    const feeds = randomFeeds(program, 6, rng, { task: 2 });
    try {
      await model.initHyperfan([feeds]);
      jitterParams(model, rng);
      const table = model.vars.get('emb.table')!;
      const g = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const vals = model.evaluate(feeds, program.losses.map((l) => l.value), { training: false, step: 0 });
          return vals.get(program.losses[0].value)! as tf.Scalar;
        }, [table]);
        return Array.from(grads[table.name].dataSync());
      });
      // Rows 0 and 1 (tasks not in the batch) get exactly zero; row 2 does not.
      expect(g.slice(0, 8).every((v) => v === 0)).toBe(true);
      expect(g.slice(8).some((v) => Math.abs(v) > 1e-4)).toBe(true);
      const r = gradCheck(model, feeds, { perParam: 12, eps: 1e-2 });
      expect(r.failures).toEqual([]);
      expect(paramValues(model, 'emb.table').length).toBe(12);
    } finally {
      disposeFeeds(feeds);
      model.dispose();
    }
  });
});
