/**
 * Training runs as the editor sees them: the settings a run may override, the summary `run.list` shows, the full
 * history `run.get` returns, checkpoints, and the generated-weights inspector's request and answer. Declared once
 * with zod; the methods in ./contract.ts use these schemas for both directions.
 *
 * {@link applyRunEvent} is the one reducer from events to a {@link RunHistory}: the app replays a run's
 * events.jsonl through it for `run.get`, and the editor can apply live pushes to the history it got from
 * `run.get` with the same function, so a reloaded editor and a live one draw the same charts.
 *
 * @example
 * const { history } = await api.invoke('run.get', { runId });
 * api.onPush((m) => { if (m.type === 'engine' && m.runId === runId) applyRunEvent(history, m.event); });
 */
import { z } from 'zod';
import { Backend, Continual, Optimizer, OptimizerType } from '../document/schema';
import {
  DoneEvent,
  ErrorEvent,
  EvalEvent,
  QueuePosition,
  RunStatus,
  StartEvent,
  TaskEndEvent,
  type EngineEvent,
  type StreamEvent,
} from './events';

/** A node parameter as runs and sweeps name it: `<node id>.<param>` (`hyper.chunkSize`). */
export const PARAM_KEY = /^[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Run ids: `run-YYYYMMDD-HHMMSS-xxxxxx`, sortable by start time; they name folders, so nothing else is accepted. */
export const RUN_ID = /^run-\d{8}-\d{6}-[a-z0-9]{6}$/;

const int = z.number().int();
const count = z.number().int().min(0);

// ---------------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------------

/** training.continual's switches in words, in the order the run settings form lists them. */
export const CONTINUAL_LABELS = {
  optimizerPerTask: 'fresh optimizer per task',
  fixedEmbeddings: 'fixed task embeddings',
  currentEmbeddingOnly: "only the current task's embedding trains",
  lookAhead: 'look-ahead regulariser',
  taskInference: 'task inference at the end (HNET+ENT)',
} as const satisfies Record<Exclude<keyof Continual, 'regularizedTasksPerStep'>, string>;
export type ContinualSwitch = keyof typeof CONTINUAL_LABELS;

/** The same switches in a table cell's words. */
const CONTINUAL_SHORT: Record<ContinualSwitch, string> = {
  optimizerPerTask: 'optimizer per task',
  fixedEmbeddings: 'fixed embeddings',
  currentEmbeddingOnly: 'current embedding only',
  lookAhead: 'look-ahead',
  taskInference: 'task inference',
};

/**
 * Continual-learning settings in a line: the switches on, then the subset size; `short` for a table cell (the runs
 * table), else in the form's words (its closed section).
 */
export function continualText(c: Partial<Record<ContinualSwitch, boolean>> & { regularizedTasksPerStep?: number | null }, short = false): string {
  const words = short ? CONTINUAL_SHORT : CONTINUAL_LABELS;
  const parts: string[] = (Object.keys(CONTINUAL_LABELS) as ContinualSwitch[]).filter((k) => c[k]).map((k) => words[k]);
  const n = c.regularizedTasksPerStep;
  if (n != null) parts.push(short ? `${n} earlier/step` : `${n} earlier task${n === 1 ? '' : 's'} regularised per step`);
  return parts.length ? parts.join(', ') : short ? 'none' : 'one optimizer through all tasks, every parameter trained';
}

/**
 * A run's continual-learning settings over the document's `training.continual`: only the fields given change
 * (`regularizedTasksPerStep: null` regularises all earlier tasks). The fields are Continual's (schema.ts).
 */
export const ContinualOverrides = z
  .object({
    optimizerPerTask: z.boolean(),
    currentEmbeddingOnly: z.boolean(),
    fixedEmbeddings: z.boolean(),
    lookAhead: z.boolean(),
    regularizedTasksPerStep: Continual.shape.regularizedTasksPerStep.unwrap().nullable(),
    taskInference: z.boolean(),
  })
  .partial()
  .strict();
export type ContinualOverrides = z.infer<typeof ContinualOverrides>;

/**
 * Training settings a run may use instead of the document's (the run settings form). Anything left out comes
 * from the document's `training` section. The document itself is never changed.
 */
export const RunOverrides = z
  .object({
    optimizer: OptimizerType.optional(),
    learningRate: z.number().positive().max(10).optional(),
    batchSize: z.number().int().min(1).max(65_536).optional(),
    /** Steps per task; takes precedence over epochs. */
    steps: z.number().int().min(0).max(100_000_000).optional(),
    epochs: z.number().positive().max(100_000).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    backend: Backend.optional(),
    /** Evaluate every N steps (0: only at task ends). */
    evalEvery: z.number().int().min(0).max(100_000_000).optional(),
    /** The task schedule for continual learning: tasks in training order. */
    tasks: z.array(z.number().int().min(0).max(10_000)).min(1).max(10_000).optional(),
    schedule: z.enum(['sequential', 'interleaved']).optional(),
    /** How a sequential schedule trains task after task (training.continual), field by field over the document's. */
    continual: ContinualOverrides.optional(),
    /** Keep a checkpoint every N steps (default: at every evaluation, else every 500 steps). */
    checkpointEvery: z.number().int().min(1).max(100_000_000).optional(),
    /** `static`: train the graph's static twin, ordinary weights instead of generated ones (src/shared/compiler/variants.ts). */
    variant: z.enum(['hypernetwork', 'static']).optional(),
    /** `full`: the document's full-budget setting (the published configuration) before the other overrides. */
    budget: z.enum(['default', 'full']).optional(),
    /**
     * Node parameters to set for this run, by `<node>.<param>` (`hyper.chunkSize: 500`): what a sweep varies.
     * Checked like the document's own parameters when the run compiles, so a wrong value names its node.
     */
    params: z.record(z.string().max(200).regex(PARAM_KEY, 'is not <node>.<param>'), z.unknown()).optional(),
  })
  .strict();
export type RunOverrides = z.infer<typeof RunOverrides>;

/** How the Train tab names each run setting: the words a refused value is said in (../issues.ts). */
export const RUN_SETTING_LABELS = {
  optimizer: 'Optimizer',
  learningRate: 'Learning rate',
  batchSize: 'Batch size',
  steps: 'Steps',
  epochs: 'Epochs',
  seed: 'Seed',
  backend: 'Backend',
  evalEvery: 'Evaluate every',
  tasks: 'Task order',
  schedule: 'Schedule',
  continual: 'Continual learning',
  checkpointEvery: 'Checkpoint every',
  variant: 'Variant',
  budget: 'Budget',
  params: 'Parameters',
} as const satisfies Record<keyof RunOverrides, string>;

/** The settings a run actually used (the document's training section with the overrides applied). */
export const RunSettings = z.object({
  optimizer: Optimizer,
  batchSize: int,
  steps: int.nullable(),
  epochs: z.number().nullable(),
  seed: int,
  backend: Backend,
  evalEvery: int,
  schedule: z.enum(['sequential', 'interleaved']),
  tasks: z.array(int).nullable(),
  /** training.continual as the run used it, defaults filled in; null: one task, an interleaved schedule, or a run recorded before runs kept it. */
  continual: Continual.nullable().default(null),
  checkpointEvery: int,
  stepEventEvery: int,
  /** What was trained: the graph as drawn, or its static twin. */
  variant: z.enum(['hypernetwork', 'static']).default('hypernetwork'),
  budget: z.enum(['default', 'full']).default('default'),
});
export type RunSettings = z.infer<typeof RunSettings>;

// ---------------------------------------------------------------------------------------------------------------
// What a program offers to inspect
// ---------------------------------------------------------------------------------------------------------------

export const RouteOutline = z.object({
  /** `<node>.<port>` of the weights port the route drives, e.g. `dense_1.kernel`. */
  target: z.string(),
  /** The generated tensor's shape for one context (no batch dimension). */
  shape: z.array(int),
  /** One weight set per sample (an input-conditioned context) rather than one per task. */
  perSample: z.boolean(),
});

/**
 * The pickers of the inspector and the prediction views, read off the compiled program when the run started.
 * `contexts` says which kinds of {@link InspectContext} make sense: `task` (a task embedding with several tasks),
 * `sample` (weights depend on the input or on a per-batch context vector such as the sinusoid's amplitude and
 * phase), and which one the interpolation slider moves over.
 */
export const ProgramOutline = z.object({
  heads: z.array(z.object({ head: z.string(), routes: z.array(RouteOutline) })),
  /** Tasks of the dataset, and the ones trained, in order. */
  tasks: count,
  taskList: z.array(int),
  kind: z.enum(['regression', 'classification']),
  /** Classes of a classification dataset (2 for a binary one). */
  classes: count.nullable(),
  /** Shape of one input sample. */
  inputShape: z.array(int),
  /** The dataset feeds one context vector per batch (sinusoid: amplitude and phase); `sample` picks an eval batch. */
  contextVector: z.boolean(),
  contexts: z.object({ task: z.boolean(), sample: z.boolean() }),
  interpolation: z.enum(['task', 'sample']).nullable(),
  metrics: z.array(z.string()),
  losses: z.array(z.string()),
  hasPrediction: z.boolean(),
  sequential: z.boolean(),
});
export type ProgramOutline = z.infer<typeof ProgramOutline>;

// ---------------------------------------------------------------------------------------------------------------
// Summaries, checkpoints, history
// ---------------------------------------------------------------------------------------------------------------

export const RunError = z.object({
  code: z.string(),
  message: z.string(),
  node: z.string().optional(),
  port: z.string().optional(),
  step: int.optional(),
});
export type RunError = z.infer<typeof RunError>;

/**
 * Where a run came from, so a result can be traced and regenerated: the app's version, the document snapshot's
 * hash, a hash of its graph alone (nodes, their parameters and wires; not positions or the training section),
 * the data's hash (reported by the engine when the data is loaded) and the seed.
 */
export const Provenance = z.object({
  appVersion: z.string(),
  /** sha256 of the document snapshot's text, hex. */
  documentHash: z.string(),
  /** sha256 of the graph as trained (node types, parameters, wires), hex: runs with the same graph share it. */
  graphHash: z.string(),
  /** sha256 of the data the run trained and evaluated on, hex; null until the engine has loaded it. */
  dataHash: z.string().nullable(),
  seed: int,
});
export type Provenance = z.infer<typeof Provenance>;

/** A run started as part of a sweep or a seed repeat: runs of one group share `id`. */
export const RunGroup = z.object({
  id: z.string().max(100),
  kind: z.enum(['sweep', 'seeds']),
  /** Shown above the group's results ("sweep hyper.chunkSize × 3 seeds"). */
  name: z.string().max(300),
  /** The swept settings' values for this run, by the names the sweep used (`hyper.chunkSize`, `learningRate`). */
  config: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  /** Which configuration (0-based) of how many, in the sweep's order. */
  index: count,
  of: count,
});
export type RunGroup = z.infer<typeof RunGroup>;

export const RunSummary = z.object({
  id: z.string(),
  /** The document's name when the run started. */
  name: z.string(),
  /** The user's name for the run (renamed in the runs table), else null: it is shown as {@link runDisplayName}. */
  label: z.string().nullable().default(null),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: RunStatus,
  /** With status `queued`: its place in the queue (1 starts next). */
  queuePosition: QueuePosition.optional(),
  /** The last step reached. */
  step: count,
  totalSteps: count.nullable(),
  /** Final metrics (done), else the latest evaluation's means. */
  metrics: z.record(z.string(), z.number()),
  settings: RunSettings,
  backend: z.string().nullable(),
  error: RunError.nullable(),
  /** This run continued another one from a checkpoint. */
  resumedFrom: z.object({ runId: z.string(), checkpoint: z.string(), step: count }).nullable(),
  /** Node parameters this run set (`<node>.<param>`), as a sweep gave them. */
  params: z.record(z.string(), z.unknown()).default({}),
  group: RunGroup.nullable().default(null),
  /** Null for runs recorded before provenance was kept. */
  provenance: Provenance.nullable().default(null),
  /** The graph's node parameters as trained, flat (`<node>.<param>`), so the runs table can say which changed. */
  nodeParams: z.record(z.string(), z.unknown()).default({}),
  /** Seconds spent training (the done event's), or null while it goes or when it ended without one. */
  seconds: z.number().nullable().default(null),
});
export type RunSummary = z.infer<typeof RunSummary>;

/**
 * The name a run goes by wherever it is shown (the runs table, chart legends, `hnet runs`): the user's label, else
 * `run ` and the end of its id (ids differ there: their first part is the start time).
 */
export function runDisplayName(r: Pick<RunSummary, 'id' | 'label'>): string {
  return r.label ?? `run ${r.id.slice(-6)}`;
}

export const CheckpointInfo = z.object({
  /** Pass back as `checkpoint` to resume from it. */
  name: z.string(),
  step: count,
  savedAt: z.string(),
  bytes: count,
});
export type CheckpointInfo = z.infer<typeof CheckpointInfo>;

const Series = z.object({ step: z.array(int), value: z.array(z.number()) });
export type Series = z.infer<typeof Series>;

/** Everything a run recorded, in the shape charts want. Built by {@link applyRunEvent}. */
export const RunHistory = z.object({
  status: RunStatus,
  /** With status `queued`: its place in the queue (1 starts next). */
  queuePosition: QueuePosition.optional(),
  start: StartEvent.omit({ event: true }).nullable(),
  /** Every step event, as parallel series (index i is one event). */
  steps: z.object({
    step: z.array(int),
    task: z.array(int),
    loss: z.array(z.number()),
    /** Each objective's contribution; null where it was not computed (the regulariser before the second task). */
    losses: z.record(z.string(), z.array(z.number().nullable())),
  }),
  stepsPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  lastStep: count,
  evals: z.array(EvalEvent.omit({ event: true })),
  /** Evaluation metric series per task: perTask[task][metric]. */
  perTask: z.record(z.string(), z.record(z.string(), Series)),
  /** Evaluation metric series, mean over the tasks evaluated. */
  mean: z.record(z.string(), Series),
  taskEnds: z.array(TaskEndEvent.omit({ event: true })),
  /** The latest continual-learning matrix (rows: task trained, columns: task evaluated). */
  accuracyMatrix: z.array(z.array(z.number().nullable())).nullable(),
  metricName: z.string().nullable(),
  /** Generated-weight statistics over training, per `<head> -> <target>.<port>`. */
  weights: z.record(
    z.string(),
    z.object({ head: z.string(), target: z.string(), step: z.array(int), norm: z.array(z.number()), mean: z.array(z.number()), std: z.array(z.number()) }),
  ),
  /** The latest {@link MAX_LOG_LINES} log lines. */
  logs: z.array(z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string(), step: count })),
  checkpoints: z.array(z.object({ step: count })),
  done: DoneEvent.omit({ event: true }).nullable(),
  error: ErrorEvent.omit({ event: true }).nullable(),
});
export type RunHistory = z.infer<typeof RunHistory>;

