import { z } from 'zod';
import { defineNode } from '../types';
import { channelModulation, weightPort, xInput, yOutput } from './common';

const modulation = channelModulation('gamma', 'beta');

export const LayerNorm = defineNode({
  id: 'target.layer_norm',
  category: 'target',
  title: 'Layer norm',
  doc: 'Normalises each sample over its last axis, then scales by `gamma` and shifts by `beta` ([C] each; generate them with a FiLM head for conditional normalisation).',
  params: z.object({ epsilon: z.number().positive().max(1).default(1e-5) }),
  inputs: () => [xInput, weightPort('gamma', 'Scale [C] (starts at 1).'), weightPort('beta', 'Shift [C] (starts at 0).')],
  outputs: () => [yOutput],
  weights: modulation.weights,
  infer: modulation.infer,
  lower: (ctx) => {
    const { shape, scale, shift } = modulation.lowerInputs(ctx);
    return { y: ctx.op({ op: 'layerNorm', epsilon: ctx.params.epsilon }, [ctx.input('x'), scale, shift], shape, 'y') };
  },
});
