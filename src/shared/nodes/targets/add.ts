import { z } from 'zod';
import { formatShape, sameShape } from '../../compiler/shape';
import { defineNode } from '../types';

export const Add = defineNode({
  id: 'target.add',
  category: 'target',
  title: 'Add',
  doc: 'Elementwise sum of two tensors of the same shape (a residual connection). A batch of 1 broadcasts over a batch of B.',
  params: z.object({}),
  inputs: () => [
    { name: 'a', kind: 'tensor', doc: 'First input.' },
    { name: 'b', kind: 'tensor', doc: 'Second input.' },
  ],
  outputs: () => [{ name: 'y', kind: 'tensor', doc: 'a + b.' }],
  infer: (ctx) => {
    const a = ctx.tensor('a').shape;
    const b = ctx.tensor('b').shape;
    if (!sameShape(a.slice(1), b.slice(1))) ctx.fail('HN030', `cannot add ${formatShape(a)} and ${formatShape(b)}`, 'b');
    const batch = a[0] === 'B' || b[0] === 'B' ? 'B' : 1;
    return { y: { kind: 'tensor', shape: [batch, ...a.slice(1)], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const a = ctx.info('a');
    const b = ctx.info('b');
    const sa = a.kind === 'tensor' ? a.shape : [];
    const sb = b.kind === 'tensor' ? b.shape : [];
    const batch = sa[0] === 'B' || sb[0] === 'B' ? 'B' : 1;
    return { y: ctx.op({ op: 'add' }, [ctx.input('a'), ctx.input('b')], [batch, ...sa.slice(1)], 'y') };
  },
});
