import { z } from 'zod';
import { defineNode } from '../types';

/** A fixed context vector, [1, n]. */
export const ConstantContext = defineNode({
  id: 'context.constant',
  category: 'context',
  title: 'Constant',
  doc: 'A fixed vector, [1, n]. Useful to generate one weight set from a fixed code, or to test a head.',
  params: z.object({
    values: z.array(z.number().refine(Number.isFinite, 'must be finite')).min(1).max(65_536).default([1]).meta({ ui: { key: true } }),
  }),
  inputs: () => [],
  outputs: () => [{ name: 'value', kind: 'tensor', doc: 'The vector, [1, n].' }],
  infer: (ctx) => ({ value: { kind: 'tensor', shape: [1, ctx.params.values.length], dtype: 'float32' } }),
  lower: (ctx) => ({
    value: ctx.op({ op: 'constant', value: ctx.params.values }, [], [1, ctx.params.values.length], 'value'),
  }),
});
