/**
 * Program IR -> a standalone TypeScript/tfjs project: package.json, tsconfig.json, src/model.ts (parameters as
 * tf.variables under their canonical names and a straight-line forward function, one statement per op, named
 * after the graph's nodes), src/ops.ts, src/data.ts, src/train.ts and a README. It type-checks with tsc and
 * trains with `npm run train` (tsx). Op semantics are the engine's (src/main/engine/runtime.ts).
 *
 * Pure: IR in, file texts out. The data folder is written by the exporter (src/main/export).
 */
import { parameterBudget } from '../compiler/budget';
import type { Op, Program, ValueId } from '../compiler/ir';
import { continualOf } from '../document/schema';
import { Lines, commentSafe } from './code';
import { plainText } from './plainText';
import { Scope, markdownText, slug, tsNumber, tsString } from './naming';
import { initLiteral, planProgram, routeKey, type Plan } from './plan';
import type { ExportMetadata, GenerateOptions, GeneratedProject } from './project';
import { DATA_TS, OPS_TS, RNG_TS, TRAIN_TS, WEIGHTS_TS, imp } from './ts/static';

/** Versions the generated package.json pins (the engine's tfjs). */
export const TFJS_VERSION = '4.22.0';

/** A JSON-like value as a TypeScript literal; strings go through tsString. */
export function tsLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return tsNumber(v);
  if (typeof v === 'string') return tsString(v);
  if (Array.isArray(v)) return `[${v.map(tsLiteral).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{ ${entries.map(([k, x]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : tsString(k)}: ${tsLiteral(x)}`).join(', ')} }`;
  }
  throw new Error(`cannot write ${typeof v} as TypeScript`);
}

const OPS_NAMES = [
  'activation', 'linear', 'linearPerSample', 'slice', 'broadcastBatch', 'pairRows', 'conv2d', 'pool', 'channels', 'layerNorm',
  'film', 'dropout', 'embedding', 'noise', 'pixelGrid', 'crossEntropy', 'mse', 'bce', 'meanSquare', 'accuracy', 'binaryAccuracy',
  'psnr', 'hashSeed', 'RunOptions', 'Rng',
];
const MODEL_NAMES = [
  'METADATA', 'TRAINING', 'BUDGET', 'MAIN_METRIC', 'OUTPUT_REGULARIZER', 'PARAMETERS', 'GENERATED', 'Params', 'Inputs', 'Outputs',
  'Init', 'ParamSpec', 'OptimizerSettings', 'TrainingSettings', 'createParams', 'initHyperfan', 'initialValues', 'forward',
  'taskWeights', 'required', 'size', 'opts', 'total',
];

export function generateTypescript(program: Program, options: GenerateOptions = {}): GeneratedProject {
  const metadata = options.metadata ?? {};
  const plan = planProgram(program);
  const name = slug(metadata.name ?? program.name);
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    // npm prints it: no control characters (strings inside the code are escaped literals, kept exact).
    description: plainText(metadata.name ?? program.name),
    type: 'module',
    scripts: { train: 'tsx src/train.ts', typecheck: 'tsc --noEmit' },
    dependencies: { '@tensorflow/tfjs': TFJS_VERSION },
    devDependencies: { '@types/node': '^20.19.0', tsx: '^4.20.0', typescript: '^5.9.0' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      noEmit: true,
    },
    include: ['src'],
  };
  return {
    files: {
      'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
      'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
      'README.md': readme(program, metadata),
      'src/model.ts': modelTs(plan, metadata),
      'src/ops.ts': OPS_TS,
      'src/rng.ts': RNG_TS,
      'src/weights.ts': WEIGHTS_TS,
      'src/data.ts': DATA_TS,
      'src/train.ts': TRAIN_TS,
    },
  };
}

function modelTs(plan: Plan, metadata: ExportMetadata): string {
  const program = plan.program;
  const globals = new Scope('typescript', [...OPS_NAMES, ...MODEL_NAMES]);
  const L = new Lines('  ');
  L.line('/**');
  L.line(' * The model of an exported Hypernet Studio graph (its name and description are in METADATA): every parameter');
  L.line(' * as a tf.Variable under its canonical name ("<node>.<param>", the names of weights.json) and a forward');
  L.line(' * function with one statement per op. Generated weights are keyed "<layer>.<port>"; a weight with a leading');
  L.line(' * batch dimension holds one set per sample. Activations are channels-last, as in the engine.');
  L.line(' */');
  L.line(imp('* as tf', '@tensorflow/tfjs'));
  const used = [...new Set(plan.ops.flatMap((o) => opsHelpers(o)))].sort();
  L.line(imp(`{ ${[...used, 'type RunOptions'].join(', ')} }`, './ops.ts'));
  L.line(imp('{ Rng }', './rng.ts'));
  L.line('');
  L.line('export const METADATA = {');
  L.block(() => {
    L.line(`name: ${tsString(metadata.name ?? program.name)},`);
    L.line(`description: ${tsString(metadata.description ?? '')},`);
    L.line(`citation: ${tsString(metadata.citation ?? '')},`);
  });
  L.line('};');
  L.line('');
  L.raw(TYPES_TS);
  L.line('');
  const t = program.training;
  const training = {
    optimizer: t.optimizer,
    batchSize: t.batchSize,
    steps: t.steps ?? null,
    epochs: t.epochs ?? null,
    seed: t.seed,
    evalEvery: t.evalEvery,
    tasks: t.tasks ?? null,
    schedule: t.schedule,
    continual: continualOf(t),
  };
  L.line('/** Training settings of the graph (train.ts reads them; its flags override some). */');
  L.line(`export const TRAINING: TrainingSettings = ${tsLiteral(training)};`);
  L.line(`export const BUDGET = ${tsLiteral(parameterBudget(program))};`);
  const mainMetric = program.metrics.find((m) => m.kind === 'accuracy') ?? program.metrics[0];
  L.line('/** The metric of the continual-learning accuracy matrix. */');
  L.line(`export const MAIN_METRIC: string | null = ${mainMetric ? tsString(mainMetric.name) : 'null'};`);
  L.line(`export const OUTPUT_REGULARIZER: { beta: number } | null = ${program.outputRegularizer ? tsLiteral({ beta: program.outputRegularizer.beta }) : 'null'};`);
  L.line('');
  L.line('/** Every parameter with its shape and initialisation, in the order of weights.json. */');
  L.line('export const PARAMETERS: ParamSpec[] = [');
  L.block(() => {
    for (const p of program.params) L.line(`{ name: ${tsString(p.name)}, shape: ${tsLiteral(p.shape)}, role: ${tsString(p.role)}, init: ${tsLiteral(initLiteral(p, 'fanIn'))} },`);
  });
  L.line('];');
  L.line('');
  L.line('/** Generated weights: "<layer>.<port>" -> the head that generates them and their shape ("B": one set per sample). */');
  L.line('export const GENERATED: Record<string, { head: string; shape: (number | "B")[]; perSample: boolean }> = {');
  L.block(() => {
    for (const g of program.generated) L.line(`${tsString(routeKey(g))}: ${tsLiteral({ head: g.head, shape: g.shape, perSample: g.perSample })},`);
  });
  L.line('};');
  L.line('');
  L.raw(INIT_TS);
  L.line('');
  forwardFn(L, plan, globals);
  L.line('');
  taskWeightsFn(L, plan, globals);
  return L.toString();
}


/** The ops.ts helpers an op's statement calls. */
function opsHelpers(op: Op): string[] {
  switch (op.op) {
    case 'linear':
      return [op.perSample ? 'linearPerSample' : 'linear'];
    case 'activation':
      return op.fn === 'gelu' || (op.fn === 'sin' && op.w0 !== 1) ? ['activation'] : [];
    case 'slice':
    case 'broadcastBatch':
    case 'pairRows':
    case 'conv2d':
    case 'pool':
    case 'layerNorm':
    case 'film':
    case 'dropout':
    case 'embedding':
    case 'noise':
    case 'crossEntropy':
    case 'mse':
    case 'bce':
    case 'meanSquare':
    case 'accuracy':
    case 'binaryAccuracy':
    case 'psnr':
      return [op.op];
    case 'grid':
      return ['pixelGrid'];
    default:
      return [];
  }
}

const SIMPLE_ACTIVATIONS: Record<string, string> = {
  relu: 'tf.relu',
  tanh: 'tf.tanh',
  sigmoid: 'tf.sigmoid',
  elu: 'tf.elu',
  softplus: 'tf.softplus',
};

const dimsTs = (shape: readonly (number | 'B')[]) => `[${shape.map((d) => (d === 'B' ? '-1' : String(d))).join(', ')}]`;

function tsExpr(op: Op, a: (i: number) => string): string {
  const maybe = (i: number) => (op.inputs[i] ? a(i) : 'null');
  switch (op.op) {
    case 'linear':
      return `${op.perSample ? 'linearPerSample' : 'linear'}(${a(0)}, ${a(1)}, ${maybe(2)})`;
    case 'matmul':
      return `tf.matMul(${a(0)}, ${a(1)}, false, ${op.transposeB})`;
    case 'add':
      return `tf.add(${a(0)}, ${a(1)})`;
    case 'sub':
      return `tf.sub(${a(0)}, ${a(1)})`;
    case 'mul':
      return `tf.mul(${a(0)}, ${a(1)})`;
    case 'scale': {
      let e = a(0);
      if (op.factor !== 1) e = `tf.mul(${e}, ${tsNumber(op.factor)})`;
      if (op.offset !== 0) e = `tf.add(${e}, ${tsNumber(op.offset)})`;
      return e;
    }
    case 'activation':
      if (op.fn === 'linear') return a(0);
      if (op.fn === 'leaky_relu') return `tf.leakyRelu(${a(0)}, 0.01)`;
      if (op.fn === 'sin' && op.w0 === 1) return `tf.sin(${a(0)})`;
      if (SIMPLE_ACTIVATIONS[op.fn]) return `${SIMPLE_ACTIVATIONS[op.fn]}(${a(0)})`;
      return `activation(${a(0)}, ${tsString(op.fn)}${op.fn === 'sin' ? `, ${tsNumber(op.w0)}` : ''})`;
    case 'reshape':
      return `tf.reshape(${a(0)}, ${dimsTs(op.shape)})`;
    case 'transpose':
      return `tf.transpose(${a(0)}, [${op.perm.join(', ')}])`;
    case 'slice':
      return `slice(${a(0)}, ${op.axis}, ${op.begin}, ${op.size})`;
    case 'concat':
      return `tf.concat([${op.inputs.map((_, i) => a(i)).join(', ')}], ${op.axis})`;
    case 'broadcastBatch':
      return `broadcastBatch(${a(0)}, ${a(1)})`;
    case 'pairRows':
      return `pairRows(${a(0)}, ${a(1)})`;
    case 'conv2d':
      return `conv2d(${a(0)}, ${a(1)}, ${maybe(2)}, ${op.strides}, ${tsString(op.padding)})`;
    case 'pool':
      return `pool(${a(0)}, ${tsString(op.kind)}, ${op.size}, ${op.strides}, ${tsString(op.padding)})`;
    case 'layerNorm':
      return `layerNorm(${a(0)}, ${a(1)}, ${a(2)}, ${tsNumber(op.epsilon)})`;
    case 'film':
      return `film(${a(0)}, ${a(1)}, ${a(2)})`;
    case 'dropout':
      return `dropout(${a(0)}, ${tsNumber(op.rate)}, opts, ${tsString(op.id)})`;
    case 'embedding':
      return `embedding(${a(0)}, ${a(1)})`;
    case 'noise': {
      const like = op.inputs[0] ? a(0) : null;
      const shape = op.shape.map((d) => (d === 'B' ? `${like}.shape[0]` : String(d)));
      return `noise([${shape.join(', ')}], ${tsNumber(op.std)}, opts, ${tsString(op.id)})`;
    }
    case 'constant':
      return `tf.tensor(${tsLiteral(op.value)}, ${dimsTs(op.shape)})`;
    case 'grid':
      return `pixelGrid(${op.height}, ${op.width})`;
    case 'crossEntropy':
      return `crossEntropy(${a(0)}, ${a(1)})`;
    case 'mse':
      return `mse(${a(0)}, ${a(1)})`;
    case 'bce':
      return `bce(${a(0)}, ${a(1)})`;
    case 'meanSquare':
      return `meanSquare(${a(0)})`;
    case 'accuracy':
      return `accuracy(${a(0)}, ${a(1)})`;
    case 'binaryAccuracy':
      return `binaryAccuracy(${a(0)}, ${a(1)})`;
    case 'psnr':
      return `psnr(${a(0)}, ${a(1)}, ${tsNumber(op.peak)})`;
    case 'input':
    case 'param':
      throw new Error(`${op.op} has no expression`);
  }
  throw new Error(`unknown op ${(op as Op).op}`);
}

/** One `const` per op, grouped under a comment naming the node. */
function emitOps(L: Lines, scope: Scope, expr: Map<ValueId, string>, ops: Op[]): void {
  let node = '';
  for (const op of ops) {
    if (expr.has(op.id)) continue;
    if (op.op === 'input') throw new Error(`input ${op.id} is not bound`);
    if (op.op === 'param') {
      expr.set(op.id, `params[${tsString(op.name)}]`);
      continue;
    }
    if (op.node !== node) {
      node = op.node;
      L.line(`// ${commentSafe(node)}`);
    }
    const a = (i: number) => {
      const e = expr.get(op.inputs[i]!);
      if (!e) throw new Error(`${op.id} reads ${op.inputs[i]}, which is not computed yet`);
      return e;
    };
    const local = scope.name(op.id, op.id);
    L.line(`const ${local} = ${tsExpr(op, a)};`);
    expr.set(op.id, local);
  }
}

