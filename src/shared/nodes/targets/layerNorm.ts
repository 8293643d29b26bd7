import { z } from 'zod';
import { defineNode } from '../types';
import { requireBatchFor, weightPort, xInput, yOutput } from './common';

export const LayerNorm = defineNode({
  id: 'target.layer_norm',
  category: 'target',
  title: 'Layer norm',
  doc: 'Normalises each sample over its last axis, then scales by `gamma` and shifts by `beta` ([C] each; generate them with a FiLM head for conditional normalisation).',
  params: z.object({ epsilon: z.number().positive().max(1).default(1e-5) }),
  inputs: () => [xInput, weightPort('gamma', 'Scale [C] (starts at 1).'), weightPort('beta', 'Shift [C] (starts at 0).')],
  outputs: () => [yOutput],
  weights: (_p, ctx) => {
    const { shape } = ctx.tensor('x');
    const c = shape[shape.length - 1] as number;
    return [
      { port: 'gamma', shape: [c], init: 'ones', fanIn: c, fanOut: c },
      { port: 'beta', shape: [c], init: 'zeros', fanIn: c, fanOut: c },
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
    const gamma = ctx.weight('gamma');
    const beta = ctx.weight('beta');
    requireBatchFor(ctx, gamma.perSample, shape, 'gamma');
    requireBatchFor(ctx, beta.perSample, shape, 'beta');
    return { y: ctx.op({ op: 'layerNorm', epsilon: ctx.params.epsilon }, [ctx.input('x'), gamma.value, beta.value], shape, 'y') };
  },
});
