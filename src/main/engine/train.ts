/**
 * The training loop: batches from the dataset, the program's losses (plus the continual-learning output
 * regulariser), the chosen optimizer, periodic evaluation per task, checkpoints, and a stop with the node
 * named when a loss turns NaN or Inf. Every tensor a step makes is released before the next one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DoneEvent, EngineEvent } from '../../shared/api/events';
import { parameterBudget } from '../../shared/compiler/budget';
import { estimateResources } from '../../shared/compiler/estimate';
import { HnetError, fail } from '../../shared/compiler/errors';
import type { GeneratedRoute, Program, ValueId } from '../../shared/compiler/ir';
import { continualOf, type Continual, type Optimizer } from '../../shared/document/schema';
import { Rng } from '../../shared/util/rng';
import { FusedAdam } from './adam';
import { backendLabel, useBackend } from './backend';
import { CHECKPOINT_VERSION } from '../../runtime/ts/formats.ts';
import { decode, encode, programSignature, readCheckpoint, writeFileAtomic, writeWeights, type Checkpoint } from './checkpoint';
import type { RunControl } from './control';
import { openDataset, type Batch, type Dataset, type EvalSplit } from './data';
import { dataAccessOf } from './data/files';
import { datasetHash } from './data/hash';
import type { TrainOptions } from './options';
import { histogramOf } from './tensorboard';
import { Model, type Feeds } from './runtime';
import { batchInputs, disposeInputs } from '../../runtime/ts/batch.ts';
import { inferTasks as inferTaskAccuracies } from '../../runtime/ts/continual.ts';
import { StepRate } from '../../runtime/ts/rate.ts';
import { readScalars, readValues } from '../../runtime/ts/read.ts';

interface Phase {
  /** The task trained in this phase; interleaved schedules draw one per step from `tasks`. */
  tasks: number[];
  steps: number;
}

const DEFAULT_STEPS = 1000;
/** Points per run of the generated-weight norms (the dashboard's norm chart), besides those at evaluations. */
const NORM_POINTS = 50;

