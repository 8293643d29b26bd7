import { z } from 'zod';
import { InitMode, LearnedBase } from '../common';
import { defineNode } from '../types';
import { headInputs, headOutputs, inferFlatHead, lowerFlatHead } from './mlpCore';

/** The simplest hypernetwork: generated = context · W + b. */
export const LinearHead = defineNode({
  id: 'head.linear',
  category: 'head',
  title: 'Linear head',
  doc: 'Generates weights as a linear function of the context: `w = c·W + b`. Its output size is the total size of the weights ports it drives. With a learned base, `w = W₀ + c·W` with W₀ starting as the target layer\'s own initialisation and W at zero.',
  params: z.object({ init: InitMode, learnedBase: LearnedBase }),
  inputs: headInputs,
  outputs: headOutputs,
  infer: inferFlatHead,
  lower: (ctx) => lowerFlatHead(ctx, { hidden: [], activation: 'linear', init: ctx.params.init, learnedBase: ctx.params.learnedBase }),
});