/** Bind the program inputs `ops` read, destructured from `inputs`. */
function bindInputs(L: Lines, plan: Plan, ops: Op[], scope: Scope, expr: Map<ValueId, string>, only?: string[]): void {
  const needed = new Set(ops.flatMap((o) => o.inputs.filter((i): i is string => i !== null)));
  const plain: string[] = [];
  for (const [name, id] of plan.inputs) {
    if (!needed.has(id) || (only && !only.includes(name))) continue;
    const local = scope.reserve(`input:${name}`, name);
    expr.set(id, local);
    if (name === 'context') L.line(`const ${local} = required(inputs.context, 'context');`);
    else plain.push(local);
  }
  if (plain.length) L.line(`const { ${plain.join(', ')} } = inputs;`);
}

function forwardFn(L: Lines, plan: Plan, globals: Scope): void {
  const program = plan.program;
  const scope = globals.child(['params', 'inputs', 'opts', 'tf']);
  const expr = new Map<ValueId, string>();
  const ops = plan.ops.filter((o) => o.op !== 'input');
  L.line('/**');
  L.line(' * Losses, metrics and prediction for a batch, with the weights generated for it. inputs: x [B, ...], y [B, ...]');
  L.line(' * (class ids or targets), task [1] and, for datasets that have one, context [1, d]. Call inside tf.tidy.');
  L.line(' */');
  L.line('export function forward(params: Params, inputs: Inputs, opts: RunOptions): Outputs {');
  L.block(() => {
    bindInputs(L, plan, ops, scope, expr);
    emitOps(L, scope, expr, ops);
    const ref = (v: ValueId) => expr.get(v) ?? 'undefined';
    const terms = program.losses.map((l) => (l.weight === 1 ? ref(l.value) : `tf.mul(${ref(l.value)}, ${tsNumber(l.weight)})`));
    const total = terms.length === 0 ? 'tf.scalar(0)' : terms.slice(1).reduce((acc, t) => `tf.add(${acc}, ${t})`, terms[0]);
    L.line('return {');
    L.block(() => {
      L.line(`loss: ${total} as tf.Scalar,`);
      L.line(`losses: { ${program.losses.map((l) => `${tsString(l.name)}: ${ref(l.value)} as tf.Scalar`).join(', ')} },`);
      L.line(`metrics: { ${program.metrics.map((m) => `${tsString(m.name)}: ${ref(m.value)} as tf.Scalar`).join(', ')} },`);
      L.line(`prediction: ${program.prediction ? ref(program.prediction) : 'null'},`);
      L.line(`weights: { ${program.generated.map((g) => `${tsString(routeKey(g))}: ${ref(g.value)}`).join(', ')} },`);
      L.line(`features: { ${plan.hyperfanInputs.map((v) => `${tsString(v)}: ${ref(v)}`).join(', ')} },`);
    });
    L.line('};');
  });
  L.line('}');
}

