/**
 * The tfjs consumer of the program IR: parameters as tf.Variables and an interpreter that evaluates only the
 * ops a request needs. Callers wrap evaluation in tf.tidy (or variableGrads), so nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Init, Op, ParamSpec, Program, ValueId } from '../../shared/compiler/ir';
import { Rng } from '../../shared/util/rng';
import { conv2d } from './conv2d';

export interface Feeds {
  x?: tf.Tensor;
  y?: tf.Tensor;
  task: tf.Tensor;
  context?: tf.Tensor;
}

export interface EvalOptions {
  training: boolean;
  /** Seeds dropout and noise so a step is repeatable (and resumable) from (run seed, step). */
  step: number;
}

let instances = 0;

type ChunkedHyperfan = Extract<Init, { kind: 'hyperfan' }> & { chunks: NonNullable<Extract<Init, { kind: 'hyperfan' }>['chunks']> };

/** Fixed-point steps of the chunked hyperfan initialisation (the exports take the same number). */
const CHUNK_STEPS = 8;
/**
 * Bounds of s_c² (the embedding scale within 0.01 to 10): where the trunk saturates (tanh) more scale stops
 * helping, and an embedding scaled without bound would only saturate it further.
 */
const [S2_MIN, S2_MAX] = [1e-4, 100];

/** Run-length blocks as one value per element. */
function expandBlocks(blocks: readonly { size: number; variance: number }[]): Float64Array {
  const out = new Float64Array(blocks.reduce((a, b) => a + b.size, 0));
  let i = 0;
  for (const b of blocks) out.fill(b.variance, i, (i += b.size));
  return out;
}

/**
 * The shared last layer's scale G (variance per unit of E‖h‖² and column factor): the mean aim over the mean
 * E‖h_c‖² at the embeddings' own scale, lowered where a chunk's aim would fall below twice its floor q0_c.
 */
function chunkGlobalScale(want: Float64Array, q0: Float64Array, q1: Float64Array, fanIn: number): number {
  let sumWant = 0;
  let sumQ = 0;
  for (let c = 0; c < want.length; c++) [sumWant, sumQ] = [sumWant + want[c], sumQ + q1[c]];
  let g = sumWant / sumQ;
  for (let c = 0; c < want.length; c++) if (q0[c] > 0 && want[c] > 0) g = Math.min(g, want[c] / (2 * q0[c]));
  return Number.isFinite(g) && g > 0 ? g : 1 / Math.max(1, fanIn);
}

/** One step: s_c² ← s_c² · (aim_c/G − q0_c) / (q_c − q0_c), by at most 100× either way. */
function chunkStep(s2: Float64Array, q: Float64Array, q0: Float64Array, want: Float64Array, global: number): void {
  for (let c = 0; c < s2.length; c++) {
    const aim = want[c] / global - q0[c];
    const got = q[c] - q0[c];
    const ratio = got > 0 && aim > 0 ? aim / got : aim > 0 ? 100 : 0.01;
    s2[c] = Math.min(S2_MAX, Math.max(S2_MIN, s2[c] * Math.min(100, Math.max(0.01, ratio))));
  }
}

export class Model {
  readonly program: Program;
  readonly vars = new Map<string, tf.Variable>();
  /** tfjs variable names are global to the engine, so each model prefixes its own. */
  readonly prefix: string;
  private readonly ops = new Map<ValueId, Op>();
  private readonly plans = new Map<string, Op[]>();
  private readonly seed: number;

  constructor(program: Program, seed: number) {
    this.program = program;
    this.seed = seed;
    this.prefix = `m${++instances}/`;
    for (const op of program.ops) this.ops.set(op.id, op);
    const rng = new Rng(seed).fork('init');
    for (const p of program.params) {
      const init = p.init.kind === 'hyperfan' ? new Float32Array(size(p.shape)) : initialValues(p, p.init, rng.fork(p.name));
      // In a tidy: tf.variable does not take ownership of its initial tensor, which would otherwise stay
      // allocated (and counted) after dispose().
      this.vars.set(p.name, tf.tidy(() => tf.variable(tf.tensor(init, p.shape), true, this.prefix + p.name)));
    }
  }

  op(id: ValueId): Op {
    return this.ops.get(id)!;
  }

