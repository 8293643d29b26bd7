import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';
import { imageXShape, layoutParam, officialSplitDoc, retiredTrainFraction, validationParam, type Layout } from './mnist';

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
    'The Split MNIST continual-learning benchmark (Zenke et al. 2017) on the full MNIST: five binary',
    'tasks, 0/1, 2/3, 4/5, 6/7 and 8/9. Task k holds the digits 2k and 2k+1, relabelled 0 and 1, so every',
    'task shares the same two-class output (the "task-incremental" setting with a task-conditioned model).',
    '',
    ...officialSplitDoc('digits'),
    'Each task keeps the digits of its two classes from each split (about 12,000 training and 2,000 test digits).',
    'Outputs x [784] (or [28, 28, 1]) and y [] int32 in {0, 1}. Five tasks.',
  ].join('\n'),
  params: z.object({
    validation: validationParam(),
    layout: layoutParam(),
  }),
  retiredParams: retiredTrainFraction,
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(splitMnistShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, splitMnistShapes(ctx.params)),
});