export async function train(program: Program, opts: TrainOptions, emit: (e: EngineEvent) => void, control?: RunControl): Promise<DoneEvent> {
  const started = performance.now();
  const backend = await useBackend(opts.backend ?? program.training.backend, estimateResources(program, program.training.batchSize));
  const seed = opts.seed ?? program.training.seed;
  const data = openDataset(program.data.type, program.data.params, { seed, node: program.data.node, ...dataAccessOf(opts) });
  checkDataset(program, data);
  const t = program.training;
  const taskList = t.tasks ?? Array.from({ length: data.tasks }, (_, i) => i);
  for (const task of taskList)
    if (task >= data.tasks) fail('HN004', `task ${task} does not exist; ${program.data.node} has ${data.tasks} task(s) (0 to ${data.tasks - 1})`, { path: 'training.tasks' });
  const stepsFor = (task: number) =>
    opts.steps ?? t.steps ?? (t.epochs ? Math.ceil((t.epochs * data.trainSize(task)) / t.batchSize) : DEFAULT_STEPS);
  const phases: Phase[] =
    t.schedule === 'interleaved' ? [{ tasks: taskList, steps: stepsFor(taskList[0]) }] : taskList.map((task) => ({ tasks: [task], steps: stepsFor(task) }));
  let totalSteps = phases.reduce((a, p) => a + p.steps, 0);
  const sequentialCl = t.schedule === 'sequential' && phases.length > 1;

  const cl = continualOf(t);
  checkContinual(program, cl, sequentialCl);

  const model = new Model(program, seed);
  let optimizer = makeOptimizer(t.optimizer);
  // fixedEmbeddings: task-embedding tables are left out of training altogether (they keep their initial codes).
  const fixed = new Set(cl.fixedEmbeddings ? program.params.filter((p) => p.role === 'embedding').map((p) => p.name) : []);
  const varList = [...model.vars.entries()].filter(([name]) => !fixed.has(name)).map(([, v]) => v);
  const rng = new Rng(seed).fork('batches');
  const regularized = program.generated.filter((g) => !model.op(g.value).dataDependent);
  const reg = program.outputRegularizer;
  if (reg && regularized.length === 0)
    emit({ event: 'log', level: 'warn', message: `${reg.node}: no generated weights depend only on the task, so the output regulariser has nothing to hold` });
  if (reg && !sequentialCl) emit({ event: 'log', level: 'info', message: `${reg.node}: the output regulariser acts only between tasks of a sequential schedule` });

  const stepOpts: StepOptions = {
    ...(cl.currentEmbeddingOnly && !cl.fixedEmbeddings ? { embeddings: program.params.filter((p) => p.role === 'embedding').map((p) => model.vars.get(p.name)!) } : {}),
    ...(cl.lookAhead ? { lookAhead: { vars: program.params.filter((p) => p.role === 'hyper').map((p) => model.vars.get(p.name)!), optimizer: t.optimizer } } : {}),
  };

  const lossIds = program.losses.map((l) => l.value);
  const mainMetric = program.metrics.find((m) => m.kind === 'accuracy') ?? program.metrics[0];
  const accuracyMatrix: (number | null)[][] = [];
  /** Output-regulariser targets h*(task): what the hypernetwork generated for each earlier task. */
  let targets = new Map<number, Map<ValueId, tf.Tensor>>();
  let step = 0;
  let phaseStart = 0;
  let stepInPhase = 0;

  try {
    if (opts.resumeFrom) {
      const ck = readCheckpoint(opts.resumeFrom, program);
      await restore(model, optimizer, ck);
      rng.state = ck.rngState;
      step = ck.step;
      phaseStart = ck.phase;
      stepInPhase = ck.stepInPhase;
      accuracyMatrix.push(...ck.accuracyMatrix);
      targets = new Map(
        Object.entries(ck.targets).map(([task, vals]) => [Number(task), new Map(Object.entries(vals).map(([id, v]) => [id, tf.tensor(decode(v), v.shape)]))]),
      );
      // Steps are a target per task, counted with the checkpoint's: the task it stopped in trains on to its
      // steps (none if it has them already), later tasks train theirs; tasks already finished are not revisited.
      const current = phases[phaseStart];
      totalSteps = step - stepInPhase + (current ? Math.max(current.steps, stepInPhase) : 0) + phases.slice(phaseStart + 1).reduce((a, p) => a + p.steps, 0);
      const where = current && phases.length > 1 ? ` (task ${current.tasks.length === 1 ? current.tasks[0] : current.tasks.join(', ')}, step ${stepInPhase} of it)` : '';
      emit({ event: 'log', level: 'info', message: `resumed from ${opts.resumeFrom} at step ${step}${where}; training to step ${totalSteps}` });
    } else {
      // Hyperfan needs E[h²] of each head's last-layer input, measured on real batches of several tasks.
      // One batch from each of up to 32 tasks (at least 4 batches): the scale varies from task to task.
      const measured = taskList.slice(0, 32);
      const perTask = Math.max(1, Math.ceil(4 / measured.length));
      const samples = measured.flatMap((task) => {
        const r = new Rng(seed).fork(`init${task}`);
        return Array.from({ length: perTask }, () => data.trainBatch(task, t.batchSize, r));
      });
      await withFeeds(program, samples, (feeds) => model.initHyperfan(feeds));
    }

    const dataHash = datasetHash(data, program.evaluation.evalBatchSize, program.evaluation.maxEvalSamples);
    emit({ event: 'start', backend: backendLabel(backend), totalSteps, tasks: taskList, budget: parameterBudget(program), dataHash });
    const eventEvery = opts.stepEventEvery ?? Math.max(1, Math.floor(totalSteps / 200));
    const normEvery = Math.max(1, Math.ceil(totalSteps / NORM_POINTS));
    const rate = new StepRate();
    let stopped = false;
    let [phaseAt, stepAt] = [0, 0];

    // Evaluations during training read the validation split where the dataset holds one; the end of each task
    // and the final evaluation read the test set.
    const duringSplit: EvalSplit = data.hasValidation ? 'val' : 'test';
    const evaluate = (tasks: number[], split: EvalSplit = 'test') => evaluateTasks(model, program, data, tasks, split);
    const checkpoint = async (phase: number, inPhase: number) => {
      if (!opts.checkpointPath) return;
      await writeCheckpoint(opts.checkpointPath, program, model, optimizer, { seed, step, phase, stepInPhase: inPhase, rngState: rng.state, targets, accuracyMatrix });
      emit({ event: 'checkpoint', step, path: opts.checkpointPath });
    };

    outer: for (let phase = phaseStart; phase < phases.length; phase++) {
      const { tasks, steps } = phases[phase];
      const earlier = sequentialCl ? taskList.slice(0, phase) : [];
      if (reg && earlier.length && stepInPhase === 0) {
        for (const v of targets.values()) tf.dispose([...v.values()]);
        targets = snapshotTargets(model, regularized, earlier);
      }
      // hypercl makes a new optimizer for each task; a run resumed inside a task keeps the checkpoint's state.
      if (cl.optimizerPerTask && sequentialCl && phase > 0 && stepInPhase === 0) {
        optimizer.dispose();
        optimizer = makeOptimizer(t.optimizer);
      }
      for (; stepInPhase < steps; stepInPhase++) {
        if (control) {
          // App hook: inspection queries (engine/inspect.ts) are answered here, between steps, on the live model.
          await control.idle({ model, data, step });
          if (control.pauseRequested && !control.stopRequested) {
            // Said when the loop is idle, not when the pause was asked for: the step in flight has ended.
            emit({ event: 'log', level: 'info', message: `paused at step ${step}` });
            await control.waitWhilePaused();
            if (!control.stopRequested) emit({ event: 'log', level: 'info', message: `resumed at step ${step}` });
            rate.restart();
          }
          if (control.stopRequested) {
            stopped = true;
            [phaseAt, stepAt] = [phase, stepInPhase];
            break outer;
          }
        }
        const task = tasks.length === 1 ? tasks[0] : tasks[rng.int(tasks.length)];
        const batch = data.trainBatch(task, t.batchSize, rng);
        // A random subset of earlier tasks per step, drawn from the batch stream so a resumed run draws the same.
        const held = reg && earlier.length && cl.regularizedTasksPerStep && cl.regularizedTasksPerStep < earlier.length
          ? new Map(pickTasks(earlier, cl.regularizedTasksPerStep, rng).map((k) => [k, targets.get(k)!]))
          : targets;
        const parts = await withFeeds(program, [batch], async ([feeds]) => {
          const out = await trainStep(model, optimizer, varList, program, feeds, step, reg && earlier.length ? { beta: reg.beta, targets: held, routes: regularized } : null, { ...stepOpts, task });
          if (!Number.isFinite(out.total)) await diverged(model, program, feeds, step, task, lossIds, out);
          return out;
        });
        step++;
        const stepsPerSecond = rate.tick(step === totalSteps);
        if (step % eventEvery === 0 || stepInPhase === steps - 1)
          emit({ event: 'step', step, task, loss: parts.total, losses: parts.losses, stepsPerSecond });
        const evalNow = t.evalEvery > 0 && step % t.evalEvery === 0 && stepInPhase !== steps - 1;
        // The norms of generated weights over training: about NORM_POINTS a run besides those at evaluations.
        if (!evalNow && step % normEvery === 0 && stepInPhase !== steps - 1) await emitWeightStats(model, program, data, task, step, emit);
        if (evalNow) {
          const ev = await evaluate(sequentialCl ? taskList.slice(0, phase + 1) : taskList, duringSplit);
          emit({ event: 'eval', step, task, ...ev, split: duringSplit });
          await emitWeightStats(model, program, data, task, step, emit);
        }
        if (opts.checkpointPath && opts.checkpointEvery && step % opts.checkpointEvery === 0) await checkpoint(phase, stepInPhase + 1);
        // Let pause/stop messages in between steps.
        await new Promise<void>((r) => setImmediate(r));
      }
      stepInPhase = 0;
      if (sequentialCl) {
        const ev = await evaluate(taskList);
        // Row i is the matrix after phase i; a finished phase resumed with more steps replaces its row.
        accuracyMatrix[phase] = taskList.map((task, j) => (j <= phase && mainMetric ? (ev.perTask[task]?.[mainMetric.name] ?? null) : null));
        emit({ event: 'eval', step, task: tasks[0], ...meanOver(ev.perTask, taskList.slice(0, phase + 1)), split: 'test' });
        emit({ event: 'task_end', task: tasks[0], step, accuracyMatrix: accuracyMatrix.map((r) => [...r]), metricName: mainMetric?.name ?? 'loss' });
      }
    }

    const trained = sequentialCl ? taskList.slice(0, Math.max(1, accuracyMatrix.length)) : taskList;
    const final = await evaluate(trained);
    await emitWeightStats(model, program, data, taskList[0], step, emit);
    if (opts.saveDir) {
      const values = await Promise.all(program.params.map((p) => model.vars.get(p.name)!.data() as Promise<Float32Array>));
      writeWeights(
        opts.saveDir,
        program.params.map((p, i) => ({ name: p.name, shape: p.shape, values: values[i] })),
      );
      emit({ event: 'log', level: 'info', message: `saved weights to ${opts.saveDir}` });
    }
    // A finished run's checkpoint sits at the end of its last phase, so resuming it with more steps (--steps)
    // trains that phase on from where it ended.
    const last = phases.length - 1;
    await checkpoint(stopped ? phaseAt : last, stopped ? stepAt : phases[last].steps);
    const metrics: Record<string, number> = { ...final.metrics };
    if (taskList.length > 1) for (const [task, m] of Object.entries(final.perTask)) for (const [k, v] of Object.entries(m)) metrics[`${k}/task${task}`] = v;
    if (cl.taskInference) Object.assign(metrics, await inferTasks(model, program, data, trained));
    const done: DoneEvent = {
      event: 'done',
      step,
      seconds: (performance.now() - started) / 1000,
      metrics,
      ...(sequentialCl ? { accuracyMatrix } : {}),
      stopped,
    };
    emit(done);
    return done;
  } finally {
    for (const v of targets.values()) tf.dispose([...v.values()]);
    model.dispose();
    optimizer.dispose();
  }
}

