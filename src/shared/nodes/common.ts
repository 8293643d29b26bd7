/** Pieces several node types share: activation choices, small MLP stacks, and how heads hand out their output. */
import { z } from 'zod';
import type { Activation, Init, InitBlock, ValueId } from '../compiler/ir';
import type { Dim, Shape } from '../compiler/shape';
import type { InferContext, LowerContext, Route, WeightDecl } from './types';

export const ActivationName = z.enum(['relu', 'tanh', 'sigmoid', 'gelu', 'sin', 'elu', 'leaky_relu', 'softplus', 'linear']);

/** Hidden layer sizes of an MLP, bounded so a typo cannot allocate gigabytes. */
export const HiddenSizes = z.array(z.number().int().min(1).max(65_536)).max(16);

export const InitMode = z
  .enum(['hyperfan_in', 'hyperfan_out', 'plain', 'xavier'])
  .default('hyperfan_in')
  .meta({
    ui: {
      label: 'initialisation',
      help: "hyperfan-in/out (Chang et al. 2020) start generated weights at the scale of a fan-in/fan-out initialisation; plain uses an ordinary fan-in init for the head itself; xavier is hypercl's (von Oswald et al. 2020): every layer of the head Glorot-uniform, biases zero, chunk embeddings N(0, 1).",
    },
  });
export type InitMode = z.infer<typeof InitMode>;

/** Largest number of elements a single parameter or generated weight set may have. */
export const MAX_ELEMENTS = 50_000_000;

/** N(0, 1/fanIn): the fan-in initialisation owned target weights use, and generated ones aim for. */
export const fanInInit = (fanIn: number): Init => ({ kind: 'normal', std: Math.sqrt(1 / Math.max(1, fanIn)) });

/** Glorot (Xavier) uniform, U(±sqrt(6 / (fanIn + fanOut))), as torch.nn.init.xavier_uniform_ (hypercl's head init). */
export const xavierInit = (fanIn: number, fanOut: number): Init => ({ kind: 'uniform', limit: Math.sqrt(6 / Math.max(1, fanIn + fanOut)) });

/** He initialisation for hidden layers followed by a ReLU-like activation; LeCun otherwise. */
export function hiddenInit(fanIn: number, act: Activation): Init {
  const gain = act === 'relu' || act === 'leaky_relu' || act === 'elu' || act === 'gelu' ? 2 : 1;
  return { kind: 'normal', std: Math.sqrt(gain / Math.max(1, fanIn)) };
}

/** The context tensor of a head or encoder must be [N, d]. */
export function contextShape<P>(ctx: InferContext<P>, port = 'context'): { batch: Dim; dim: number } {
  const t = ctx.tensor(port);
  if (t.shape.length !== 2) ctx.fail('HN030', `expects a [batch, features] tensor, got [${t.shape.join(', ')}]; add a Flatten first`, port);
  return { batch: t.shape[0], dim: t.shape[1] as number };
}

/** A stack of linear layers with an activation after each, owned by the node (hypernetwork parameters). */
export function lowerMlp<P>(
  ctx: LowerContext<P>,
  input: ValueId,
  inShape: Shape,
  hidden: readonly number[],
  act: Activation,
  prefix: string,
  role: 'hyper' | 'target' = 'hyper',
  mode?: InitMode,
): { value: ValueId; shape: Shape } {
  let value = input;
  let dim = inShape[inShape.length - 1] as number;
  const lead = inShape.slice(0, -1);
  hidden.forEach((h, i) => {
    const w = ctx.param(`${prefix}${i}.weight`, [dim, h], mode === 'xavier' ? xavierInit(dim, h) : hiddenInit(dim, act), role);
    const b = ctx.param(`${prefix}${i}.bias`, [h], { kind: 'zeros' }, role);
    if (act === 'relu') value = ctx.op({ op: 'fusedLinear', activation: 'relu' }, [value, w, b], [...lead, h], `${prefix}${i}.out`);
    else {
      const lin = ctx.op({ op: 'linear', perSample: false }, [value, w, b], [...lead, h], `${prefix}${i}.linear`);
      value = ctx.op({ op: 'activation', fn: act, w0: 1 }, [lin], [...lead, h], `${prefix}${i}.out`);
    }
    dim = h;
  });
  return { value, shape: [...lead, dim] };
}

/**
 * The variance a head aims for in each generated element of a route: what the layer prescribes, else 1/fanIn
 * (hyperfan-out: 1/fanOut). 0 for constant-initialised ones.
 */
export function targetVariance(r: WeightDecl, mode: InitMode): number {
  if (r.init !== 'fan') return 0;
  if (r.variance !== undefined) return r.variance;
  return mode === 'hyperfan_out' ? 1 / Math.max(1, r.fanOut) : 1 / Math.max(1, r.fanIn);
}

/**
 * How a target parameter starts when the layer owns it (or a head's learned base stands in for it): a fan-in
 * initialisation, U(±sqrt(3·variance)) for a layer that prescribes its variance (SIREN's uniform
 * initialisation), or the constant it declares.
 */
