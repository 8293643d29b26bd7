/**
 * Shared pieces of the numeric tests: documents built in code and compiled, hand-made feeds, the total loss
 * of a program, central finite differences against tfjs gradients, and small plain-JS (float64) linear algebra
 * for forward computations that do not go through tfjs at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DoneEvent, EngineEvent, StepEvent } from '../../src/shared/api/events';
import type { Program, ValueId } from '../../src/shared/compiler/ir';
import { CURRENT_VERSION, HnetDocument, type DocEdge } from '../../src/shared/document/schema';
import { Rng } from '../../src/shared/util/rng';
import type { TrainOptions } from '../../src/main/engine/options';
import type { Model, Feeds } from '../../src/main/engine/runtime';
import { train } from '../../src/main/engine/train';
import { compileOk } from '../helpers/templates';

export interface NodeSpec {
  id: string;
  type: string;
  params?: Record<string, unknown>;
}

/** `'a.port -> b.port'` as an edge. */
export function wire(spec: string): DocEdge {
  const m = /^\s*([\w-]+)\.(\w+)\s*->\s*([\w-]+)\.(\w+)\s*$/.exec(spec);
  if (!m) throw new Error(`bad edge spec ${spec}`);
  return { source: m[1], sourcePort: m[2], target: m[3], targetPort: m[4] };
}

export function buildDoc(nodes: NodeSpec[], edges: string[], training: Record<string, unknown> = {}, data: Record<string, unknown> = {}): HnetDocument {
  return HnetDocument.parse({
    format: 'hypernet-studio',
    version: CURRENT_VERSION,
    metadata: { name: 'numeric test' },
    nodes: nodes.map((n) => ({ id: n.id, type: n.type, params: n.params ?? {} })),
    edges: edges.map(wire),
    training,
    data,
  });
}

/** A document built in code, compiled (it must compile). */
export const programOf = (nodes: NodeSpec[], edges: string[], training: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Program =>
  compileOk(buildDoc(nodes, edges, training, data));

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Random feeds of `batch` samples shaped as the program's dataset declares them (x [B, ...x], y [B, ...y] or
 * int labels [B] below `classes`, task [1], context [1, ...context]). Caller disposes them (disposeFeeds).
 */
export function randomFeeds(program: Program, batch: number, rng: Rng, opts: { task?: number; classes?: number; xScale?: number } = {}): Feeds {
  const d = program.data;
  const xs = new Float32Array(batch * prod(d.x)).map(() => (opts.xScale ?? 1) * rng.normal());
  const feeds: Feeds = {
    x: tf.tensor(xs, [batch, ...d.x]),
    y:
      d.yDtype === 'int32'
        ? tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(opts.classes ?? 2)), 'int32')
        : tf.tensor(new Float32Array(batch * prod(d.y)).map(() => rng.normal()), [batch, ...(d.y.length ? d.y : [1])]),
    task: tf.tensor1d([opts.task ?? 0], 'int32'),
  };
  if (d.context) feeds.context = tf.tensor(new Float32Array(prod(d.context)).map(() => rng.normal()), [1, ...d.context]);
  return feeds;
}

export function disposeFeeds(...all: Feeds[]): void {
  for (const f of all) tf.dispose([f.x, f.y, f.task, f.context].filter((t): t is tf.Tensor => t !== undefined));
}

/** Σ weight · loss over the program's losses (what train() minimises, without the CL regulariser). */
export function totalLoss(model: Model, feeds: Feeds): tf.Scalar {
  const p = model.program;
  const vals = model.evaluate(feeds, p.losses.map((l) => l.value), { training: false, step: 0 });
  let total: tf.Tensor = tf.scalar(0);
  for (const l of p.losses) total = tf.add(total, tf.mul(vals.get(l.value)!, l.weight));
  return total as tf.Scalar;
}

export const lossValue = (model: Model, feeds: Feeds): number => tf.tidy(() => totalLoss(model, feeds).dataSync()[0]);

/** Values of some program values as plain arrays with their shapes. */
export function valuesOf(model: Model, feeds: Feeds, ids: ValueId[]): Map<ValueId, { data: Float32Array; shape: number[] }> {
  let out = new Map<ValueId, { data: Float32Array; shape: number[] }>();
  tf.tidy(() => {
    const vals = model.evaluate(feeds, ids, { training: false, step: 0 });
    out = new Map(ids.map((id) => [id, { data: Float32Array.from(vals.get(id)!.dataSync() as Float32Array), shape: vals.get(id)!.shape }]));
  });
  return out;
}