function checkDataset(program: Program, data: Dataset): void {
  const same = (a: number[] | undefined, b: number[] | undefined) => (a ?? []).join() === (b ?? []).join();
  const d = program.data;
  if (!same(d.x, data.xShape) || !same(d.y, data.yShape) || !same(d.context, data.contextShape) || d.tasks !== data.tasks)
    fail('HN051', `the data does not match its declaration: x [${data.xShape}] y [${data.yShape}] with ${data.tasks} task(s), declared x [${d.x}] y [${d.y}] with ${d.tasks}`, { node: d.node });
}

function makeOptimizer(o: Optimizer): tf.Optimizer {
  switch (o.type) {
    case 'sgd':
      return o.momentum > 0 ? tf.train.momentum(o.learningRate, o.momentum) : tf.train.sgd(o.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, o.decay, o.momentum, o.epsilon);
    default:
      return new FusedAdam(o.learningRate, o.beta1, o.beta2, o.epsilon);
  }
}

/** A batch's tensors, shaped as the program declares its inputs (the caller releases them: disposeInputs). */
const feedsOf = (program: Program, b: Batch) => batchInputs(b, program.data.x, program.data.y);

/** Tensors for a list of batches, shaped as the program declares its inputs, released after `fn` has run. */
export async function withFeeds<T>(program: Program, batches: Batch[], fn: (feeds: Feeds[]) => T | Promise<T>): Promise<T> {
  const feeds = batches.map((b) => feedsOf(program, b));
  try {
    return await fn(feeds);
  } finally {
    feeds.forEach(disposeInputs);
  }
}

