import { z } from 'zod';
import { formatShape } from '../../compiler/shape';
import { defineNode } from '../types';
import { LossWeight } from './common';

export const BinaryCrossEntropy = defineNode({
  id: 'objective.bce',
  category: 'objective',
  title: 'Binary cross-entropy',
  doc: 'Binary cross-entropy on logits [N, 1] (or [N]) against 0/1 targets, computed stably from logits.',
  params: z.object({ weight: LossWeight }),
  inputs: () => [
    { name: 'logits', kind: 'tensor', doc: 'Logits [N, 1].' },
    { name: 'target', kind: 'tensor', doc: 'Targets in {0, 1}: labels [N] or values [N, 1].' },
  ],
  outputs: () => [],
  infer: (ctx) => {
    const l = ctx.tensor('logits').shape;
    const t = ctx.tensor('target').shape;
    const flat = (s: readonly unknown[]) => s.length === 1 || (s.length === 2 && s[1] === 1);
    if (!flat(l)) ctx.fail('HN030', `expects one logit per sample [N, 1], got ${formatShape(l)}`, 'logits');
    if (!flat(t)) ctx.fail('HN030', `expects one target per sample, got ${formatShape(t)}`, 'target');
    return {};
  },
  lower: (ctx) => {
    ctx.loss(ctx.op({ op: 'bce' }, [ctx.input('logits'), ctx.input('target')], [], 'loss'), ctx.params.weight, 'bce');
    ctx.prediction(ctx.input('logits'));
    return {};
  },
});