export const paramValues = (model: Model, name: string): Float32Array => Float32Array.from(model.vars.get(name)!.dataSync() as Float32Array);

export function setParam(model: Model, name: string, values: Float32Array): void {
  const v = model.vars.get(name)!;
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

/**
 * Move every parameter off its initial value (zeros, ones, hyperfan-scaled) so that every path of the graph
 * carries gradient: adds N(0, (0.5·rms)²) noise, or N(0, 0.1²) to an all-zero tensor.
 */
export function jitterParams(model: Model, rng: Rng, scale = 0.5): void {
  for (const name of model.vars.keys()) {
    const v = paramValues(model, name);
    const rms = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / Math.max(1, v.length));
    const s = rms > 0 ? scale * rms : 0.1;
    setParam(
      model,
      name,
      v.map((x) => x + s * rng.normal()),
    );
  }
}

export interface GradCheckResult {
  /** Entries compared. */
  checked: number;
  /** Entries whose finite-difference gradient stands clearly above the noise floor. */
  significant: number;
  failures: string[];
  /** Per parameter: largest |analytic gradient|. */
  maxGrad: Map<string, number>;
  /** Directional derivative over all parameters at once: analytic and finite difference. */
  directional: { analytic: number; numeric: number };
}

/**
 * Central finite differences on a random subset of every parameter's entries (plus each parameter's entry with
 * the largest analytic gradient), against tf.variableGrads. The perturbed value is rounded to float32 and the
 * difference quotient divides by the step actually taken. An entry passes when
 * |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|), atol covering float32 rounding of the loss.
 */
export function gradCheck(
  model: Model,
  feeds: Feeds,
  opts: { perParam?: number; eps?: number; rtol?: number; seed?: number } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 2e-2;
  const rng = new Rng(opts.seed ?? 7);
  const names = [...model.vars.keys()];
  const varList = names.map((n) => model.vars.get(n)!);
  const analytic = { loss: 0, grads: new Map<string, Float32Array>() };
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => totalLoss(model, feeds), varList);
    names.forEach((n) => analytic.grads.set(n, Float32Array.from(grads[model.prefix + n].dataSync() as Float32Array)));
    analytic.loss = value.dataSync()[0];
  });
  const base = analytic.loss;
  // Float32 rounding of the loss (relative ~1e-6 after summing a batch) divided by the step 2·eps.
  const atol = ((Math.abs(base) + 1e-3) * 1e-6) / eps;
  const failures: string[] = [];
  let checked = 0;
  let significant = 0;
  const maxGrad = new Map<string, number>();
  for (const name of names) {
    const g = analytic.grads.get(name)!;
    const orig = paramValues(model, name);
    let argmax = 0;
    for (let i = 0; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[argmax])) argmax = i;
    maxGrad.set(name, Math.abs(g[argmax]));
    const picks = new Set<number>([argmax]);
    const want = Math.min(orig.length, opts.perParam ?? 6);
    while (picks.size < want) picks.add(rng.int(orig.length));
    for (const i of picks) {
      const v = orig.slice();
      const plus = Math.fround(orig[i] + eps);
      const minus = Math.fround(orig[i] - eps);
      v[i] = plus;
      setParam(model, name, v);
      const fp = lossValue(model, feeds);
      v[i] = minus;
      setParam(model, name, v);
      const fm = lossValue(model, feeds);
      const numeric = (fp - fm) / (plus - minus);
      const a = g[i];
      checked++;
      if (Math.abs(numeric) > 20 * atol) significant++;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric))))
        failures.push(`${name}[${i}]: analytic ${a.toExponential(4)} numeric ${numeric.toExponential(4)} (atol ${atol.toExponential(2)})`);
    }
    setParam(model, name, orig);
  }
  // All parameters moved at once along a random unit direction (per-parameter scaled to its size).
  const dirs = new Map<string, Float32Array>();
  let analyticDir = 0;
  let norm2 = 0;
  for (const name of names) {
    const d = new Float32Array(paramValues(model, name).length).map(() => rng.normal());
    dirs.set(name, d);
    const g = analytic.grads.get(name)!;
    for (let i = 0; i < d.length; i++) {
      analyticDir += g[i] * d[i];
      norm2 += d[i] * d[i];
    }
  }
  const scale = 1 / Math.sqrt(norm2);
  analyticDir *= scale;
  const origs = new Map(names.map((n) => [n, paramValues(model, n)]));
  const moved = (sign: number) => {
    for (const name of names) {
      const o = origs.get(name)!;
      const d = dirs.get(name)!;
      setParam(
        model,
        name,
        o.map((x, i) => x + sign * eps * scale * d[i]),
      );
    }
    return lossValue(model, feeds);
  };
  const numericDir = (moved(1) - moved(-1)) / (2 * eps);
  for (const name of names) setParam(model, name, origs.get(name)!);
  return { checked, significant, failures, maxGrad, directional: { analytic: analyticDir, numeric: numericDir } };
}