export interface StepResult {
  total: number;
  losses: Record<string, number>;
}

export interface RegularizerTerm {
  beta: number;
  targets: Map<number, Map<ValueId, tf.Tensor>>;
  routes: GeneratedRoute[];
}

/** How a step trains beyond the plain loss (training.continual). */
export interface StepOptions {
  /** The task of the batch: the one row of each embedding table in `embeddings` that may move. */
  task?: number;
  /** currentEmbeddingOnly: task-embedding tables [T, d] of which only row `task` is trained. */
  embeddings?: tf.Variable[];
  /** lookAhead: the regulariser's gradient is taken at Θ + ΔΘ over these (the hypernetwork's) variables. */
  lookAhead?: { vars: tf.Variable[]; optimizer: Optimizer };
}

/**
 * One optimisation step: the weighted sum of the program's losses (and the regulariser), its gradients, and
 * the update, skipped when the loss is not finite so the caller can locate the cause on intact weights.
 * Exported for bench/, which times it against a hand-written tfjs step.
 */
export async function trainStep(
  model: Model,
  optimizer: tf.Optimizer,
  varList: tf.Variable[],
  program: Program,
  feeds: Feeds,
  step: number,
  reg: RegularizerTerm | null,
  opts: StepOptions = {},
): Promise<StepResult> {
  const names = [...program.losses.map((l) => l.name), ...(reg ? ['output_regularizer'] : [])];
  const lookAhead = reg && opts.lookAhead ? opts.lookAhead : null;
  let parts: tf.Tensor | null = null;
  const taskLoss = (withReg: boolean) => () => {
    const vals = model.evaluate(feeds, program.losses.map((l) => l.value), { training: true, step });
    const terms = program.losses.map((l) => vals.get(l.value)!);
    if (withReg) terms.push(regularizer(model, reg!, step));
    // Every part's value leaves the tape in one tensor, so a step reads the device once.
    parts = tf.keep(tf.stack(terms));
    let total: tf.Tensor | null = null;
    terms.forEach((v, i) => {
      const weighted = i < program.losses.length && program.losses[i].weight !== 1 ? tf.mul(v, program.losses[i].weight) : v;
      total = total ? tf.add(total, weighted) : weighted;
    });
    return total as unknown as tf.Scalar;
  };
  const { value, grads } = tf.variableGrads(taskLoss(!!reg && !lookAhead), varList);
  const made: tf.Tensor[] = [value];
  let regValue: tf.Tensor | null = null;
  if (lookAhead) {
    // hypercl's look-ahead: ΔΘ is the step the optimizer would take on the task loss alone (detached); the
    // regulariser's gradient at Θ + ΔΘ is added to the task loss's gradient at Θ, and the optimizer steps on the sum.
    const maskedTask = maskRows(grads, opts);
    const deltas = candidateStep(optimizer, lookAhead.optimizer, lookAhead.vars, maskedTask);
    tf.dispose(Object.values(maskedTask).filter((g) => !Object.values(grads).includes(g)));
    const saved = lookAhead.vars.map((v) => tf.clone(v));
    lookAhead.vars.forEach((v, i) => tf.tidy(() => v.assign(tf.add(saved[i], deltas[i]))));
    tf.dispose(deltas);
    try {
      const r = tf.variableGrads(() => regularizer(model, reg!, step) as tf.Scalar, varList);
      regValue = r.value;
      for (const [name, g] of Object.entries(r.grads)) {
        const sum = grads[name] ? tf.add(grads[name], g) : tf.clone(g);
        made.push(g, ...(grads[name] ? [grads[name]] : []));
        grads[name] = sum;
      }
    } finally {
      lookAhead.vars.forEach((v, i) => v.assign(saved[i]));
      tf.dispose(saved);
    }
  }
  // One wait for both reads (on a GPU each is a round trip).
  const [values, regValues] = await Promise.all([(parts as tf.Tensor | null)!.data(), regValue?.data()]);
  const regRead = regValues ? regValues[0] : NaN;
  const losses: Record<string, number> = {};
  names.forEach((n, i) => (losses[n] = i < values.length ? values[i] : regRead));
  const total = names.reduce((a, n, i) => a + losses[n] * (i < program.losses.length ? program.losses[i].weight : 1), 0);
  // Adam keeps its moments by the position of a variable among the gradients: always hand them over in varList's order.
  const ordered: tf.NamedTensorMap = {};
  const masked = maskRows(grads, opts);
  for (const v of varList) if (masked[v.name]) ordered[v.name] = masked[v.name];
  if (Number.isFinite(total)) {
    const frozen = opts.embeddings?.length ? opts.embeddings.map((v) => tf.clone(v)) : [];
    optimizer.applyGradients(ordered);
    // A row with no gradient can still move under momentum or Adam state left by its own task: put it back exactly.
    opts.embeddings?.forEach((v, i) => tf.tidy(() => v.assign(tf.where(tf.broadcastTo(rowMask(v, opts.task!), v.shape), v, frozen[i]))));
    tf.dispose(frozen);
  }
  tf.dispose([...made, ...(regValue ? [regValue] : []), parts!, ...Object.values(grads), ...Object.values(masked).filter((g) => !Object.values(grads).includes(g))]);
  return { total, losses };
}

