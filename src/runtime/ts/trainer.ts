/**
 * The exported model's training loop, as Hypernet Studio's engine trains: one JSON event per line in the schema of
 * "hnet train --json" (the last is {"event":"done","metrics":{...}}). The generated src/train.ts runs it on the
 * model (src/model.ts):
 *
 *   npm run train -- --steps 500 --seed 3
 *   npm run train -- --init-from weights/ --steps 0    (evaluate weights saved by "hnet train --save")
 */
import * as tf from '@tensorflow/tfjs';
import { argv, exit, stdout } from 'node:process';
import { DEFAULT_STEPS } from './constants.ts';
import { readScalars } from './read.ts';
import { batchInputs, disposeInputs, type Batch } from './batch.ts';
import { inferTasks as inferTaskAccuracies } from './continual.ts';
import { Dataset, DATA_DIR, DataMissingError } from './data.ts';
import { StepRate } from './rate.ts';
import { Rng } from './rng.ts';
import type { ExportedModel, Inputs, OptimizerSettings, Params } from './types.ts';
import { readWeights, writeWeights } from './weights.ts';

interface Flags {
  steps?: number;
  seed?: number;
  lr?: number;
  initFrom?: string;
  save?: string;
  data?: string;
}

function parseFlags(args: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const value = () => {
      const v = args[++i];
      if (v === undefined) usage('missing value for ' + args[i - 1]);
      return v;
    };
    const num = (what: string) => {
      const n = Number(value());
      if (!Number.isFinite(n)) usage(what + ' must be a number');
      return n;
    };
    switch (args[i]) {
      case '--steps':
        flags.steps = num('--steps');
        break;
      case '--seed':
        flags.seed = num('--seed');
        break;
      case '--lr':
        flags.lr = num('--lr');
        break;
      case '--init-from':
        flags.initFrom = value();
        break;
      case '--save':
        flags.save = value();
        break;
      case '--data':
        flags.data = value();
        break;
      default:
        usage('unknown argument ' + args[i]);
    }
  }
  return flags;
}

function usage(message: string): never {
  console.error(message + '\nusage: train [--steps N] [--seed N] [--lr X] [--init-from DIR] [--save DIR] [--data DIR]');
  exit(2);
}

const emit = (event: Record<string, unknown>) => void stdout.write(JSON.stringify(event) + '\n');

function makeOptimizer(o: OptimizerSettings, lr?: number): tf.Optimizer {
  const rate = lr ?? o.learningRate;
  switch (o.type) {
    case 'sgd':
      return (o.momentum ?? 0) > 0 ? tf.train.momentum(rate, o.momentum ?? 0) : tf.train.sgd(rate);
    case 'rmsprop':
      return tf.train.rmsprop(rate, o.decay, o.momentum, o.epsilon);
    default:
      return tf.train.adam(rate, o.beta1, o.beta2, o.epsilon);
  }
}

/** Tensors of a batch, shaped as the model reads them. Dispose them with disposeInputs. */
const inputsOf = (data: Dataset, b: Batch): Inputs => batchInputs(b, data.xShape, data.yShape);

type PerTask = Record<string, Record<string, number>>;

function meanOver(perTask: PerTask, tasks: number[]) {
  const metrics: Record<string, number> = {};
  for (const task of tasks) for (const [k, v] of Object.entries(perTask[task] ?? {})) metrics[k] = (metrics[k] ?? 0) + v / tasks.length;
  return { metrics, perTask: Object.fromEntries(tasks.map((t) => [t, perTask[t]])) };
}

async function evaluate(model: ExportedModel, params: Params, data: Dataset, tasks: number[], seed: number, split: 'val' | 'test' = 'test') {
  const perTask: PerTask = {};
  for (const task of tasks) {
    const sums: Record<string, number> = {};
    let n = 0;
    for (const b of data.evalBatches(task, split)) {
      const inputs = inputsOf(data, b);
      const values = await readScalars(() => {
        const out = model.forward(params, inputs, { training: false, seed, step: 0 });
        return { loss: out.loss, ...out.metrics };
      });
      disposeInputs(inputs);
      for (const [k, v] of Object.entries(values)) sums[k] = (sums[k] ?? 0) + v * b.n;
      n += b.n;
    }
    perTask[task] = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, n)]));
  }
  return meanOver(perTask, tasks);
}

