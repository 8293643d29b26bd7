import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';

export const toy2dShapes = (): DataShapes => ({ x: [2], y: [], yDtype: 'int32', tasks: 1 });

/** Turns of each spiral arm, from the centre to radius 1. */
export const SPIRAL_TURNS = 0.75;

export const SpiralsData = defineNode({
  id: 'data.spirals',
  category: 'data',
  title: 'Spirals',
  doc: [
    'Interleaved 2-D spirals, one arm per class: a classic problem no linear model can solve.',
    '',
    `A point of class k at radius r ∈ [0, 1] sits at angle 2πk/K + ${2 * SPIRAL_TURNS}π·r (K = \`classes\`), so each arm`,
    `winds ${SPIRAL_TURNS} of a turn; Gaussian noise of std \`noise\` is added to both coordinates.`,
    'The `samples` points are spread evenly over the classes and split into train and test sets by the seed.',
    'Outputs x [2] and y [] int32 class ids. One task.',
  ].join('\n'),
  params: z.object({
    classes: z.number().int().min(2).max(10).default(2).meta({ ui: { label: 'classes (arms)', key: true } }),
    samples: z.number().int().min(10).max(1_000_000).default(1000).meta({ ui: { label: 'samples (total)' } }),
    noise: z.number().min(0).max(1).default(0.05).meta({ ui: { label: 'noise std', step: 0.01 } }),
    testFraction: z.number().min(0.05).max(0.95).default(0.2).meta({ ui: { label: 'test fraction', step: 0.05 } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: () => inferData(toy2dShapes()),
  lower: (ctx) => lowerData(ctx, toy2dShapes()),
});