/** [T, 1] boolean: true on row `task` of an embedding table [T, d]. */
function rowMask(v: tf.Variable, task: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(tf.tensor1d([task], 'int32'), v.shape[0]), [v.shape[0], 1]), 'bool'));
}

/** The gradients with the rows of embedding tables other than the batch's task set to zero (new tensors for those only). */
function maskRows(grads: tf.NamedTensorMap, opts: StepOptions): tf.NamedTensorMap {
  if (!opts.embeddings?.length) return grads;
  const out = { ...grads };
  for (const v of opts.embeddings) {
    const g = grads[v.name];
    if (g) out[v.name] = tf.tidy(() => tf.where(tf.broadcastTo(rowMask(v, opts.task!), g.shape), g, tf.zerosLike(g)));
  }
  return out;
}

/**
 * ΔΘ: the change the optimizer would make to `vars` on the gradients `grads`, without changing its state
 * (hypercl's utils/optim_step.calc_delta_theta). Adam: its next bias-corrected step from its current moments.
 */
function candidateStep(optimizer: tf.Optimizer, o: Optimizer, vars: tf.Variable[], grads: tf.NamedTensorMap): tf.Tensor[] {
  return vars.map((v) =>
    tf.tidy(() => {
      const g = grads[v.name];
      if (!g) return tf.zerosLike(v);
      if (o.type !== 'adam') return tf.mul(g, -o.learningRate);
      const adam = optimizer as unknown as {
        accBeta1: tf.Variable;
        accBeta2: tf.Variable;
        accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
        accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
      };
      const m0 = adam.accumulatedFirstMoment.find((s) => s?.originalName === `${v.name}/m`)?.variable ?? tf.zerosLike(v);
      const v0 = adam.accumulatedSecondMoment.find((s) => s?.originalName === `${v.name}/v`)?.variable ?? tf.zerosLike(v);
      const m = tf.add(tf.mul(m0, o.beta1), tf.mul(g, 1 - o.beta1));
      const s = tf.add(tf.mul(v0, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
      const mHat = tf.div(m, tf.sub(1, adam.accBeta1));
      const sHat = tf.div(s, tf.sub(1, adam.accBeta2));
      return tf.mul(tf.div(mHat, tf.add(tf.sqrt(sHat), o.epsilon)), -o.learningRate);
    }),
  );
}

/** k of `tasks` without replacement (a partial Fisher-Yates shuffle on rng), in ascending order. */
export function pickTasks(tasks: number[], k: number, rng: Rng): number[] {
  const a = [...tasks];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k).sort((x, y) => x - y);
}

/** Settings of training.continual that this graph or schedule cannot honour, refused before training starts. */
function checkContinual(program: Program, cl: Continual, sequentialCl: boolean): void {
  const at = (field: string) => ({ path: `training.continual.${field}` });
  if (cl.lookAhead && program.training.optimizer.type === 'rmsprop')
    fail('HN004', 'lookAhead needs the step of Adam or SGD; the optimizer is rmsprop (choose adam or sgd, or turn lookAhead off)', at('lookAhead'));
  if (cl.lookAhead && program.training.optimizer.type === 'sgd' && program.training.optimizer.momentum > 0)
    fail('HN004', 'lookAhead supports SGD without momentum only (set momentum to 0, choose adam, or turn lookAhead off)', at('lookAhead'));
  if (cl.taskInference) {
    const why = !sequentialCl
      ? 'it needs a sequential schedule of several tasks'
      : !program.params.some((p) => p.role === 'embedding')
        ? 'the graph has no task embedding to try each task with'
        : !program.prediction || program.data.y.length > 0 || program.metrics.every((m) => m.kind !== 'accuracy')
          ? 'it needs a classifier (class logits as the prediction, integer labels and an accuracy metric)'
          : null;
    if (why) fail('HN004', `taskInference cannot run here: ${why} (turn it off)`, at('taskInference'));
  }
}

/** Task inference (HNET+ENT) of a classifier over the trained tasks, as the runtime's continual.ts defines it. */
export function inferTasks(model: Model, program: Program, data: Dataset, tasks: number[]): Promise<Record<string, number>> {
  const pred = program.prediction!;
  const accuracy = program.metrics.find((m) => m.kind === 'accuracy')!;
  const opts = { training: false, step: 0 };
  return inferTaskAccuracies(
    tasks,
    (task) => data.evalBatches(task, program.evaluation.evalBatchSize, program.evaluation.maxEvalSamples),
    // Called inside inferTasks's tidy, which releases the feeds too.
    (b) => model.evaluate(feedsOf(program, b), [pred], opts).get(pred)!,
    async (b) => (await withFeeds(program, [b], ([feeds]) => readScalars(() => ({ accuracy: model.evaluate(feeds, [accuracy.value], opts).get(accuracy.value)! })))).accuracy,
  );
}

/** β/|earlier| · Σ_t' Σ_routes ‖h(t') − h*(t')‖² (von Oswald et al. 2020, eq. 2). */
function regularizer(model: Model, reg: RegularizerTerm, step: number): tf.Tensor {
  let sum: tf.Tensor = tf.scalar(0);
  const ids = reg.routes.map((r) => r.value);
  for (const [task, stored] of reg.targets) {
    const vals = model.evaluate({ task: tf.tensor1d([task], 'int32') }, ids, { training: true, step });
    for (const id of ids) sum = tf.add(sum, tf.sum(tf.squaredDifference(vals.get(id)!, stored.get(id)!)));
  }
  return tf.mul(sum, reg.beta / Math.max(1, reg.targets.size));
}

function snapshotTargets(model: Model, routes: GeneratedRoute[], tasks: number[]): Map<number, Map<ValueId, tf.Tensor>> {
  const out = new Map<number, Map<ValueId, tf.Tensor>>();
  for (const task of tasks) {
    const taskT = tf.tensor1d([task], 'int32');
    const vals = tf.tidy(() => {
      const v = model.evaluate({ task: taskT }, routes.map((r) => r.value), { training: false, step: 0 });
      return routes.map((r) => tf.keep(tf.clone(v.get(r.value)!)));
    });
    taskT.dispose();
    out.set(task, new Map(routes.map((r, i) => [r.value, vals[i]])));
  }
  return out;
}

/** Mean of per-task metrics over some of the tasks, with those tasks' entries. */
function meanOver(perTask: Record<string, Record<string, number>>, tasks: number[]) {
  const metrics: Record<string, number> = {};
  for (const task of tasks) for (const [k, v] of Object.entries(perTask[task] ?? {})) metrics[k] = (metrics[k] ?? 0) + v / tasks.length;
  return { metrics, perTask: Object.fromEntries(tasks.map((t) => [t, perTask[t]])) };
}

async function evaluateTasks(model: Model, program: Program, data: Dataset, tasks: number[], split: EvalSplit) {
  const perTask: Record<string, Record<string, number>> = {};
  const wanted = [...program.metrics.map((m) => m.value), ...program.losses.map((l) => l.value)];
  for (const task of tasks) {
    const sums: Record<string, number> = {};
    let n = 0;
    for (const b of data.evalBatches(task, program.evaluation.evalBatchSize, program.evaluation.maxEvalSamples, split)) {
      const read = await withFeeds(program, [b], ([feeds]) =>
        readScalars(() => {
          const v = model.evaluate(feeds, wanted, { training: false, step: 0 });
          return {
            ...Object.fromEntries(program.losses.map((l, i) => [`loss${i}`, v.get(l.value)!])),
            ...Object.fromEntries(program.metrics.map((m) => [`metric:${m.name}`, v.get(m.value)!])),
          };
        }),
      );
      // The weighted loss is summed here in double precision, as it was read value by value.
      const vals: Record<string, number> = { loss: program.losses.reduce((a, l, i) => a + l.weight * read[`loss${i}`], 0) };
      for (const m of program.metrics) vals[m.name] = read[`metric:${m.name}`];
      for (const [k, v] of Object.entries(vals)) sums[k] = (sums[k] ?? 0) + v * b.n;
      n += b.n;
    }
    perTask[task] = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, n)]));
  }
  return meanOver(perTask, tasks);
}