function taskWeightsFn(L: Lines, plan: Plan, globals: Scope): void {
  const scope = globals.child(['params', 'task', 'opts', 'tf']);
  const expr = new Map<ValueId, string>();
  const wanted = plan.regularized.map((g) => g.value);
  const need = new Set<ValueId>();
  const stack = [...wanted];
  while (stack.length) {
    const id = stack.pop()!;
    if (need.has(id)) continue;
    need.add(id);
    for (const i of plan.op(id).inputs) if (i) stack.push(i);
  }
  const ops = plan.ops.filter((o) => need.has(o.id) && o.op !== 'input');
  L.line('/** The weights generated from the task alone, keyed "<layer>.<port>" (what the output regulariser holds). */');
  L.line(`export function taskWeights(params: Params, task: tf.Tensor): Record<string, tf.Tensor> {`);
  L.block(() => {
    const taskId = plan.inputs.get('task');
    if (taskId && ops.some((o) => o.inputs.includes(taskId))) expr.set(taskId, 'task');
    else L.line('void task;');
    if (!ops.length) L.line('void params;');
    if (ops.some((o) => o.op === 'dropout' || o.op === 'noise')) L.line(`const opts: RunOptions = { training: true, seed: 0, step: 0 };`);
    emitOps(L, scope, expr, ops);
    L.line(`return { ${plan.regularized.map((g) => `${tsString(routeKey(g))}: ${expr.get(g.value)}`).join(', ')} };`);
  });
  L.line('}');
}

