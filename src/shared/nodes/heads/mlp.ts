import { z } from 'zod';
import { ActivationName, HiddenSizes, InitMode, LearnedBase } from '../common';
import { defineNode } from '../types';
import { headInputs, headOutputs, inferFlatHead, lowerFlatHead } from './mlpCore';

/** A full (unchunked) hypernetwork: an MLP whose last layer emits every generated weight. */
export const MlpHead = defineNode({
  id: 'head.mlp',
  category: 'head',
  title: 'MLP head',
  doc: 'An MLP from the context to the generated weights (hidden layers, then one linear layer sized by what it drives). Its last layer starts with hyperfan initialisation by default; with a learned base it generates `W₀ + Δ` instead, W₀ starting as the target layer\'s own initialisation and Δ at zero.',
  params: z.object({
    hidden: HiddenSizes.default([64, 64]).meta({ ui: { label: 'hidden sizes', key: true } }),
    activation: ActivationName.default('relu'),
    init: InitMode,
    learnedBase: LearnedBase,
  }),
  inputs: headInputs,
  outputs: headOutputs,
  infer: inferFlatHead,
  lower: (ctx) => lowerFlatHead(ctx, ctx.params),
});
