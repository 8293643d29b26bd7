import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';

export interface GaussianMixtureShapeParams {
  tasks: number;
  modesPerTask: number;
}

export const gaussianMixtureShapes = (p: GaussianMixtureShapeParams): DataShapes => ({ x: [2], y: [], yDtype: 'int32', tasks: p.tasks });

/**
 * The means of the mixture: tasks·modesPerTask points evenly spaced on a circle of `radius`, at angles
 * (i + ½)/M · 2π, point i = (r·sin a, r·cos a). Task k owns points k·modes … (k+1)·modes − 1. With 3 tasks of
 * 2 modes and radius 5 these are posterior_replay_cl's CHE_MEANS (data/special/gaussian_mixture_data.py),
 * the task set 3 of its GMM experiments (probabilistic/prob_gmm/train_utils.py).
 */
export function gaussianMixtureMeans(p: GaussianMixtureShapeParams & { radius: number }): [number, number][] {
  const m = p.tasks * p.modesPerTask;
  return Array.from({ length: m }, (_, i) => {
    const a = ((i + 0.5) / m) * 2 * Math.PI;
    return [p.radius * Math.sin(a), p.radius * Math.cos(a)];
  });
}

export const GaussianMixtureData = defineNode({
  id: 'data.gaussian_mixture',
  category: 'data',
  title: 'Gaussian mixture (CL)',
  doc: [
    'The 2-D Gaussian-mixture continual-learning benchmark of von Oswald et al. (2020) and Henning et al. (2021,',
    '"Posterior meta-replay"): every task is a classification of which of its `modesPerTask` Gaussian bumps a',
    'point comes from. The defaults are the authors\' task set: 3 tasks of 2 modes, means evenly spaced on a',
    'circle of radius 5 (angles (i + ½)/6 · 2π), isotropic std 0.2, 10 training and 100 test points per mode.',
    '',
    'Task k holds modes k·modes … (k+1)·modes − 1, labelled 0 … modes − 1 within the task, so every task shares',
    'the same output (task-incremental; the modes of different tasks never overlap, which is what makes task',
    'inference from predictive entropy possible). Points are drawn from the run\'s seed.',
    'Outputs x [2] and y [] int32 mode ids within the task.',
  ].join('\n'),
  params: z.object({
    tasks: z.number().int().min(1).max(20).default(3).meta({ ui: { label: 'tasks', key: true } }),
    modesPerTask: z.number().int().min(2).max(10).default(2).meta({ ui: { label: 'modes per task', key: true } }),
    radius: z.number().positive().max(100).default(5).meta({ ui: { label: 'radius of the means', step: 0.5 } }),
    std: z.number().positive().max(10).default(0.2).meta({ ui: { label: 'std of each mode', step: 0.05 } }),
    trainPerMode: z.number().int().min(1).max(100_000).default(10).meta({ ui: { label: 'training points per mode' } }),
    testPerMode: z.number().int().min(1).max(100_000).default(100).meta({ ui: { label: 'test points per mode' } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(gaussianMixtureShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, gaussianMixtureShapes(ctx.params)),
});
