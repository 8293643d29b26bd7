/**
 * Initial parameter values, as the engine and the TypeScript export both draw them: zeros, ones, normal and
 * uniform from the seeded generator, and hyperfan initialisation (Chang, Sacramento & Zhang 2020) of heads'
 * last layers, measured on real batches. The engine calls these same functions (src/main/engine/runtime.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CHUNK_STEPS, S2_MAX, S2_MIN } from './constants.ts';
import { readScalars, readValues } from './read.ts';
import { Rng } from './rng.ts';
import type { Init, ParamSpec } from './types.ts';

type Hyperfan = Extract<Init, { kind: 'hyperfan' }>;
type Chunks = NonNullable<Hyperfan['chunks']>;

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** zeros, ones, normal(0, std) or uniform(-limit, limit), drawn from rng; a hyperfan parameter starts at zero. */
export function initialValues(p: Pick<ParamSpec, 'shape' | 'init'>, rng: Rng): Float32Array {
  const out = new Float32Array(size(p.shape));
  const init = p.init;
  if (init.kind === 'ones') out.fill(1);
  else if (init.kind === 'normal') for (let i = 0; i < out.length; i++) out[i] = init.std * rng.normal();
  else if (init.kind === 'uniform') for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-init.limit, init.limit);
  return out;
}

/** Every parameter's starting values for a seed, by name (each parameter draws from its own fork of the stream). */
export function startingValues(specs: readonly ParamSpec[], seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed).fork('init');
  return new Map(specs.map((p) => [p.name, initialValues(p, rng.fork(p.name))]));
}

/**
 * The value a hyperfan initialisation measures, for one batch: the input of a head's last layer (called inside
 * tf.tidy; the caller's variables are read as they are when it is called).
 */
export type Measure<B> = (batch: B, value: string) => tf.Tensor;

/**
 * Hyperfan initialisation: each head's last layer is drawn so that each generated weight starts with the
 * variance its target asks for, given E[h²] of the layer's input measured on `batches` (and, for low-rank
 * factor blocks, whose product scales with ‖h‖⁴, E[‖h‖⁴] over rows). Assigns the variables in place.
 */
export async function initHyperfan<B>(
  vars: ReadonlyMap<string, tf.Variable> | Record<string, tf.Variable>,
  specs: readonly ParamSpec[],
  seed: number,
  batches: readonly B[],
  measure: Measure<B>,
): Promise<void> {
  const variable = (name: string): tf.Variable => {
    const v = vars instanceof Map ? vars.get(name) : (vars as Record<string, tf.Variable>)[name];
    if (!v) throw new Error(`no parameter ${name} to initialise`);
    return v;
  };
  const rng = new Rng(seed).fork('hyperfan');
  for (const p of specs) {
    const init = p.init;
    if (init.kind !== 'hyperfan') continue;
    let total = 0;
    let total4 = 0;
    for (const batch of batches) {
      const m = await readScalars(() => {
        const h = measure(batch, init.input);
        return { m2: tf.mean(tf.square(h)), m4: tf.mean(tf.square(tf.sum(tf.square(h), -1))) };
      });
      total += m.m2;
      total4 += m.m4;
    }
    const m2 = batches.length ? total / batches.length : 1;
    const m4 = batches.length ? total4 / batches.length : 0;
    const scale = Number.isFinite(m2) && m2 > 1e-12 ? m2 : 1;
    // sqrt(E[‖h‖⁴]) stands where fanIn·E[h²] = E[‖h‖²] does for an ordinary block.
    const scale4 = Number.isFinite(m4) && m4 > 1e-24 ? Math.sqrt(m4) : init.fanIn * scale;
    // A chunked head: the chunk embeddings are scaled first; the columns then share one scale.
    const global = init.chunks ? await scaleChunkEmbeddings(variable(init.chunks.embeddings), init, init.chunks, batches, measure) : undefined;
    const [rows, cols] = p.shape;
    const values = new Float32Array(rows * cols);
    const r = rng.fork(p.name);
    let col = 0;
    for (const [blockSize, variance, product] of init.blocks) {
      const std = Math.sqrt(global !== undefined ? variance * global : variance / (product ? scale4 : init.fanIn * scale));
      for (let i = 0; i < rows; i++) for (let j = col; j < col + blockSize; j++) values[i * cols + j] = std === 0 ? 0 : std * r.normal();
      col += blockSize;
    }
    const v = variable(p.name);
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
async function scaleChunkEmbeddings<B>(emb: tf.Variable, init: Hyperfan, chunks: Chunks, batches: readonly B[], measure: Measure<B>): Promise<number> {
  const want: number[] = [];
  for (const [n, variance] of chunks.blocks) for (let i = 0; i < n; i++) want.push(variance);
  if (!batches.length) return 1 / Math.max(1, init.fanIn);
  const base = tf.clone(emb);
  try {
    const measureChunks = async (s2: Float64Array): Promise<Float64Array> => {
      const scales = Float32Array.from(s2, Math.sqrt);
      tf.tidy(() => emb.assign(tf.mul(base, tf.tensor2d(scales, [scales.length, 1]))));
      const q = new Float64Array(want.length);
      for (const batch of batches) {
        const [perChunk] = await readValues(() => [tf.mean(tf.sum(tf.square(measure(batch, init.input)), -1), 0)]);
        for (let c = 0; c < q.length; c++) q[c] += perChunk[c] / batches.length;
      }
      return q;
    };
    const s2 = new Float64Array(want.length).fill(1);
    const q1 = await measureChunks(s2);
    const q0 = await measureChunks(new Float64Array(want.length));
    const global = chunkGlobalScale(want, q0, q1, init.fanIn);
    let q = q1;
    for (let it = 0; it < CHUNK_STEPS; it++) {
      chunkStep(s2, q, q0, want, global);
      q = await measureChunks(s2);
    }
    return global;
  } finally {
    base.dispose();
  }
}

/**
 * The shared last layer's scale G (variance per unit of E‖h‖² and column factor): the mean aim over the mean
 * E‖h_c‖² at the embeddings' own scale, lowered where a chunk's aim would fall below twice its floor q0_c.
 */
function chunkGlobalScale(want: readonly number[], q0: Float64Array, q1: Float64Array, fanIn: number): number {
  let sumWant = 0;
  let sumQ = 0;
  for (let c = 0; c < want.length; c++) [sumWant, sumQ] = [sumWant + want[c], sumQ + q1[c]];
  let g = sumWant / sumQ;
  for (let c = 0; c < want.length; c++) if (q0[c] > 0 && want[c] > 0) g = Math.min(g, want[c] / (2 * q0[c]));
  return Number.isFinite(g) && g > 0 ? g : 1 / Math.max(1, fanIn);
}

/** One step: s_c² ← s_c² · (aim_c/G − q0_c) / (q_c − q0_c), by at most 100× either way. */
function chunkStep(s2: Float64Array, q: Float64Array, q0: Float64Array, want: readonly number[], global: number): void {
  for (let c = 0; c < s2.length; c++) {
    const aim = want[c] / global - q0[c];
    const got = q[c] - q0[c];
    const ratio = got > 0 && aim > 0 ? aim / got : aim > 0 ? 100 : 0.01;
    s2[c] = Math.min(S2_MAX, Math.max(S2_MIN, s2[c] * Math.min(100, Math.max(0.01, ratio))));
  }
}
