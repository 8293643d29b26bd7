import { z } from 'zod';
import type { Activation } from '../../compiler/ir';
import { ActivationName, HiddenSizes, InitMode, contextShape, deliverFlat, lastLayerInit, lowerMlp, requireRoutes, routeSize, routesSize, targetVariance } from '../common';
import { defineNode, type Route } from '../types';
import { headInputs, headOutputs } from './mlpCore';

/**
 * hypnettorch's ChunkedHMLP: one small MLP, shared by all chunks, maps (context, chunk embedding) to a chunk of
 * `chunkSize` weights; the chunks laid end to end (the last one cut) are the generated weights. Because the MLP
 * is shared, the head can have fewer parameters than the weights it generates (compression ratio below 1).
 */
export const ChunkedHead = defineNode({
  id: 'head.chunked',
  category: 'head',
  title: 'Chunked head',
  doc: 'Generates the weights in chunks: a shared MLP maps (context, learned chunk embedding) to `chunkSize` weights, once per chunk (von Oswald et al. 2020; hypnettorch ChunkedHMLP). Use it to generate large targets with a small hypernetwork.',
  params: z.object({
    chunkSize: z.number().int().min(1).max(1_000_000).default(256).meta({ ui: { label: 'chunk size', key: true } }),
    chunkEmbeddingDim: z.number().int().min(1).max(4096).default(8).meta({ ui: { label: 'chunk embedding size' } }),
    hidden: HiddenSizes.default([64]).meta({ ui: { label: 'hidden sizes' } }),
    activation: ActivationName.default('relu'),
    init: InitMode,
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
    const trunk = lowerMlp(ctx, pairs, [batch, chunks, (dim as number) + p.chunkEmbeddingDim], p.hidden, p.activation as Activation, 'hidden');
    const fanIn = trunk.shape[2] as number;
    const w = ctx.param('out.weight', [fanIn, p.chunkSize], lastLayerInit(p.init, trunk.value, fanIn, chunkColumnBlocks(routes, p.chunkSize, p.init)));
    const b = ctx.param('out.bias', [p.chunkSize], { kind: 'zeros' });
    const out = ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, b], [batch, chunks, p.chunkSize], 'out');
    const joined = ctx.op({ op: 'reshape' }, [out], [batch, chunks * p.chunkSize], 'chunks');
    const flat = ctx.op({ op: 'slice', axis: 1, begin: 0, size: total }, [joined], [batch, total], 'flat');
    deliverFlat(ctx, flat, batch, routes, 'weights');
    return { weights: flat };
  },
});

/** Column j of the shared last layer produces element j of every chunk: aim for the mean target variance there. */
function chunkColumnBlocks(routes: readonly Route[], chunkSize: number, mode: z.infer<typeof InitMode>) {
  const sums = new Float64Array(chunkSize);
  const counts = new Float64Array(chunkSize);
  let pos = 0;
  for (const r of routes) {
    const v = targetVariance(r, mode);
    const n = routeSize(r);
    for (let i = 0; i < n; i++, pos++) {
      sums[pos % chunkSize] += v;
      counts[pos % chunkSize] += 1;
    }
  }
  return Array.from(sums, (s, j) => ({ size: 1, variance: counts[j] ? s / counts[j] : 0 }));
}
