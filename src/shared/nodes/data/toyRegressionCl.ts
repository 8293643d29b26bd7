import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';

export const toyRegressionShapes = (): DataShapes => ({ x: [1], y: [1], yDtype: 'float32', tasks: 3 });

/**
 * The three tasks of the 1-D continual-learning regression benchmark of von Oswald et al. (2020), "Continual
 * learning with hypernetworks" (task set 1 of their code). Each task maps its own interval onto roughly [-1, 1].
 * Shared with the loader so the documentation and the data cannot drift apart.
 */
export const TOY_REGRESSION_TASKS: readonly { lo: number; hi: number; f: (x: number) => number; formula: string }[] = [
  { lo: -4, hi: -2, f: (x) => x + 3, formula: 'y = x + 3' },
  { lo: -1, hi: 1, f: (x) => 2 * x * x - 1, formula: 'y = 2x² − 1' },
  { lo: 2, hi: 4, f: (x) => (x - 3) ** 3, formula: 'y = (x − 3)³' },
];

export const ToyRegressionClData = defineNode({
  id: 'data.toy_regression_cl',
  category: 'data',
  title: 'Toy regression (3 tasks)',
  doc: [
    'The 1-D continual-learning regression of von Oswald et al. (2020): three tasks learnt one after the other,',
    'each a different function on its own interval of x:',
    '',
    '| task | x interval | function |',
    '|---|---|---|',
    ...TOY_REGRESSION_TASKS.map((t, k) => `| ${k} | [${t.lo}, ${t.hi}] | ${t.formula} |`),
    '',
    'Training x are drawn uniformly from the task\'s interval (fixed by the seed) and their targets get Gaussian',
    'noise of std `noise`. Test x are evenly spaced over the interval, with noise-free targets, so the test error',
    'measures how well the true function is recovered. Outputs x [1], y [1] (float32), 3 tasks.',
  ].join('\n'),
  params: z.object({
    trainSamples: z.number().int().min(1).max(100_000).default(200).meta({ ui: { label: 'training samples per task', key: true } }),
    testSamples: z.number().int().min(1).max(100_000).default(100).meta({ ui: { label: 'test samples per task' } }),
    noise: z.number().min(0).max(10).default(0.05).meta({ ui: { label: 'label noise std', step: 0.01 } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: () => inferData(toyRegressionShapes()),
  lower: (ctx) => lowerData(ctx, toyRegressionShapes()),
});
