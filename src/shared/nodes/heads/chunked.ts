import { z } from 'zod';
import type { Activation, Init, InitBlock } from '../../compiler/ir';
import { ActivationName, HiddenSizes, InitMode, contextShape, deliverFlat, fanInInit, lowerMlp, xavierInit, mergeBlocks, requireRoutes, routeSize, routesSize, targetVariance } from '../common';
import { defineNode, type Route } from '../types';
import { headInputs, headOutputs } from './mlpCore';

/**
 * How chunked hyperfan sets each element's scale. per_tensor: chunk embeddings and the shared last layer's column
 * stds fitted together, so every generated tensor starts at its own std. per_chunk: hypnettorch's scheme, the
 * chunk embeddings only (each chunk at the mean target of its elements, columns alike).
 */
export const ChunkInit = z
  .enum(['per_tensor', 'per_chunk'])
  .default('per_tensor')
  .meta({
    ui: {
      label: 'chunked init',
      help: "per_tensor: every generated tensor starts at its target's std (chunk embeddings and the last layer's columns fitted together). per_chunk: hypnettorch's apply_chunked_hyperfan_init (chunk embeddings only; a tensor sharing a chunk gets the chunk's mean).",
    },
  });
export type ChunkInit = z.infer<typeof ChunkInit>;

/**
 * hypnettorch's ChunkedHMLP: one small MLP, shared by all chunks, maps (context, chunk embedding) to a chunk of
 * `chunkSize` weights; the chunks laid end to end (the last one cut) are the generated weights. Because the MLP
 * is shared, the head can have fewer parameters than the weights it generates (compression ratio below 1).
 */
export const ChunkedHead = defineNode({
  id: 'head.chunked',
  category: 'head',
  title: 'Chunked head',
  doc:
    'Generates the weights in chunks: a shared MLP maps (context, learned chunk embedding) to `chunkSize` weights, once per chunk (von Oswald et al. 2020; hypnettorch ChunkedHMLP). Use it to generate large targets with a small hypernetwork. ' +
    'Hyperfan initialisation is chunked (hypnettorch apply_chunked_hyperfan_init): each chunk embedding is scaled, on real batches at initialisation, so that its chunk starts at the variance of the weights it holds; with chunked init per_tensor (the default) the last layer\'s column stds are fitted alongside, so that a small tensor sharing a chunk with a big one still starts at its own std. ' +
    'A bias in a chunk shared with kernel entries cannot start at exactly zero: it aims for PyTorch\'s default bias variance 1/(3·fanIn) instead.',
  params: z.object({
    chunkSize: z.number().int().min(1).max(1_000_000).default(256).meta({ ui: { label: 'chunk size', key: true } }),
    chunkEmbeddingDim: z.number().int().min(1).max(4096).default(8).meta({ ui: { label: 'chunk embedding size' } }),
    hidden: HiddenSizes.default([64]).meta({ ui: { label: 'hidden sizes' } }),
    activation: ActivationName.default('relu'),
    init: InitMode,
    chunkInit: ChunkInit,
  }),
  inputs: headInputs,
  outputs: headOutputs,
  infer: (ctx) => {
    const { batch } = contextShape(ctx);
    const routes = requireRoutes(ctx, 'weights');
    return { weights: { kind: 'weights', perSample: batch === 'B', size: routesSize(routes) } };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('context');
    if (info.kind !== 'tensor') return ctx.fail('HN022', 'context must be a tensor', 'context');
    const [batch, dim] = info.shape;
    const routes = ctx.routes('weights');
    const total = routesSize(routes);
    const chunks = Math.ceil(total / p.chunkSize);
    const emb = ctx.param('chunk_embeddings', [chunks, p.chunkEmbeddingDim], { kind: 'normal', std: 1 });
    const pairs = ctx.op({ op: 'pairRows' }, [ctx.input('context'), emb], [batch, chunks, (dim as number) + p.chunkEmbeddingDim], 'pairs');
    const trunk = lowerMlp(ctx, pairs, [batch, chunks, (dim as number) + p.chunkEmbeddingDim], p.hidden, p.activation as Activation, 'hidden', 'hyper', p.init);
    const fanIn = trunk.shape[2] as number;
    const w = ctx.param('out.weight', [fanIn, p.chunkSize], chunkedLastLayerInit(p.init, p.chunkInit, trunk.value, fanIn, `${ctx.id}.chunk_embeddings`, routes, p.chunkSize));
    const b = ctx.param('out.bias', [p.chunkSize], { kind: 'zeros' });
    const out = ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, b], [batch, chunks, p.chunkSize], 'out');
    const joined = ctx.op({ op: 'reshape' }, [out], [batch, chunks * p.chunkSize], 'chunks');
    const flat = ctx.op({ op: 'slice', axis: 1, begin: 0, size: total }, [joined], [batch, total], 'flat');
    deliverFlat(ctx, flat, batch, routes, 'weights');
    return { weights: flat };
  },
});

