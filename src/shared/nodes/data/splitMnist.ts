import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';
import { imageXShape, layoutParam, trainFractionParam, type Layout } from './mnist';

export const splitMnistShapes = (p: { layout: Layout }): DataShapes => ({
  x: imageXShape(p.layout),
  y: [],
  yDtype: 'int32',
  tasks: 5,
});

export const SplitMnistData = defineNode({
  id: 'data.split_mnist',
  category: 'data',
  title: 'Split MNIST (5 tasks)',
  doc: [
    'The Split MNIST continual-learning benchmark (Zenke et al. 2017) on the 10,000 bundled digits: five binary',
    'tasks, 0/1, 2/3, 4/5, 6/7 and 8/9. Task k holds the digits 2k and 2k+1, relabelled 0 and 1, so every',
    'task shares the same two-class output (the "task-incremental" setting with a task-conditioned model).',
    '',
    'The train/test split is the one of the MNIST node (stratified per digit, fixed by the seed).',
    'Outputs x [784] (or [28, 28, 1]) and y [] int32 in {0, 1}. Five tasks.',
  ].join('\n'),
  params: z.object({
    trainFraction: trainFractionParam(),
    layout: layoutParam(),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(splitMnistShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, 'data.split_mnist', splitMnistShapes(ctx.params)),
});
