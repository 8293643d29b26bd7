import { z } from 'zod';
import { defineNode, type WeightDecl } from '../types';
import { LayerActivation, activate, inputOfRank, weightPort, xInput, yOutput } from './common';

const outSize = (n: number, k: number, s: number, padding: 'same' | 'valid') =>
  padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;

/** A 2-D convolution over NHWC images; its kernel [kh, kw, cin, cout] can be generated (one set per batch). */
export const Conv2D = defineNode({
  id: 'target.conv2d',
  category: 'target',
  title: 'Conv2D',
  doc: 'A 2-D convolution over images [N, H, W, C] (channels last). `kernel` is [k, k, cin, filters], `bias` [filters]; wire a head to generate them (one kernel per batch: condition the head on a [1, d] context).',
  params: z.object({
    filters: z.number().int().min(1).max(65_536).default(16).meta({ ui: { key: true } }),
    kernelSize: z.number().int().min(1).max(64).default(3).meta({ ui: { label: 'kernel size', key: true } }),
    strides: z.number().int().min(1).max(64).default(1),
    padding: z.enum(['same', 'valid']).default('same'),
    useBias: z.boolean().default(true).meta({ ui: { label: 'bias' } }),
    activation: LayerActivation,
  }),
  inputs: (p) => [xInput, weightPort('kernel', 'Kernel [k, k, cin, filters].'), ...(p.useBias ? [weightPort('bias', 'Bias [filters].')] : [])],
  outputs: () => [yOutput],
  weights: (p, ctx) => {
    const [, , , cin] = inputOfRank(ctx, 4, 'images [N, H, W, C]') as number[];
    const k = p.kernelSize;
    // Generated as nn.Conv2d holds its weight, [cout, cin, kh, kw], then transposed to the kernel's [kh, kw, cin, cout].
    const order = { shape: [p.filters, cin, k, k], perm: [2, 3, 1, 0] };
    const decls: WeightDecl[] = [{ port: 'kernel', shape: [k, k, cin, p.filters], init: 'fan', fanIn: k * k * cin, fanOut: k * k * p.filters, order }];
    if (p.useBias) decls.push({ port: 'bias', shape: [p.filters], init: 'zeros', fanIn: k * k * cin, fanOut: k * k * p.filters });
    return decls;
  },
  infer: (ctx) => {
    const p = ctx.params;
    const [batch, h, w] = inputOfRank(ctx, 4, 'images [N, H, W, C]') as ['B' | 1, number, number];
    if (p.padding === 'valid' && (h < p.kernelSize || w < p.kernelSize))
      ctx.fail('HN030', `kernel ${p.kernelSize}×${p.kernelSize} does not fit the ${h}×${w} input with valid padding`, 'x');
    const shape = [batch, outSize(h, p.kernelSize, p.strides, p.padding), outSize(w, p.kernelSize, p.strides, p.padding), p.filters];
    return { y: { kind: 'tensor', shape, dtype: 'float32' } };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('x');
    const [batch, h, w] = (info.kind === 'tensor' ? info.shape : []) as ['B' | 1, number, number];
    const kernel = ctx.weight('kernel');
    const bias = p.useBias ? ctx.weight('bias') : null;
    if (kernel.perSample || bias?.perSample)
      ctx.fail('HN033', 'per-sample convolution weights are not supported; condition the head on a per-task context ([1, d])', kernel.perSample ? 'kernel' : 'bias');
    const shape = [batch, outSize(h, p.kernelSize, p.strides, p.padding), outSize(w, p.kernelSize, p.strides, p.padding), p.filters];
    const conv = ctx.op({ op: 'conv2d', strides: p.strides, padding: p.padding }, [ctx.input('x'), kernel.value, bias?.value ?? null], shape, p.activation === 'linear' ? 'y' : 'conv');
    return { y: activate(ctx, conv, shape, p.activation) };
  },
});
