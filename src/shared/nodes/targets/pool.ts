import { z } from 'zod';
import { defineNode } from '../types';
import { inputOfRank, xInput, yOutput } from './common';

export const Pool = defineNode({
  id: 'target.pool',
  category: 'target',
  title: 'Pool',
  doc: 'Max or average pooling over images [N, H, W, C].',
  params: z.object({
    kind: z.enum(['max', 'avg']).default('max').meta({ ui: { key: true } }),
    size: z.number().int().min(1).max(64).default(2).meta({ ui: { key: true } }),
    strides: z.number().int().min(1).max(64).default(2),
    padding: z.enum(['same', 'valid']).default('valid'),
  }),
  inputs: () => [xInput],
  outputs: () => [yOutput],
  infer: (ctx) => {
    const p = ctx.params;
    const [batch, h, w, c] = inputOfRank(ctx, 4, 'images [N, H, W, C]') as ['B' | 1, number, number, number];
    const out = (n: number) => (p.padding === 'same' ? Math.ceil(n / p.strides) : Math.floor((n - p.size) / p.strides) + 1);
    if (out(h) < 1 || out(w) < 1) ctx.fail('HN030', `a ${p.size}×${p.size} window does not fit the ${h}×${w} input`, 'x');
    return { y: { kind: 'tensor', shape: [batch, out(h), out(w), c], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const y = ctx.info('x');
    const shapeIn = y.kind === 'tensor' ? y.shape : [];
    const [batch, h, w, c] = shapeIn as ['B' | 1, number, number, number];
    const out = (n: number) => (p.padding === 'same' ? Math.ceil(n / p.strides) : Math.floor((n - p.size) / p.strides) + 1);
    return { y: ctx.op({ op: 'pool', kind: p.kind, size: p.size, strides: p.strides, padding: p.padding }, [ctx.input('x')], [batch, out(h), out(w), c], 'y') };
  },
});