const TYPES_TS = String.raw`export type OptimizerSettings =
  | { type: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number }
  | { type: 'sgd'; learningRate: number; momentum: number }
  | { type: 'rmsprop'; learningRate: number; decay: number; momentum: number; epsilon: number };

export interface TrainingSettings {
  optimizer: OptimizerSettings;
  batchSize: number;
  /** Steps per task; null: from epochs, or 1000. */
  steps: number | null;
  epochs: number | null;
  seed: number;
  evalEvery: number;
  /** Tasks in training order; null: all tasks of the data. */
  tasks: number[] | null;
  schedule: 'sequential' | 'interleaved';
  /** Continual-learning semantics (Hypernet Studio's training.continual). */
  continual: { optimizerPerTask: boolean; currentEmbeddingOnly: boolean; lookAhead: boolean; regularizedTasksPerStep?: number; taskInference: boolean };
}

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; limit: number }
  /** A head's last layer [fanIn, columns]: column blocks [size, variance] drawn from N(0, variance / (fanIn * E[h^2])). */
  /**
   * blocks: [columns, target variance, 1 for a low-rank factor block else 0]. A chunked head's shared last layer
   * also has chunks: blocks are then column factors and chunks.blocks [chunks, variance] (see initHyperfan).
   */
  | { kind: 'hyperfan'; input: string; fanIn: number; blocks: [number, number, number][]; chunks?: { embeddings: string; blocks: [number, number][] } };

export interface ParamSpec {
  name: string;
  shape: number[];
  /** hyper: the hypernetwork's own weights; embedding: a task-embedding table [T, d]; target: the target network's own. */
  role: 'hyper' | 'embedding' | 'target';
  init: Init;
}

export type Params = Record<string, tf.Variable>;

export interface Inputs {
  x: tf.Tensor;
  y: tf.Tensor;
  task: tf.Tensor;
  context?: tf.Tensor;
}

export interface Outputs {
  /** Weighted sum of the losses. */
  loss: tf.Scalar;
  losses: Record<string, tf.Scalar>;
  metrics: Record<string, tf.Scalar>;
  prediction: tf.Tensor | null;
  /** Generated weights, keyed "<layer>.<port>". */
  weights: Record<string, tf.Tensor>;
  /** What hyperfan initialisation measures. */
  features: Record<string, tf.Tensor>;
}`;

