import { z } from 'zod';
import { defineNode } from './types';

export const Probe = defineNode({
  id: 'probe',
  category: 'probe',
  title: 'Probe',
  doc: 'Taps any tensor or weights wire so the dashboard can show its values and statistics during training.',
  params: z.object({}),
  inputs: () => [{ name: 'value', kind: 'any', doc: 'Any wire.' }],
  outputs: () => [],
  infer: () => ({}),
  lower: (ctx) => {
    const info = ctx.info('value');
    if (info.kind === 'weights') for (const g of ctx.generatedFrom('value')) ctx.probe(g.value, `${g.route.target}.${g.route.port}`);
    else if (info.kind === 'tensor') ctx.probe(ctx.input('value'), 'value');
    return {};
  },
});
