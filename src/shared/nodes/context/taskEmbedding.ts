import { z } from 'zod';
import { defineNode } from '../types';

/** A learned table with one row per task; the batch's task id picks the row, so it generates per task. */
export const TaskEmbedding = defineNode({
  id: 'context.task_embedding',
  category: 'context',
  title: 'Task embedding',
  doc: 'A learned embedding per task (von Oswald et al. 2020). Wire the dataset\'s `task` output in; the output is the current task\'s row, [1, dim], so the hypernetwork generates one weight set per task.',
  params: z.object({
    dim: z.number().int().min(1).max(65_536).default(8).meta({ ui: { label: 'embedding size', key: true } }),
    std: z.number().min(0).max(100).default(1).meta({ ui: { label: 'initial std' } }),
  }),
  inputs: () => [{ name: 'task', kind: 'task', doc: 'Task id of the batch (from the dataset).' }],
  outputs: () => [{ name: 'embedding', kind: 'tensor', doc: 'The task\'s embedding, [1, dim].' }],
  infer: (ctx) => {
    const t = ctx.input('task');
    if (t?.kind !== 'task') return ctx.fail('HN024', 'needs the dataset\'s task output wired to `task`', 'task');
    // One task: one row, so every sample gets the same embedding and the same generated weights.
    if (t.count === 1)
      ctx.warn(
        'HN034',
        'this context is constant: the dataset has one task, so every sample gets the same embedding and the same generated weights; use a dataset with several tasks, or an encoder over the input (MLP or conv encoder) for weights that vary per sample',
        'task',
      );
    return { embedding: { kind: 'tensor', shape: [1, ctx.params.dim], dtype: 'float32' } };
  },
  lower: (ctx) => {
    const t = ctx.info('task');
    const count = t.kind === 'task' ? t.count : 1;
    const table = ctx.param('table', [count, ctx.params.dim], { kind: 'normal', std: ctx.params.std }, 'embedding');
    return { embedding: ctx.op({ op: 'embedding' }, [table, ctx.input('task')], [1, ctx.params.dim], 'embedding') };
  },
});
