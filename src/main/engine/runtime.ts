/**
 * The tfjs consumer of the program IR: parameters as tf.Variables and an interpreter that evaluates only the
 * ops a request needs. Callers wrap evaluation in tf.tidy (or variableGrads), so nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Op, OpKind, Program, ValueId } from '../../shared/compiler/ir';
import { initLiteral, needed } from '../../shared/codegen/plan';
import { initHyperfan, startingValues } from '../../runtime/ts/init.ts';
import { readValues } from '../../runtime/ts/read.ts';
import * as ops from '../../runtime/ts/ops.ts';
import type { ParamSpec as RuntimeParam, RunOptions } from '../../runtime/ts/types.ts';

export interface Feeds {
  x?: tf.Tensor;
  y?: tf.Tensor;
  task: tf.Tensor;
  context?: tf.Tensor;
}

export interface EvalOptions {
  training: boolean;
  /** Seeds dropout and noise so a step is repeatable (and resumable) from (run seed, step). */
  step: number;
}

let instances = 0;

export class Model {
  readonly program: Program;
  readonly vars = new Map<string, tf.Variable>();
  /** tfjs variable names are global to the engine, so each model prefixes its own. */
  readonly prefix: string;
  private readonly ops = new Map<ValueId, Op>();
  private readonly plans = new Map<string, Op[]>();
  private readonly seed: number;
  /** The parameters as the shared runtime initialises them (src/runtime/ts/init.ts). */
  private readonly specs: RuntimeParam[];

  constructor(program: Program, seed: number) {
    this.program = program;
    this.seed = seed;
    this.prefix = `m${++instances}/`;
    for (const op of program.ops) this.ops.set(op.id, op);
    this.specs = program.params.map(runtimeParam);
    for (const [name, values] of startingValues(this.specs, seed)) {
      const shape = this.specs.find((p) => p.name === name)!.shape;
      // In a tidy: tf.variable does not take ownership of its initial tensor, which would otherwise stay
      // allocated (and counted) after dispose().
      this.vars.set(name, tf.tidy(() => tf.variable(tf.tensor(values, shape), true, this.prefix + name)));
    }
  }

  op(id: ValueId): Op {
    return this.ops.get(id)!;
  }

  /**
   * Hyperfan initialisation (Chang et al. 2020; the chunked form after hypnettorch): heads' last layers are
   * drawn so that each generated weight starts with the variance its target asks for, measured on real batches.
   */
  initHyperfan(samples: Feeds[]): Promise<void> {
    return initHyperfan(this.vars, this.specs, this.seed, samples, (feeds, value) => this.evaluate(feeds, [value], { training: false, step: 0 }).get(value)!);
  }

  /** Values of `wanted`, computing only the ops they depend on. Call inside tf.tidy. */
  evaluate(feeds: Feeds, wanted: ValueId[], opts: EvalOptions): Map<ValueId, tf.Tensor> {
    const values = new Map<ValueId, tf.Tensor>();
    for (const op of this.plan(wanted)) values.set(op.id, this.run(op, values, feeds, opts));
    return values;
  }

  /**
   * Evaluate op by op and report the first op, in the order they run, whose output holds NaN or Inf (the
   * origin of a divergence). Only used once something already went wrong.
   */
  async firstNonFinite(feeds: Feeds, wanted: ValueId[], opts: EvalOptions): Promise<Op | undefined> {
    const checked: Op[] = [];
    const [finite] = await readValues(() => {
      const values = new Map<ValueId, tf.Tensor>();
      const flags: tf.Tensor[] = [];
      for (const op of this.plan(wanted)) {
        const v = this.run(op, values, feeds, opts);
        values.set(op.id, v);
        if (v.dtype !== 'float32') continue;
        checked.push(op);
        flags.push(tf.cast(tf.all(tf.isFinite(v)), 'int32'));
      }
      return [flags.length ? tf.stack(flags) : tf.zeros([0], 'int32')];
    });
    const first = checked.findIndex((_, i) => !finite[i]);
    return first < 0 ? undefined : checked[first];
  }

  private plan(wanted: ValueId[]): Op[] {
    const key = wanted.join('\n');
    let plan = this.plans.get(key);
    if (!plan) {
      const need = needed(this.program, wanted);
      plan = this.program.ops.filter((o) => need.has(o.id));
      this.plans.set(key, plan);
    }
    return plan;
  }

