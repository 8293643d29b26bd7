/**
 * Training steps per second: the compiled sinusoid template against the same model written by hand in plain
 * tfjs, on every available backend, measured side by side in alternating blocks so machine noise (other
 * processes, thermal drift, GC) hits every variant alike. Only ratios are meaningful; nothing is asserted on
 * absolute times.
 *
 * Three variants per backend, all fed the same kind of batches (data.sinusoid through openDataset, one fresh
 * wave per step, tensors made and released every step):
 *
 *   hand      plain tfjs: tf.variable params, MLP context -> hidden -> flat weights, slice into the target MLP's
 *             kernels/biases, forward x, MSE, Adam via optimizer.minimize, one dataSync for the loss.
 *   compiled  the compiled program through runtime.ts's Model, with train.ts's own trainStep (model.evaluate
 *             inside tf.variableGrads, optimizer.applyGradients, loss parts synced once).
 *             compiled / hand measures the interpreter's overhead.
 *   train()   the real training loop, train() from train.ts with evalEvery 0, timed between two of its own step
 *             events (so model setup, hyperfan init and the final evaluation are excluded). It adds the loop's
 *             per-step bookkeeping (step events, timers) to "compiled".
 *
 * All three yield to the event loop after every step (train() does; see `block` for why that matters).
 *
 *   npx tsx bench/steps.ts [--rounds 10] [--pairs 4] [--block-seconds 1.0] [--max-block 200] [--max-seconds 50]
 *                          [--backends wasm,cpu]
 */
import * as tf from '@tensorflow/tfjs-core';
import { FusedAdam } from '../src/main/engine/adam';
import { availableBackends, useBackend } from '../src/main/engine/backend';
import { openDataset, type Batch, type Dataset } from '../src/main/engine/data';
import { Model } from '../src/main/engine/runtime';
import { train, trainStep, withFeeds } from '../src/main/engine/train';
import { readScalars } from '../src/runtime/ts/read.ts';
import type { Program } from '../src/shared/compiler/ir';
import type { HnetDocument, Optimizer } from '../src/shared/document/schema';
import { MlpHead } from '../src/shared/nodes/heads/mlp';
import { Dense } from '../src/shared/nodes/targets/dense';
import { Rng } from '../src/shared/util/rng';
import { TEMPLATES, compileFile, flag, fmt, heading, isMain, median, numFlag, table } from './common';
import { join } from 'node:path';

export const SINUSOID_TEMPLATE = join(TEMPLATES, 'sinusoid-family.hnet.json');
/** The aim: the compiled program at most 10% slower than the hand-written one. */
export const AIM_RATIO = 0.9;

type Variant = 'hand' | 'compiled' | 'train()';
const VARIANTS: Variant[] = ['hand', 'compiled', 'train()'];

// ---------------------------------------------------------------------------------------------------------------
// The hand-written program, built from the template's nodes
// ---------------------------------------------------------------------------------------------------------------

interface HandSpec {
  headId: string;
  contextDim: number;
  hidden: number[];
  hiddenActivation: string;
  /** The target MLP in order from x: [in, units] and its activation. */
  layers: { id: string; inDim: number; units: number; activation: string }[];
  batchSize: number;
  optimizer: Optimizer;
}

