import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData } from './common';
import { toy2dShapes } from './spirals';

export const MoonsData = defineNode({
  id: 'data.moons',
  category: 'data',
  title: 'Two moons',
  doc: [
    'Two interleaving half circles in 2-D (as scikit-learn\'s `make_moons`): class 0 is the upper moon',
    '(cos t, sin t), class 1 the lower one (1 − cos t, 0.5 − sin t), t ∈ [0, π], with Gaussian noise of std',
    '`noise` on both coordinates. The `samples` points are split evenly between the classes, then into train',
    'and test sets by the seed. Outputs x [2] and y [] int32 class ids 0/1. One task.',
  ].join('\n'),
  params: z.object({
    samples: z.number().int().min(10).max(1_000_000).default(1000).meta({ ui: { label: 'samples (total)', key: true } }),
    noise: z.number().min(0).max(1).default(0.1).meta({ ui: { label: 'noise std', step: 0.01 } }),
    testFraction: z.number().min(0.05).max(0.95).default(0.2).meta({ ui: { label: 'test fraction', step: 0.05 } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: () => inferData(toy2dShapes()),
  lower: (ctx) => lowerData(ctx, toy2dShapes()),
});
