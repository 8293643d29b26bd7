import { z } from 'zod';
import { defineNode } from '../types';

/**
 * von Oswald, Henning, Grewe & Sacramento (2020): while learning task t, keep the weights the hypernetwork
 * generates for every earlier task t' close to what it generated for them before task t started.
 */
export const OutputRegularizer = defineNode({
  id: 'objective.output_regularizer',
  category: 'objective',
  // It keeps earlier tasks' generated weights in place; what each task learns comes from another objective.
  roles: { regularizer: true, onlyServesGeneration: true },
  title: 'Continual-learning output regulariser',
  doc: 'Adds `β/(t) · Σ_{t\'<t} ‖h(e_t\') − h*(e_t\')‖²` while training task t in a sequential schedule (von Oswald et al. 2020): h is every weight generated from task-conditioned contexts, h* what the hypernetwork generated for each earlier task just before task t began. No wires needed.',
  params: z.object({ beta: z.number().min(0).max(1e6).default(0.01).meta({ ui: { label: 'β', key: true } }) }),
  inputs: () => [],
  outputs: () => [],
  infer: () => ({}),
  lower: (ctx) => {
    ctx.outputRegularizer(ctx.params.beta);
    return {};
  },
});