/** Read the head and target layers off the document (params parsed with each node's schema, so defaults apply). */
export function handSpecFromDocument(doc: HnetDocument, program: Program): HandSpec {
  const node = (id: string) => doc.nodes.find((n) => n.id === id)!;
  const data = doc.nodes.find((n) => n.type.startsWith('data.'));
  const heads = doc.nodes.filter((n) => n.type.startsWith('head.'));
  if (!data || heads.length !== 1 || heads[0].type !== 'head.mlp') throw new Error('the steps bench expects one data node and one head.mlp');
  const head = heads[0];
  const hp = MlpHead.params.parse(head.params ?? {});
  // Follow x from the dataset through the chain of Dense layers.
  const layers: HandSpec['layers'] = [];
  let from = { node: data.id, port: 'x' };
  let inDim = program.data.x.reduce((a, b) => a * b, 1);
  for (;;) {
    const next = doc.edges.find((e) => e.source === from.node && e.sourcePort === from.port && e.targetPort === 'x');
    if (!next || node(next.target).type !== 'target.dense') break;
    const p = Dense.params.parse(node(next.target).params ?? {});
    if (!p.useBias) throw new Error(`${next.target}: the hand-written program assumes biases`);
    layers.push({ id: next.target, inDim, units: p.units, activation: p.activation });
    inDim = p.units;
    from = { node: next.target, port: 'y' };
  }
  // Every kernel and bias must come from the head, in wiring order kernel, bias per layer (how the head slices).
  const driven = doc.edges.filter((e) => e.source === head.id).map((e) => `${e.target}.${e.targetPort}`);
  const expected = layers.flatMap((l) => [`${l.id}.kernel`, `${l.id}.bias`]);
  if (driven.join() !== expected.join()) throw new Error(`head drives ${driven.join(', ')}; the hand-written program expects ${expected.join(', ')}`);
  return {
    headId: head.id,
    contextDim: program.data.context!.reduce((a, b) => a * b, 1),
    hidden: [...hp.hidden],
    hiddenActivation: hp.activation,
    layers,
    batchSize: doc.training.batchSize,
    optimizer: doc.training.optimizer,
  };
}

function act(x: tf.Tensor, fn: string): tf.Tensor {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'linear':
      return x;
    default:
      throw new Error(`the hand-written program does not implement activation ${fn}`);
  }
}

function makeOptimizer(o: Optimizer): tf.Optimizer {
  switch (o.type) {
    case 'sgd':
      return o.momentum > 0 ? tf.train.momentum(o.learningRate, o.momentum) : tf.train.sgd(o.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, o.decay, o.momentum, o.epsilon);
    default:
      // The engine's Adam (one kernel per variable on wasm), so both sides of the comparison update alike.
      return new FusedAdam(o.learningRate, o.beta1, o.beta2, o.epsilon);
  }
}

/** The sinusoid hypernetwork as a person would write it in tfjs. */
export class HandWritten {
  readonly hidden: { w: tf.Variable; b: tf.Variable }[] = [];
  readonly out: { w: tf.Variable; b: tf.Variable };
  readonly vars: tf.Variable[];
  readonly optimizer: tf.Optimizer;
  readonly generated: number;

  constructor(readonly spec: HandSpec) {
    this.generated = spec.layers.reduce((a, l) => a + l.inDim * l.units + l.units, 0);
    let dim = spec.contextDim;
    // tf.variable copies its initial value and does not dispose it: make them in a tidy.
    const v = (init: () => tf.Tensor) => tf.tidy(() => tf.variable(init()));
    for (const h of spec.hidden) {
      const d = dim;
      this.hidden.push({ w: v(() => tf.randomNormal([d, h], 0, Math.sqrt(2 / d))), b: v(() => tf.zeros([h])) });
      dim = h;
    }
    const d = dim;
    this.out = { w: v(() => tf.randomNormal([d, this.generated], 0, 0.01)), b: v(() => tf.zeros([this.generated])) };
    this.vars = [...this.hidden.flatMap((l) => [l.w, l.b]), this.out.w, this.out.b];
    this.optimizer = makeOptimizer(spec.optimizer);
  }

  /** MSE of the target MLP whose weights the hypernetwork generates from `context` ([1, d]). */
  loss(x: tf.Tensor2D, y: tf.Tensor2D, context: tf.Tensor2D): tf.Scalar {
    let h: tf.Tensor = context;
    for (const l of this.hidden) h = act(tf.add(tf.matMul(h as tf.Tensor2D, l.w as tf.Tensor2D), l.b), this.spec.hiddenActivation);
    const weights = tf.add(tf.matMul(h as tf.Tensor2D, this.out.w as tf.Tensor2D), this.out.b) as tf.Tensor2D; // [1, generated]
    let a: tf.Tensor = x;
    let offset = 0;
    for (const l of this.spec.layers) {
      const kernel = tf.reshape(tf.slice(weights, [0, offset], [1, l.inDim * l.units]), [l.inDim, l.units]) as tf.Tensor2D;
      offset += l.inDim * l.units;
      const bias = tf.reshape(tf.slice(weights, [0, offset], [1, l.units]), [l.units]);
      offset += l.units;
      a = act(tf.add(tf.matMul(a as tf.Tensor2D, kernel), bias), l.activation);
    }
    return tf.mean(tf.squaredDifference(a, y));
  }