/**
 * The shared last layer's initialiser: chunked hyperfan (the chunk embeddings scaled per chunk), plain fan-in, or
 * hypercl's Glorot-uniform (the chunk embeddings then stay N(0, 1), as hypercl draws them).
 */
function chunkedLastLayerInit(mode: InitMode, fit: ChunkInit, input: string, fanIn: number, embeddings: string, routes: readonly Route[], chunkSize: number): Init {
  if (mode === 'plain') return fanInInit(fanIn);
  if (mode === 'xavier') return xavierInit(fanIn, chunkSize);
  const { columns, chunks } = chunkedTargets(routes, chunkSize, mode, fit);
  return { kind: 'hyperfan', input, fanIn, blocks: columns, chunks: { embeddings, blocks: chunks } };
}

/**
 * What each generated element of a chunked head aims for: the variance its target asks (hyperfan-in/out), and for
 * constant-initialised ones (biases, FiLM scale and shift), which share chunks with kernel entries and so cannot
 * start at exactly their constant, PyTorch's default bias variance 1/(3·fanIn) (as hypnettorch does).
 */
export function chunkedElementVariance(r: Route, mode: InitMode): number {
  return r.init === 'fan' ? targetVariance(r, mode) : 1 / (3 * Math.max(1, r.fanIn));
}

/**
 * Element (c, j) of a chunked head's output, chunk c's column j, starts with variance `columns[j] · chunks[c]`:
 * chunk c's part is set by scaling chunk embedding c (hypnettorch's chunked hyperfan init, which makes each
 * chunk's variance the weighted mean of its elements' targets), column j's by the std of the shared last layer's
 * column j. The two factors are fitted to every route's target at once (alternating weighted means, each route
 * weighing as much as any other whatever its size), so a bias sharing a chunk with kernel entries can still start
 * near its own variance: the columns it sits in start smaller, in every chunk, by a little, in the big routes.
 * Column factors have mean 1. Run-length blocks, columns then chunks in order.
 */
/** Weight of keeping elements near their own target, against meeting every route's mean (see chunkedTargets). */
const LAMBDA = 0.05;
const FIT_STEPS = 1000;

