import { z } from 'zod';
import type { Activation } from '../../compiler/ir';
import { ActivationName, HiddenSizes, InitMode, contextShape, lastLayerInit, lowerMlp, ownedInit, requireRoutes, routeSize, shapeGenerated, targetVariance } from '../common';
import { defineNode, type Route } from '../types';
import { headInputs, headOutputs } from './mlpCore';

/**
 * How a route is generated: a matrix [rows, cols] as U·Vᵀ, or (1-D weights such as biases) directly. The matrix
 * is the parameter in its generation order (PyTorch's layout) with all but the first axis flattened: a Dense
 * kernel as [out, in], a Conv2D kernel as [out, in·kh·kw], as low-rank factorisations of nn.Linear and
 * nn.Conv2d weights are written. A parameter without a declared order is read as [all but last, last].
 */
function factorOf(r: Route, rank: number) {
  if (r.shape.length < 2) return { lowRank: false as const, size: routeSize(r) };
  const rows = r.order ? r.order.shape[0] : routeSize(r) / r.shape[r.shape.length - 1];
  const cols = routeSize(r) / rows;
  return { lowRank: true as const, rows, cols, size: (rows + cols) * rank };
}

/**
 * Generates each weight matrix as W = U·Vᵀ (+ a learned base W₀) with U [rows, r] and V [cols, r] produced
 * from the context, so a large layer costs r·(rows + cols) generated numbers instead of rows·cols.
 */
export const LowRankHead = defineNode({
  id: 'head.low_rank',
  category: 'head',
  title: 'Low-rank head',
  doc: 'Generates each weight matrix as `W = U·Vᵀ` (rank r), optionally plus a learned base `W₀`; U and V come from an MLP over the context. Matrices are taken in PyTorch\'s layout: a Dense kernel as [out, in], a conv kernel as [out, in·kh·kw]; 1-D weights (biases) are generated directly.',
  params: z.object({
    rank: z.number().int().min(1).max(4096).default(4).meta({ ui: { key: true } }),
    hidden: HiddenSizes.default([]).meta({ ui: { label: 'hidden sizes' } }),
    activation: ActivationName.default('relu'),
    learnedBase: z.boolean().default(false).meta({ ui: { label: 'learned base W₀' } }),
    init: InitMode,
  }),
  inputs: headInputs,
  outputs: headOutputs,
  infer: (ctx) => {
    const { batch } = contextShape(ctx);
    const routes = requireRoutes(ctx, 'weights');
    const size = routes.reduce((a, r) => a + factorOf(r, ctx.params.rank).size, 0);
    return { weights: { kind: 'weights', perSample: batch === 'B', size } };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('context');
    if (info.kind !== 'tensor') return ctx.fail('HN022', 'context must be a tensor', 'context');
    const routes = ctx.routes('weights');
    const trunk = lowerMlp(ctx, ctx.input('context'), info.shape, p.hidden, p.activation as Activation, 'hidden', 'hyper', p.init);
    const batch = trunk.shape[0];
    const perSample = batch === 'B';
    const fanIn = trunk.shape[1] as number;
    // With a base, the generated part and the base each carry half of the target variance.
    const share = p.learnedBase ? 0.5 : 1;
    const factors = routes.map((r) => factorOf(r, p.rank));
    const blocks = routes.map((r, i) => {
      const f = factors[i];
      const v = targetVariance(r, p.init) * share;
      // U and V both scale with the head's input h: a product block is scaled by sqrt(E[‖h‖⁴]), not E[‖h‖²].
      return f.lowRank ? { size: f.size, variance: Math.sqrt(v / p.rank), product: true } : { size: f.size, variance: v };
    });
    const total = factors.reduce((a, f) => a + f.size, 0);
    const w = ctx.param('out.weight', [fanIn, total], lastLayerInit(p.init, trunk.value, fanIn, blocks));
    const b = ctx.param('out.bias', [total], { kind: 'zeros' });
    const flat = ctx.op({ op: 'linear', perSample: false }, [trunk.value, w, b], [batch, total], 'out');
    const lead = perSample ? (['B'] as const) : [];
    let offset = 0;
    routes.forEach((r, i) => {
      const f = factors[i];
      const name = `weights.${i}.${r.target}_${r.port}`;
      const take = (size: number, what: string) => {
        const v = ctx.op({ op: 'slice', axis: 1, begin: offset, size }, [flat], [batch, size], `${name}.${what}`);
        offset += size;
        return v;
      };
      let value: string;
      if (!f.lowRank) {
        value = shapeGenerated(ctx, take(f.size, 'flat'), r, lead, name);
      } else {
        const u = ctx.op({ op: 'reshape' }, [take(f.rows * p.rank, 'u')], [...lead, f.rows, p.rank], `${name}.U`);
        const v = ctx.op({ op: 'reshape' }, [take(f.cols * p.rank, 'v')], [...lead, f.cols, p.rank], `${name}.V`);
        const m = ctx.op({ op: 'matmul', transposeB: true }, [u, v], [...lead, f.rows, f.cols], `${name}.UVt`);
        value = shapeGenerated(ctx, m, r, lead, name);
        if (p.learnedBase) {
          // W₀ is the target's own parameter, held in the parameter's shape like the flat heads' bases.
          const baseInit = r.init === 'fan' ? { kind: 'normal' as const, std: Math.sqrt(targetVariance(r, p.init) * (1 - share)) } : { kind: 'zeros' as const };
          const base = ctx.param(`base${i}`, r.shape, (p.init === 'plain' || p.init === 'xavier') && r.init === 'fan' ? ownedInit(r) : baseInit);
          value = ctx.op({ op: 'add' }, [value, base], [...lead, ...r.shape], `${name}.with_base`);
        }
      }
      if (r.init === 'ones') value = ctx.op({ op: 'scale', factor: 1, offset: 1 }, [value], [...lead, ...r.shape], `${name}.plus_one`);
      ctx.deliver(r, value);
    });
    return { weights: flat };
  },
});
