/**
 * training.continual, hypercl's continual-learning semantics (von Oswald et al. 2020): a fresh optimizer per
 * task, only the current task's embedding row trained, the regulariser at Θ + ΔΘ (look-ahead, checked against a
 * step computed by hand), a seeded random subset of earlier tasks per step (resumable), and task inference by
 * lowest entropy (HNET+ENT) against an independent plain-JS computation on a constructed case.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { decode, readCheckpoint } from '../../src/main/engine/checkpoint';
import type { Batch, Dataset } from '../../src/main/engine/data';
import { Model } from '../../src/main/engine/runtime';
import { inferTasks, pickTasks, train, trainStep, withFeeds } from '../../src/main/engine/train';
import type { EngineEvent } from '../../src/shared/api/events';
import type { Program, ValueId } from '../../src/shared/compiler/ir';
import { Rng } from '../../src/shared/util/rng';
import { clProgram, record } from './helpers';
import { templateProgram } from '../helpers/templates';

const dir = mkdtempSync(join(tmpdir(), 'hnet-continual-'));
beforeAll(() => useBackend('cpu'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const embeddingOf = (program: Program) => program.params.find((p) => p.role === 'embedding')!;
const rowsOf = (values: Float32Array, d: number) => Array.from({ length: values.length / d }, (_, r) => Array.from(values.subarray(r * d, (r + 1) * d)));

/** A 3-task run of 10 steps per task, keeping the checkpoints written at the given steps. */
async function runKeeping(program: Program, name: string, keep: number[]) {
  const path = join(dir, `${name}.json`);
  const kept = new Map<number, string>();
  const run = await record(program, { steps: 10, backend: 'cpu', checkpointPath: path, checkpointEvery: 1 }, (e) => {
    if (e.event === 'checkpoint' && keep.includes(e.step) && !kept.has(e.step)) {
      const copy = join(dir, `${name}.step${e.step}.json`);
      copyFileSync(path, copy);
      kept.set(e.step, copy);
    }
  });
  return { run, ck: (step: number) => readCheckpoint(kept.get(step)!, program) };
}