export const MAX_LOG_LINES = 500;

export function emptyHistory(): RunHistory {
  return {
    status: 'running',
    start: null,
    steps: { step: [], task: [], loss: [], losses: {} },
    stepsPerSecond: 0,
    etaSeconds: null,
    lastStep: 0,
    evals: [],
    perTask: {},
    mean: {},
    taskEnds: [],
    accuracyMatrix: null,
    metricName: null,
    weights: {},
    logs: [],
    checkpoints: [],
    done: null,
    error: null,
  };
}

const pushPoint = (s: Series, step: number, value: number) => {
  s.step.push(step);
  s.value.push(value);
};

function addStep(h: RunHistory, step: number, task: number, loss: number, losses: Record<string, number | null | undefined>): void {
  const s = h.steps;
  const n = s.step.length;
  s.step.push(step);
  s.task.push(task);
  s.loss.push(loss);
  for (const [name, v] of Object.entries(losses)) {
    // A loss part that appears late (the output regulariser starts with the second task) is padded with null.
    const series = (s.losses[name] ??= new Array<number | null>(n).fill(null));
    series.push(v ?? null);
  }
  for (const series of Object.values(s.losses)) if (series.length < n + 1) series.push(null);
  h.lastStep = Math.max(h.lastStep, step);
}

