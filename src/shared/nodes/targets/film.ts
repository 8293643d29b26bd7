import { z } from 'zod';
import { defineNode } from '../types';
import { channelModulation, weightPort, xInput, yOutput } from './common';

const modulation = channelModulation('scale', 'shift');

export const FilmApply = defineNode({
  id: 'target.film',
  category: 'target',
  title: 'FiLM apply',
  doc: 'Feature-wise modulation `y = x·scale + shift` along the last axis (channels). Wire a FiLM head\'s `scale` and `shift` to condition a network; unwired, they are learned (starting at 1 and 0).',
  params: z.object({}),
  inputs: () => [xInput, weightPort('scale', 'Per-channel scale [C].'), weightPort('shift', 'Per-channel shift [C].')],
  outputs: () => [yOutput],
  weights: modulation.weights,
  infer: modulation.infer,
  lower: (ctx) => {
    const { shape, scale, shift } = modulation.lowerInputs(ctx);
    return { y: ctx.op({ op: 'film' }, [ctx.input('x'), scale, shift], shape, 'y') };
  },
});