  private run(op: Op, values: Map<ValueId, tf.Tensor>, feeds: Feeds, opts: EvalOptions): tf.Tensor {
    const at = (i: number) => values.get(op.inputs[i]!)!;
    const ctx: OpContext = {
      at,
      maybe: (i) => (op.inputs[i] ? at(i) : null),
      all: () => op.inputs.map((_, i) => at(i)),
      trainable: (i) => this.ops.get(op.inputs[i]!)?.trainable !== false,
      feeds,
      vars: this.vars,
      run: { training: opts.training, seed: this.seed, step: opts.step },
    };
    return (RUN as Record<OpKind, (op: Op, ctx: OpContext) => tf.Tensor>)[op.op](op, ctx);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** A parameter in the runtime's form: the IR's initialiser as the generated code's PARAMETERS table holds it. */
const runtimeParam = (p: Program['params'][number]): RuntimeParam => ({ name: p.name, shape: p.shape, role: p.role, init: initLiteral(p, 'fanIn') as RuntimeParam['init'] });

/** What an op reads: its inputs by position, the fed program inputs, the parameters and the step's options. */
interface OpContext {
  at(i: number): tf.Tensor;
  maybe(i: number): tf.Tensor | null;
  all(): tf.Tensor[];
  /** Whether input i depends on a parameter (a gradient must flow into it). */
  trainable(i: number): boolean;
  feeds: Feeds;
  vars: ReadonlyMap<string, tf.Variable>;
  run: RunOptions;
}

type OpRunner<K extends OpKind> = (op: Extract<Op, { op: K }>, c: OpContext) => tf.Tensor;

/**
 * Each op kind as the shared TypeScript ops compute it (src/runtime/ts/ops.ts, the file the TypeScript export
 * ships); a kind without an entry does not compile.
 */
const RUN: { [K in OpKind]: OpRunner<K> } = {
  input: (op, c) => {
    const v = c.feeds[op.name];
    if (!v) throw new Error(`no ${op.name} fed to ${op.id}`);
    return v;
  },
  param: (op, c) => c.vars.get(op.name)!,
  linear: (op, c) => (op.perSample ? ops.linearPerSample : ops.linear)(c.at(0), c.at(1), c.maybe(2)),
  fusedLinear: (op, c) => ops.fusedLinear(c.at(0), c.at(1), c.maybe(2), op.activation),
  matmul: (op, c) => tf.matMul(c.at(0), c.at(1), false, op.transposeB),
  add: (_, c) => tf.add(c.at(0), c.at(1)),
  sub: (_, c) => tf.sub(c.at(0), c.at(1)),
  mul: (_, c) => tf.mul(c.at(0), c.at(1)),
  scale: (op, c) => ops.scale(c.at(0), op.factor, op.offset),
  activation: (op, c) => ops.activation(c.at(0), op.fn, op.w0),
  reshape: (op, c) => tf.reshape(c.at(0), op.shape.map((d) => (d === 'B' ? -1 : d))),
  transpose: (op, c) => tf.transpose(c.at(0), op.perm),
  slice: (op, c) => ops.slice(c.at(0), op.axis, op.begin, op.size),
  concat: (op, c) => tf.concat(c.all(), op.axis),
  broadcastBatch: (_, c) => ops.broadcastBatch(c.at(0), c.at(1)),
  pairRows: (_, c) => ops.pairRows(c.at(0), c.at(1)),
  conv2d: (op, c) => ops.conv2d(c.at(0), c.at(1), c.maybe(2), op.strides, op.padding, c.trainable(0)),
  pool: (op, c) => ops.pool(c.at(0), op.kind, op.size, op.strides, op.padding),
  layerNorm: (op, c) => ops.layerNorm(c.at(0), c.at(1), c.at(2), op.epsilon),
  film: (_, c) => ops.film(c.at(0), c.at(1), c.at(2)),
  dropout: (op, c) => ops.dropout(c.at(0), op.rate, c.run, op.id),
  embedding: (_, c) => ops.embedding(c.at(0), c.at(1)),
  noise: (op, c) => {
    const like = c.maybe(0);
    return ops.noise(op.shape.map((d) => (d === 'B' ? like!.shape[0] : d)), op.std, c.run, op.id);
  },
  constant: (op) => tf.tensor(op.value, op.shape as number[]),
  grid: (op) => ops.pixelGrid(op.height, op.width),
  crossEntropy: (_, c) => ops.crossEntropy(c.at(0), c.at(1)),
  mse: (_, c) => ops.mse(c.at(0), c.at(1)),
  bce: (_, c) => ops.bce(c.at(0), c.at(1)),
  meanSquare: (_, c) => ops.meanSquare(c.at(0)),
  accuracy: (_, c) => ops.accuracy(c.at(0), c.at(1)),
  binaryAccuracy: (_, c) => ops.binaryAccuracy(c.at(0), c.at(1)),
  psnr: (op, c) => ops.psnr(c.at(0), c.at(1), op.peak),
};