describe('currentEmbeddingOnly and optimizerPerTask', () => {
  it('earlier embedding rows stay exactly as their task left them; later rows stay at their initial values until their task', async () => {
    const program = clProgram({ continual: { currentEmbeddingOnly: true } });
    const emb = embeddingOf(program);
    const d = emb.shape[1];
    const { ck } = await runKeeping(program, 'rows', [1, 10, 20, 30]);
    const at = (step: number) => rowsOf(decode(ck(step).params[emb.name]), d);
    const initial = tf.tidy(() => rowsOf(new Model(program, 3).vars.get(emb.name)!.dataSync() as Float32Array, d));
    // Task 0 trains row 0 only.
    expect(at(10)[0]).not.toEqual(initial[0]);
    expect(at(10).slice(1)).toEqual(initial.slice(1));
    // Task 1 (with the regulariser pulling on task 0's weights) leaves row 0 exactly as task 0 left it.
    expect(at(20)[0]).toEqual(at(10)[0]);
    expect(at(20)[1]).not.toEqual(at(10)[1]);
    expect(at(20)[2]).toEqual(initial[2]);
    expect(at(30)[0]).toEqual(at(10)[0]);
    expect(at(30)[1]).toEqual(at(20)[1]);
  });

  it('without currentEmbeddingOnly, the regulariser and Adam move an earlier task\'s row (the behaviour it changes)', async () => {
    const program = clProgram();
    const emb = embeddingOf(program);
    const { ck } = await runKeeping(program, 'rows-old', [10, 30]);
    const row0 = (step: number) => rowsOf(decode(ck(step).params[emb.name]), emb.shape[1])[0];
    expect(row0(30)).not.toEqual(row0(10));
  });

  it('fixedEmbeddings: every row of the task-embedding table stays at its initial value, the optimizer keeps no state for it, and the hypernetwork trains', async () => {
    const program = clProgram({ continual: { optimizerPerTask: true, currentEmbeddingOnly: true, fixedEmbeddings: true } });
    const emb = embeddingOf(program);
    const hyper = program.params.find((p) => p.role === 'hyper')!;
    const { ck } = await runKeeping(program, 'rows-fixed', [10, 30]);
    const initial = tf.tidy(() => new Model(program, 3).vars.get(emb.name)!.dataSync() as Float32Array);
    const c = ck(30);
    expect(decode(c.params[emb.name])).toEqual(initial);
    expect(decode(c.params[hyper.name])).not.toEqual(decode(ck(10).params[hyper.name]));
    expect(c.optimizer.some((w) => w.name.startsWith(`@${emb.name}/`))).toBe(false);
    expect(c.optimizer.some((w) => w.name.startsWith(`@${hyper.name}/`))).toBe(true);
  });

  it('a fresh Adam state at each task: one step into task 1, the step count is 1 and row 0\'s moments are zero', async () => {
    const slot = (program: Program, name: string) => {
      return async () => {
        const { ck } = await runKeeping(program, name, [11]);
        const c = ck(11);
        const get = (n: string) => decode(c.optimizer.find((w) => w.name === n)!.tensor);
        const emb = embeddingOf(program);
        return { iter: get('iter')[0], m0: rowsOf(get(`@${emb.name}/m`), emb.shape[1])[0], v0: rowsOf(get(`@${emb.name}/v`), emb.shape[1])[0] };
      };
    };
    const fresh = await slot(clProgram({ continual: { optimizerPerTask: true, currentEmbeddingOnly: true } }), 'fresh')();
    expect(fresh.iter).toBe(1);
    expect(fresh.m0.every((x) => x === 0)).toBe(true);
    expect(fresh.v0.every((x) => x === 0)).toBe(true);
    // One state through all tasks: eleven steps counted, and row 0 carries task 0's moments.
    const carried = await slot(clProgram({ continual: { currentEmbeddingOnly: true } }), 'carried')();
    expect(carried.iter).toBe(11);
    expect(carried.m0.some((x) => x !== 0)).toBe(true);
  });
});

