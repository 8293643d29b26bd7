import { z } from 'zod';
import type { Activation } from '../../compiler/ir';
import { ActivationName, HiddenSizes, InitMode, contextShape, deliverFlat, flatBlocks, lastLayerInit, lowerMlp, routesSize } from '../common';
import { defineNode } from '../types';
import { headInputs } from './mlpCore';

/**
 * FiLM (Perez et al. 2018): per-channel scale and shift from the context. Scales are generated as 1 + Δ and
 * shifts as Δ, with Δ starting at zero, so a freshly wired FiLM layer starts as the identity.
 */
export const FilmHead = defineNode({
  id: 'head.film',
  category: 'head',
  title: 'FiLM head',
  doc: 'Generates per-channel scale and shift (FiLM, Perez et al. 2018) from the context. Wire `scale` to FiLM apply / layer norm scales and `shift` to shifts; they start at 1 and 0.',
  params: z.object({
    hidden: HiddenSizes.default([]).meta({ ui: { label: 'hidden sizes' } }),
    activation: ActivationName.default('relu'),
    init: InitMode,
  }),
  inputs: headInputs,
  outputs: () => [
    { name: 'scale', kind: 'weights', doc: 'Per-channel scales (start at 1).' },
    { name: 'shift', kind: 'weights', doc: 'Per-channel shifts (start at 0).' },
  ],
  infer: (ctx) => {
    const { batch } = contextShape(ctx);
    const scale = ctx.routes('scale');
    const shift = ctx.routes('shift');
    if (scale.length + shift.length === 0) ctx.fail('HN032', 'drives nothing; wire scale or shift to a FiLM apply layer', 'scale');
    const perSample = batch === 'B';
    return {
      scale: { kind: 'weights', perSample, size: routesSize(scale) },
      shift: { kind: 'weights', perSample, size: routesSize(shift) },
    };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('context');
    if (info.kind !== 'tensor') return ctx.fail('HN022', 'context must be a tensor', 'context');
    const trunk = lowerMlp(ctx, ctx.input('context'), info.shape, p.hidden, p.activation as Activation, 'hidden', 'hyper', p.init);
    const fanIn = trunk.shape[1] as number;
    const batch = trunk.shape[0];
    const out: Record<string, string> = {};
    for (const port of ['scale', 'shift'] as const) {
      const routes = ctx.routes(port);
      if (routes.length === 0) continue;
      // FiLM parameters start at a constant (1 or 0): generate a zero-mean change around it.
      const asDelta = routes.map((r) => ({ ...r, init: r.init === 'fan' ? r.init : ('zeros' as const) }));
      const total = routesSize(routes);
      const w = ctx.param(`${port}.weight`, [fanIn, total], lastLayerInit(p.init, trunk.value, fanIn, flatBlocks(asDelta, p.init)));
      const b = ctx.param(`${port}.bias`, [total], { kind: 'zeros' });
      out[port] = ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, b], [batch, total], port);
      deliverFlat(ctx, out[port], batch, routes, port);
    }
    return out;
  },
});
