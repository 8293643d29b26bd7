/**
 * The generated-weights inspector, engine side: the weights a head generates for a context, the target
 * network's predictions for it and a confusion matrix, computed on a model that is either the live one of a
 * running training loop (answered between two steps, see RunControl.idle) or one restored from a run's
 * checkpoint after the run ended ({@link loadForInspection}).
 *
 * Nothing here changes the model: interpolating between two task embeddings evaluates a shadow model that
 * shares every variable with the live one except the embedding tables, which it holds mixed copies of.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MAX_FILTER_VALUES, type GeneratedMatrix, type GeneratedTensors, type InspectQuery, type InspectResult, type Predictions } from '../../shared/api/runs';
import type { GeneratedRoute, Program } from '../../shared/compiler/ir';
import { getNodeType } from '../../shared/nodes';
import { useBackend } from './backend';
import { decode, readCheckpoint } from './checkpoint';
import type { LiveModel } from './control';
import { openDataset, type Batch, type Dataset } from './data';
import { dataAccessOf } from './data/files';
import type { TrainOptions } from './options';
import { defaultInterpolation, embeddingTables } from './outline';
import { Model } from './runtime';
import { readValues } from '../../runtime/ts/read.ts';
import { withFeeds } from './train';

/** A request the model cannot answer (an unknown head, a task or sample that does not exist). */
export class InspectError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_request',
    message: string,
  ) {
    super(message);
    this.name = 'InspectError';
  }
}

const GRID_POINTS = 128;
const SAMPLES_SHOWN = 12;
/** Inputs larger than this are not sent with classified samples. */
const MAX_SAMPLE_VALUES = 4096;
/**
 * The confusion matrix counts at most this many evaluation samples: the editor asks for it about once a second
 * while a run goes, between two training steps, so its cost is bounded whatever `maxEvalSamples` says.
 */
export const CONFUSION_MAX_SAMPLES = 2000;
/** Significant digits of the inputs sent with classified samples: enough to draw them, a third of the bytes. */
const SAMPLE_DIGITS = 4;

const forDisplay = (x: ArrayLike<number>): number[] => Array.from(x, (v) => Number(v.toPrecision(SAMPLE_DIGITS)));

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------------------------------------------

interface Resolved {
  task: number;
  sample: number | null;
  /** One sample (x, y, task, context) that stands for the context. */
  one: Batch;
  /** Task-embedding mixing. */
  mix: { from: number; to: number; t: number } | null;
  /** Evaluation batches that give the true curve(s): label and batches. */
  truth: { label: string; batches: Batch[] }[];
  /** Evaluate on a single interpolated input rather than on evaluation samples. */
  mixedInput: boolean;
  description: string;
}

class Contexts {
  private cache = new Map<number, Batch[]>();
  constructor(
    private readonly program: Program,
    private readonly data: Dataset,
  ) {}

  checkTask(task: number): void {
    if (task >= this.data.tasks) throw new InspectError('not_found', `task ${task} does not exist; the data has ${this.data.tasks} task(s) (0 to ${this.data.tasks - 1})`);
  }

  evalBatches(task: number): Batch[] {
    this.checkTask(task);
    let b = this.cache.get(task);
    if (!b) {
      b = this.data.evalBatches(task, this.program.evaluation.evalBatchSize, this.program.evaluation.maxEvalSamples);
      this.cache.set(task, b);
    }
    return b;
  }

  /** Per-batch context data (sinusoid): batches are the samples. */
  get perBatch(): boolean {
    return this.program.data.context !== undefined;
  }

  count(task: number): number {
    const batches = this.evalBatches(task);
    return this.perBatch ? batches.length : batches.reduce((a, b) => a + b.n, 0);
  }