describe('a run with every setting on', () => {
  const all = { optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true, regularizedTasksPerStep: 1 };

  it('resumes exactly from a checkpoint inside task 2 (the subset of earlier tasks is drawn from the run\'s seeded stream)', async () => {
    const program = clProgram({ continual: all });
    const path = join(dir, 'all.json');
    const at25 = join(dir, 'all.step25.json');
    const whole = await record(program, { steps: 10, backend: 'cpu', checkpointPath: path, checkpointEvery: 5 }, (e: EngineEvent) => {
      if (e.event === 'checkpoint' && e.step === 25) copyFileSync(path, at25);
    });
    const resumed = await record(program, { steps: 10, backend: 'cpu', resumeFrom: at25 });
    expect(resumed.steps[0].losses.output_regularizer).toBeGreaterThan(0);
    expect(resumed.losses).toEqual(whole.losses.slice(25));
    expect(resumed.done.metrics).toEqual(whole.done.metrics);
    // The same seed draws the same subsets: a second run is identical.
    const before = tf.memory().numTensors;
    const again = await record(program, { steps: 10, backend: 'cpu' });
    expect(again.losses).toEqual(whole.losses);
    // Every tensor the look-ahead, the masks and the fresh optimizers make is released.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the subset changes only task 2 (task 1 has a single earlier task, so all of it is held)', async () => {
    const k1 = await record(clProgram({ continual: { regularizedTasksPerStep: 1 } }), { steps: 10, backend: 'cpu' });
    const allTasks = await record(clProgram(), { steps: 10, backend: 'cpu' });
    expect(k1.losses.slice(0, 20)).toEqual(allTasks.losses.slice(0, 20));
    expect(k1.losses.slice(20)).not.toEqual(allTasks.losses.slice(20));
  });

  it('the regulariser\'s targets are taken before each task: at the first step of tasks 1 and 2 it is exactly zero', async () => {
    // hypercl's get_current_targets: all earlier tasks' outputs of the hypernetwork as it is when the task starts.
    for (const continual of [{}, { optimizerPerTask: true, currentEmbeddingOnly: true }]) {
      const r = await record(clProgram({ continual }), { steps: 10, backend: 'cpu' });
      expect(r.steps[10].losses.output_regularizer).toBe(0);
      expect(r.steps[20].losses.output_regularizer).toBe(0);
      expect(r.steps[21].losses.output_regularizer).toBeGreaterThan(0);
    }
  });

  it('pickTasks draws k distinct earlier tasks in ascending order, the same from the same stream state', () => {
    const a = new Rng(5).fork('batches');
    const b = new Rng(5).fork('batches');
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const x = pickTasks([0, 1, 2, 3, 4, 5, 6], 3, a);
      expect(pickTasks([0, 1, 2, 3, 4, 5, 6], 3, b)).toEqual(x);
      expect(new Set(x).size).toBe(3);
      expect([...x].sort((p, q) => p - q)).toEqual(x);
      seen.add(x.join());
    }
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('look-ahead against a step computed by hand', () => {
  /** A model of the CL graph with jittered parameters, and stored targets for task 0 a little off its outputs. */
  function setup(program: Program) {
    const model = new Model(program, 3);
    const r = new Rng(11);
    for (const v of model.vars.values()) tf.tidy(() => v.assign(tf.add(v, tf.mul(tf.tensor(Array.from({ length: v.size }, () => r.normal()), v.shape), 0.3))));
    const routes = program.generated.filter((g) => !model.op(g.value).dataDependent);
    const targets = new Map<number, Map<ValueId, tf.Tensor>>([
      [0, new Map(routes.map((g) => [g.value, tf.tidy(() => tf.add(model.evaluate({ task: tf.tensor1d([0], 'int32') }, [g.value], { training: true, step: 0 }).get(g.value)!, 0.2))]))],
    ]);
    const batch = { x: Float32Array.from({ length: 16 }, () => r.normal()), y: Float32Array.from({ length: 16 }, () => r.normal()), n: 16, task: 1 } as Batch;
    return { model, routes, targets, batch };
  }
  const values = (model: Model) => new Map([...model.vars].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));

  /** The task loss's and the regulariser's gradients, written out here: the regulariser at θ + Δ(gTask). */
  function handGradients(program: Program, model: Model, targets: Map<number, Map<ValueId, tf.Tensor>>, batch: Batch, delta: (g: tf.Tensor, name: string) => tf.Tensor) {
    const beta = program.outputRegularizer!.beta;
    const vars = [...model.vars.values()];
    const hyper = new Set(program.params.filter((p) => p.role === 'hyper').map((p) => model.vars.get(p.name)!));
    return withFeeds(program, [batch], ([feeds]) => {
      const task = tf.variableGrads(() => model.evaluate(feeds, [program.losses[0].value], { training: true, step: 0 }).get(program.losses[0].value)! as tf.Scalar, vars);
      const saved = vars.map((v) => tf.clone(v));
      for (const v of hyper) tf.tidy(() => v.assign(tf.add(v, delta(task.grads[v.name], v.name))));
      const reg = tf.variableGrads(() => {
        const stored = targets.get(0)!;
        const now = model.evaluate({ task: tf.tensor1d([0], 'int32') }, [...stored.keys()], { training: true, step: 0 });
        let sum: tf.Tensor = tf.scalar(0);
        for (const [id, t] of stored) sum = tf.add(sum, tf.sum(tf.square(tf.sub(now.get(id)!, t))));
        return tf.mul(sum, beta) as tf.Scalar;
      }, vars);
      vars.forEach((v, i) => v.assign(saved[i]));
      const g = new Map(vars.map((v) => [v.name, tf.tidy(() => (reg.grads[v.name] ? tf.add(task.grads[v.name], reg.grads[v.name]) : tf.clone(task.grads[v.name])))]));
      tf.dispose([task.value, reg.value, ...Object.values(task.grads), ...Object.values(reg.grads), ...saved]);
      return g;
    });
  }

  it('SGD: θ ← θ − lr·(∇L(θ) + ∇R(θ − lr·∇L(θ))), ΔΘ over the hypernetwork\'s parameters only', async () => {
    const lr = 0.1;
    const program = clProgram({ optimizer: { type: 'sgd', learningRate: lr }, continual: { lookAhead: true } });
    const { model, routes, targets, batch } = setup(program);
    const reference = new Model(program, 3);
    for (const [n, v] of model.vars) reference.vars.get(n)!.assign(v);
    const before = values(model);
    // The hand computation on a second copy of the model.
    const refTargets = new Map([[0, new Map([...targets.get(0)!].map(([id, t]) => [id, t]))]]);
    const g = await handGradients(program, reference, refTargets, batch, (grad) => tf.mul(grad, -lr));
    const want = new Map([...before].map(([n, v]) => [n, tf.tidy(() => tf.sub(tf.tensor(v, model.vars.get(n)!.shape), tf.mul(g.get(reference.prefix + n)!, lr)).dataSync() as Float32Array)]));
    const hyper = program.params.filter((p) => p.role === 'hyper').map((p) => model.vars.get(p.name)!);
    const optimizer = tf.train.sgd(lr);
    await withFeeds(program, [batch], ([feeds]) =>
      trainStep(model, optimizer, [...model.vars.values()], program, feeds, 0, { beta: program.outputRegularizer!.beta, targets, routes }, { task: 1, lookAhead: { vars: hyper, optimizer: program.training.optimizer } }),
    );
    let worst = 0;
    for (const [n, v] of values(model)) v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - want.get(n)![i]))));
    expect(worst).toBeLessThan(1e-5);
    // Without the look-ahead the same step lands elsewhere, by far more than the tolerance.
    const plain = new Model(program, 3);
    for (const [n, v] of before) plain.vars.get(n)!.assign(tf.tensor(v, plain.vars.get(n)!.shape));
    await withFeeds(program, [batch], ([feeds]) => trainStep(plain, tf.train.sgd(lr), [...plain.vars.values()], program, feeds, 0, { beta: program.outputRegularizer!.beta, targets, routes }));
    let apart = 0;
    for (const [n, v] of values(plain)) v.forEach((x, i) => (apart = Math.max(apart, Math.abs(x - want.get(n)![i]))));
    expect(apart).toBeGreaterThan(1e-3);
    tf.dispose([...g.values()]);
    for (const m of [model, reference, plain]) m.dispose();
  });

  it('Adam: ΔΘ is Adam\'s own next step from its current moments; the moments then hold the summed gradient', async () => {
    const [lr, b1, b2, eps] = [0.05, 0.9, 0.999, 1e-7];
    const program = clProgram({ optimizer: { type: 'adam', learningRate: lr, beta1: b1, beta2: b2, epsilon: eps }, continual: { lookAhead: true } });
    const { model, routes, targets, batch } = setup(program);
    const reference = new Model(program, 3);
    const hyper = program.params.filter((p) => p.role === 'hyper').map((p) => model.vars.get(p.name)!);
    const optimizer = tf.train.adam(lr, b1, b2, eps);
    const vars = [...model.vars.values()];
    const reg = { beta: program.outputRegularizer!.beta, targets, routes };
    const step = (b: Batch) => withFeeds(program, [b], ([feeds]) => trainStep(model, optimizer, vars, program, feeds, 0, reg, { task: 1, lookAhead: { vars: hyper, optimizer: program.training.optimizer } }));
    // Two steps: the second one's ΔΘ needs the moments the first one left.
    const second = { ...batch, x: batch.x.map((v) => v * 0.5 + 0.1) } as Batch;
    for (const [n, v] of model.vars) reference.vars.get(n)!.assign(v);
    await step(batch);
    // By hand: m, v per parameter name, Adam's update with bias correction (β^t as float32 products, as tfjs keeps it).
    const m = new Map<string, tf.Tensor>();
    const s = new Map<string, tf.Tensor>();
    const pow = (b: number, t: number) => tf.pow(tf.scalar(b), tf.scalar(t));
    const adamDelta = (g: tf.Tensor, name: string, t: number) =>
      tf.tidy(() => {
        const mm = tf.add(tf.mul(m.get(name) ?? tf.zerosLike(g), b1), tf.mul(g, 1 - b1));
        const ss = tf.add(tf.mul(s.get(name) ?? tf.zerosLike(g), b2), tf.mul(tf.square(g), 1 - b2));
        return tf.mul(tf.div(tf.div(mm, tf.sub(1, pow(b1, t))), tf.add(tf.sqrt(tf.div(ss, tf.sub(1, pow(b2, t)))), eps)), -lr);
      });
    for (const [t, b] of [[1, batch], [2, second]] as const) {
      const g = await handGradients(program, reference, targets, b, (grad, name) => adamDelta(grad, name, t));
      for (const [name, grad] of g) {
        const mm = tf.tidy(() => tf.add(tf.mul(m.get(name) ?? tf.zerosLike(grad), b1), tf.mul(grad, 1 - b1)));
        const ss = tf.tidy(() => tf.add(tf.mul(s.get(name) ?? tf.zerosLike(grad), b2), tf.mul(tf.square(grad), 1 - b2)));
        const v = [...reference.vars.values()].find((x) => x.name === name)!;
        tf.tidy(() => v.assign(tf.add(v, tf.mul(tf.div(tf.div(mm, tf.sub(1, pow(b1, t))), tf.add(tf.sqrt(tf.div(ss, tf.sub(1, pow(b2, t)))), eps)), -lr))));
        m.get(name)?.dispose();
        s.get(name)?.dispose();
        m.set(name, mm);
        s.set(name, ss);
        grad.dispose();
      }
    }
    await step(second);
    const slots = await optimizer.getWeights();
    let worstM = 0;
    let scale = 0;
    for (const p of program.params) {
      const got = slots.find((w) => w.name === `${model.prefix}${p.name}/m`)!.tensor.dataSync();
      const want = m.get(reference.prefix + p.name)!.dataSync();
      got.forEach((x, i) => {
        worstM = Math.max(worstM, Math.abs(x - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      });
    }
    expect(worstM).toBeLessThan(1e-5 * Math.max(1, scale));
    let worst = 0;
    for (const [n, v] of model.vars) {
      const want = reference.vars.get(n)!.dataSync();
      (v.dataSync() as Float32Array).forEach((x, i) => (worst = Math.max(worst, Math.abs(x - want[i]))));
    }
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([...m.values(), ...s.values()]);
    model.dispose();
    reference.dispose();
    optimizer.dispose();
  });
});

