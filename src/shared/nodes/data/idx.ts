import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';
import { imageXShape, layoutParam, type Layout } from './mnist';

export const idxShapes = (p: { layout: Layout; height: number; width: number }): DataShapes => ({
  x: imageXShape(p.layout, p.height, p.width),
  y: [],
  yDtype: 'int32',
  tasks: 1,
});

const pathParam = (label: string, help: string) => z.string().max(4096).default('').meta({ ui: { label, help } });

export const IdxData = defineNode({
  id: 'data.idx',
  category: 'data',
  dataset: { files: { format: 'idx', params: ['trainImages', 'trainLabels', 'testImages', 'testLabels'] } },
  title: 'IDX image files',
  doc: [
    'Images and labels in the IDX format of the original MNIST distribution (`train-images-idx3-ubyte`,',
    '`train-labels-idx1-ubyte`, …), plain or gzipped (`.gz`). Works for MNIST, Fashion-MNIST, KMNIST and any',
    'other set of single-channel images stored the same way.',
    '',
    '- Images: unsigned bytes, dimensions [n, height, width] (magic 0x00000803); scaled to [0, 1].',
    '- Labels: unsigned bytes, dimension [n] (magic 0x00000801); class ids 0 … classes−1.',
    '',
    'With test files, they are the test split; without them, `testFraction` of the training files is held out',
    '(fixed by the run\'s seed). `height` and `width` must match the files: the compiler needs them to know the',
    'shapes without reading the files. Relative paths are resolved against the project file\'s folder.',
  ].join('\n'),
  params: z.object({
    trainImages: pathParam('training images', 'IDX file of images (idx3-ubyte)'),
    trainLabels: pathParam('training labels', 'IDX file of labels (idx1-ubyte)'),
    testImages: z.string().max(4096).optional().meta({ ui: { label: 'test images', help: 'optional; with test labels' } }),
    testLabels: z.string().max(4096).optional().meta({ ui: { label: 'test labels', help: 'optional; with test images' } }),
    height: z.number().int().min(1).max(1024).default(28).meta({ ui: { label: 'image height' } }),
    width: z.number().int().min(1).max(1024).default(28).meta({ ui: { label: 'image width' } }),
    classes: z.number().int().min(2).max(256).default(10).meta({ ui: { label: 'classes', key: true } }),
    layout: layoutParam(),
    testFraction: z.number().min(0.01).max(0.95).default(0.2).meta({ ui: { label: 'test fraction', help: 'used when there are no test files', step: 0.05 } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => {
    if (!ctx.params.testImages?.trim() !== !ctx.params.testLabels?.trim())
      ctx.fail('HN012', 'set both test images and test labels, or neither');
    return inferData(idxShapes(ctx.params));
  },
  lower: (ctx) => lowerData(ctx, idxShapes(ctx.params)),
});
