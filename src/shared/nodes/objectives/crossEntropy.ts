import { z } from 'zod';
import { defineNode } from '../types';
import { LossWeight, checkClassification } from './common';

export const CrossEntropy = defineNode({
  id: 'objective.cross_entropy',
  category: 'objective',
  title: 'Cross-entropy',
  doc: 'Mean softmax cross-entropy of logits [N, classes] against integer labels [N].',
  params: z.object({ weight: LossWeight }),
  inputs: () => [
    { name: 'logits', kind: 'tensor', doc: 'Unnormalised scores [N, classes].' },
    { name: 'labels', kind: 'tensor', doc: 'Class ids [N] (the dataset\'s y).' },
  ],
  outputs: () => [],
  infer: (ctx) => {
    checkClassification(ctx, 'logits', 'labels');
    return {};
  },
  lower: (ctx) => {
    ctx.loss(ctx.op({ op: 'crossEntropy' }, [ctx.input('logits'), ctx.input('labels')], [], 'loss'), ctx.params.weight, 'cross_entropy');
    ctx.prediction(ctx.input('logits'));
    return {};
  },
});