describe('task inference (HNET+ENT)', () => {
  it('picks the task whose prediction has the lowest entropy; CL1/CL2/CL3 and the task rate as computed independently', async () => {
    const program = templateProgram('split-mnist-hnet');
    const tasks = [0, 1, 2];
    const perTask = 7;
    const r = new Rng(21);
    // logits[trueTask][sample][candidate] = [z0, z1]; some samples confident under their own task, some not.
    const logits = tasks.map(() => Array.from({ length: perTask }, () => tasks.map(() => [r.normal() * 2, r.normal() * 2])));
    const labels = tasks.map(() => Array.from({ length: perTask }, () => r.int(2)));
    // Two cases known by construction: sample 0 of task 1 is sure under task 1 only; sample 1 of task 2 is sure under task 0.
    logits[1][0] = [[0.1, 0], [9, 0], [0, 0.2]];
    labels[1][0] = 0;
    logits[2][1] = [[0, 8], [0.3, 0], [0.1, 0.2]];
    labels[2][1] = 1;
    const x = program.data.x.reduce((a, b) => a * b, 1);
    const data = {
      evalBatches: (task: number) => {
        const xs = new Float32Array(perTask * x);
        for (let i = 0; i < perTask; i++) xs[i * x] = i;
        return [{ x: xs, y: Int32Array.from(labels[task]), n: perTask, task } as Batch];
      },
    } as unknown as Dataset;
    const accuracy = program.metrics.find((mm) => mm.kind === 'accuracy')!;
    const stub = {
      evaluate(feeds: { x: tf.Tensor; y: tf.Tensor; task: tf.Tensor }, wanted: ValueId[]) {
        const cand = feeds.task.dataSync()[0];
        const idx = Array.from(tf.tidy(() => tf.slice(feeds.x, [0, 0], [-1, 1])).dataSync());
        const y = Array.from(feeds.y.dataSync());
        // The true task is the one whose batch was handed out last (see evalBatches below).
        const rows = idx.map((i) => logits[current][i][cand]);
        const out = new Map<ValueId, tf.Tensor>();
        if (wanted.includes(program.prediction!)) out.set(program.prediction!, tf.tensor2d(rows));
        if (wanted.includes(accuracy.value)) out.set(accuracy.value, tf.scalar(rows.filter((z, i) => (z[1] > z[0] ? 1 : 0) === y[i]).length / rows.length));
        return out;
      },
    };
    let current = 0;
    const evalBatches = data.evalBatches;
    data.evalBatches = (t, size, max) => ((current = t), evalBatches(t, size, max));
    const got = await inferTasks(stub as unknown as Model, program, data, tasks);

    // Independently: softmax entropies in float64, first lowest wins.
    const entropy = (z: number[]) => {
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      return -e.reduce((a, v) => a + (v / sum) * Math.log(v / sum), 0);
    };
    const want = { accuracy_cl1: 0, accuracy_cl2: 0, accuracy_cl3: 0, task_inferred: 0 };
    const picks: number[][] = [];
    for (const t of tasks) {
      picks[t] = [];
      for (let i = 0; i < perTask; i++) {
        const h = tasks.map((c) => entropy(logits[t][i][c]));
        const c = h.indexOf(Math.min(...h));
        picks[t][i] = c;
        const cls = (z: number[]) => (z[1] > z[0] ? 1 : 0);
        want.accuracy_cl1 += (cls(logits[t][i][t]) === labels[t][i] ? 1 : 0) / perTask / tasks.length;
        want.accuracy_cl2 += (cls(logits[t][i][c]) === labels[t][i] ? 1 : 0) / perTask / tasks.length;
        want.accuracy_cl3 += (cls(logits[t][i][c]) === labels[t][i] && c === t ? 1 : 0) / perTask / tasks.length;
        want.task_inferred += (c === t ? 1 : 0) / perTask / tasks.length;
      }
    }
    expect(picks[1][0]).toBe(1);
    expect(picks[2][1]).toBe(0);
    for (const k of Object.keys(want) as (keyof typeof want)[]) expect(got[k], k).toBeCloseTo(want[k], 6);
    // Not a degenerate case: inference is wrong sometimes, and CL3 sits below CL2.
    expect(want.task_inferred).toBeLessThan(1);
    expect(want.accuracy_cl3).toBeLessThan(want.accuracy_cl2);
  });

  it('is refused, naming the setting, where it cannot run (a regression graph); so is lookAhead with rmsprop', async () => {
    await expect(train(clProgram({ continual: { taskInference: true } }), { steps: 1, backend: 'cpu' }, () => {})).rejects.toThrow(/taskInference cannot run here: it needs a classifier/);
    await expect(train(clProgram({ optimizer: { type: 'rmsprop' }, continual: { lookAhead: true } }), { steps: 1, backend: 'cpu' }, () => {})).rejects.toThrow(
      /lookAhead needs the step of Adam or SGD; the optimizer is rmsprop/,
    );
  });
});
