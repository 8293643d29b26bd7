/** The body shared by the linear and MLP heads: context -> hidden layers -> one linear layer sized by its routes. */
import type { Activation } from '../../compiler/ir';
import { contextShape, deliverFlat, flatBlocks, lastLayerInit, lowerMlp, ownedInit, requireRoutes, routesSize, type InitMode } from '../common';
import type { InferContext, LowerContext, PortDecl, ValueInfo } from '../types';

export const headInputs = (): PortDecl[] => [
  { name: 'context', kind: 'tensor', doc: 'Conditioning input [1, d] (one weight set per batch) or [B, d] (one per sample).' },
];
export const headOutputs = (): PortDecl[] => [
  { name: 'weights', kind: 'weights', doc: 'Generated weights. Wire to one or more weights ports; the output is split in wiring order and sized by what it drives.' },
];

export function inferFlatHead<P>(ctx: InferContext<P>): Record<string, ValueInfo> {
  const { batch } = contextShape(ctx);
  const routes = requireRoutes(ctx, 'weights');
  return { weights: { kind: 'weights', perSample: batch === 'B', size: routesSize(routes) } };
}

export function lowerFlatHead<P>(
  ctx: LowerContext<P>,
  { hidden, activation, init, learnedBase }: { hidden: readonly number[]; activation: Activation; init: InitMode; learnedBase: boolean },
): Record<string, string> {
  const info = ctx.info('context');
  if (info.kind !== 'tensor') return ctx.fail('HN022', 'context must be a tensor', 'context');
  const routes = ctx.routes('weights');
  const total = routesSize(routes);
  const trunk = lowerMlp(ctx, ctx.input('context'), info.shape, hidden, activation, 'hidden', 'hyper', init);
  const fanIn = trunk.shape[1] as number;
  const batch = trunk.shape[0];
  if (learnedBase) {
    // The bases are the shared part of the output, so the last layer needs no bias of its own.
    const w = ctx.param('out.weight', [fanIn, total], { kind: 'zeros' });
    const flat = ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, null], [batch, total], 'out');
    const bases = routes.map((r, i) => ctx.param(`base${i}`, r.shape, ownedInit(r)));
    deliverFlat(ctx, flat, batch, routes, 'weights', bases);
    return { weights: flat };
  }
  const w = ctx.param('out.weight', [fanIn, total], lastLayerInit(init, trunk.value, fanIn, flatBlocks(routes, init)));
  const b = ctx.param('out.bias', [total], { kind: 'zeros' });
  const flat = ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, b], [batch, total], 'out');
  deliverFlat(ctx, flat, batch, routes, 'weights');
  return { weights: flat };
}
