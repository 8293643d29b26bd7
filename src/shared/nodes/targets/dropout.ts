import { z } from 'zod';
import { defineNode } from '../types';
import { xInput, yOutput } from './common';

export const Dropout = defineNode({
  id: 'target.dropout',
  category: 'target',
  title: 'Dropout',
  doc: 'Zeroes a fraction `rate` of activations during training (scaling the rest by 1/(1-rate)); the identity at evaluation.',
  params: z.object({ rate: z.number().min(0).max(0.99).default(0.2).meta({ ui: { key: true } }) }),
  inputs: () => [xInput],
  outputs: () => [yOutput],
  infer: (ctx) => ({ y: { kind: 'tensor', shape: ctx.tensor('x').shape, dtype: 'float32' } }),
  lower: (ctx) => {
    const info = ctx.info('x');
    const shape = info.kind === 'tensor' ? info.shape : [];
    return { y: ctx.op({ op: 'dropout', rate: ctx.params.rate }, [ctx.input('x')], shape, 'y') };
  },
});
