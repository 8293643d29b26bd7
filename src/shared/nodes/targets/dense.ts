import { z } from 'zod';
import { defineNode, type WeightDecl } from '../types';
import { LayerActivation, activate, inputOfRank, requireBatchFor, weightPort, xInput, yOutput } from './common';

/** y = act(x·kernel + bias). kernel and bias are weights ports: unwired they are ordinary trainable weights. */
export const Dense = defineNode({
  id: 'target.dense',
  category: 'target',
  title: 'Dense',
  doc: 'A fully connected layer `y = act(x·W + b)`. Wire a head into `kernel` ([in, units]) or `bias` ([units]) to generate them; unwired, the layer owns them. With per-sample weights it computes a batched product `[B,1,in]×[B,in,units]`.',
  params: z.object({
    units: z.number().int().min(1).max(1_000_000).default(32).meta({ ui: { key: true } }),
    useBias: z.boolean().default(true).meta({ ui: { label: 'bias' } }),
    activation: LayerActivation,
  }),
  inputs: (p) => [xInput, weightPort('kernel', 'Kernel [in, units].'), ...(p.useBias ? [weightPort('bias', 'Bias [units].')] : [])],
  outputs: () => [yOutput],
  weights: (p, ctx) => {
    const [, inDim] = inputOfRank(ctx, 2, '[batch, features]; add a Flatten first') as [unknown, number];
    const decls: WeightDecl[] = [{ port: 'kernel', shape: [inDim, p.units], init: 'fan', fanIn: inDim, fanOut: p.units }];
    if (p.useBias) decls.push({ port: 'bias', shape: [p.units], init: 'zeros', fanIn: inDim, fanOut: p.units });
    return decls;
  },
  infer: (ctx) => {
    const [batch] = inputOfRank(ctx, 2, '[batch, features]; add a Flatten first');
    return { y: { kind: 'tensor', shape: [batch, ctx.params.units], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('x');
    const x = info.kind === 'tensor' ? info.shape : [];
    const kernel = ctx.weight('kernel');
    const bias = p.useBias ? ctx.weight('bias') : null;
    requireBatchFor(ctx, kernel.perSample, x, 'kernel');
    if (bias) requireBatchFor(ctx, bias.perSample, x, 'bias');
    const shape = [x[0], p.units];
    const lin = ctx.op({ op: 'linear', perSample: kernel.perSample }, [ctx.input('x'), kernel.value, bias?.value ?? null], shape, p.activation === 'linear' ? 'y' : 'linear');
    return { y: activate(ctx, lin, shape, p.activation) };
  },
});
