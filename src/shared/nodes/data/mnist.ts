import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';

/**
 * How an image sample is laid out: `flat` is a vector of height·width pixels (for dense layers), `image` is
 * [height, width, 1] (channels last, for convolutions). Both hold the same numbers in the same row-major order.
 * Shared by every image dataset node.
 */
export const Layout = z.enum(['flat', 'image']);
export type Layout = z.infer<typeof Layout>;

export const layoutParam = () =>
  Layout.default('flat').meta({ ui: { label: 'layout', help: 'flat: [h·w] vector; image: [h, w, 1] for convolutions' } });

export const imageXShape = (layout: Layout, height = 28, width = 28): number[] =>
  layout === 'image' ? [height, width, 1] : [height * width];

/** Fraction of each class kept for training; the rest is the test split. Fixed by the run's seed. */
export const trainFractionParam = () =>
  z.number().min(0.05).max(0.95).default(0.8).meta({ ui: { label: 'training fraction', step: 0.05 } });

export const mnistShapes = (p: { layout: Layout }): DataShapes => ({
  x: imageXShape(p.layout),
  y: [],
  yDtype: 'int32',
  tasks: 1,
});

export const MnistData = defineNode({
  id: 'data.mnist',
  category: 'data',
  title: 'MNIST digits',
  doc: [
    'The 10,000 handwritten digits (28×28 grey levels, 0–9) bundled with the `mnist` package: a subset of',
    'MNIST, so no download is needed. Pixels are scaled to [0, 1].',
    '',
    'The digits are split into training and test sets per class (stratified) by the run\'s seed, keeping',
    '`trainFraction` of each class for training. Outputs x [784] (or [28, 28, 1] with the `image` layout) and',
    'y [] int32 class ids 0–9. One task.',
  ].join('\n'),
  params: z.object({
    trainFraction: trainFractionParam(),
    layout: layoutParam(),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(mnistShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, 'data.mnist', mnistShapes(ctx.params)),
});
