import { z } from 'zod';
import { hiddenInit } from '../common';
import { defineNode } from '../types';

/** A small CNN over images (conv 3x3 + ReLU + 2x2 max pool per stage, then a linear layer). */
export const ConvEncoder = defineNode({
  id: 'context.conv_encoder',
  category: 'context',
  title: 'Conv encoder',
  doc: 'A small convolutional encoder for images [N, H, W, C]: per stage a k×k convolution, ReLU and 2×2 max pooling, then a linear layer to `outDim`. Over the data\'s x it conditions the generated weights on each image.',
  params: z.object({
    channels: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([8, 16]).meta({ ui: { label: 'channels per stage' } }),
    kernelSize: z.number().int().min(1).max(15).default(3),
    outDim: z.number().int().min(1).max(65_536).default(32).meta({ ui: { label: 'output size', key: true } }),
  }),
  inputs: () => [{ name: 'x', kind: 'tensor', doc: 'Images [N, H, W, C].' }],
  outputs: () => [{ name: 'context', kind: 'tensor', doc: 'Context [N, out].' }],
  infer: (ctx) => {
    const t = ctx.tensor('x');
    if (t.shape.length !== 4) ctx.fail('HN030', `expects images [N, H, W, C], got [${t.shape.join(', ')}]; use a dataset with the image layout or a Reshape`, 'x');
    return { context: { kind: 'tensor', shape: [t.shape[0], ctx.params.outDim], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const info = ctx.info('x');
    if (info.kind !== 'tensor') return ctx.fail('HN022', 'x must be a tensor', 'x');
    const p = ctx.params;
    const [batch, h0, w0, c0] = info.shape as ['B' | 1, number, number, number];
    let value = ctx.input('x');
    let [h, w, c] = [h0, w0, c0];
    p.channels.forEach((out, i) => {
      const k = ctx.param(`conv${i}.kernel`, [p.kernelSize, p.kernelSize, c, out], hiddenInit(p.kernelSize * p.kernelSize * c, 'relu'));
      const b = ctx.param(`conv${i}.bias`, [out], { kind: 'zeros' });
      const conv = ctx.op({ op: 'conv2d', strides: 1, padding: 'same' }, [value, k, b], [batch, h, w, out], `conv${i}`);
      const act = ctx.op({ op: 'activation', fn: 'relu', w0: 1 }, [conv], [batch, h, w, out], `conv${i}.relu`);
      [h, w, c] = [Math.ceil(h / 2), Math.ceil(w / 2), out];
      value = ctx.op({ op: 'pool', kind: 'max', size: 2, strides: 2, padding: 'same' }, [act], [batch, h, w, c], `pool${i}`);
    });
    const flat = ctx.op({ op: 'reshape' }, [value], [batch, h * w * c], 'flat');
    const wOut = ctx.param('out.weight', [h * w * c, p.outDim], hiddenInit(h * w * c, 'linear'));
    const bOut = ctx.param('out.bias', [p.outDim], { kind: 'zeros' });
    return { context: ctx.op({ op: 'linear', perSample: false }, [flat, wOut, bOut], [batch, p.outDim], 'context') };
  },
});
