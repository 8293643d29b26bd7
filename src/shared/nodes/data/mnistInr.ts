import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';
import { imageXShape, layoutParam, officialSplitDoc, retiredTrainFraction, validationParam, type Layout } from './mnist';

const SIDE = 28;

export const mnistInrShapes = (p: { layout: Layout }): DataShapes => ({
  x: imageXShape(p.layout, SIDE, SIDE),
  y: [SIDE * SIDE, 1],
  yDtype: 'float32',
  coords: { height: SIDE, width: SIDE },
  tasks: 1,
});

export const MnistInrData = defineNode({
  id: 'data.mnist_inr',
  category: 'data',
  title: 'MNIST images to reconstruct',
  doc: [
    'The MNIST digits (the official files of the MNIST node) as functions to learn (implicit neural representations): each digit is an image',
    'I(row, column) that a coordinate network reconstructs pixel by pixel.',
    '',
    '- `x`: the image, [784] (or [28, 28, 1] with the `image` layout), for an encoder that generates the network.',
    '- `coords`: the 784 pixel coordinates, [B, 784, 2]: (row, column) mapped onto [-1, 1], row-major.',
    '- `y`: the intensities to reconstruct at those coordinates, [B, 784, 1] in [0, 1].',
    '',
    ...officialSplitDoc('digits'),
    'The test digits are never seen in training. One task.',
  ].join('\n'),
  params: z.object({
    validation: validationParam(),
    layout: layoutParam(),
  }),
  retiredParams: retiredTrainFraction,
  inputs: () => [],
  outputs: () => dataOutputs(false, true),
  infer: (ctx) => inferData(mnistInrShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, mnistInrShapes(ctx.params)),
});