async function emitWeightStats(model: Model, program: Program, data: Dataset, task: number, step: number, emit: (e: EngineEvent) => void): Promise<void> {
  if (program.generated.length === 0) return;
  const [batch] = data.evalBatches(task, Math.min(program.evaluation.evalBatchSize, 64), 64);
  if (!batch) return;
  // One evaluation gives each generated tensor's norm, mean and variance and its values (TensorBoard's histogram).
  const read = await withFeeds(program, [batch], ([feeds]) =>
    readValues(() => {
      const vals = model.evaluate(feeds, program.generated.map((g) => g.value), { training: false, step: 0 });
      return program.generated.flatMap((g) => {
        const v = vals.get(g.value)!;
        const { mean, variance } = tf.moments(v);
        return [v, tf.norm(v), mean, variance];
      });
    }),
  );
  const stats = program.generated.map((g, i) => ({
    head: g.head,
    target: `${g.target}.${g.targetPort}`,
    norm: read[4 * i + 1][0],
    mean: read[4 * i + 2][0],
    std: Math.sqrt(read[4 * i + 3][0]),
    histogram: histogramOf(read[4 * i]),
  }));
  emit({ event: 'weights', step, stats });
}

/** A non-finite loss: find the first op whose value is NaN or Inf and name its node. */
async function diverged(model: Model, program: Program, feeds: Feeds, step: number, task: number, lossIds: ValueId[], out: StepResult): Promise<never> {
  const op = await model.firstNonFinite(feeds, lossIds, { training: true, step });
  const what = Number.isNaN(out.total) ? 'NaN' : 'infinite';
  const where = op
    ? op.op === 'param'
      ? `parameter ${op.id} holds non-finite values`
      : `first non-finite value at ${op.id} (${op.op})`
    : 'every op is finite on its own; the loss overflowed when combined (try a lower learning rate)';
  throw new HnetError({
    code: 'HN050',
    message: `the loss became ${what} at step ${step + 1} (task ${task}): ${where}`,
    node: op?.node,
  });
}