const INIT_TS = String.raw`const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function required(t: tf.Tensor | undefined, what: string): tf.Tensor {
  if (!t) throw new Error('this model needs inputs.' + what);
  return t;
}

/** zeros, ones, normal(0, std) or uniform(-limit, limit), drawn as the engine draws them. */
export function initialValues(p: ParamSpec, rng: Rng): Float32Array {
  const out = new Float32Array(size(p.shape));
  const init = p.init;
  if (init.kind === 'ones') out.fill(1);
  else if (init.kind === 'normal') for (let i = 0; i < out.length; i++) out[i] = init.std * rng.normal();
  else if (init.kind === 'uniform') for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-init.limit, init.limit);
  return out;
}

/** Every parameter as a tf.Variable named canonically, initialised as the engine does for this seed (hyperfan ones at zero). */
export function createParams(seed: number): Params {
  const rng = new Rng(seed).fork('init');
  const params: Params = {};
  for (const p of PARAMETERS) {
    const values = p.init.kind === 'hyperfan' ? new Float32Array(size(p.shape)) : initialValues(p, rng.fork(p.name));
    params[p.name] = tf.variable(tf.tensor(values, p.shape), true, p.name);
  }
  return params;
}

/**
 * Hyperfan initialisation (Chang, Sacramento & Zhang 2020): each head's last layer is drawn so generated weights
 * start at the scale their targets want, given E[h^2] of the layer's input measured on real batches.
 */
export function initHyperfan(params: Params, seed: number, batches: Inputs[]): void {
  const rng = new Rng(seed).fork('hyperfan');
  for (const p of PARAMETERS) {
    const init = p.init;
    if (init.kind !== 'hyperfan') continue;
    // E[h²] over every element and, for low-rank factor blocks (whose product scales with ‖h‖⁴), E[‖h‖⁴] over rows.
    let total = 0;
    let total4 = 0;
    for (const inputs of batches)
      tf.tidy(() => {
        const h = forward(params, inputs, { training: false, seed, step: 0 }).features[init.input];
        total += tf.mean(tf.square(h)).dataSync()[0];
        total4 += tf.mean(tf.square(tf.sum(tf.square(h), -1))).dataSync()[0];
      });
    const m2 = batches.length ? total / batches.length : 1;
    const m4 = batches.length ? total4 / batches.length : 0;
    const scale = Number.isFinite(m2) && m2 > 1e-12 ? m2 : 1;
    const scale4 = Number.isFinite(m4) && m4 > 1e-24 ? Math.sqrt(m4) : init.fanIn * scale;
    // A chunked head: the chunk embeddings are scaled first; the columns then share one scale.
    const global = init.chunks ? scaleChunkEmbeddings(params, seed, init, init.chunks, batches) : undefined;
    const [rows, cols] = p.shape;
    const values = new Float32Array(rows * cols);
    const r = rng.fork(p.name);
    let col = 0;
    for (const [blockSize, variance, product] of init.blocks) {
      const std = Math.sqrt(global !== undefined ? variance * global : variance / (product ? scale4 : init.fanIn * scale));
      for (let i = 0; i < rows; i++) for (let j = col; j < col + blockSize; j++) values[i * cols + j] = std === 0 ? 0 : std * r.normal();
      col += blockSize;
    }
    tf.tidy(() => params[p.name].assign(tf.tensor(values, p.shape)));
  }
}

const CHUNK_STEPS = 8;
/** Bounds of s_c² (embedding scales 0.01 to 10): past them a saturating trunk only saturates further. */
const [S2_MIN, S2_MAX] = [1e-4, 100];

/**
 * Chunked hyperfan (hypnettorch's apply_chunked_hyperfan_init, solved on the measured batches): row c of the
 * chunk embeddings is scaled by s_c so that E[‖h_c‖²] (h_c: the shared last layer's input for chunk c) makes
 * chunk c start at its variance. The last layer's one scale G is chosen first so that every chunk's aim is at
 * least twice the floor E[‖h_c‖²] at a zero embedding; then a few multiplicative fixed-point steps on s_c², all
 * chunks at once. Returns G; the embeddings are left scaled.
 */
function scaleChunkEmbeddings(params: Params, seed: number, init: { input: string; fanIn: number }, chunks: { embeddings: string; blocks: [number, number][] }, batches: Inputs[]): number {
  const want: number[] = [];
  for (const [n, variance] of chunks.blocks) for (let i = 0; i < n; i++) want.push(variance);
  const emb = params[chunks.embeddings];
  const base = tf.clone(emb);
  try {
    const measure = (s2: Float64Array): Float64Array => {
      const scales = Float32Array.from(s2, Math.sqrt);
      tf.tidy(() => emb.assign(tf.mul(base, tf.tensor2d(scales, [scales.length, 1]))));
      const q = new Float64Array(want.length);
      for (const inputs of batches)
        tf.tidy(() => {
          const h = forward(params, inputs, { training: false, seed, step: 0 }).features[init.input];
          const perChunk = tf.mean(tf.sum(tf.square(h), -1), 0).dataSync();
          for (let c = 0; c < q.length; c++) q[c] += perChunk[c] / batches.length;
        });
      return q;
    };
    const s2 = new Float64Array(want.length).fill(1);
    if (!batches.length) return 1 / Math.max(1, init.fanIn);
    const q1 = measure(s2);
    const q0 = measure(new Float64Array(want.length));
    let [sumWant, sumQ] = [0, 0];
    for (let c = 0; c < want.length; c++) [sumWant, sumQ] = [sumWant + want[c], sumQ + q1[c]];
    let g = sumWant / sumQ;
    for (let c = 0; c < want.length; c++) if (q0[c] > 0 && want[c] > 0) g = Math.min(g, want[c] / (2 * q0[c]));
    if (!(Number.isFinite(g) && g > 0)) g = 1 / Math.max(1, init.fanIn);
    let q = q1;
    for (let it = 0; it < CHUNK_STEPS; it++) {
      for (let c = 0; c < s2.length; c++) {
        const aim = want[c] / g - q0[c];
        const got = q[c] - q0[c];
        const ratio = got > 0 && aim > 0 ? aim / got : aim > 0 ? 100 : 0.01;
        s2[c] = Math.min(S2_MAX, Math.max(S2_MIN, s2[c] * Math.min(100, Math.max(0.01, ratio))));
      }
      q = measure(s2);
    }
    return g;
  } finally {
    base.dispose();
  }
}`;

