import { z } from 'zod';
import { formatShape, sameShape, type Shape } from '../../compiler/shape';
import { defineNode } from '../types';

export const Concat = defineNode({
  id: 'target.concat',
  category: 'target',
  title: 'Concat',
  doc: 'Joins two tensors along the last axis. A [1, d] input (a task embedding, say) is repeated over a batch of B.',
  params: z.object({}),
  inputs: () => [
    { name: 'a', kind: 'tensor', doc: 'First input [N, ..., d1].' },
    { name: 'b', kind: 'tensor', doc: 'Second input [N, ..., d2].' },
  ],
  outputs: () => [{ name: 'y', kind: 'tensor', doc: '[N, ..., d1 + d2].' }],
  infer: (ctx) => {
    const a = ctx.tensor('a').shape;
    const b = ctx.tensor('b').shape;
    if (a.length !== b.length || !sameShape(a.slice(1, -1), b.slice(1, -1)))
      ctx.fail('HN030', `cannot join ${formatShape(a)} and ${formatShape(b)} on the last axis`, 'b');
    const batch = a[0] === 'B' || b[0] === 'B' ? 'B' : 1;
    return { y: { kind: 'tensor', shape: [batch, ...a.slice(1, -1), (a[a.length - 1] as number) + (b[b.length - 1] as number)], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const ia = ctx.info('a');
    const ib = ctx.info('b');
    const a = ia.kind === 'tensor' ? ia.shape : [];
    const b = ib.kind === 'tensor' ? ib.shape : [];
    let va = ctx.input('a');
    let vb = ctx.input('b');
    // One row against B rows: repeat the single row so both sides have B.
    if (a[0] === 1 && b[0] === 'B') va = ctx.op({ op: 'broadcastBatch' }, [va, vb], ['B', ...a.slice(1)], 'a_repeated');
    if (b[0] === 1 && a[0] === 'B') vb = ctx.op({ op: 'broadcastBatch' }, [vb, va], ['B', ...b.slice(1)], 'b_repeated');
    const batch = a[0] === 'B' || b[0] === 'B' ? 'B' : 1;
    const shape: Shape = [batch, ...a.slice(1, -1), (a[a.length - 1] as number) + (b[b.length - 1] as number)];
    return { y: ctx.op({ op: 'concat', axis: a.length - 1 }, [va, vb], shape, 'y') };
  },
});