/** k of tasks without replacement (a partial Fisher-Yates shuffle on rng), in ascending order, as the engine draws them. */
function pickTasks(tasks: number[], k: number, rng: Rng): number[] {
  const a = [...tasks];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k).sort((x, y) => x - y);
}

/** A setting of training.continual this model or optimizer cannot honour: one line, exit 2, before training. */
function refuse(message: string): never {
  console.error('train: ' + message);
  exit(2);
}

/** [T, 1] boolean: true on row task of an embedding table [T, d]. */
function rowMask(v: tf.Variable, task: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(tf.tensor1d([task], 'int32'), v.shape[0]), [v.shape[0], 1]), 'bool'));
}

/** currentEmbeddingOnly: the gradients with the rows of embedding tables other than task's set to zero (new tensors for those only). */
function maskRows(grads: tf.NamedTensorMap, embeddings: tf.Variable[], task: number): tf.NamedTensorMap {
  if (!embeddings.length) return grads;
  const out = { ...grads };
  for (const v of embeddings) {
    const g = grads[v.name];
    if (g) out[v.name] = tf.tidy(() => tf.where(tf.broadcastTo(rowMask(v, task), g.shape), g, tf.zerosLike(g)));
  }
  return out;
}

/**
 * lookAhead: the change the optimizer would make to vars on grads, without changing its state (hypercl's
 * calc_delta_theta), as the engine computes it. SGD: -lr g; Adam: its next bias-corrected step from its moments.
 */