/**
 * The final evaluation (in the done event, not an eval event) as the last point of the metric series: means by
 * name, per task from `<metric>/task<k>` (a single-task run's means are its task's).
 */
function addFinalMetrics(h: RunHistory, step: number, metrics: Record<string, number>): void {
  const add = (s: Series, v: number) => {
    if (s.step[s.step.length - 1] !== step) pushPoint(s, step, v);
  };
  const single = h.start && h.start.tasks.length === 1 ? String(h.start.tasks[0]) : null;
  for (const [key, v] of Object.entries(metrics)) {
    const m = /^(.+)\/task(\d+)$/.exec(key);
    if (m) add(((h.perTask[m[2]] ??= {})[m[1]] ??= { step: [], value: [] }), v);
    else {
      add((h.mean[key] ??= { step: [], value: [] }), v);
      if (single !== null) add(((h.perTask[single] ??= {})[key] ??= { step: [], value: [] }), v);
    }
  }
}

/**
 * Fold one event into a history (mutating it). Accepts the engine's raw events (a run's events.jsonl holds
 * them) and the editor's stream events (`steps` batches, `status`).
 */
export function applyRunEvent(h: RunHistory, e: EngineEvent | StreamEvent): void {
  switch (e.event) {
    case 'start': {
      const { event: _, ...rest } = e;
      h.start = rest;
      return;
    }
    case 'step':
      addStep(h, e.step, e.task, e.loss, e.losses);
      h.stepsPerSecond = e.stepsPerSecond;
      if (h.start) h.etaSeconds = e.stepsPerSecond > 0 ? Math.max(0, h.start.totalSteps - e.step) / e.stepsPerSecond : null;
      return;
    case 'steps': {
      const p = e.points;
      for (let i = 0; i < p.step.length; i++) {
        const parts: Record<string, number | null | undefined> = {};
        for (const [name, values] of Object.entries(p.losses)) parts[name] = values[i];
        addStep(h, p.step[i], p.task[i], p.loss[i], parts);
      }
      h.stepsPerSecond = e.stepsPerSecond;
      h.etaSeconds = e.etaSeconds;
      return;
    }
    case 'eval': {
      const { event: _, ...rest } = e;
      h.evals.push(rest);
      for (const [name, v] of Object.entries(e.metrics)) pushPoint((h.mean[name] ??= { step: [], value: [] }), e.step, v);
      for (const [task, metrics] of Object.entries(e.perTask)) {
        const byMetric = (h.perTask[task] ??= {});
        for (const [name, v] of Object.entries(metrics)) pushPoint((byMetric[name] ??= { step: [], value: [] }), e.step, v);
      }
      h.lastStep = Math.max(h.lastStep, e.step);
      return;
    }
    case 'task_end': {
      const { event: _, ...rest } = e;
      h.taskEnds.push(rest);
      h.accuracyMatrix = e.accuracyMatrix;
      h.metricName = e.metricName;
      return;
    }
    case 'weights':
      for (const s of e.stats) {
        const key = `${s.head} -> ${s.target}`;
        const w = (h.weights[key] ??= { head: s.head, target: s.target, step: [], norm: [], mean: [], std: [] });
        w.step.push(e.step);
        w.norm.push(s.norm);
        w.mean.push(s.mean);
        w.std.push(s.std);
      }
      return;
    case 'log':
      h.logs.push({ level: e.level, message: e.message, step: h.lastStep });
      if (h.logs.length > MAX_LOG_LINES) h.logs.splice(0, h.logs.length - MAX_LOG_LINES);
      return;
    case 'checkpoint':
      h.checkpoints.push({ step: e.step });
      return;
    case 'done': {
      const { event: _, ...rest } = e;
      h.done = rest;
      addFinalMetrics(h, e.step, e.metrics);
      h.lastStep = Math.max(h.lastStep, e.step);
      if (e.accuracyMatrix) h.accuracyMatrix = e.accuracyMatrix;
      h.status = e.stopped ? 'stopped' : 'done';
      h.etaSeconds = 0;
      return;
    }
    case 'error': {
      const { event: _, ...rest } = e;
      h.error = rest;
      return;
    }
    case 'status':
      h.status = e.status;
      if (e.status === 'queued' && e.position !== undefined) h.queuePosition = e.position;
      else delete h.queuePosition;
      return;
  }
}