  step(b: Batch): number {
    const x = tf.tensor2d(b.x, [b.n, 1]);
    const y = tf.tensor2d(b.y as Float32Array, [b.n, 1]);
    const c = tf.tensor2d(b.context!, [1, b.context!.length]);
    const cost = this.optimizer.minimize(() => this.loss(x, y, c), true, this.vars)!;
    const value = cost.dataSync()[0];
    tf.dispose([cost, x, y, c]);
    return value;
  }

  parameterCount(): number {
    return this.vars.reduce((a, v) => a + v.size, 0);
  }

  /** Take the compiled model's head weights (for the equivalence check: same weights, same batch, same loss). */
  copyFrom(model: Model): boolean {
    const names = [...this.hidden.map((_, i) => `hidden${i}`), 'out'];
    const layers = [...this.hidden, this.out];
    const src = names.map((n) => [model.vars.get(`${this.spec.headId}.${n}.weight`), model.vars.get(`${this.spec.headId}.${n}.bias`)]);
    if (src.some(([w, b], i) => !w || !b || w.shape.join() !== layers[i].w.shape.join() || b.shape.join() !== layers[i].b.shape.join())) return false;
    layers.forEach((l, i) => {
      l.w.assign(src[i][0]!);
      l.b.assign(src[i][1]!);
    });
    return true;
  }

  dispose(): void {
    tf.dispose(this.vars);
    this.optimizer.dispose();
  }
}

// The compiled program's step is train.ts's own trainStep, fed by its own withFeeds.

export class CompiledStepper {
  readonly model: Model;
  readonly optimizer: tf.Optimizer;
  readonly varList: tf.Variable[];
  private step = 0;

  private constructor(
    readonly program: Program,
    seed: number,
  ) {
    this.model = new Model(program, seed);
    this.optimizer = makeOptimizer(program.training.optimizer);
    this.varList = [...this.model.vars.values()];
  }

  static async create(program: Program, data: Dataset, seed: number): Promise<CompiledStepper> {
    const s = new CompiledStepper(program, seed);
    // As train() does: hyperfan needs E[h²] measured on real batches.
    const samples = [0, 1].map(() => data.trainBatch(0, program.training.batchSize, new Rng(seed).fork('init0')));
    await withFeeds(program, samples, (feeds) => s.model.initHyperfan(feeds));
    return s;
  }

  async run(b: Batch): Promise<number> {
    return (await withFeeds(this.program, [b], ([feeds]) => trainStep(this.model, this.optimizer, this.varList, this.program, feeds, this.step++, null))).total;
  }