function candidateStep(optimizer: tf.Optimizer, o: OptimizerSettings, vars: tf.Variable[], grads: tf.NamedTensorMap, lr?: number): tf.Tensor[] {
  const rate = lr ?? o.learningRate;
  return vars.map((v) =>
    tf.tidy(() => {
      const g = grads[v.name];
      if (!g) return tf.zerosLike(v);
      if (o.type !== 'adam') return tf.mul(g, -rate);
      const adam = optimizer as unknown as {
        accBeta1: tf.Variable;
        accBeta2: tf.Variable;
        accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
        accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
      };
      const m0 = adam.accumulatedFirstMoment.find((s) => s?.originalName === v.name + '/m')?.variable ?? tf.zerosLike(v);
      const v0 = adam.accumulatedSecondMoment.find((s) => s?.originalName === v.name + '/v')?.variable ?? tf.zerosLike(v);
      const m = tf.add(tf.mul(m0, o.beta1), tf.mul(g, 1 - o.beta1));
      const s = tf.add(tf.mul(v0, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
      const mHat = tf.div(m, tf.sub(1, adam.accBeta1));
      const sHat = tf.div(s, tf.sub(1, adam.accBeta2));
      return tf.mul(tf.div(mHat, tf.add(tf.sqrt(sHat), o.epsilon)), -rate);
    }),
  );
}

/** taskInference (HNET+ENT) over the trained tasks, as the engine computes it (continual.ts). */
function inferTasks(model: ExportedModel, params: Params, data: Dataset, tasks: number[], seed: number): Promise<Record<string, number>> {
  const opts = { training: false, seed, step: 0 };
  return inferTaskAccuracies(
    tasks,
    (task) => data.evalBatches(task),
    (b) => model.forward(params, inputsOf(data, b), opts).prediction!,
    async (b) => (await readScalars(() => ({ accuracy: model.forward(params, inputsOf(data, b), opts).metrics[model.MAIN_METRIC!] }))).accuracy,
  );
}

async function main(model: ExportedModel, args: string[]): Promise<void> {
  const { BUDGET, MAIN_METRIC, OUTPUT_REGULARIZER, PARAMETERS, TRAINING, createParams, forward, initHyperfan, taskWeights } = model;
  const flags = parseFlags(args);
  const started = performance.now();
  try {
    // The native backend, when installed, is much faster than the default cpu one.
    const native = '@tensorflow/tfjs-node';
    await import(native);
  } catch {
    // Not installed: the cpu backend of @tensorflow/tfjs.
  }
  await tf.ready();
  const seed = flags.seed ?? TRAINING.seed;
  const data = new Dataset(flags.data ?? DATA_DIR);
  const taskList = TRAINING.tasks ?? Array.from({ length: data.tasks }, (_, i) => i);
  const stepsFor = (task: number) =>
    flags.steps ?? TRAINING.steps ?? (TRAINING.epochs ? Math.ceil((TRAINING.epochs * data.trainSize(task)) / TRAINING.batchSize) : DEFAULT_STEPS);
  const phases = TRAINING.schedule === 'interleaved' ? [{ tasks: taskList, steps: stepsFor(taskList[0]) }] : taskList.map((t) => ({ tasks: [t], steps: stepsFor(t) }));
  const totalSteps = phases.reduce((a, p) => a + p.steps, 0);
  const sequential = TRAINING.schedule === 'sequential' && phases.length > 1;
  const continual = TRAINING.continual;
  // The engine's refusals, in its words.
  const o = TRAINING.optimizer;
  if (continual.lookAhead && o.type === 'rmsprop')
    refuse('training.continual.lookAhead: lookAhead needs the step of Adam or SGD; the optimizer is rmsprop (choose adam or sgd, or turn lookAhead off)');
  if (continual.lookAhead && o.type === 'sgd' && (o.momentum ?? 0) > 0)
    refuse('training.continual.lookAhead: lookAhead supports SGD without momentum only (set momentum to 0, choose adam, or turn lookAhead off)');
  if (continual.taskInference) {
    const why = !sequential
      ? 'it needs a sequential schedule of several tasks'
      : !PARAMETERS.some((p) => p.role === 'embedding')
        ? 'the graph has no task embedding to try each task with'
        : !MAIN_METRIC || data.yShape.length > 0
          ? 'it needs a classifier (class logits as the prediction, integer labels and an accuracy metric)'
          : null;
    if (why) refuse('training.continual.taskInference: taskInference cannot run here: ' + why + ' (turn it off)');
  }

  const params = createParams(seed);
  if (flags.initFrom) {
    const stored = readWeights(flags.initFrom);
    for (const p of PARAMETERS) {
      const s = stored.get(p.name);
      if (!s || s.shape.join() !== p.shape.join()) throw new Error(flags.initFrom + ': no parameter ' + p.name + ' of shape [' + p.shape.join(', ') + ']');
      params[p.name].assign(tf.tensor(s.values, p.shape));
    }
    emit({ event: 'log', level: 'info', message: 'loaded weights from ' + flags.initFrom });
  } else {
    // Hyperfan measures on one batch from each of up to 32 tasks (at least 4 batches), as the engine does.
    const measured = taskList.slice(0, 32);
    const perTask = Math.max(1, Math.ceil(4 / measured.length));
    const samples = measured.flatMap((task) => {
      const r = new Rng(seed).fork('init' + task);
      return Array.from({ length: perTask }, () => inputsOf(data, data.trainBatch(task, TRAINING.batchSize, r)));
    });
    await initHyperfan(params, seed, samples);
    samples.forEach(disposeInputs);
  }
  let optimizer = makeOptimizer(TRAINING.optimizer, flags.lr);
  // fixedEmbeddings: task-embedding tables are left out of training altogether.
  const fixed = new Set(continual.fixedEmbeddings ? PARAMETERS.filter((p) => p.role === 'embedding').map((p) => p.name) : []);
  const varList = Object.entries(params).filter(([name]) => !fixed.has(name)).map(([, v]) => v);
  // currentEmbeddingOnly: only the batch's task's row of each task-embedding table trains.
  const embeddings = continual.currentEmbeddingOnly ? PARAMETERS.filter((p) => p.role === 'embedding' && !fixed.has(p.name)).map((p) => params[p.name]) : [];
  // lookAhead: the regulariser is taken at the hypernetwork's weights plus the optimizer's candidate step.
  const hyperVars = PARAMETERS.filter((p) => p.role === 'hyper').map((p) => params[p.name]);
  const rng = new Rng(seed).fork('batches');
  emit({ event: 'start', backend: 'tfjs-' + tf.getBackend(), totalSteps, tasks: taskList, budget: BUDGET });
  const eventEvery = Math.max(1, Math.floor(totalSteps / 200));
  const accuracyMatrix: (number | null)[][] = [];
  let earlier = new Map<number, Record<string, tf.Tensor>>();
  let step = 0;
  const rate = new StepRate();

  for (let phase = 0; phase < phases.length; phase++) {
    const { tasks, steps } = phases[phase];
    const done = sequential ? taskList.slice(0, phase) : [];
    if (OUTPUT_REGULARIZER && done.length) {
      for (const w of earlier.values()) tf.dispose(Object.values(w));
      earlier = new Map(done.map((t) => [t, tf.tidy(() => taskWeights(params, tf.tensor1d([t], 'int32')))]));
    }
    // hypercl makes a new optimizer for each task.
    if (continual.optimizerPerTask && sequential && phase > 0) {
      optimizer.dispose();
      optimizer = makeOptimizer(TRAINING.optimizer, flags.lr);
    }
    for (let inPhase = 0; inPhase < steps; inPhase++) {
      const task = tasks.length === 1 ? tasks[0] : tasks[rng.int(tasks.length)];
      const inputs = inputsOf(data, data.trainBatch(task, TRAINING.batchSize, rng));
      // A random subset of earlier tasks per step, drawn from the batch stream as the engine draws it.
      const k = continual.regularizedTasksPerStep;
      const held = earlier.size && k && k < earlier.size ? new Map(pickTasks(done, k, rng).map((t) => [t, earlier.get(t)!])) : earlier;
      // Each part's value leaves the tape kept, and the step reads them from the device once, after it.
      const parts: Record<string, tf.Tensor> = {};
      const regularize = OUTPUT_REGULARIZER !== null && held.size > 0;
      const lookAhead = regularize && continual.lookAhead;
      const regularizer = () => {
        let sum: tf.Tensor = tf.scalar(0);
        for (const [t, stored] of held) {
          const now = taskWeights(params, tf.tensor1d([t], 'int32'));
          for (const [key, v] of Object.entries(stored)) sum = tf.add(sum, tf.sum(tf.squaredDifference(now[key], v)));
        }
        return tf.mul(sum, OUTPUT_REGULARIZER!.beta / Math.max(1, held.size)) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(params, inputs, { training: true, seed, step });
        for (const [name, l] of Object.entries(out.losses)) parts[name] = tf.keep(l);
        let total = out.loss;
        if (regularize && !lookAhead) {
          const r = regularizer();
          parts.output_regularizer = tf.keep(r);
          total = tf.add(total, r) as tf.Scalar;
        }
        return total;
      }, varList);
      const { total: taskTotal, ...losses } = await readScalars<string>(() => ({ ...parts, total: value }));
      let loss = taskTotal;
      tf.dispose(Object.values(parts));
      disposeInputs(inputs);
      const made: tf.Tensor[] = [value];
      if (lookAhead) {
        // hypercl's look-ahead, as the engine: ΔΘ is the step the optimizer would take on the task loss alone
        // (detached, its state untouched); the regulariser's gradient at Θ + ΔΘ is added to the task loss's at Θ.
        const maskedTask = maskRows(grads, embeddings, task);
        const deltas = candidateStep(optimizer, TRAINING.optimizer, hyperVars, maskedTask, flags.lr);
        tf.dispose(Object.values(maskedTask).filter((g) => !Object.values(grads).includes(g)));
        const saved = hyperVars.map((v) => tf.clone(v));
        hyperVars.forEach((v, i) => tf.tidy(() => v.assign(tf.add(saved[i], deltas[i]))));
        tf.dispose(deltas);
        const r = tf.variableGrads(regularizer, varList);
        hyperVars.forEach((v, i) => v.assign(saved[i]));
        tf.dispose(saved);
        losses.output_regularizer = (await r.value.data())[0];
        loss += losses.output_regularizer;
        made.push(r.value);
        for (const [name, g] of Object.entries(r.grads)) {
          made.push(g, ...(grads[name] ? [grads[name]] : []));
          grads[name] = grads[name] ? tf.add(grads[name], g) : tf.clone(g);
        }
      }
      if (!Number.isFinite(loss)) {
        emit({ event: 'error', code: 'HN050', message: 'the loss became ' + (Number.isNaN(loss) ? 'NaN' : 'infinite') + ' at step ' + (step + 1) + ' (task ' + task + ')', step: step + 1 });
        exit(3);
      }
      // Adam keeps its moments by the position of a variable among the gradients: always in varList's order.
      const masked = maskRows(grads, embeddings, task);
      const ordered: tf.NamedTensorMap = {};
      for (const v of varList) if (masked[v.name]) ordered[v.name] = masked[v.name];
      const frozen = embeddings.map((v) => tf.clone(v));
      optimizer.applyGradients(ordered);
      // A row with no gradient can still move under momentum or Adam state left by its own task: put it back exactly.
      embeddings.forEach((v, i) => tf.tidy(() => v.assign(tf.where(tf.broadcastTo(rowMask(v, task), v.shape), v, frozen[i]))));
      tf.dispose([...made, ...frozen, ...new Set([...Object.values(grads), ...Object.values(masked)])]);
      step++;
      const stepsPerSecond = rate.tick(step === totalSteps);
      if (step % eventEvery === 0 || inPhase === steps - 1) emit({ event: 'step', step, task, loss, losses, stepsPerSecond });
      if (TRAINING.evalEvery > 0 && step % TRAINING.evalEvery === 0 && inPhase !== steps - 1)
        emit({ event: 'eval', step, task, ...(await evaluate(model, params, data, sequential ? taskList.slice(0, phase + 1) : taskList, seed, data.duringSplit)), split: data.duringSplit });
    }
    if (sequential) {
      const ev = await evaluate(model, params, data, taskList.slice(0, phase + 1), seed);
      accuracyMatrix.push(taskList.map((t, j) => (j <= phase && MAIN_METRIC ? (ev.perTask[t]?.[MAIN_METRIC] ?? null) : null)));
      emit({ event: 'eval', step, task: tasks[0], ...ev, split: 'test' });
      emit({ event: 'task_end', task: tasks[0], step, accuracyMatrix: accuracyMatrix.map((r) => [...r]), metricName: MAIN_METRIC ?? 'loss' });
    }
  }

  if (flags.save) {
    const values = await Promise.all(PARAMETERS.map((p) => params[p.name].data() as Promise<Float32Array>));
    writeWeights(flags.save, PARAMETERS.map((p, i) => ({ name: p.name, shape: p.shape, values: values[i] })));
    emit({ event: 'log', level: 'info', message: 'saved weights to ' + flags.save });
  }
  const final = await evaluate(model, params, data, sequential ? taskList.slice(0, Math.max(1, accuracyMatrix.length)) : taskList, seed);
  const metrics: Record<string, number> = { ...final.metrics };
  if (taskList.length > 1) for (const [task, m] of Object.entries(final.perTask)) for (const [k, v] of Object.entries(m ?? {})) metrics[k + '/task' + task] = v;
  if (continual.taskInference) Object.assign(metrics, await inferTasks(model, params, data, sequential ? taskList.slice(0, Math.max(1, accuracyMatrix.length)) : taskList, seed));
  emit({ event: 'done', step, seconds: (performance.now() - started) / 1000, metrics, ...(sequential ? { accuracyMatrix } : {}), stopped: false });
  for (const w of earlier.values()) tf.dispose(Object.values(w));
  optimizer.dispose();
}

/** Train the model with the command line's flags (or args); exits 1 on missing data, saying what to add. */
export async function train(model: ExportedModel, args: string[] = argv.slice(2)): Promise<void> {
  // PROD drops tfjs's per-op checks and its console banner (which would corrupt the JSON lines).
  tf.env().set('PROD', true);
  await main(model, args).catch((e: unknown) => {
    // Data to add is the user's to fix: one line saying what to put where, no stack.
    if (!(e instanceof DataMissingError)) throw e;
    console.error('train: ' + e.message);
    exit(1);
  });
}
