import { z } from 'zod';
import { formatShape, type Shape } from '../../compiler/shape';
import { defineNode, type InferContext, type WeightDecl } from '../types';
import { LayerActivation, activate, requireBatchFor, weightPort, xInput, yOutput } from './common';

const DenseParams = z.object({
  units: z.number().int().min(1).max(1_000_000).default(32).meta({ ui: { key: true } }),
  useBias: z.boolean().default(true).meta({ ui: { label: 'bias' } }),
  activation: LayerActivation,
  w0: z
    .number()
    .positive()
    .max(1e4)
    .default(1)
    .meta({ ui: { label: 'ω₀', help: 'sin computes sin(ω₀·z); the siren initialisation scales the kernel by 1/ω₀' } }),
  init: z
    .enum(['fan_in', 'siren_first', 'siren'])
    .default('fan_in')
    .meta({
      ui: {
        label: 'initialisation',
        help: 'fan_in: kernel N(0, 1/in), bias 0. siren_first / siren: the first and the later sine layers of SIREN (Sitzmann et al. 2020): kernel U(±1/in) or U(±√(6/in)/ω₀), bias U(±1/√in). A head generating the weights aims for the same variance.',
      },
    }),
});
type DenseParams = z.output<typeof DenseParams>;

/**
 * The kernel and bias of a layer with `inDim` inputs. SIREN's initialisation keeps the pre-activations of every
 * sine layer in the same range whatever the depth (Sitzmann et al. 2020, Sec. 3.2): U(±1/in) for the first
 * layer (whose frequencies ω₀ then sets), U(±√(6/in)/ω₀) for later ones; its biases are PyTorch's default.
 */
function denseWeights(p: DenseParams, inDim: number): WeightDecl[] {
  const dims = { fanIn: inDim, fanOut: p.units };
  // Generated as nn.Linear holds its weight, [out, in], then transposed to the kernel's [in, out].
  const kernel: WeightDecl = { port: 'kernel', shape: [inDim, p.units], init: 'fan', ...dims, order: { shape: [p.units, inDim], perm: [1, 0] } };
  if (p.init === 'siren_first') kernel.variance = 1 / (3 * inDim * inDim);
  if (p.init === 'siren') kernel.variance = 2 / (inDim * p.w0 * p.w0);
  const decls = [kernel];
  if (p.useBias)
    decls.push(p.init === 'fan_in' ? { port: 'bias', shape: [p.units], init: 'zeros', ...dims } : { port: 'bias', shape: [p.units], init: 'fan', variance: 1 / (3 * inDim), ...dims });
  return decls;
}

/**
 * [batch, features], or [batch, points, features] (a coordinate network's points, each mapped alike). What
 * arrives otherwise is nearly always an image, for which the advice is a Flatten.
 */
function inputShape<P>(ctx: InferContext<P>): Shape {
  const { shape } = ctx.tensor('x');
  if (shape.length !== 2 && shape.length !== 3) ctx.fail('HN030', `expects [batch, features]; add a Flatten first, got ${formatShape(shape)}`, 'x');
  return shape;
}

const outShape = (x: Shape, units: number): Shape => [...x.slice(0, -1), units];

/** y = act(x·kernel + bias). kernel and bias are weights ports: unwired they are ordinary trainable weights. */
export const Dense = defineNode({
  id: 'target.dense',
  category: 'target',
  title: 'Dense',
  doc: [
    'A fully connected layer `y = act(x·W + b)`. Wire a head into `kernel` ([in, units]) or `bias` ([units]) to generate them; unwired, the layer owns them. With per-sample weights it computes a batched product `[B,1,in]×[B,in,units]`.',
    '',
    'x may also be [B, P, in]: P points per sample (the pixel coordinates of an implicit neural representation), all mapped by the same weights, the sample\'s own ones when they are per sample (`[B,P,in]×[B,in,units]`).',
    'With activation `sin`, ω₀ and the `siren` initialisations it is a SIREN layer (Sitzmann et al. 2020).',
  ].join('\n'),
  params: DenseParams,
  inputs: (p) => [xInput, weightPort('kernel', 'Kernel [in, units].'), ...(p.useBias ? [weightPort('bias', 'Bias [units].')] : [])],
  outputs: () => [yOutput],
  weights: (p, ctx) => {
    const x = inputShape(ctx);
    return denseWeights(p, x[x.length - 1] as number);
  },
  infer: (ctx) => ({ y: { kind: 'tensor', shape: outShape(inputShape(ctx), ctx.params.units), dtype: 'float32' } }),
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('x');
    const x = info.kind === 'tensor' ? info.shape : [];
    const kernel = ctx.weight('kernel');
    const bias = p.useBias ? ctx.weight('bias') : null;
    requireBatchFor(ctx, kernel.perSample, x, 'kernel');
    if (bias) requireBatchFor(ctx, bias.perSample, x, 'bias');
    const shape = outShape(x, p.units);
    // A shared ReLU layer with its own (or no) bias is one fused kernel.
    if (p.activation === 'relu' && !kernel.perSample && !bias?.generated)
      return { y: ctx.op({ op: 'fusedLinear', activation: 'relu' }, [ctx.input('x'), kernel.value, bias?.value ?? null], shape, 'y') };
    const lin = ctx.op({ op: 'linear', perSample: kernel.perSample }, [ctx.input('x'), kernel.value, bias?.value ?? null], shape, p.activation === 'linear' ? 'y' : 'linear');
    return { y: activate(ctx, lin, shape, p.activation, p.w0) };
  },
});