  /**
   * Hyperfan initialisation (Chang et al. 2020): a head's last layer is drawn so that each generated weight has
   * the variance its target asks for, given E[h²] of the layer's input measured on real batches.
   */
  initHyperfan(samples: Feeds[]): void {
    const rng = new Rng(this.seed).fork('hyperfan');
    for (const p of this.program.params) {
      if (p.init.kind !== 'hyperfan') continue;
      const init = p.init;
      // E[h²] over every element of the input and, for product blocks, E[‖h‖⁴] over its rows.
      const [m2, m4] = tf.tidy(() => {
        let total = 0;
        let total4 = 0;
        for (const feeds of samples) {
          const h = this.evaluate(feeds, [init.input], { training: false, step: 0 }).get(init.input)!;
          total += tf.mean(tf.square(h)).dataSync()[0];
          total4 += tf.mean(tf.square(tf.sum(tf.square(h), -1))).dataSync()[0];
        }
        return [total / samples.length, total4 / samples.length];
      });
      const scale = Number.isFinite(m2) && m2 > 1e-12 ? m2 : 1;
      // sqrt(E[‖h‖⁴]) stands where fanIn·E[h²] = E[‖h‖²] does for an ordinary block.
      const scale4 = Number.isFinite(m4) && m4 > 1e-24 ? Math.sqrt(m4) : init.fanIn * scale;
      // A chunked head: the chunk embeddings are scaled first; the columns then share one scale.
      const global = init.chunks ? this.scaleChunkEmbeddings(init as ChunkedHyperfan, samples) : undefined;
      const [rows, cols] = p.shape;
      const values = new Float32Array(rows * cols);
      const r = rng.fork(p.name);
      let col = 0;
      for (const b of init.blocks) {
        const std = Math.sqrt(global !== undefined ? b.variance * global : b.variance / (b.product ? scale4 : init.fanIn * scale));
        for (let i = 0; i < rows; i++) for (let j = col; j < col + b.size; j++) values[i * cols + j] = std === 0 ? 0 : std * r.normal();
        col += b.size;
      }
      const v = this.vars.get(p.name)!;
      tf.tidy(() => v.assign(tf.tensor(values, p.shape)));
    }
  }

  /**
   * Chunked hyperfan (hypnettorch's apply_chunked_hyperfan_init, solved on the measured batches rather than by
   * its closed form): row c of the chunk embeddings is scaled by s_c so that E‖h_c‖², h_c the shared last
   * layer's input for chunk c, makes chunk c's outputs start at the variance aimed for. The last layer's one
   * scale G is chosen first so that every chunk's aim is reachable: at least twice the floor E‖h_c‖² with a zero
   * embedding (what the context alone gives). Then a few multiplicative fixed-point steps, all chunks at once, on
   * s_c² (E‖h_c‖² is close to affine in s_c²). Returns G; the embeddings are left scaled.
   */
  private scaleChunkEmbeddings(init: ChunkedHyperfan, samples: Feeds[]): number {
    const want = expandBlocks(init.chunks.blocks);
    const emb = this.vars.get(init.chunks.embeddings)!;
    const base = tf.clone(emb);
    try {
      const measure = (s2: Float64Array): Float64Array => {
        const scales = Float32Array.from(s2, Math.sqrt);
        tf.tidy(() => emb.assign(tf.mul(base, tf.tensor2d(scales, [scales.length, 1]))));
        const q = new Float64Array(want.length);
        for (const feeds of samples)
          tf.tidy(() => {
            const h = this.evaluate(feeds, [init.input], { training: false, step: 0 }).get(init.input)!;
            const perChunk = tf.mean(tf.sum(tf.square(h), -1), 0).dataSync();
            for (let c = 0; c < q.length; c++) q[c] += perChunk[c] / samples.length;
          });
        return q;
      };
      const s2 = new Float64Array(want.length).fill(1);
      if (!samples.length) return 1 / Math.max(1, init.fanIn);
      const q1 = measure(s2);
      const q0 = measure(new Float64Array(want.length));
      const global = chunkGlobalScale(want, q0, q1, init.fanIn);
      let q = q1;
      for (let it = 0; it < CHUNK_STEPS; it++) {
        chunkStep(s2, q, q0, want, global);
        q = measure(s2);
      }
      return global;
    } finally {
      base.dispose();
    }
  }

  /** Values of `wanted`, computing only the ops they depend on. Call inside tf.tidy. */
  evaluate(feeds: Feeds, wanted: ValueId[], opts: EvalOptions): Map<ValueId, tf.Tensor> {
    const values = new Map<ValueId, tf.Tensor>();
    for (const op of this.plan(wanted)) values.set(op.id, this.run(op, values, feeds, opts));
    return values;
  }