export function chunkedTargets(
  routes: readonly Route[],
  chunkSize: number,
  mode: InitMode,
  fit: ChunkInit = 'per_tensor',
): { columns: InitBlock[]; chunks: InitBlock[] } {
  const S = chunkSize;
  // Pieces: a run of `count` chunks from `chunk`, columns [col0, col1), all of one route.
  interface Piece { route: number; group: number; col0: number; col1: number; variance: number; weight: number }
  const groups: { chunk: number; count: number; pieces: Piece[] }[] = [];
  const partial = new Map<number, number>();
  const groupOf = (chunk: number) => {
    let g = partial.get(chunk);
    if (g === undefined) partial.set(chunk, (g = groups.push({ chunk, count: 1, pieces: [] }) - 1));
    return g;
  };
  let pos = 0;
  routes.forEach((r, route) => {
    const n = routeSize(r);
    if (n === 0) return;
    const variance = chunkedElementVariance(r, mode);
    const weight = 1 / n;
    const end = pos + n;
    while (pos < end) {
      const chunk = Math.floor(pos / S);
      const col0 = pos - chunk * S;
      if (col0 === 0 && end - pos >= 2 * S) {
        const count = Math.floor((end - pos) / S);
        const g = groups.push({ chunk, count, pieces: [] }) - 1;
        groups[g].pieces.push({ route, group: g, col0: 0, col1: S, variance, weight });
        pos += count * S;
      } else {
        const col1 = Math.min(S, col0 + end - pos);
        const g = groupOf(chunk);
        groups[g].pieces.push({ route, group: g, col0, col1, variance, weight });
        pos += col1 - col0;
      }
    }
  });
  const pieces = groups.flatMap((g) => g.pieces);
  // Column intervals on which the column factor is constant.
  const bounds = [...new Set([0, S, ...pieces.flatMap((p) => [p.col0, p.col1])])].sort((a, b) => a - b);
  const len = bounds.slice(1).map((b, k) => b - bounds[k]);
  const at = new Map(bounds.map((b, k) => [b, k]));
  const span = pieces.map((p) => [at.get(p.col0)!, at.get(p.col1)!] as const);
  // Log-space factors: column interval k has log a_k, chunk group g log v_g. Start from hypnettorch's heuristic
  // (a ≡ 1, each chunk at the mean target of its elements), then descend on
  //   Σ_routes (log mean variance − log target)²  +  λ · Σ_elements w (log a_j + log v_c − log target)²,
  // w = 1/size of the element's route: every route's std first, and as few elements as possible far from theirs.
  const K = len.length;
  const G = groups.length;
  const x = new Float64Array(K + G);
  groups.forEach((g, i) => {
    let num = 0;
    let den = 0;
    for (const p of g.pieces) [num, den] = [num + p.variance * (p.col1 - p.col0), den + (p.col1 - p.col0)];
    x[K + i] = Math.log(num / den);
  });
  const logT = pieces.map((p) => Math.log(p.variance));
  const size = routes.map(routeSize);
  const target = routes.map((r) => Math.log(chunkedElementVariance(r, mode)));
  const grad = new Float64Array(K + G);
  const m1 = new Float64Array(K + G);
  const m2 = new Float64Array(K + G);
  const ea = new Float64Array(K);
  const prefA = new Float64Array(K + 1); // Σ a_k·len_k over intervals below
  const prefX = new Float64Array(K + 1); // Σ log a_k·len_k
  const coefA = new Float64Array(K + 1); // difference arrays over intervals
  const coefL = new Float64Array(K + 1);
  const coefB = new Float64Array(K + 1);
  for (let it = 1; it <= (fit === 'per_tensor' ? FIT_STEPS : 0); it++) {
    grad.fill(0);
    for (let k = 0; k < K; k++) {
      ea[k] = Math.exp(x[k]);
      prefA[k + 1] = prefA[k] + ea[k] * len[k];
      prefX[k + 1] = prefX[k] + x[k] * len[k];
    }
    const mean = new Float64Array(routes.length);
    const contrib = pieces.map((p, i) => {
      const c = (groups[p.group].count * Math.exp(x[K + p.group]) * (prefA[span[i][1]] - prefA[span[i][0]])) / size[p.route];
      mean[p.route] += c;
      return c;
    });
    const err = Array.from(mean, (m, r) => (m > 0 ? (2 * (Math.log(m) - target[r])) / m : 0));
    coefA.fill(0);
    coefL.fill(0);
    coefB.fill(0);
    pieces.forEach((p, i) => {
      const count = groups[p.group].count;
      const [k0, k1] = span[i];
      const e = err[p.route];
      const w = (2 * LAMBDA * count) / size[p.route];
      const d = x[K + p.group] - logT[i];
      grad[K + p.group] += e * contrib[i] + w * (prefX[k1] - prefX[k0] + d * (p.col1 - p.col0));
      const c = (e * count * Math.exp(x[K + p.group])) / size[p.route];
      coefA[k0] += c;
      coefA[k1] -= c;
      coefL[k0] += w;
      coefL[k1] -= w;
      coefB[k0] += w * d;
      coefB[k1] -= w * d;
    });
    let [cA, cL, cB] = [0, 0, 0];
    for (let k = 0; k < K; k++) {
      [cA, cL, cB] = [cA + coefA[k], cL + coefL[k], cB + coefB[k]];
      grad[k] += len[k] * (cA * ea[k] + cL * x[k] + cB);
    }
    // Adam (deterministic, float64): the two terms differ in scale by orders of magnitude between graphs.
    for (let i = 0; i < K + G; i++) {
      m1[i] = 0.9 * m1[i] + 0.1 * grad[i];
      m2[i] = 0.999 * m2[i] + 0.001 * grad[i] * grad[i];
      x[i] -= (0.05 * (m1[i] / (1 - 0.9 ** it))) / (Math.sqrt(m2[i] / (1 - 0.999 ** it)) + 1e-12);
    }
    // Only products a_j·v_c matter: keep the column factors' (length-weighted) geometric mean at 1.
    let shift = 0;
    for (let k = 0; k < K; k++) shift += (x[k] * len[k]) / S;
    for (let k = 0; k < K; k++) x[k] -= shift;
    for (let g = 0; g < G; g++) x[K + g] += shift;
  }
  const a = Array.from(x.subarray(0, K), Math.exp);
  const v = Array.from(x.subarray(K), Math.exp);
  const ordered = groups.map((g, i) => ({ chunk: g.chunk, size: g.count, variance: v[i] })).sort((x, y) => x.chunk - y.chunk);
  return {
    columns: mergeBlocks(len.map((size, k) => ({ size, variance: a[k] }))),
    chunks: mergeBlocks(ordered.map(({ size, variance }) => ({ size, variance }))),
  };
}
