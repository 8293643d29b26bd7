import { z } from 'zod';
import { defineNode } from '../types';

/** Ha et al.'s per-layer embedding z: a free learned vector, one per generated layer. */
export const LearnedVector = defineNode({
  id: 'context.learned_vector',
  category: 'context',
  title: 'Learned vector z',
  doc: 'A learned vector z, [1, dim] (Ha, Dai & Le 2016 use one per generated layer). Generates one weight set shared by every sample and task.',
  params: z.object({
    dim: z.number().int().min(1).max(65_536).default(64).meta({ ui: { label: 'size', key: true } }),
    std: z.number().min(0).max(100).default(1).meta({ ui: { label: 'initial std' } }),
  }),
  inputs: () => [],
  outputs: () => [{ name: 'z', kind: 'tensor', doc: 'The vector, [1, dim].' }],
  infer: (ctx) => ({ z: { kind: 'tensor', shape: [1, ctx.params.dim], dtype: 'float32' } }),
  lower: (ctx) => ({ z: ctx.param('z', [1, ctx.params.dim], { kind: 'normal', std: ctx.params.std }, 'embedding') }),
});