/** The full record of one run: `run.get`. */
export const RunDetail = z.object({
  summary: RunSummary,
  /** The document exactly as it was when the run started (editing the graph later does not change it). */
  documentText: z.string(),
  outline: ProgramOutline,
  history: RunHistory,
});
export type RunDetail = z.infer<typeof RunDetail>;

// ---------------------------------------------------------------------------------------------------------------
// The generated-weights inspector
// ---------------------------------------------------------------------------------------------------------------

/**
 * Which context the weights are generated for.
 * - `{ task }`: a task id (a task embedding). For weights that depend on the input or on a per-batch context
 *   vector, the first evaluation sample (or batch) of that task stands in.
 * - `{ sample, task? }`: evaluation sample `sample` of `task` (default 0): the weights it generates for
 *   input-conditioned heads, and the sample the per-sample views (classified images, a reconstruction) show for
 *   any head; for data with a per-batch context vector (the sinusoid family) it picks evaluation batch (wave)
 *   `sample`.
 * - `{ interpolate: { from, to, t } }`: the slider. `over: 'task'` mixes every task-embedding row,
 *   (1 - t)·e[from] + t·e[to]; `over: 'sample'` mixes the two samples' inputs or context vectors. t = 0 gives
 *   exactly `from`'s weights, t = 1 exactly `to`'s. Default `over`: the outline's `interpolation`.
 */
