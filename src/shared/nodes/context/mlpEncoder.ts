import { z } from 'zod';
import type { Activation } from '../../compiler/ir';
import { ActivationName, HiddenSizes, contextShape, hiddenInit, lowerMlp } from '../common';
import { defineNode } from '../types';

/** An MLP over a tensor: over x it makes the hypernetwork input-conditioned (one weight set per sample). */
export const MlpEncoder = defineNode({
  id: 'context.mlp_encoder',
  category: 'context',
  title: 'MLP encoder',
  doc: 'Encodes a [N, d] tensor into a [N, out] context. Fed with the data\'s x it gives per-sample weights; fed with a [1, d] descriptor it gives per-task weights.',
  params: z.object({
    hidden: HiddenSizes.default([32]).meta({ ui: { label: 'hidden sizes' } }),
    activation: ActivationName.default('relu'),
    outDim: z.number().int().min(1).max(65_536).default(16).meta({ ui: { label: 'output size', key: true } }),
  }),
  inputs: () => [{ name: 'x', kind: 'tensor', doc: 'Input [N, d].' }],
  outputs: () => [{ name: 'context', kind: 'tensor', doc: 'Context [N, out].' }],
  infer: (ctx) => {
    const { batch } = contextShape(ctx, 'x');
    return { context: { kind: 'tensor', shape: [batch, ctx.params.outDim], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const info = ctx.info('x');
    if (info.kind !== 'tensor') return ctx.fail('HN022', 'x must be a tensor', 'x');
    const p = ctx.params;
    const trunk = lowerMlp(ctx, ctx.input('x'), info.shape, p.hidden, p.activation as Activation, 'hidden');
    const fanIn = trunk.shape[1] as number;
    const w = ctx.param('out.weight', [fanIn, p.outDim], hiddenInit(fanIn, 'linear'));
    const b = ctx.param('out.bias', [p.outDim], { kind: 'zeros' });
    return { context: ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, b], [trunk.shape[0], p.outDim], 'context') };
  },
});