export function ownedInit(d: WeightDecl): Init {
  if (d.init !== 'fan') return { kind: d.init };
  return d.variance === undefined ? fanInInit(d.fanIn) : { kind: 'uniform', limit: Math.sqrt(3 * d.variance) };
}

export const routeSize = (r: Route): number => r.shape.reduce((a, b) => a * b, 1);

/** Total output a head must produce for its routes. */
export const routesSize = (routes: readonly Route[]): number => routes.reduce((a, r) => a + routeSize(r), 0);

/**
 * Initialisation of a head's last linear layer [fanIn, columns] whose columns are laid out as `blocks`.
 * With `plain`, an ordinary fan-in init over the head's own input; with `xavier`, Glorot-uniform over [fanIn, columns].
 */
export function lastLayerInit(
  mode: InitMode,
  input: ValueId,
  fanIn: number,
  blocks: { size: number; variance: number; product?: boolean }[],
): Init {
  if (mode === 'plain') return fanInInit(fanIn);
  if (mode === 'xavier') return xavierInit(fanIn, blocks.reduce((a, b) => a + b.size, 0));
  return { kind: 'hyperfan', input, fanIn, blocks: mergeBlocks(blocks) };
}

/** Adjacent blocks of equal variance (and kind) as one. */
export function mergeBlocks(blocks: InitBlock[]): InitBlock[] {
  const out: InitBlock[] = [];
  for (const b of blocks) {
    const last = out[out.length - 1];
    if (last && last.variance === b.variance && !last.product === !b.product) last.size += b.size;
    else if (b.size > 0) out.push({ ...b });
  }
  return out;
}

/** Column blocks of a head whose flat output is its routes laid end to end, in wiring order. */
export const flatBlocks = (routes: readonly Route[], mode: InitMode) =>
  routes.map((r) => ({ size: routeSize(r), variance: targetVariance(r, mode) }));

/**
 * Shape `value` (a route's generated numbers, `[...lead, size]` or already shaped) in the order the route is
 * generated in (its declared `order`, PyTorch's layout) and transpose it into the parameter's shape. `lead` is
 * ['B'] for per-sample weights, whose batch axis stays first.
 */
export function shapeGenerated<P>(ctx: LowerContext<P>, value: ValueId, r: WeightDecl, lead: readonly Dim[], name: string): ValueId {
  const shape = [...lead, ...r.shape];
  if (!r.order) return ctx.op({ op: 'reshape' }, [value], shape, name);
  const generated = ctx.op({ op: 'reshape' }, [value], [...lead, ...r.order.shape], `${name}.generated`);
  const perm = [...lead.map((_, i) => i), ...r.order.perm.map((p) => p + lead.length)];
  return ctx.op({ op: 'transpose', perm }, [generated], shape, name);
}

/**
 * Split a head's flat output [N, total] into its routes in wiring order, shape each one (generated in its
 * declared order, then transposed into the parameter's shape), and add what each starts from: a learned base
 * per route when `bases` are given, else the constant a `ones`-initialised weight starts from (a FiLM scale
 * starts at 1 + generated).
 */
export function deliverFlat<P>(ctx: LowerContext<P>, flat: ValueId, batch: Dim, routes: readonly Route[], port: string, bases?: readonly ValueId[]): void {
  let offset = 0;
  const perSample = batch === 'B';
  routes.forEach((r, i) => {
    const size = routeSize(r);
    const lead: Dim[] = perSample ? ['B'] : [];
    const shape = [...lead, ...r.shape];
    const piece = ctx.op({ op: 'slice', axis: 1, begin: offset, size }, [flat], [batch, size], `${port}.${i}.slice`);
    offset += size;
    let value = shapeGenerated(ctx, piece, r, lead, `${port}.${i}.${r.target}_${r.port}`);
    if (bases) value = ctx.op({ op: 'add' }, [value, bases[i]], shape, `${port}.${i}.with_base`);
    else if (r.init === 'ones') value = ctx.op({ op: 'scale', factor: 1, offset: 1 }, [value], shape, `${port}.${i}.plus_one`);
    ctx.deliver(r, value);
  });
}

/**
 * Heads with a learned base generate `W₀ + Δ(context)`: W₀ starts as the target layer's own initialisation and
 * Δ's last layer at zero, so every sample starts from one well-initialised network and the head learns how
 * samples differ from it (bias-HyperInit, Beck et al. 2022). Hyperfan instead starts every sample from its own
 * random network, which coordinate networks such as SIREN, sensitive to their first layer's weights, train
 * from far more slowly.
 */
export const LearnedBase = z
  .boolean()
  .default(false)
  .meta({ ui: { label: 'learned base W₀', help: 'generate W₀ + Δ(context): W₀ starts as the target layer\'s own initialisation, Δ at zero (bias-HyperInit, Beck et al. 2022)' } });

/** A context batch of 1 generates one weight set for the whole batch; a batch of B generates one per sample. */
export function requireRoutes<P>(ctx: InferContext<P>, port: string): Route[] {
  const routes = ctx.routes(port);
  if (routes.length === 0) ctx.fail('HN032', 'drives no weights port; wire its output to a target layer\'s weights (e.g. a Dense kernel)', port);
  return routes;
}
