import { z } from 'zod';
import { formatShape } from '../../compiler/shape';
import { defineNode } from '../types';
import { checkClassification, checkSameShape } from './common';

export const AccuracyMetric = defineNode({
  id: 'metric.accuracy',
  category: 'metric',
  title: 'Accuracy',
  doc: 'Fraction of samples whose highest logit is the label. With one logit per sample, the fraction whose sign matches a 0/1 label.',
  params: z.object({}),
  inputs: () => [
    { name: 'logits', kind: 'tensor', doc: 'Scores [N, classes] (or [N, 1] for binary).' },
    { name: 'labels', kind: 'tensor', doc: 'Class ids [N].' },
  ],
  outputs: () => [],
  infer: (ctx) => {
    const l = ctx.tensor('logits').shape;
    if (l.length === 2 && l[1] === 1) {
      const t = ctx.tensor('labels').shape;
      if (t.length !== 1 && !(t.length === 2 && t[1] === 1)) ctx.fail('HN030', `expects one label per sample, got ${formatShape(t)}`, 'labels');
    } else checkClassification(ctx, 'logits', 'labels');
    return {};
  },
  lower: (ctx) => {
    const info = ctx.info('logits');
    const binary = info.kind === 'tensor' && info.shape[1] === 1;
    ctx.metric(ctx.op({ op: binary ? 'binaryAccuracy' : 'accuracy' }, [ctx.input('logits'), ctx.input('labels')], [], 'accuracy'), 'accuracy', 'accuracy');
    return {};
  },
});

export const MseMetric = defineNode({
  id: 'metric.mse',
  category: 'metric',
  title: 'MSE',
  doc: 'Mean squared error, reported on the evaluation data.',
  params: z.object({}),
  inputs: () => [
    { name: 'prediction', kind: 'tensor', doc: 'Model output.' },
    { name: 'target', kind: 'tensor', doc: 'Target values.' },
  ],
  outputs: () => [],
  infer: (ctx) => {
    checkSameShape(ctx, 'prediction', 'target');
    return {};
  },
  lower: (ctx) => {
    ctx.metric(ctx.op({ op: 'mse' }, [ctx.input('prediction'), ctx.input('target')], [], 'mse'), 'mse', 'mse');
    return {};
  },
});

export const PsnrMetric = defineNode({
  id: 'metric.psnr',
  category: 'metric',
  title: 'PSNR',
  doc: [
    'Peak signal-to-noise ratio in dB, per sample then averaged: `10·log10(peak² / MSE)` with each sample\'s MSE',
    'over all its values (an image\'s pixels), reported on the evaluation data. `peak` is the largest possible value:',
    '1 for intensities in [0, 1]. A perfect reconstruction is capped at 100 dB (MSE floored at 10⁻¹⁰·peak²).',
  ].join('\n'),
  params: z.object({
    peak: z.number().positive().max(1e6).default(1).meta({ ui: { label: 'peak value', help: '1 for intensities in [0, 1], 255 for bytes' } }),
  }),
  inputs: () => [
    { name: 'prediction', kind: 'tensor', doc: 'Reconstruction [N, ...].' },
    { name: 'target', kind: 'tensor', doc: 'Target values [N, ...] (the dataset\'s y).' },
  ],
  outputs: () => [],
  infer: (ctx) => {
    checkSameShape(ctx, 'prediction', 'target');
    return {};
  },
  lower: (ctx) => {
    const op = ctx.op({ op: 'psnr', peak: ctx.params.peak }, [ctx.input('prediction'), ctx.input('target')], [], 'psnr');
    ctx.metric(op, 'psnr', 'psnr');
    return {};
  },
});