export const InspectContext = z.union([
  z.object({ task: z.number().int().min(0) }).strict(),
  z.object({ sample: z.number().int().min(0), task: z.number().int().min(0).optional() }).strict(),
  z
    .object({
      interpolate: z
        .object({
          from: z.number().int().min(0),
          to: z.number().int().min(0),
          t: z.number().min(0).max(1),
          over: z.enum(['task', 'sample']).optional(),
          /** With `over: 'sample'`: the task whose samples are mixed (default 0). */
          task: z.number().int().min(0).optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type InspectContext = z.infer<typeof InspectContext>;

export const MAX_HEATMAP_SIDE = 256;

export const InspectQuery = z.object({
  /** The head whose generated weights to return; omitted: every head's. */
  head: z.string().max(200).optional(),
  /** Only the route into this weights port (`dense_1.kernel`) or node (`dense_1`). */
  target: z.string().max(200).optional(),
  context: InspectContext,
  weights: z.boolean().default(true),
  /** The target network's predictions for this context (a curve, or classified samples). */
  predictions: z.boolean().default(false),
  /** A confusion matrix over the evaluation set of the context's task (classification only). */
  confusion: z.boolean().default(false),
  /** Largest side of a returned matrix; bigger ones are averaged down in blocks. */
  maxSide: z.number().int().min(4).max(MAX_HEATMAP_SIDE).default(MAX_HEATMAP_SIDE),
});
export type InspectQuery = z.infer<typeof InspectQuery>;

const Stats = z.object({ norm: z.number(), mean: z.number(), std: z.number(), min: z.number(), max: z.number() });

export const GeneratedMatrix = z.object({
  head: z.string(),
  target: z.string(),
  /** The tensor's own shape (no batch dimension). */
  shape: z.array(int),
  perSample: z.boolean(),
  /**
   * The heatmap: `rows` x `cols` values, row-major. A tensor is shown as [prod(all but last), last] (a bias as one
   * row); when that exceeds `maxSide`, each value is the mean of a `stride[0]` x `stride[1]` block.
   */
  rows: count,
  cols: count,
  stride: z.tuple([int, int]),
  values: z.array(z.number()),
  /** Over the full tensor. */
  stats: Stats,
  /**
   * A convolution kernel ([kh, kw, in, out] in the engine) as its filters, for a grid of one tile per output filter
   * and input channel: `values` holds `shownOut` x `shownIn` x kh x kw values, in that order (filter-major, each
   * tile row-major). At most {@link MAX_FILTER_VALUES} values: the first `shownOut` filters and `shownIn` input
   * channels of bigger kernels. Null for weights that are not a convolution's kernel.
   */
  filters: z
    .object({
      kernel: z.tuple([int, int]),
      inChannels: count,
      outChannels: count,
      shownIn: count,
      shownOut: count,
      values: z.array(z.number()),
    })
    .nullable(),
});
export type GeneratedMatrix = z.infer<typeof GeneratedMatrix>;

/** Most kernel values a {@link GeneratedMatrix}'s `filters` holds (the inspector asks about once a second). */
export const MAX_FILTER_VALUES = 16_384;

export const Predictions = z.discriminatedUnion('kind', [
  /** 1-D regression: the prediction on a grid of x, and the evaluation points of the context(s). */
  z.object({
    kind: z.literal('curve'),
    x: z.array(z.number()),
    predicted: z.array(z.number()),
    truth: z.array(z.object({ label: z.string(), x: z.array(z.number()), y: z.array(z.number()) })),
  }),
  /**
   * Classification: a few consecutive evaluation samples from the context's sample on (the first from 0 for a
   * task), with their inputs (images as flat arrays of `image` shape).
   */
  z.object({
    kind: z.literal('classes'),
    classes: count,
    image: z.tuple([int, int]).nullable(),
    samples: z.array(z.object({ index: count, x: z.array(z.number()), label: int, predicted: int, logits: z.array(z.number()) })),
  }),
  /**
   * Images represented as functions of their pixel coordinates (a SIREN): the generated network evaluated on the
   * chosen sample's whole pixel grid beside the image it should reproduce, both [height, width, channels] flat,
   * row-major, channels last, intensities in [0, 1]. `psnr` is 10·log10(1 / mse), as the PSNR metric counts it
   * (null for an exact reconstruction).
   */
  z.object({
    kind: z.literal('image'),
    index: count,
    height: count,
    width: count,
    channels: count,
    original: z.array(z.number()),
    reconstruction: z.array(z.number()),
    mse: z.number(),
    psnr: z.number().nullable(),
  }),
  /** Other regression: a few evaluation samples' targets and predictions. */
  z.object({
    kind: z.literal('values'),
    samples: z.array(z.object({ index: count, x: z.array(z.number()), y: z.array(z.number()), predicted: z.array(z.number()) })),
  }),
]);
export type Predictions = z.infer<typeof Predictions>;

export const InspectResult = z.object({
  /** The model's step when it answered. */
  step: count,
  /** `live`: the running model between two steps; `checkpoint`: the run's last checkpoint (the run has ended). */
  source: z.enum(['live', 'checkpoint']),
  context: z.object({
    task: count,
    sample: count.nullable(),
    /**
     * Evaluation samples of the context's task (per-batch data: evaluation batches), the test split as evaluation
     * reads it: a `sample` context picks one of 0 to samples - 1.
     */
    samples: count,
    /** The per-batch context vector fed (sinusoid: amplitude, phase), if any. */
    vector: z.array(z.number()).nullable(),
    description: z.string(),
  }),
  weights: z.array(GeneratedMatrix),
  predictions: Predictions.nullable(),
  confusion: z
    .object({ task: count, classes: count, /** matrix[true][predicted] */ matrix: z.array(z.array(count)), accuracy: z.number(), samples: count })
    .nullable(),
  /** Why something asked for is missing (e.g. no predictions for an interpolated per-sample context). */
  notes: z.array(z.string()),
});
export type InspectResult = z.infer<typeof InspectResult>;

// ---------------------------------------------------------------------------------------------------------------
// Generated weights as values (the safetensors export)
// ---------------------------------------------------------------------------------------------------------------

/** Ask a run's model for the full generated weights of each of `tasks` (the safetensors export). */
export const GenerateQuery = z.object({ generate: z.object({ tasks: z.array(z.number().int().min(0)).min(1).max(1000) }).strict() }).strict();
export type GenerateQuery = z.infer<typeof GenerateQuery>;

/**
 * The answer: per task, every generated tensor that depends on the task alone (not on the input sample), full
 * size, in the engine's layout (a Dense kernel [in, out], a Conv2D kernel [kh, kw, in, out]); weights generated
 * per input sample are left out and said so in `notes`.
 */
export const GeneratedTensors = z.object({
  step: count,
  tensors: z.array(z.object({ task: count, head: z.string(), target: z.string(), shape: z.array(int), values: z.array(z.number()), context: z.string() })),
  notes: z.array(z.string()),
});
export type GeneratedTensors = z.infer<typeof GeneratedTensors>;
