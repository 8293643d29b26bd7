/**
 * Events a training run streams to its listeners (the CLI's `--json` lines, the editor's dashboard).
 * Declared once with zod so every consumer validates what it receives.
 */
import { z } from 'zod';

const Metrics = z.record(z.string(), z.number());

export const StartEvent = z.object({
  event: z.literal('start'),
  backend: z.string(),
  totalSteps: z.number().int(),
  tasks: z.array(z.number().int()),
  budget: z.object({
    hyper: z.number().int(),
    generated: z.number().int(),
    ordinary: z.number().int(),
    compression: z.number().nullable(),
  }),
});

export const StepEvent = z.object({
  event: z.literal('step'),
  step: z.number().int(),
  task: z.number().int(),
  loss: z.number(),
  /** Each objective's contribution, by name. */
  losses: Metrics,
  stepsPerSecond: z.number(),
});

export const EvalEvent = z.object({
  event: z.literal('eval'),
  step: z.number().int(),
  /** The task being trained when the evaluation ran. */
  task: z.number().int(),
  /** Mean over the evaluated tasks. */
  metrics: Metrics,
  perTask: z.record(z.string(), Metrics),
});

export const TaskEndEvent = z.object({
  event: z.literal('task_end'),
  task: z.number().int(),
  step: z.number().int(),
  /** accuracyMatrix[i][j]: the main metric on task j after training task i (rows so far). */
  accuracyMatrix: z.array(z.array(z.number().nullable())),
  metricName: z.string(),
});

export const WeightStatsEvent = z.object({
  event: z.literal('weights'),
  step: z.number().int(),
  stats: z.array(
    z.object({ head: z.string(), target: z.string(), norm: z.number(), mean: z.number(), std: z.number() }),
  ),
});

export const LogEvent = z.object({
  event: z.literal('log'),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});

export const CheckpointEvent = z.object({ event: z.literal('checkpoint'), step: z.number().int(), path: z.string() });

export const DoneEvent = z.object({
  event: z.literal('done'),
  step: z.number().int(),
  seconds: z.number(),
  /** Final evaluation metrics (mean over tasks, plus `<metric>/task<k>` per task). */
  metrics: Metrics,
  accuracyMatrix: z.array(z.array(z.number().nullable())).optional(),
  stopped: z.boolean(),
});

export const ErrorEvent = z.object({
  event: z.literal('error'),
  code: z.string(),
  message: z.string(),
  node: z.string().optional(),
  port: z.string().optional(),
  step: z.number().int().optional(),
});

export const EngineEvent = z.discriminatedUnion('event', [
  StartEvent,
  StepEvent,
  EvalEvent,
  TaskEndEvent,
  WeightStatsEvent,
  LogEvent,
  CheckpointEvent,
  DoneEvent,
  ErrorEvent,
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
export type DoneEvent = z.infer<typeof DoneEvent>;
export type ErrorEvent = z.infer<typeof ErrorEvent>;
export type StepEvent = z.infer<typeof StepEvent>;
