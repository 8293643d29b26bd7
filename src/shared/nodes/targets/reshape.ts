import { z } from 'zod';
import { formatShape, sizeOf } from '../../compiler/shape';
import { defineNode } from '../types';
import { xInput, yOutput } from './common';

export const Reshape = defineNode({
  id: 'target.reshape',
  category: 'target',
  title: 'Reshape',
  doc: 'Reshapes every sample (the batch dimension is kept): e.g. [N, 784] → [N, 28, 28, 1] with shape `[28, 28, 1]`.',
  params: z.object({
    shape: z.array(z.number().int().min(1).max(1_000_000)).min(1).max(6).default([1]).meta({ ui: { label: 'shape (without batch)', key: true } }),
  }),
  inputs: () => [xInput],
  outputs: () => [yOutput],
  infer: (ctx) => {
    const { shape } = ctx.tensor('x');
    const have = sizeOf(shape.slice(1));
    const want = ctx.params.shape.reduce((a, b) => a * b, 1);
    if (have !== want) ctx.fail('HN030', `cannot reshape ${formatShape(shape)} (${have} per sample) to ${formatShape(['B', ...ctx.params.shape])} (${want} per sample)`, 'x');
    return { y: { kind: 'tensor', shape: [shape[0], ...ctx.params.shape], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const info = ctx.info('x');
    const b = info.kind === 'tensor' ? info.shape[0] : 1;
    return { y: ctx.op({ op: 'reshape' }, [ctx.input('x')], [b, ...ctx.params.shape], 'y') };
  },
});
