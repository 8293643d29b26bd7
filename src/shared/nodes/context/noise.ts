import { z } from 'zod';
import { defineNode } from '../types';

/** Gaussian noise as a context: a fresh draw every step (zeros at evaluation, the noise's mean). */
export const NoiseContext = defineNode({
  id: 'context.noise',
  category: 'context',
  title: 'Gaussian noise',
  doc: 'A context of Gaussian noise N(0, std²), drawn anew every training step; at evaluation it is its mean, zero. With `like` wired it has one row per sample of that tensor, otherwise one row.',
  params: z.object({
    dim: z.number().int().min(1).max(65_536).default(8).meta({ ui: { label: 'size', key: true } }),
    std: z.number().min(0).max(100).default(1),
  }),
  inputs: () => [{ name: 'like', kind: 'tensor', doc: 'Optional: take the batch size from this tensor.', optional: true }],
  outputs: () => [{ name: 'noise', kind: 'tensor', doc: 'Noise [1, dim] or [B, dim].' }],
  infer: (ctx) => {
    const like = ctx.input('like');
    const batch = like?.kind === 'tensor' ? like.shape[0] : 1;
    return { noise: { kind: 'tensor', shape: [batch, ctx.params.dim], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const like = ctx.has('like') ? ctx.input('like') : null;
    const info = like === null ? undefined : ctx.info('like');
    const batched = info?.kind === 'tensor' && info.shape[0] === 'B';
    return {
      noise: ctx.op({ op: 'noise', std: ctx.params.std }, [like], [batched ? 'B' : 1, ctx.params.dim], 'noise'),
    };
  },
});
