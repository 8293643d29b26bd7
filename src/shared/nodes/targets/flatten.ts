import { z } from 'zod';
import { sizeOf } from '../../compiler/shape';
import { defineNode } from '../types';
import { xInput, yOutput } from './common';

export const Flatten = defineNode({
  id: 'target.flatten',
  category: 'target',
  title: 'Flatten',
  doc: 'Flattens every sample to a vector: [N, ...] → [N, product of the rest] (channels-last order).',
  params: z.object({}),
  inputs: () => [xInput],
  outputs: () => [yOutput],
  infer: (ctx) => {
    const { shape } = ctx.tensor('x');
    return { y: { kind: 'tensor', shape: [shape[0], sizeOf(shape.slice(1))], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const info = ctx.info('x');
    const shape = info.kind === 'tensor' ? info.shape : [];
    const n = sizeOf(shape.slice(1));
    return { y: ctx.op({ op: 'reshape' }, [ctx.input('x')], [shape[0], n], 'y') };
  },
});