  /** The loss on a batch without training (for the equivalence check). */
  async lossOn(b: Batch): Promise<number> {
    const loss = this.program.losses[0].value;
    const read = await withFeeds(this.program, [b], ([feeds]) => readScalars(() => ({ loss: this.model.evaluate(feeds, [loss], { training: false, step: 0 }).get(loss)! })));
    return read.loss;
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Clocks: wall time and this process's CPU time. On a busy machine (other processes on the same cores) wall
// time swings with the scheduler; CPU time counts only the work this process did, so it is the steadier of the
// two. Both are reported; neither is asserted on.
// ---------------------------------------------------------------------------------------------------------------

interface Clock {
  wall: number;
  cpu: number;
}
const now = (): Clock => {
  const u = process.cpuUsage();
  return { wall: performance.now() / 1000, cpu: (u.user + u.system) / 1e6 };
};
const since = (a: Clock, b: Clock = now()): Clock => ({ wall: b.wall - a.wall, cpu: b.cpu - a.cpu });

// ---------------------------------------------------------------------------------------------------------------
// train(): the real loop, timed between its own step events
// ---------------------------------------------------------------------------------------------------------------

/** Time train() spends on steps warm+1 .. warm+steps (between its step events): setup and final eval excluded. */
async function timeTrainLoop(program: Program, backend: string, warm: number, steps: number, seed: number): Promise<{ time: Clock; lastLoss: number }> {
  const quiet = { ...program, training: { ...program.training, evalEvery: 0 } };
  let t0: Clock | null = null;
  let time: Clock | null = null;
  let lastLoss = NaN;
  await train(quiet, { steps: warm + steps, backend: backend as never, seed, stepEventEvery: 1 }, (e) => {
    if (e.event !== 'step') return;
    if (e.step === warm) t0 = now();
    if (e.step === warm + steps) {
      time = since(t0!);
      lastLoss = e.loss;
    }
  });
  if (!time) throw new Error('train() did not report the expected step events');
  return { time, lastLoss };
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------------------------

type PerVariant<T> = Record<Variant, T>;

export interface StepsResult {
  backend: string;
  params: { hand: number; compiled: number; program: number };
  /** Loss of both programs on one batch with the same weights (hand-written given the compiled weights). */
  equivalence: { hand: number; compiled: number; relDiff: number } | null;
  rounds: number;
  /** Steps per variant per round; hand and compiled run them as `pairs` alternating sub-blocks of `pairSteps`. */
  blockSteps: number;
  pairs: number;
  pairSteps: number;
  /** steps/s per variant over all rounds, by wall time and by process CPU time. */
  wall: PerVariant<number>;
  cpu: PerVariant<number>;
  /** Per-round steps/s (wall and CPU). */
  perRound: PerVariant<Clock[]>;
  /**
   * steps/s of the variant / steps/s of hand, by wall and by CPU time: for compiled the median over adjacent
   * sub-block pairs, for train() the median over rounds.
   */
  ratio: { compiled: Clock; train: Clock };
  /** The 25th and 75th percentiles of those ratios (CPU time): the spread the median comes from. */
  spread: { compiled: [number, number]; train: [number, number] };
  /** How many ratios each median is taken over. */
  samples: { compiled: number; train: number };
  /** Kernels (tfjs ops: forward, backward, optimizer) launched by one step, by kernel name. */
  kernels: { hand: Record<string, number>; compiled: Record<string, number> };
  /** Of those, kernels on scalars only. */
  scalarKernels: { hand: number; compiled: number };
  lastLoss: PerVariant<number>;
  seconds: number;
}

/** Kernels one call launches, by name; `scalar` counts those whose inputs are all scalars (bookkeeping-sized). */
async function kernelsOf(fn: () => unknown): Promise<{ byName: Record<string, number>; scalar: number }> {
  const info = await tf.profile(async () => {
    await fn();
    return [];
  });
  const byName: Record<string, number> = {};
  let scalar = 0;
  for (const k of info.kernels) {
    byName[k.name] = (byName[k.name] ?? 0) + 1;
    if (k.inputShapes.every((s) => s !== undefined && s.length === 0)) scalar++;
  }
  return { byName, scalar };
}

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export async function benchStepsOn(
  backend: string,
  opts: { rounds: number; pairs: number; blockSeconds: number; maxBlock: number; minBlock: number; maxSeconds: number; log?: (s: string) => void },
): Promise<StepsResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  await useBackend(backend as never);
  const { doc, program } = compileFile(SINUSOID_TEMPLATE);
  const seed = program.training.seed;
  const spec = handSpecFromDocument(doc, program);
  const data = openDataset(program.data.type, program.data.params, { seed, node: program.data.node });
  if (spec.batchSize !== program.training.batchSize) throw new Error('batch sizes differ');
  const batchSize = program.training.batchSize;

  const compiled = await CompiledStepper.create(program, data, seed);
  const hand = new HandWritten(spec);
  try {
    // Sanity checks (not timing): same parameter count, and the same loss from the same weights on one batch.
    const programParams = program.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    const params = { hand: hand.parameterCount(), compiled: compiled.varList.reduce((a, v) => a + v.size, 0), program: programParams };
    if (params.hand !== params.compiled || params.compiled !== params.program)
      throw new Error(`parameter counts differ: hand-written ${params.hand}, compiled model ${params.compiled}, program ${params.program}`);
    let equivalence: StepsResult['equivalence'] = null;
    if (hand.copyFrom(compiled.model)) {
      const b = data.trainBatch(0, batchSize, new Rng(seed).fork('equivalence'));
      const x = tf.tensor2d(b.x, [b.n, 1]);
      const y = tf.tensor2d(b.y as Float32Array, [b.n, 1]);
      const c = tf.tensor2d(b.context!, [1, b.context!.length]);
      const h = tf.tidy(() => hand.loss(x, y, c).dataSync()[0]);
      tf.dispose([x, y, c]);
      const k = await compiled.lossOn(b);
      equivalence = { hand: h, compiled: k, relDiff: Math.abs(h - k) / Math.max(1e-12, Math.abs(k)) };
      if (!(equivalence.relDiff < 1e-3)) throw new Error(`the hand-written and compiled programs disagree: loss ${h} vs ${k}`);
    }

    // Both draw the same stream of batches (and start from the same weights), so their losses track each other.
    const rngs = { hand: new Rng(seed).fork('batches'), compiled: new Rng(seed).fork('batches') };
    const lastLoss: PerVariant<number> = { hand: NaN, compiled: NaN, 'train()': NaN };
    // Every variant yields to the event loop after each step, as train() does (and as any loop in an app must,
    // to stay responsive). This matters for fairness, not only realism: V8 runs part of its GC work as tasks on
    // the event loop, so a loop that never yields pushes that work past the end of its timed block and looks
    // faster than it is (measured here: ~14% of CPU time on the cpu backend, ~3-8% on wasm).
    const yieldNow = () => new Promise<void>((r) => setImmediate(r));
    const block = async (v: 'hand' | 'compiled', steps: number): Promise<Clock> => {
      const t0 = now();
      for (let i = 0; i < steps; i++) {
        const b = data.trainBatch(0, batchSize, rngs[v]);
        lastLoss[v] = v === 'hand' ? hand.step(b) : await compiled.run(b);
        await yieldNow();
      }
      return since(t0);
    };

    // Warm-up: kernels set up and JIT-compiled, Adam slots created, train()'s path run once.
    await block('hand', 20);
    await block('compiled', 20);
    await timeTrainLoop(program, backend, 3, 5, seed);
    // Calibrate: each block should take about blockSeconds of wall time on this machine and backend.
    const probe = 20;
    const probeSec = ((await block('hand', probe)).wall + (await block('compiled', probe)).wall) / 2;
    const blockSteps = Math.max(opts.minBlock, Math.min(opts.maxBlock, Math.round((opts.blockSeconds * probe) / probeSec)));
    // On a slow backend the minimum block can take longer than blockSeconds: fewer rounds keep the total bounded
    // (three variants per round, plus about a block's worth for each train() run's setup and final evaluation).
    const roundSeconds = (4 * blockSteps * probeSec) / probe;
    const rounds = Math.max(Math.min(4, opts.rounds), Math.min(opts.rounds, Math.floor(opts.maxSeconds / roundSeconds)));
    log(
      `  [${backend}] ~${fmt(probe / probeSec, 0)} steps/s in warm-up; timing ${rounds} rounds x ~${blockSteps} steps per variant` +
        (rounds < opts.rounds ? ` (fewer rounds than ${opts.rounds} to stay within ~${opts.maxSeconds} s)` : ''),
    );

    // Each round: one train() block, and the same number of hand and compiled steps split into `pairs`
    // alternating sub-blocks (hand, compiled, compiled, hand, ...). Adjacent sub-blocks see nearly the same
    // machine load, so their ratios are the finest-grained compiled/hand estimate; train() needs a fresh run
    // (model setup) per block, so it is compared per round.
    const pairs = opts.pairs;
    const sub = Math.max(3, Math.round(blockSteps / pairs));
    const perRound: PerVariant<Clock[]> = { hand: [], compiled: [], 'train()': [] };
    const pairRatios: Clock[] = [];
    const sums: PerVariant<Clock> = { hand: { wall: 0, cpu: 0 }, compiled: { wall: 0, cpu: 0 }, 'train()': { wall: 0, cpu: 0 } };
    const steps: PerVariant<number> = { hand: 0, compiled: 0, 'train()': 0 };
    for (let r = 0; r < rounds; r++) {
      const round: PerVariant<Clock> = { hand: { wall: 0, cpu: 0 }, compiled: { wall: 0, cpu: 0 }, 'train()': { wall: 0, cpu: 0 } };
      const paired = async () => {
        for (let j = 0; j < pairs; j++) {
          const order: ('hand' | 'compiled')[] = (r * pairs + j) % 2 === 0 ? ['hand', 'compiled'] : ['compiled', 'hand'];
          const t: Partial<Record<'hand' | 'compiled', Clock>> = {};
          for (const v of order) t[v] = await block(v, sub);
          pairRatios.push({ wall: t.hand!.wall / t.compiled!.wall, cpu: t.hand!.cpu / t.compiled!.cpu });
          for (const v of order) {
            round[v].wall += t[v]!.wall;
            round[v].cpu += t[v]!.cpu;
          }
        }
      };
      const trainBlock = async () => {
        const run = await timeTrainLoop(program, backend, 3, pairs * sub, seed + r);
        round['train()'] = run.time;
        lastLoss['train()'] = run.lastLoss;
      };
      // Alternate which comes first each round so a slow drift favours neither.
      if (r % 2 === 0) {
        await paired();
        await trainBlock();
      } else {
        await trainBlock();
        await paired();
      }
      for (const v of VARIANTS) {
        sums[v].wall += round[v].wall;
        sums[v].cpu += round[v].cpu;
        steps[v] += pairs * sub;
        perRound[v].push({ wall: (pairs * sub) / round[v].wall, cpu: (pairs * sub) / round[v].cpu });
      }
    }
    const wall = Object.fromEntries(VARIANTS.map((v) => [v, steps[v] / sums[v].wall])) as PerVariant<number>;
    const cpu = Object.fromEntries(VARIANTS.map((v) => [v, steps[v] / sums[v].cpu])) as PerVariant<number>;
    const quartiles = (xs: number[]): [number, number] => {
      const s = [...xs].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
      return [q(0.25), q(0.75)];
    };
    const trainRatios = perRound['train()'].map((s, i) => ({ wall: s.wall / perRound.hand[i].wall, cpu: s.cpu / perRound.hand[i].cpu }));
    const medianOf = (xs: Clock[]): Clock => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });

    // What one step launches (after warm-up, outside the timing).
    const kh = await kernelsOf(() => hand.step(data.trainBatch(0, batchSize, rngs.hand)));
    const kc = await kernelsOf(() => compiled.run(data.trainBatch(0, batchSize, rngs.compiled)));
    const kernels = { hand: kh.byName, compiled: kc.byName };
    const scalarKernels = { hand: kh.scalar, compiled: kc.scalar };

    return {
      backend,
      params,
      equivalence,
      rounds,
      blockSteps: pairs * sub,
      pairs,
      pairSteps: sub,
      wall,
      cpu,
      perRound,
      ratio: { compiled: medianOf(pairRatios), train: medianOf(trainRatios) },
      spread: { compiled: quartiles(pairRatios.map((x) => x.cpu)), train: quartiles(trainRatios.map((x) => x.cpu)) },
      samples: { compiled: pairRatios.length, train: trainRatios.length },
      kernels,
      scalarKernels,
      lastLoss,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    hand.dispose();
    compiled.dispose();
  }
}

export interface StepsOptions {
  rounds?: number;
  /** Alternating hand/compiled sub-block pairs per round. */
  pairs?: number;
  blockSeconds?: number;
  maxBlock?: number;
  minBlock?: number;
  /** Rough cap on one backend's timed rounds, in seconds (rounds are dropped to fit, down to 4). */
  maxSeconds?: number;
  backends?: string[];
  log?: (s: string) => void;
}

export async function benchSteps(o: StepsOptions = {}): Promise<StepsResult[]> {
  const backends = o.backends ?? (await availableBackends());
  const out: StepsResult[] = [];
  for (const b of backends)
    out.push(
      await benchStepsOn(b, { rounds: o.rounds ?? 10, pairs: o.pairs ?? 4, blockSeconds: o.blockSeconds ?? 1.0, maxBlock: o.maxBlock ?? 200, minBlock: o.minBlock ?? 15, maxSeconds: o.maxSeconds ?? 50, log: o.log }),
    );
  return out;
}

export const pct = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${fmt((ratio - 1) * 100, 1)}%`;

export function printSteps(results: StepsResult[]): void {
  heading('Steps per second: compiled sinusoid template vs hand-written tfjs (same backend, interleaved)');
  for (const r of results) {
    console.log(
      `\n[${r.backend}] ${r.rounds} rounds x ${r.blockSteps} steps per variant (hand/compiled as ${r.pairs} alternating pairs of ${r.pairSteps}-step blocks), ${fmt(r.seconds, 1)} s` +
        `\n  parameters: hand-written ${r.params.hand}, compiled ${r.params.compiled} (program declares ${r.params.program}): ${r.params.hand === r.params.compiled ? 'same' : 'DIFFERENT'}` +
        (r.equivalence
          ? `\n  same weights, same batch: loss hand-written ${fmt(r.equivalence.hand, 6)}, compiled ${fmt(r.equivalence.compiled, 6)} (relative difference ${r.equivalence.relDiff.toExponential(1)})`
          : '\n  (equivalence check skipped: head parameter names not recognised)'),
    );
    const ratio = (v: Variant, k: keyof Clock) => (v === 'hand' ? 1 : v === 'compiled' ? r.ratio.compiled[k] : r.ratio.train[k]);
    console.log(
      table(
        ['variant', 'steps/s wall', 'steps/s cpu', 'vs hand wall', 'vs hand cpu', 'cpu ratio p25-p75 (n)', 'kernels/step', 'last loss'],
        VARIANTS.map((v) => [
          v,
          fmt(r.wall[v], 1),
          fmt(r.cpu[v], 1),
          `${fmt(ratio(v, 'wall'), 3)} (${pct(ratio(v, 'wall'))})`,
          `${fmt(ratio(v, 'cpu'), 3)} (${pct(ratio(v, 'cpu'))})`,
          v === 'hand'
            ? '-'
            : `${(v === 'compiled' ? r.spread.compiled : r.spread.train).map((x) => fmt(x, 3)).join('-')} (${v === 'compiled' ? r.samples.compiled : r.samples.train})`,
          v === 'hand' ? String(total(r.kernels.hand)) : v === 'compiled' ? String(total(r.kernels.compiled)) : 'as compiled',
          fmt(r.lastLoss[v], 3),
        ]),
      ),
    );
    const diff: string[] = [];
    for (const name of [...new Set([...Object.keys(r.kernels.hand), ...Object.keys(r.kernels.compiled)])].sort()) {
      const d = (r.kernels.compiled[name] ?? 0) - (r.kernels.hand[name] ?? 0);
      if (d !== 0) diff.push(`${name} ${d > 0 ? '+' : ''}${d}`);
    }
    console.log(`  kernels per step, compiled minus hand-written: ${diff.length ? diff.join(', ') : 'none'}`);
    console.log(`  kernels on scalars only: hand-written ${r.scalarKernels.hand}, compiled ${r.scalarKernels.compiled}`);
    console.log(`  wall steps/s per round: ${VARIANTS.map((v) => `${v} ${r.perRound[v].map((x) => fmt(x.wall, 0)).join(' ')}`).join(' | ')}`);
  }
  console.log(
    [
      '',
      'hand     = plain tfjs (tf.variable, optimizer.minimize, one loss dataSync per step).',
      'All three yield to the event loop (setImmediate) after every step, as train() does, so deferred GC work is',
      'paid inside each timed block.',
      "compiled = runtime.ts Model + train.ts's trainStep (variableGrads + applyGradients, loss",
      '           values synced). compiled/hand is the interpreter overhead.',
      'train()  = the real loop (evalEvery 0), timed between its own step events; adds its per-step bookkeeping',
      '           (step events, timers). All three get data.sinusoid batches from openDataset each step.',
      '"vs hand" = variant steps/s / hand steps/s, median over adjacent pairs (compiled) or rounds (train()); 1.000 = same.',
      `The aim: compiled >= ${AIM_RATIO} x hand (at most 10% slower). "cpu" columns use this process's CPU time, which`,
      'other processes on the machine disturb far less than wall time. hand and compiled start from the same weights',
      'and see the same batches, so their last losses match up to round-off; train() runs are separate runs.',
    ].join('\n'),
  );
}

if (isMain(import.meta.url)) {
  const results = await benchSteps({
    rounds: numFlag('rounds', 10),
    pairs: numFlag('pairs', 4),
    blockSeconds: numFlag('block-seconds', 1.0),
    maxBlock: numFlag('max-block', 200),
    maxSeconds: numFlag('max-seconds', 50),
    backends: flag('backends')?.split(','),
    log: (s) => console.log(s),
  });
  printSteps(results);
}
