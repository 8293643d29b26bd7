import { z } from 'zod';
import { defineNode } from '../types';
import { requireBatchFor, weightPort, xInput, yOutput } from './common';

export const FilmApply = defineNode({
  id: 'target.film',
  category: 'target',
  title: 'FiLM apply',
  doc: 'Feature-wise modulation `y = x·scale + shift` along the last axis (channels). Wire a FiLM head\'s `scale` and `shift` to condition a network; unwired, they are learned (starting at 1 and 0).',
  params: z.object({}),
  inputs: () => [xInput, weightPort('scale', 'Per-channel scale [C].'), weightPort('shift', 'Per-channel shift [C].')],
  outputs: () => [yOutput],
  weights: (_p, ctx) => {
    const { shape } = ctx.tensor('x');
    const c = shape[shape.length - 1] as number;
    return [
      { port: 'scale', shape: [c], init: 'ones', fanIn: c, fanOut: c },
      { port: 'shift', shape: [c], init: 'zeros', fanIn: c, fanOut: c },
    ];
  },
  infer: (ctx) => {
    const t = ctx.tensor('x');
    if (t.shape.length < 2) ctx.fail('HN030', `expects [N, ..., C], got [${t.shape.join(', ')}]`, 'x');
    return { y: { kind: 'tensor', shape: t.shape, dtype: 'float32' } };
  },
  lower: (ctx) => {
    const info = ctx.info('x');
    const shape = info.kind === 'tensor' ? info.shape : [];
    const scale = ctx.weight('scale');
    const shift = ctx.weight('shift');
    requireBatchFor(ctx, scale.perSample, shape, 'scale');
    requireBatchFor(ctx, shift.perSample, shape, 'shift');
    return { y: ctx.op({ op: 'film' }, [ctx.input('x'), scale.value, shift.value], shape, 'y') };
  },
});
