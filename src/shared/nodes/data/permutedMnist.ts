import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';
import { imageXShape, layoutParam, officialSplitDoc, retiredTrainFraction, validationParam, type Layout } from './mnist';

export const permutedMnistShapes = (p: { layout: Layout; tasks: number }): DataShapes => ({
  x: imageXShape(p.layout),
  y: [],
  yDtype: 'int32',
  tasks: p.tasks,
});

export const PermutedMnistData = defineNode({
  id: 'data.permuted_mnist',
  category: 'data',
  dataset: { permutedTasks: true },
  title: 'Permuted MNIST',
  doc: [
    'The Permuted MNIST continual-learning benchmark (Goodfellow et al. 2013; Kirkpatrick et al. 2017) on the',
    'full MNIST. Every task is the same 10-class problem seen through its own fixed shuffle of the',
    '784 pixels. **Task 0 is the identity** (the original digits); tasks 1… use permutations drawn from the',
    'run\'s seed, so a seed always gives the same tasks.',
    '',
    ...officialSplitDoc('digits'),
    'All tasks share that split: the same digits, each task through its own permutation.',
    'Outputs x [784] (or [28, 28, 1], permuted in row-major pixel order) and y [] int32 class ids 0–9.',
  ].join('\n'),
  params: z.object({
    tasks: z.number().int().min(1).max(100).default(10).meta({ ui: { label: 'tasks', key: true } }),
    validation: validationParam(),
    layout: layoutParam(),
  }),
  retiredParams: retiredTrainFraction,
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(permutedMnistShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, permutedMnistShapes(ctx.params)),
});