  /** Evaluation sample `i` of `task` as a one-sample batch (with its batch's context vector); per-batch data: batch i's first point. */
  sample(task: number, i: number): { one: Batch; batch: Batch } {
    const batches = this.evalBatches(task);
    const n = this.count(task);
    if (i >= n) throw new InspectError('not_found', `sample ${i} does not exist; task ${task} has ${n} evaluation ${this.perBatch ? 'batches' : 'samples'} (0 to ${n - 1})`);
    if (this.perBatch) return { one: slice(batches[i], 0, 1), batch: batches[i] };
    let k = i;
    for (const b of batches) {
      if (k < b.n) return { one: slice(b, k, k + 1), batch: b };
      k -= b.n;
    }
    throw new InspectError('not_found', `sample ${i} does not exist`);
  }

  resolve(context: InspectQuery['context']): Resolved {
    if ('task' in context && !('sample' in context)) {
      const { task } = context;
      const { one } = this.sample(task, 0);
      return { task, sample: null, one, mix: null, truth: this.truthOf(task, this.perBatch ? 0 : null), mixedInput: false, description: `task ${task}` };
    }
    if ('sample' in context) {
      const task = context.task ?? 0;
      const { one } = this.sample(task, context.sample);
      const unit = this.perBatch ? 'evaluation batch' : 'evaluation sample';
      return {
        task,
        sample: context.sample,
        one,
        mix: null,
        truth: this.truthOf(task, this.perBatch ? context.sample : null),
        mixedInput: false,
        description: `${unit} ${context.sample} of task ${task}`,
      };
    }
    const { from, to, t } = context.interpolate;
    const over = context.interpolate.over ?? defaultInterpolation(this.program) ?? 'sample';
    if (over === 'task') {
      if (embeddingTables(this.program).length === 0 || this.data.tasks < 2)
        throw new InspectError('invalid_request', 'this graph has no task embedding to interpolate (it needs a task embedding and several tasks); interpolate over samples instead');
      this.checkTask(from);
      this.checkTask(to);
      const { one } = this.sample(from, 0);
      return {
        task: from,
        sample: null,
        one,
        mix: { from, to, t },
        truth: [...this.truthOf(from, this.perBatch ? 0 : null), ...(to === from ? [] : this.truthOf(to, this.perBatch ? 0 : null))],
        mixedInput: false,
        description: `task embedding ${fmt(1 - t)} x task ${from} + ${fmt(t)} x task ${to}`,
      };
    }
    const task = context.interpolate.task ?? 0;
    const a = this.sample(task, from).one;
    const b = this.sample(task, to).one;
    const unit = this.perBatch ? 'evaluation batch' : 'sample';
    return {
      task,
      sample: t < 0.5 ? from : to,
      one: lerpBatch(a, b, t),
      mix: null,
      truth: [...this.truthOf(task, this.perBatch ? from : null), ...(to === from || !this.perBatch ? [] : this.truthOf(task, to))],
      mixedInput: !this.perBatch,
      description: `${fmt(1 - t)} x ${unit} ${from} + ${fmt(t)} x ${unit} ${to} of task ${task}`,
    };
  }

  /** The evaluation points that show a context's true function: one batch (per-batch data) or the whole task. */
  private truthOf(task: number, batch: number | null): { label: string; batches: Batch[] }[] {
    const batches = this.evalBatches(task);
    if (batch !== null) return [{ label: `batch ${batch} of task ${task}`, batches: [batches[batch]] }];
    return [{ label: `task ${task}`, batches }];
  }
}

const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

function slice(b: Batch, from: number, to: number): Batch {
  const xs = b.x.length / b.n;
  const ys = b.y.length / b.n;
  const y = b.y instanceof Int32Array ? b.y.slice(from * ys, to * ys) : b.y.slice(from * ys, to * ys);
  return { x: b.x.slice(from * xs, to * xs), y, n: to - from, task: b.task, ...(b.context ? { context: b.context } : {}) };
}

/** One batch of several batches of the same task without a context vector, in order. */
function joinBatches(bs: Batch[]): Batch {
  const cat = <T extends Float32Array | Int32Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const y = bs[0].y instanceof Int32Array ? cat(bs.map((b) => b.y as Int32Array), (n) => new Int32Array(n)) : cat(bs.map((b) => b.y as Float32Array), (n) => new Float32Array(n));
  return { x: cat(bs.map((b) => b.x), (n) => new Float32Array(n)), y, n: bs.reduce((a, b) => a + b.n, 0), task: bs[0].task };
}

