import { z } from 'zod';
import { ActivationName } from '../common';
import { defineNode } from '../types';
import { xInput, yOutput } from './common';

export const ActivationLayer = defineNode({
  id: 'target.activation',
  category: 'target',
  title: 'Activation',
  doc: 'An elementwise nonlinearity. `sin` computes sin(ω₀·x) as in SIREN (Sitzmann et al. 2020; ω₀ = 30 there).',
  params: z.object({
    fn: ActivationName.default('relu').meta({ ui: { label: 'function', key: true } }),
    w0: z.number().min(-1e4).max(1e4).default(1).meta({ ui: { label: 'ω₀ (sin only)' } }),
  }),
  inputs: () => [xInput],
  outputs: () => [yOutput],
  infer: (ctx) => {
    const t = ctx.tensor('x');
    return { y: { kind: 'tensor', shape: t.shape, dtype: 'float32' } };
  },
  lower: (ctx) => {
    const info = ctx.info('x');
    const shape = info.kind === 'tensor' ? info.shape : [];
    return { y: ctx.op({ op: 'activation', fn: ctx.params.fn, w0: ctx.params.w0 }, [ctx.input('x')], shape, 'y') };
  },
});
