import { z } from 'zod';
import { defineNode } from '../types';
import { dataOutputs, inferData, lowerData, type DataShapes } from './common';

export interface CsvShapeParams {
  features: number;
  classes: number;
  tasks: number;
}

/** classes 0 means regression: one float32 target per row; otherwise int32 class ids. */
export const csvShapes = (p: CsvShapeParams): DataShapes => ({
  x: [p.features],
  y: p.classes === 0 ? [1] : [],
  yDtype: p.classes === 0 ? 'float32' : 'int32',
  tasks: p.tasks,
});

/** An optional column name: absent and '' both mean "no such column". */
export const optionalColumn = (c: string | undefined): string | undefined => (c && c.trim() !== '' ? c.trim() : undefined);

export const CsvData = defineNode({
  id: 'data.csv',
  category: 'data',
  dataset: { files: { format: 'csv', params: ['path'] } },
  title: 'CSV file',
  doc: [
    'Your own table of numbers. The first line is a header naming the columns; every other line is a sample.',
    '',
    '- **label column**: the target. With `classes` ≥ 2 it holds integer class ids 0 … classes−1;',
    '  with `classes` = 0 the task is regression and it holds any number.',
    '- **task column** (optional): integer task ids 0 … tasks−1, for continual or multi-task learning.',
    '  Without it the file is one task.',
    '- **features**: every other column, in header order. Their count must equal `features`, which the',
    '  compiler needs to know the shapes without reading the file.',
    '',
    'Each task\'s rows are split into train and test sets by the run\'s seed (`testFraction` go to the test set).',
    'A relative `path` is resolved against the folder of the project file. Fields may be quoted ("1,5");',
    'cells must be plain decimal numbers.',
  ].join('\n'),
  params: z.object({
    path: z.string().max(4096).default('').meta({ ui: { label: 'CSV file', key: true, help: 'relative to the project file\'s folder, or absolute' } }),
    labelColumn: z.string().min(1).max(200).default('label').meta({ ui: { label: 'label column' } }),
    taskColumn: z.string().max(200).optional().meta({ ui: { label: 'task column', help: 'leave empty for a single task' } }),
    features: z.number().int().min(1).max(100_000).default(2).meta({ ui: { label: 'feature columns', key: true } }),
    classes: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .refine((c) => c !== 1, 'must be 0 (regression) or at least 2')
      .default(2)
      .meta({ ui: { label: 'classes', help: '0 for regression' } }),
    testFraction: z.number().min(0.01).max(0.95).default(0.2).meta({ ui: { label: 'test fraction', step: 0.05 } }),
    tasks: z.number().int().min(1).max(1000).default(1).meta({ ui: { label: 'tasks' } }),
  }),
  inputs: () => [],
  outputs: () => dataOutputs(false),
  infer: (ctx) => {
    if (ctx.params.tasks > 1 && !optionalColumn(ctx.params.taskColumn))
      ctx.fail('HN012', `tasks = ${ctx.params.tasks} needs a task column (set taskColumn, or tasks = 1)`);
    return inferData(csvShapes(ctx.params));
  },
  lower: (ctx) => lowerData(ctx, csvShapes(ctx.params)),
});