async function restore(model: Model, optimizer: tf.Optimizer, ck: Checkpoint): Promise<void> {
  for (const [name, v] of model.vars) {
    const stored = ck.params[name];
    tf.tidy(() => v.assign(tf.tensor(decode(stored), stored.shape)));
  }
  if (ck.optimizer.length) {
    const slots = ck.optimizer.map((w) => ({ name: w.name.replace(/^@/, model.prefix), tensor: tf.tensor(decode(w.tensor), w.tensor.shape) }));
    await optimizer.setWeights(slots);
    // setWeights makes variables of these (sharing their data) and keeps none of the tensors themselves.
    tf.dispose(slots.map((s) => s.tensor));
    // Not instanceof: tfjs's Optimizer[Symbol.hasInstance] makes every optimizer an instance of AdamOptimizer.
    if (optimizer.getClassName() === 'Adam') exactAdamPowers(optimizer as tf.AdamOptimizer);
  }
}

/**
 * tfjs's Adam.setWeights sets its running powers β₁ᵗ⁺¹ and β₂ᵗ⁺¹ with pow(), which can differ in the last bit
 * from the float32 product it accumulates step by step; redo that product so a resumed run continues exactly.
 */
function exactAdamPowers(optimizer: tf.AdamOptimizer): void {
  const o = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; beta1: number; beta2: number };
  for (const [acc, beta] of [
    [o.accBeta1, o.beta1],
    [o.accBeta2, o.beta2],
  ] as const) {
    const b = Math.fround(beta);
    let power = b;
    for (let i = 0; i < optimizer.iterations; i++) power = Math.fround(power * b);
    tf.tidy(() => acc.assign(tf.scalar(power)));
  }
}