// ---------------------------------------------------------------------------------------------------------
// Plain-JS float64 linear algebra: row-major matrices as number[] with explicit sizes.

/** a [n, k] · b [k, m] → [n, m]. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): number[] {
  const out = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * m + j];
      out[i * m + j] = s;
    }
  return out;
}

/** Add a bias [m] to every row of x [n, m]. */
export const addRows = (x: number[], bias: ArrayLike<number>, m: number): number[] => x.map((v, i) => v + bias[i % m]);

export const apply = (x: number[], fn: (v: number) => number): number[] => x.map(fn);

/** A dense stack of layers: x [n, d] through (W, b, act) in order, in float64. */
export function mlpJS(x: number[], n: number, layers: { w: ArrayLike<number>; b: ArrayLike<number>; inDim: number; outDim: number; act: (v: number) => number }[]): number[] {
  let h = x;
  for (const l of layers) h = apply(addRows(matmul(h, l.w, n, l.inDim, l.outDim), l.b, l.outDim), l.act);
  return h;
}

export const identity = (v: number) => v;

/** Mean of squares and variance of a list of numbers, in float64. */
export function moments(values: ArrayLike<number>): { mean: number; meanSquare: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    s2 += values[i] * values[i];
  }
  const mean = s / values.length;
  const meanSquare = s2 / values.length;
  return { mean, meanSquare, variance: meanSquare - mean * mean };
}

// ---------------------------------------------------------------------------------------------------------
// Training runs.

/**
 * A continual-learning graph: toy regression (3 tasks) -> task embedding -> MLP head generating a 1-16-16-1
 * network's weights, with the output regulariser, sequential schedule.
 */
export function clProgram(training: Record<string, unknown> = {}): Program {
  return programOf(
    [
      { id: 'data', type: 'data.toy_regression_cl', params: { trainSamples: 64, testSamples: 20 } },
      { id: 'emb', type: 'context.task_embedding', params: { dim: 4 } },
      { id: 'head', type: 'head.mlp', params: { hidden: [16] } },
      { id: 'dense_1', type: 'target.dense', params: { units: 16, activation: 'relu' } },
      { id: 'dense_2', type: 'target.dense', params: { units: 16, activation: 'relu' } },
      { id: 'dense_3', type: 'target.dense', params: { units: 1 } },
      { id: 'loss', type: 'objective.mse' },
      { id: 'mse', type: 'metric.mse' },
      { id: 'reg', type: 'objective.output_regularizer', params: { beta: 0.05 } },
    ],
    [
      'data.task -> emb.task',
      'emb.embedding -> head.context',
      'data.x -> dense_1.x',
      'head.weights -> dense_1.kernel',
      'head.weights -> dense_1.bias',
      'dense_1.y -> dense_2.x',
      'head.weights -> dense_2.kernel',
      'head.weights -> dense_2.bias',
      'dense_2.y -> dense_3.x',
      'head.weights -> dense_3.kernel',
      'head.weights -> dense_3.bias',
      'dense_3.y -> loss.prediction',
      'data.y -> loss.target',
      'dense_3.y -> mse.prediction',
      'data.y -> mse.target',
    ],
    { schedule: 'sequential', batchSize: 16, evalEvery: 0, optimizer: { type: 'adam', learningRate: 0.01 }, seed: 3, ...training },
  );
}

export interface Recorded {
  events: EngineEvent[];
  steps: StepEvent[];
  losses: number[];
  done: DoneEvent;
}

/** train() with a step event every step; every event kept. `onEvent` sees each one as it is emitted. */
export async function record(program: Program, opts: TrainOptions, onEvent?: (e: EngineEvent) => void): Promise<Recorded> {
  const events: EngineEvent[] = [];
  const done = await train(program, { stepEventEvery: 1, ...opts }, (e) => {
    events.push(e);
    onEvent?.(e);
  });
  const steps = events.filter((e): e is StepEvent => e.event === 'step');
  return { events, steps, losses: steps.map((s) => s.loss), done };
}
