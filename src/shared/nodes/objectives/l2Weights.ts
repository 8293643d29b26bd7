import { z } from 'zod';
import { defineNode } from '../types';
import { LossWeight } from './common';

export const L2Weights = defineNode({
  id: 'objective.l2_weights',
  category: 'objective',
  roles: { onlyServesGeneration: true },
  title: 'L2 on generated weights',
  doc: 'Penalises the mean square of the weights a head generates (wire a head\'s output here as well as to its targets).',
  params: z.object({ weight: LossWeight.default(1e-4) }),
  inputs: () => [{ name: 'weights', kind: 'weights', doc: 'A head output.' }],
  outputs: () => [],
  infer: (ctx) => {
    if (ctx.input('weights')?.kind !== 'weights') ctx.fail('HN022', 'expects a head\'s weights output', 'weights');
    return {};
  },
  lower: (ctx) => {
    const parts = ctx.generatedFrom('weights');
    if (parts.length === 0) return ctx.fail('HN032', 'the head wired here drives no weights yet', 'weights');
    const total = parts.reduce((a, p) => a + p.route.shape.reduce((x, y) => x * y, 1), 0);
    // Mean over every generated element: each part's mean square weighted by its share of the elements.
    let sum: string | null = null;
    parts.forEach((p, i) => {
      const ms = ctx.op({ op: 'meanSquare' }, [p.value], [], `part${i}`);
      const share = p.route.shape.reduce((x, y) => x * y, 1) / total;
      const scaled = ctx.op({ op: 'scale', factor: share, offset: 0 }, [ms], [], `part${i}.weighted`);
      sum = sum === null ? scaled : ctx.op({ op: 'add' }, [sum, scaled], [], `sum${i}`);
    });
    ctx.loss(sum!, ctx.params.weight, 'l2_weights');
    return {};
  },
});
