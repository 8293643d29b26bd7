import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData } from './common';
import { layoutParam, mnistShapes, officialSplitDoc, validationParam } from './mnist';

/** Where Debian's `dataset-fashion-mnist` package installs the files (gzipped IDX, MNIST's file names). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Class names of Fashion-MNIST, in label order (Xiao, Rasul & Vollgraf 2017). */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

export const FashionMnistData = defineNode({
  id: 'data.fashion_mnist',
  category: 'data',
  title: 'Fashion-MNIST',
  doc: [
    'Zalando\'s Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28×28 grey images of clothes in 10 classes,',
    `a drop-in replacement for MNIST that is harder to solve. Classes: ${FASHION_CLASSES.map((c, i) => `${i} ${c}`).join(', ')}.`,
    '',
    `Read from the IDX files of Debian's \`dataset-fashion-mnist\` package (${FASHION_MNIST_DIR}); where they are`,
    'missing, training stops with a message saying how to install them (`sudo apt-get install dataset-fashion-mnist`),',
    'or use a data.idx node pointed at the Fashion-MNIST IDX files. Pixels are scaled to [0, 1].',
    '',
    ...officialSplitDoc('images'),
    'Outputs x [784] (or [28, 28, 1] with the `image` layout) and y [] int32 class ids 0–9. One task.',
  ].join('\n'),
  params: z.object({
    validation: validationParam(),
    layout: layoutParam(),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => inferData(mnistShapes(ctx.params)),
  lower: (ctx) => lowerData(ctx, mnistShapes(ctx.params)),
});