function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (t === 0) return a.slice();
  if (t === 1) return b.slice();
  return a.map((v, i) => (1 - t) * v + t * b[i]);
}

/** The input (and context vector) between two one-sample batches; the label is the nearer one's. */
function lerpBatch(a: Batch, b: Batch, t: number): Batch {
  const near = t < 0.5 ? a : b;
  return {
    x: lerp(a.x, b.x, t),
    y: near.y,
    n: 1,
    task: a.task,
    ...(a.context && b.context ? { context: lerp(a.context, b.context, t) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Task-embedding mixing through a shadow model
// ---------------------------------------------------------------------------------------------------------------

interface Shadow {
  model: Model;
  /** The shadow's own copies of the embedding tables. */
  tables: Map<string, tf.Variable>;
}

const shadows = new WeakMap<Model, Shadow>();

/** A model whose embedding tables hold row `from` replaced by (1 - t)·row[from] + t·row[to]; everything else is the live model's. */
function mixedModel(live: Model, mix: { from: number; to: number; t: number }): Model {
  let s = shadows.get(live);
  if (!s) {
    const model = new Model(live.program, 0);
    const tables = new Map<string, tf.Variable>();
    const own = new Set(embeddingTables(live.program));
    for (const [name, v] of [...model.vars]) {
      if (own.has(name)) tables.set(name, v);
      else {
        v.dispose();
        model.vars.set(name, live.vars.get(name)!);
      }
    }
    s = { model, tables };
    shadows.set(live, s);
  }
  for (const [name, copy] of s.tables) {
    const table = live.vars.get(name)!;
    tf.tidy(() => {
      const rows = table.shape[0];
      const a = tf.slice(table, [mix.from, 0], [1, -1]);
      const b = tf.slice(table, [mix.to, 0], [1, -1]);
      // Exactly one endpoint at t = 0 and t = 1, so the slider's ends are the tasks' own weights.
      const row = mix.t === 0 ? a : mix.t === 1 ? b : tf.add(tf.mul(a, 1 - mix.t), tf.mul(b, mix.t));
      const parts = [
        ...(mix.from > 0 ? [tf.slice(table, [0, 0], [mix.from, -1])] : []),
        row,
        ...(mix.from < rows - 1 ? [tf.slice(table, [mix.from + 1, 0], [rows - mix.from - 1, -1])] : []),
      ];
      copy.assign(parts.length === 1 ? row : tf.concat(parts, 0));
    });
  }
  return s.model;
}

/** Release the shadow model of `live`, if one was made (its table copies; the shared variables stay). */
export function releaseShadow(live: Model): void {
  const s = shadows.get(live);
  if (!s) return;
  for (const v of s.tables.values()) v.dispose();
  shadows.delete(live);
}

// ---------------------------------------------------------------------------------------------------------------
// The answer
// ---------------------------------------------------------------------------------------------------------------

/**
 * Answer one inspector query on a model between steps (the loop waits for it, so the model holds still); every
 * tensor it makes is released.
 */
export async function inspect(live: LiveModel, query: InspectQuery, source: 'live' | 'checkpoint'): Promise<InspectResult> {
  const { model, data } = live;
  const program = model.program;
  const contexts = new Contexts(program, data);
  const ctx = contexts.resolve(query.context);
  const m = ctx.mix ? mixedModel(model, ctx.mix) : model;
  const notes: string[] = [];

  const weights = query.weights ? await generatedWeights(m, program, selectRoutes(program, query), ctx.one, query.maxSide) : [];

  let predictions: Predictions | null = null;
  if (query.predictions) {
    if (!program.prediction) notes.push('the graph has no prediction output, so there are no predictions to show');
    else predictions = await predict(m, program, contexts, ctx, notes);
  }

  let confusion: InspectResult['confusion'] = null;
  if (query.confusion) {
    if (program.data.yDtype !== 'int32') notes.push('a confusion matrix needs a classification dataset');
    else if (!program.prediction) notes.push('the graph has no prediction output');
    else confusion = await confusionMatrix(m, program, data, contexts, ctx.task);
  }

  return {
    step: live.step,
    source,
    context: {
      task: ctx.task,
      sample: ctx.sample,
      samples: contexts.count(ctx.task),
      vector: ctx.one.context ? [...ctx.one.context] : null,
      description: ctx.description,
    },
    weights,
    predictions,
    confusion,
    notes,
  };
}

function selectRoutes(program: Program, query: InspectQuery): GeneratedRoute[] {
  const heads = [...new Set(program.generated.map((g) => g.head))];
  if (query.head !== undefined && !heads.includes(query.head))
    throw new InspectError('not_found', heads.length ? `"${query.head}" is not a head of this graph (heads: ${heads.join(', ')})` : 'this graph has no hypernetwork head');
  let routes = program.generated.filter((g) => query.head === undefined || g.head === query.head);
  if (query.target !== undefined) {
    const wanted = query.target;
    routes = routes.filter((g) => g.target === wanted || `${g.target}.${g.targetPort}` === wanted);
    if (routes.length === 0) throw new InspectError('not_found', `${query.head ?? 'no head'} does not drive ${wanted}`);
  }
  return routes;
}

/**
 * The full generated weights of each task, for the routes that do not depend on the input sample (the
 * safetensors export): what the head generates for the task's context, as the inspector's `{ task }` picks it.
 */
export async function generateForTasks(live: LiveModel, tasks: number[]): Promise<GeneratedTensors> {
  const program = live.model.program;
  const contexts = new Contexts(program, live.data);
  const routes = program.generated.filter((r) => !r.perSample);
  const notes: string[] = [];
  const skipped = program.generated.filter((r) => r.perSample);
  if (skipped.length)
    notes.push(`left out, generated per input sample: ${skipped.map((r) => `${r.head} -> ${r.target}.${r.targetPort}`).join(', ')}`);
  const tensors: GeneratedTensors['tensors'] = [];
  for (const task of tasks) {
    const ctx = contexts.resolve({ task });
    const got = await generatedValues(live.model, program, routes, ctx.one);
    routes.forEach((r, i) => tensors.push({ task, head: r.head, target: `${r.target}.${r.targetPort}`, shape: got[i].shape, values: Array.from(got[i].values), context: ctx.description }));
  }
  return { step: live.step, tensors, notes };
}

/** Each route's generated tensor for one batch's context, its shape without a per-sample batch dimension. */
async function generatedValues(model: Model, program: Program, routes: GeneratedRoute[], one: Batch): Promise<{ shape: number[]; values: Float32Array }[]> {
  const ids = routes.map((r) => r.value);
  const shapes: number[][] = [];
  const got = await withFeeds(program, [one], ([feeds]) =>
    readValues(() => {
      const vals = model.evaluate(feeds, ids, { training: false, step: 0 });
      return ids.map((id) => {
        const v = vals.get(id)!;
        shapes.push([...v.shape]);
        return v;
      });
    }),
  );
  return routes.map((r, i) => {
    let [shape, values] = [shapes[i], got[i] as Float32Array];
    // Per-sample weights come with a batch dimension of one sample.
    if (r.perSample && shape.length > 1) {
      shape = shape.slice(1);
      values = values.subarray(0, prod(shape));
    }
    return { shape, values };
  });
}

async function generatedWeights(model: Model, program: Program, routes: GeneratedRoute[], one: Batch, maxSide: number): Promise<GeneratedMatrix[]> {
  if (routes.length === 0) return [];
  const got = await generatedValues(model, program, routes, one);
  const convKernels = new Set(program.ops.flatMap((o) => (o.op === 'conv2d' && o.inputs[1] ? [o.inputs[1]] : [])));
  return routes.map((r, i) => {
    const { shape, values } = got[i];
    return {
      head: r.head,
      target: `${r.target}.${r.targetPort}`,
      shape,
      perSample: r.perSample,
      ...heatmap(values, shape, maxSide),
      stats: stats(values),
      filters: convKernels.has(r.value) && shape.length === 4 ? filterTiles(values, shape) : null,
    };
  });
}

/**
 * A convolution kernel [kh, kw, in, out] as tiles: filter-major, then input channel, each kh x kw tile row-major;
 * the first filters and input channels of a kernel too big to send whole ({@link MAX_FILTER_VALUES}).
 */
export function filterTiles(values: Float32Array, shape: number[]): NonNullable<GeneratedMatrix['filters']> {
  const [kh, kw, cin, cout] = shape;
  const tile = kh * kw;
  const shownOut = Math.max(1, Math.min(cout, Math.floor(MAX_FILTER_VALUES / tile)));
  const shownIn = Math.max(1, Math.min(cin, Math.floor(MAX_FILTER_VALUES / (tile * shownOut))));
  const out = new Array<number>(shownOut * shownIn * tile);
  let at = 0;
  for (let o = 0; o < shownOut; o++)
    for (let c = 0; c < shownIn; c++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[at++] = Number(values[((y * kw + x) * cin + c) * cout + o].toPrecision(SAMPLE_DIGITS));
  return { kernel: [kh, kw], inChannels: cin, outChannels: cout, shownIn, shownOut, values: out };
}

/** A tensor as a [prod(all but last), last] matrix, averaged down in blocks to at most maxSide a side. */
export function heatmap(values: Float32Array, shape: number[], maxSide: number): Pick<GeneratedMatrix, 'rows' | 'cols' | 'stride' | 'values'> {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = cols === 0 ? 0 : values.length / cols;
  const sr = Math.max(1, Math.ceil(rows / maxSide));
  const sc = Math.max(1, Math.ceil(cols / maxSide));
  if (sr === 1 && sc === 1) return { rows, cols, stride: [1, 1], values: Array.from(values) };
  const outRows = Math.ceil(rows / sr);
  const outCols = Math.ceil(cols / sc);
  const out = new Array<number>(outRows * outCols).fill(0);
  for (let i = 0; i < outRows; i++)
    for (let j = 0; j < outCols; j++) {
      let sum = 0;
      let n = 0;
      for (let a = i * sr; a < Math.min(rows, (i + 1) * sr); a++)
        for (let b = j * sc; b < Math.min(cols, (j + 1) * sc); b++) {
          sum += values[a * cols + b];
          n++;
        }
      out[i * outCols + j] = sum / n;
    }
  return { rows: outRows, cols: outCols, stride: [sr, sc], values: out };
}

function stats(v: Float32Array): GeneratedMatrix['stats'] {
  if (v.length === 0) return { norm: 0, mean: 0, std: 0, min: 0, max: 0 };
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    sq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / v.length;
  return { norm: Math.sqrt(sq), mean, std: Math.sqrt(Math.max(0, sq / v.length - mean * mean)), min, max };
}

/** The prediction output for a batch, as [n, k] rows. */
async function predictRows(model: Model, program: Program, batch: Batch): Promise<{ k: number; values: Float32Array }> {
  let k = 1;
  const [values] = await withFeeds(program, [batch], ([feeds]) =>
    readValues(() => {
      const v = model.evaluate(feeds, [program.prediction!], { training: false, step: 0 }).get(program.prediction!)!;
      k = v.size / Math.max(1, v.shape[0] ?? 1);
      return [v];
    }),
  );
  return { k, values: values as Float32Array };
}

const classOf = (row: Float32Array | number[], k: number): number => {
  if (k === 1) return row[0] > 0 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < k; j++) if (row[j] > row[best]) best = j;
  return best;
};

async function predict(model: Model, program: Program, contexts: Contexts, ctx: Resolved, notes: string[]): Promise<Predictions | null> {
  const xSize = prod(program.data.x);
  if (program.data.yDtype === 'int32') {
    const { k } = await predictRows(model, program, ctx.one);
    const classes = k === 1 ? 2 : k;
    const picked: { index: number; batch: Batch }[] = [];
    if (ctx.mixedInput) picked.push({ index: ctx.sample ?? 0, batch: ctx.one });
    else {
      const start = ctx.sample ?? 0;
      const n = contexts.count(ctx.task);
      for (let i = start; i < Math.min(n, start + SAMPLES_SHOWN); i++) picked.push({ index: i, batch: contexts.sample(ctx.task, i).one });
    }
    // One forward pass for all of them (they are consecutive evaluation samples of one task, as evaluation batches
    // them); per-batch context data gives each its own context vector, so those go one by one.
    const logitsOf: number[][] = [];
    if (picked.length > 1 && !contexts.perBatch) {
      const out = await predictRows(model, program, joinBatches(picked.map((p) => p.batch)));
      picked.forEach((_, i) => logitsOf.push(Array.from(out.values.subarray(i * out.k, (i + 1) * out.k))));
    } else for (const { batch } of picked) logitsOf.push(Array.from((await predictRows(model, program, batch)).values));
    const samples = picked.map(({ index, batch }, i) => {
      const logits = logitsOf[i];
      return { index, x: xSize <= MAX_SAMPLE_VALUES ? forDisplay(batch.x) : [], label: batch.y[0], predicted: classOf(logits, k), logits };
    });
    if (xSize > MAX_SAMPLE_VALUES) notes.push(`inputs have ${xSize} values; samples are sent without them`);
    if (getNodeType(program.data.type)?.dataset?.permutedTasks && ctx.task > 0) notes.push(`task ${ctx.task} permutes the pixels, so its images are drawn as the model sees them (scrambled)`);
    return { kind: 'classes', classes, image: imageShape(program.data.x), samples };
  }
  const ySize = prod(program.data.y);
  const coords = program.data.coords;
  if (coords && ySize % (coords.height * coords.width) === 0) return reconstruction(model, program, ctx, coords, notes);
  if (xSize === 1 && ySize === 1) {
    if (ctx.mixedInput) notes.push('each input generates its own weights here, so the curve does not depend on the interpolated sample');
    const truth = ctx.truth.map(({ label, batches }) => {
      const pts = batches.flatMap((b) => Array.from(b.x, (x, i) => [x, Number(b.y[i])] as const)).sort((p, q) => p[0] - q[0]);
      return { label, x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) };
    });
    const xs = truth.flatMap((t) => t.x);
    const lo = xs.length ? Math.min(...xs) : -1;
    const hi = xs.length ? Math.max(...xs) : 1;
    const grid = Float32Array.from({ length: GRID_POINTS }, (_, i) => lo + ((hi - lo) * i) / (GRID_POINTS - 1));
    const batch: Batch = { x: grid, y: new Float32Array(GRID_POINTS), n: GRID_POINTS, task: ctx.task, ...(ctx.one.context ? { context: ctx.one.context } : {}) };
    const out = await predictRows(model, program, batch);
    return { kind: 'curve', x: Array.from(grid), predicted: Array.from(out.values), truth };
  }
  // The shown samples start at the context's one: a per-batch context picks its batch, a sample its place in the task.
  let batch: Batch;
  let start = 0;
  if (ctx.mixedInput) batch = ctx.one;
  else if (contexts.perBatch) batch = contexts.evalBatches(ctx.task)[ctx.sample ?? 0];
  else {
    start = ctx.sample ?? 0;
    const end = Math.min(contexts.count(ctx.task), start + SAMPLES_SHOWN);
    batch = joinBatches(Array.from({ length: end - start }, (_, i) => contexts.sample(ctx.task, start + i).one));
  }
  const n = Math.min(batch.n, SAMPLES_SHOWN);
  const first = slice(batch, 0, n);
  const out = await predictRows(model, program, first);
  return {
    kind: 'values',
    samples: Array.from({ length: n }, (_, i) => ({
      index: start + i,
      x: xSize <= MAX_SAMPLE_VALUES ? Array.from(first.x.subarray(i * xSize, (i + 1) * xSize)) : [],
      y: Array.from(first.y.subarray(i * ySize, (i + 1) * ySize), Number),
      predicted: Array.from(out.values.subarray(i * out.k, (i + 1) * out.k)),
    })),
  };
}

/**
 * A coordinate network's reconstruction of the context's sample: the prediction over the sample's whole pixel grid
 * (the dataset's coordinates), beside the sample's target image, with their mean squared error and PSNR.
 */
async function reconstruction(model: Model, program: Program, ctx: Resolved, grid: { height: number; width: number }, notes: string[]): Promise<Predictions> {
  const { height, width } = grid;
  const channels = prod(program.data.y) / (height * width);
  const { values } = await predictRows(model, program, ctx.one);
  let se = 0;
  for (let i = 0; i < values.length; i++) se += (values[i] - ctx.one.y[i]) ** 2;
  const mse = se / values.length;
  if (ctx.mixedInput) notes.push('the reconstruction is of the interpolated input; the original shown is the nearer sample');
  return {
    kind: 'image',
    index: ctx.sample ?? 0,
    height,
    width,
    channels,
    original: forDisplay(ctx.one.y),
    reconstruction: forDisplay(values),
    mse,
    psnr: mse > 0 ? 10 * Math.log10(1 / mse) : null,
  };
}

/** The grid an input is drawn on: [h, w] for images, a square for flat square-sized inputs, else null. */
function imageShape(x: number[]): [number, number] | null {
  if (x.length === 2 || (x.length === 3 && x[2] === 1)) return [x[0], x[1]];
  if (x.length === 1 && x[0] >= 16) {
    const s = Math.round(Math.sqrt(x[0]));
    if (s * s === x[0]) return [s, s];
  }
  return null;
}

/**
 * Counts of (true class, predicted class) over the first {@link CONFUSION_MAX_SAMPLES} evaluation samples of
 * `task` (its test split), with the accuracy over the same samples.
 */
async function confusionMatrix(model: Model, program: Program, data: Dataset, contexts: Contexts, task: number): Promise<NonNullable<InspectResult['confusion']>> {
  let matrix: number[][] | null = null;
  let classes = data.classes ?? 0;
  let correct = 0;
  let total = 0;
  for (const whole of contexts.evalBatches(task)) {
    if (total >= CONFUSION_MAX_SAMPLES) break;
    const b = whole.n > CONFUSION_MAX_SAMPLES - total ? slice(whole, 0, CONFUSION_MAX_SAMPLES - total) : whole;
    const { k, values } = await predictRows(model, program, b);
    if (!matrix) {
      classes = Math.max(classes, k === 1 ? 2 : k);
      matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    }
    for (let i = 0; i < b.n; i++) {
      const label = Number(b.y[i]);
      const predicted = classOf(values.subarray(i * k, (i + 1) * k), k);
      if (label >= 0 && label < classes) matrix[label][predicted]++;
      if (label === predicted) correct++;
      total++;
    }
  }
  return { task, classes, matrix: matrix ?? [], accuracy: total ? correct / total : 0, samples: total };
}

// ---------------------------------------------------------------------------------------------------------------
// After a run: a model restored from its checkpoint
// ---------------------------------------------------------------------------------------------------------------

/**
 * A model with a checkpoint's parameters, and the run's dataset (same seed, so the same evaluation sets), for
 * inspecting a run that has ended. `options` are the run's own (seed, backend, data folder).
 */
export async function loadForInspection(program: Program, options: TrainOptions, checkpointPath: string): Promise<LiveModel> {
  // A pytorch run's checkpoint is the engine's format: a tfjs backend reads it like any other.
  const backend = options.backend ?? program.training.backend;
  await useBackend(backend === 'pytorch' ? 'auto' : backend);
  const seed = options.seed ?? program.training.seed;
  const ck = readCheckpoint(checkpointPath, program);
  const data = openDataset(program.data.type, program.data.params, { seed, node: program.data.node, ...dataAccessOf(options) });
  const model = new Model(program, seed);
  for (const [name, v] of model.vars) {
    const stored = ck.params[name];
    if (stored) tf.tidy(() => v.assign(tf.tensor(decode(stored), stored.shape)));
  }
  return { model, data, step: ck.step };
}
