import { z } from 'zod';
import { InitMode } from '../common';
import { defineNode } from '../types';
import { headInputs, headOutputs, inferFlatHead, lowerFlatHead } from './mlpCore';

/** The simplest hypernetwork: generated = context · W + b. */
export const LinearHead = defineNode({
  id: 'head.linear',
  category: 'head',
  title: 'Linear head',
  doc: 'Generates weights as a linear function of the context: `w = c·W + b`. Its output size is the total size of the weights ports it drives.',
  params: z.object({ init: InitMode }),
  inputs: headInputs,
  outputs: headOutputs,
  infer: inferFlatHead,
  lower: (ctx) => lowerFlatHead(ctx, { hidden: [], activation: 'linear', init: ctx.params.init }),
});