function readme(program: Program, metadata: ExportMetadata): string {
  const L = new Lines();
  // markdownText drops control characters (a README is read in terminals); a title stays on one line.
  L.line(`# ${markdownText(plainText(metadata.name ?? program.name))} (TensorFlow.js)`);
  L.line('');
  if (metadata.description) {
    for (const para of metadata.description.split(/\n\s*\n/)) L.line(`> ${markdownText(para).replace(/\n/g, ' ')}`);
    L.line('');
  }
  if (metadata.citation) {
    L.line(`Citation: ${markdownText(metadata.citation).replace(/\n/g, ' ')}`);
    L.line('');
  }
  L.raw(String.raw`Exported from Hypernet Studio: the same model, data and training loop as the Hypernet Studio engine, as a
standalone TypeScript project.

## Files

- src/model.ts: every parameter as a tf.Variable under its canonical name ("<node>.<param>") and forward(), one
  statement per op, named after the graph's nodes. Generated weights are keyed "<layer>.<port>".
- src/ops.ts: the ops forward() uses, with the engine's semantics (channels-last images, TensorFlow padding).
- src/data.ts, data/: the dataset as the engine feeds it; src/rng.ts: the engine's seeded generator.
- src/train.ts: the training loop, printing JSON lines in the schema of "hnet train --json".
- src/weights.ts: weights.json + weights.bin, the format shared with Hypernet Studio and the PyTorch export.

## Use

    npm install
    npm run typecheck
    npm run train                                  # the graph's settings
    npm run train -- --steps 200 --seed 3 --save out/
    npm run train -- --init-from weights/ --steps 0  # evaluate weights saved by "hnet train FILE --save weights/"

Install @tensorflow/tfjs-node next to it for the native backend; train.ts uses it when present.
The data folder was written with the graph's seed: a different --seed changes initialisation and the order of
batches, not the train/test split.
`);
  return L.toString();
}
