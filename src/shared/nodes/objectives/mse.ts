import { z } from 'zod';
import { defineNode } from '../types';
import { LossWeight, checkSameShape } from './common';

export const MseLoss = defineNode({
  id: 'objective.mse',
  category: 'objective',
  title: 'Mean squared error',
  doc: 'Mean of (prediction − target)² over all elements.',
  params: z.object({ weight: LossWeight }),
  inputs: () => [
    { name: 'prediction', kind: 'tensor', doc: 'Model output.' },
    { name: 'target', kind: 'tensor', doc: 'Target values (the dataset\'s y).' },
  ],
  outputs: () => [],
  infer: (ctx) => {
    checkSameShape(ctx, 'prediction', 'target');
    return {};
  },
  lower: (ctx) => {
    ctx.loss(ctx.op({ op: 'mse' }, [ctx.input('prediction'), ctx.input('target')], [], 'loss'), ctx.params.weight, 'mse');
    ctx.prediction(ctx.input('prediction'));
    return {};
  },
});
