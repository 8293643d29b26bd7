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
  /** sha256 of the data trained and evaluated on (src/main/engine/data/hash.ts), for the run's provenance. */
  dataHash: z.string().optional(),
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

/** Which held-out samples an evaluation measured. */
export const EvalSplit = z.enum(['val', 'test']);

export const EvalEvent = z.object({
  event: z.literal('eval'),
  step: z.number().int(),
  /** The task being trained when the evaluation ran. */
  task: z.number().int(),
  /** Mean over the evaluated tasks. */
  metrics: Metrics,
  perTask: z.record(z.string(), Metrics),
  /**
   * The held-out samples measured: `val` (held out of the training data: evaluations during training, where the
   * dataset has a validation split) or `test` (the test set: the end of each task and the final evaluation).
   */
  split: EvalSplit.optional(),
});

export const TaskEndEvent = z.object({
  event: z.literal('task_end'),
  task: z.number().int(),
  step: z.number().int(),
  /** accuracyMatrix[i][j]: the main metric on task j after training task i (rows so far). */
  accuracyMatrix: z.array(z.array(z.number().nullable())),
  metricName: z.string(),
});

/**
 * A histogram of a tensor's values as TensorBoard's HistogramProto holds one: `counts[i]` values at most
 * `limits[i]` (and above `limits[i - 1]`), over `num` values from `min` to `max`.
 */
export const WeightHistogram = z.object({
  min: z.number(),
  max: z.number(),
  num: z.number(),
  sum: z.number(),
  sumSquares: z.number(),
  limits: z.array(z.number()),
  counts: z.array(z.number()),
});
export type WeightHistogram = z.infer<typeof WeightHistogram>;

export const WeightStatsEvent = z.object({
  event: z.literal('weights'),
  step: z.number().int(),
  stats: z.array(
    z.object({
      head: z.string(),
      target: z.string(),
      norm: z.number(),
      mean: z.number(),
      std: z.number(),
      /** The values' histogram (TensorBoard's histograms of generated weights); absent in runs recorded before. */
      histogram: WeightHistogram.optional(),
    }),
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
  /** Final evaluation metrics on the test set (mean over tasks, plus `<metric>/task<k>` per task). */
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

// ---------------------------------------------------------------------------------------------------------------
// What the app streams to the editor: the engine's events, with step events coalesced (see StepsEvent), plus the
// run's status as the app sees it. The engine itself never emits these two; the CLI never sees them.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Where a run stands. `interrupted`: the app ended (quit, crash, power cut) while the run was going; `failed`: the
 * run could not start or stopped on invalid input (a data file, a checkpoint that does not match); `queued`: the
 * run waits for a free slot (the app trains a limited number of runs at once) and starts by itself, first in first
 * out, with its {@link QueuePosition} reported beside the status.
 */
export const RunStatus = z.enum(['queued', 'running', 'paused', 'done', 'stopped', 'diverged', 'crashed', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

/** A queued run's place in the queue: 1 starts next. Reported with status `queued` only. */
export const QueuePosition = z.number().int().min(1);

/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = ['done', 'stopped', 'diverged', 'crashed', 'failed', 'interrupted'];

/**
 * Every step event since the last push, as parallel series (index i is one step event), so charts lose no point
 * while the editor gets at most about 20 messages a second. The latest values are repeated at the top level.
 */
export const StepsEvent = z.object({
  event: z.literal('steps'),
  /** The latest step event's values. */
  step: z.number().int(),
  task: z.number().int(),
  loss: z.number(),
  stepsPerSecond: z.number(),
  /** From the run's start event; null before it arrived. */
  totalSteps: z.number().int().nullable(),
  /** Seconds left at the current speed; null when unknown. */
  etaSeconds: z.number().nullable(),
  points: z.object({
    step: z.array(z.number().int()),
    task: z.array(z.number().int()),
    loss: z.array(z.number()),
    /** Each objective's contribution, by name, aligned with `step` (null where a part was not computed). */
    losses: z.record(z.string(), z.array(z.number().nullable())),
  }),
});
export type StepsEvent = z.infer<typeof StepsEvent>;

/**
 * The run's status changed (queued, moved up the queue, started, paused, resumed, ended); `message` says why when
 * it ended badly; `position` comes with `queued`.
 */
export const StatusEvent = z.object({
  event: z.literal('status'),
  status: RunStatus,
  step: z.number().int().optional(),
  message: z.string().optional(),
  position: QueuePosition.optional(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

/**
 * What an editor receives for a run: the engine's events plus `steps` and `status`. The app sends step events
 * only coalesced as `steps`; `step` stays in the union so every engine event is also a stream event.
 */
export const StreamEvent = z.discriminatedUnion('event', [
  StartEvent,
  StepEvent,
  StepsEvent,
  EvalEvent,
  TaskEndEvent,
  WeightStatsEvent,
  LogEvent,
  CheckpointEvent,
  DoneEvent,
  ErrorEvent,
  StatusEvent,
]);
export type StreamEvent = z.infer<typeof StreamEvent>;
