/** Pieces several node types share: activation choices, small MLP stacks, and how heads hand out their output. */
import { z } from 'zod';
import type { Activation, Init, ValueId } from '../compiler/ir';
import type { Dim, Shape } from '../compiler/shape';
import type { InferContext, LowerContext, Route } from './types';

export const ActivationName = z.enum(['relu', 'tanh', 'sigmoid', 'gelu', 'sin', 'elu', 'leaky_relu', 'softplus', 'linear']);

/** Hidden layer sizes of an MLP, bounded so a typo cannot allocate gigabytes. */
export const HiddenSizes = z.array(z.number().int().min(1).max(65_536)).max(16);

export const InitMode = z
  .enum(['hyperfan_in', 'hyperfan_out', 'plain'])
  .default('hyperfan_in')
  .meta({ ui: { label: 'initialisation', help: 'hyperfan-in/out (Chang et al. 2020) start generated weights at the scale of a fan-in/fan-out initialisation; plain uses an ordinary fan-in init for the head itself.' } });
export type InitMode = z.infer<typeof InitMode>;

/** Largest number of elements a single parameter or generated weight set may have. */
export const MAX_ELEMENTS = 50_000_000;

/** N(0, 1/fanIn): the fan-in initialisation owned target weights use, and generated ones aim for. */
export const fanInInit = (fanIn: number): Init => ({ kind: 'normal', std: Math.sqrt(1 / Math.max(1, fanIn)) });

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
): { value: ValueId; shape: Shape } {
  let value = input;
  let dim = inShape[inShape.length - 1] as number;
  const lead = inShape.slice(0, -1);
  hidden.forEach((h, i) => {
    const w = ctx.param(`${prefix}${i}.weight`, [dim, h], hiddenInit(dim, act), role);
    const b = ctx.param(`${prefix}${i}.bias`, [h], { kind: 'zeros' }, role);
    const lin = ctx.op({ op: 'linear', perSample: false }, [value, w, b], [...lead, h], `${prefix}${i}.linear`);
    value = ctx.op({ op: 'activation', fn: act, w0: 1 }, [lin], [...lead, h], `${prefix}${i}.out`);
    dim = h;
  });
  return { value, shape: [...lead, dim] };
}

/** The variance a head aims for in each generated element of a route. 0 for constant-initialised ones. */
export function targetVariance(r: Route, mode: InitMode): number {
  if (r.init !== 'fan') return 0;
  return mode === 'hyperfan_out' ? 1 / Math.max(1, r.fanOut) : 1 / Math.max(1, r.fanIn);
}

export const routeSize = (r: Route): number => r.shape.reduce((a, b) => a * b, 1);

/** Total output a head must produce for its routes. */
export const routesSize = (routes: readonly Route[]): number => routes.reduce((a, r) => a + routeSize(r), 0);

/**
 * Initialisation of a head's last linear layer [fanIn, columns] whose columns are laid out as `blocks`.
 * With `plain`, an ordinary fan-in init over the head's own input.
 */
export function lastLayerInit(
  mode: InitMode,
  input: ValueId,
  fanIn: number,
  blocks: { size: number; variance: number; product?: boolean }[],
): Init {
  if (mode === 'plain') return fanInInit(fanIn);
  return { kind: 'hyperfan', input, fanIn, blocks: mergeBlocks(blocks) };
}

function mergeBlocks(blocks: { size: number; variance: number; product?: boolean }[]): { size: number; variance: number; product?: boolean }[] {
  const out: { size: number; variance: number; product?: boolean }[] = [];
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
 * Split a head's flat output [N, total] into its routes in wiring order, shape each one, and add the
 * constant a `ones`-initialised weight starts from (a FiLM scale starts at 1 + generated).
 */
export function deliverFlat<P>(ctx: LowerContext<P>, flat: ValueId, batch: Dim, routes: readonly Route[], port: string): void {
  let offset = 0;
  const perSample = batch === 'B';
  routes.forEach((r, i) => {
    const size = routeSize(r);
    const piece = ctx.op({ op: 'slice', axis: 1, begin: offset, size }, [flat], [batch, size], `${port}.${i}.slice`);
    offset += size;
    let value = ctx.op({ op: 'reshape' }, [piece], perSample ? ['B', ...r.shape] : r.shape, `${port}.${i}.${r.target}_${r.port}`);
    if (r.init === 'ones') value = ctx.op({ op: 'scale', factor: 1, offset: 1 }, [value], perSample ? ['B', ...r.shape] : r.shape, `${port}.${i}.plus_one`);
    ctx.deliver(r, value);
  });
}

/** A context batch of 1 generates one weight set for the whole batch; a batch of B generates one per sample. */
export function requireRoutes<P>(ctx: InferContext<P>, port: string): Route[] {
  const routes = ctx.routes(port);
  if (routes.length === 0) ctx.fail('HN032', 'drives no weights port; wire its output to a target layer\'s weights (e.g. a Dense kernel)', port);
  return routes;
}
