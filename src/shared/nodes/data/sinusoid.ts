import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';

const shapes = (): DataShapes => ({ x: [1], y: [1], yDtype: 'float32', context: [2], tasks: 1 });

/**
 * The sinusoid family of Finn et al. (2017): y = A sin(x + phi), A in [0.1, 5], phi in [0, pi], x in [-5, 5].
 * Every batch is one function; its (A, phi) is the batch's context.
 */
export const SinusoidData = defineNode({
  id: 'data.sinusoid',
  category: 'data',
  dataset: { generatedTrainBatches: true },
  title: 'Sinusoid family',
  doc: 'Regression on sine waves y = A·sin(x + φ). Each batch samples one wave (A ∈ [0.1, 5], φ ∈ [0, π]); the `context` output carries its (A, φ). Evaluation uses a fixed set of waves.',
  params: z.object({
    evalFunctions: z.number().int().min(1).max(1000).default(20).meta({ ui: { label: 'evaluation waves' } }),
    pointsPerFunction: z.number().int().min(1).max(10_000).default(50).meta({ ui: { label: 'points per evaluation wave' } }),
    noise: z.number().min(0).max(10).default(0).meta({ ui: { label: 'label noise std' } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(true),
  infer: () => inferData(shapes()),
  lower: (ctx) => lowerData(ctx, shapes()),
});