async function writeCheckpoint(
  path: string,
  program: Program,
  model: Model,
  optimizer: tf.Optimizer,
  s: { seed: number; step: number; phase: number; stepInPhase: number; rngState: number; targets: Map<number, Map<ValueId, tf.Tensor>>; accuracyMatrix: (number | null)[][] },
): Promise<void> {
  const named = await optimizer.getWeights();
  const read = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => t.data()));
  const params = await read(program.params.map((p) => model.vars.get(p.name)!));
  const slots = await read(named.map((w) => w.tensor));
  const targets = await Promise.all([...s.targets].map(async ([task, m]) => [task, [...m.keys()], await read([...m.values()])] as const));
  const ck: Checkpoint = {
    format: 'hnet-checkpoint',
    version: CHECKPOINT_VERSION,
    signature: programSignature(program),
    seed: s.seed,
    step: s.step,
    phase: s.phase,
    stepInPhase: s.stepInPhase,
    rngState: s.rngState,
    params: Object.fromEntries(program.params.map((p, i) => [p.name, encode(params[i] as Float32Array, p.shape)])),
    // As float32 values: the iteration count ('iter') is an int32 tensor, whose raw bytes decode() would misread.
    optimizer: named.map((w, i) => ({ name: w.name.replace(model.prefix, '@'), tensor: encode(Float32Array.from(slots[i]), w.tensor.shape) })),
    targets: Object.fromEntries(
      targets.map(([task, ids, values]) => [String(task), Object.fromEntries(ids.map((id, i) => [id, encode(values[i] as Float32Array, s.targets.get(task)!.get(id)!.shape)]))]),
    ),
    accuracyMatrix: s.accuracyMatrix,
  };
  writeFileAtomic(path, JSON.stringify(ck));
}