  /**
   * Evaluate op by op and report the first op whose output holds NaN or Inf (the origin of a divergence).
   * Slow (a sync per op); only used once something already went wrong.
   */
  firstNonFinite(feeds: Feeds, wanted: ValueId[], opts: EvalOptions): Op | undefined {
    let found: Op | undefined;
    tf.tidy(() => {
      const values = new Map<ValueId, tf.Tensor>();
      for (const op of this.plan(wanted)) {
        const v = this.run(op, values, feeds, opts);
        values.set(op.id, v);
        if (v.dtype === 'float32' && !tf.all(tf.isFinite(v)).dataSync()[0]) {
          found = op;
          return;
        }
      }
    });
    return found;
  }

  private plan(wanted: ValueId[]): Op[] {
    const key = wanted.join('\n');
    let plan = this.plans.get(key);
    if (!plan) {
      const need = new Set<ValueId>();
      const stack = [...wanted];
      while (stack.length) {
        const id = stack.pop()!;
        if (need.has(id)) continue;
        need.add(id);
        for (const i of this.ops.get(id)?.inputs ?? []) if (i) stack.push(i);
      }
      plan = this.program.ops.filter((o) => need.has(o.id));
      this.plans.set(key, plan);
    }
    return plan;
  }

  private run(op: Op, values: Map<ValueId, tf.Tensor>, feeds: Feeds, opts: EvalOptions): tf.Tensor {
    const input = (i: number) => values.get(op.inputs[i]!)!;
    const maybe = (i: number) => (op.inputs[i] ? values.get(op.inputs[i]!)! : null);
    const opSeed = () => hashSeed(this.seed, opts.step, op.id);
    switch (op.op) {
      case 'input': {
        const v = feeds[op.name];
        if (!v) throw new Error(`no ${op.name} fed to ${op.id}`);
        return v;
      }
      case 'param':
        return this.vars.get(op.name)!;
      case 'linear': {
        const x = input(0);
        const w = input(1);
        const b = maybe(2);
        let y: tf.Tensor;
        if (op.perSample) y = x.rank === 3 ? tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D) : tf.squeeze(tf.matMul(tf.expandDims(x, 1) as tf.Tensor3D, w as tf.Tensor3D), [1]);
        else if (x.rank === 2) y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
        else {
          const inDim = x.shape[x.rank - 1];
          const flat = tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w as tf.Tensor2D);
          y = tf.reshape(flat, [...x.shape.slice(0, -1), w.shape[1]!]);
        }
        // A per-sample bias [B, out] over points [B, P, out] is the same for every point.
        return b ? tf.add(y, channels(b, y.rank)) : y;
      }
      case 'matmul':
        return tf.matMul(input(0), input(1), false, op.transposeB);
      case 'add':
        return tf.add(input(0), input(1));
      case 'sub':
        return tf.sub(input(0), input(1));
      case 'mul':
        return tf.mul(input(0), input(1));
      case 'scale':
        return tf.add(tf.mul(input(0), op.factor), op.offset);
      case 'activation':
        return activation(input(0), op.fn, op.w0);
      case 'reshape':
        return tf.reshape(input(0), op.shape.map((d) => (d === 'B' ? -1 : d)));
      case 'transpose':
        return tf.transpose(input(0), op.perm);
      case 'slice': {
        const x = input(0);
        const begin = x.shape.map((_, i) => (i === op.axis ? op.begin : 0));
        const sz = x.shape.map((_, i) => (i === op.axis ? op.size : -1));
        return tf.slice(x, begin, sz);
      }
      case 'concat':
        return tf.concat(op.inputs.map((_, i) => input(i)), op.axis);
      case 'broadcastBatch': {
        const a = input(0);
        return tf.tile(a, [input(1).shape[0], ...a.shape.slice(1).map(() => 1)]);
      }
      case 'pairRows': {
        const a = input(0);
        const b = input(1);
        const [n, d] = a.shape;
        const [m, e] = b.shape;
        const left = tf.tile(tf.reshape(a, [n, 1, d]), [1, m, 1]);
        const right = tf.tile(tf.reshape(b, [1, m, e]), [n, 1, 1]);
        return tf.concat([left, right], 2);
      }
      case 'conv2d': {
        const y = conv2d(input(0) as tf.Tensor4D, input(1) as tf.Tensor4D, op.strides, op.padding);
        const b = maybe(2);
        return b ? tf.add(y, b) : y;
      }
      case 'pool':
        return op.kind === 'max'
          ? tf.maxPool(input(0) as tf.Tensor4D, op.size, op.strides, op.padding)
          : tf.avgPool(input(0) as tf.Tensor4D, op.size, op.strides, op.padding);
      case 'layerNorm': {
        const x = input(0);
        const { mean, variance } = tf.moments(x, -1, true);
        const norm = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, op.epsilon)));
        return tf.add(tf.mul(norm, channels(input(1), x.rank)), channels(input(2), x.rank));
      }
      case 'film': {
        const x = input(0);
        return tf.add(tf.mul(x, channels(input(1), x.rank)), channels(input(2), x.rank));
      }
      case 'dropout':
        return opts.training && op.rate > 0 ? tf.dropout(input(0), op.rate, undefined, opSeed()) : input(0);
      case 'embedding': {
        // The row is picked with a one-hot product, not tf.gather: gather's gradient needs the
        // UnsortedSegmentSum kernel, which the wasm backend does not have (training crashed there).
        // The one-hot is made int32 and cast: wasm's OneHot with dtype float32 writes integer bit patterns.
        const table = input(0);
        // A one-row table (a single-task dataset) is its own row; tf.oneHot needs a depth of at least 2.
        if (table.shape[0] === 1) return table;
        return tf.matMul(tf.cast(tf.oneHot(tf.cast(input(1), 'int32'), table.shape[0]), 'float32'), table);
      }
      case 'noise': {
        const like = maybe(0);
        const shape = op.shape.map((d) => (d === 'B' ? like!.shape[0] : d));
        return opts.training && op.std > 0 ? tf.randomNormal(shape, 0, op.std, 'float32', opSeed()) : tf.zeros(shape);
      }
      case 'constant':
        return tf.tensor(op.value, op.shape as number[]);
      case 'grid':
        return pixelGrid(op.height, op.width);
      case 'crossEntropy': {
        const logits = input(0);
        const labels = input(1);
        const k = logits.shape[1]!;
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, k), tf.logSoftmax(logits)), -1)));
      }
      case 'mse':
        return tf.mean(tf.squaredDifference(input(0), input(1)));
      case 'bce': {
        const z = tf.reshape(input(0), [-1]);
        const y = tf.cast(tf.reshape(input(1), [-1]), 'float32');
        return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
      }
      case 'meanSquare':
        return tf.mean(tf.square(input(0)));
      case 'accuracy':
        return tf.mean(tf.cast(tf.equal(tf.argMax(input(0), -1), tf.cast(input(1), 'int32')), 'float32'));
      case 'binaryAccuracy': {
        const predicted = tf.cast(tf.greater(tf.reshape(input(0), [-1]), 0), 'int32');
        return tf.mean(tf.cast(tf.equal(predicted, tf.cast(tf.reshape(input(1), [-1]), 'int32')), 'float32'));
      }
      case 'psnr': {
        const d = tf.squaredDifference(input(0), input(1));
        const mse = tf.mean(tf.reshape(d, [d.shape[0] ?? 1, -1]), 1);
        const peak2 = op.peak * op.peak;
        return tf.mean(tf.mul(tf.log(tf.div(peak2, tf.maximum(mse, 1e-10 * peak2))), 10 / Math.LN10));
      }
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** The (row, column) of every pixel of a height x width image, row-major, each in [-1, 1]: [1, height·width, 2]. */
function pixelGrid(height: number, width: number): tf.Tensor {
  const at = (i: number, n: number) => (n === 1 ? 0 : -1 + (2 * i) / (n - 1));
  const values = new Float32Array(height * width * 2);
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      values[(r * width + c) * 2] = at(r, height);
      values[(r * width + c) * 2 + 1] = at(c, width);
    }
  return tf.tensor(values, [1, height * width, 2]);
}

/** A per-channel parameter [C] or per-sample [B, C], shaped to broadcast over x of the given rank. */
function channels(p: tf.Tensor, rank: number): tf.Tensor {
  if (p.rank === 1 || rank === 2) return p;
  return tf.reshape(p, [p.shape[0], ...Array(rank - 2).fill(1), p.shape[1]]);
}

function activation(x: tf.Tensor, fn: string, w0: number): tf.Tensor {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'gelu':
      // The exact (erf) form, as PyTorch's default.
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    case 'sin':
      return tf.sin(w0 === 1 ? x : tf.mul(x, w0));
    case 'elu':
      return tf.elu(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, 0.01);
    case 'softplus':
      return tf.softplus(x);
    default:
      return x;
  }
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function initialValues(p: ParamSpec, init: Init, rng: Rng): Float32Array {
  const out = new Float32Array(size(p.shape));
  switch (init.kind) {
    case 'ones':
      out.fill(1);
      break;
    case 'normal':
      for (let i = 0; i < out.length; i++) out[i] = init.std * rng.normal();
      break;
    case 'uniform':
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-init.limit, init.limit);
      break;
    default:
      break;
  }
  return out;
}

/** A 31-bit seed for (run seed, step, op): stable across runs, different for every random op and step. */
function hashSeed(seed: number, step: number, id: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  h = Math.imul(h ^ step, 0x01000193) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}
