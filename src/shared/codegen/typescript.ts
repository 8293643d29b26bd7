/**
 * Program IR -> a standalone TypeScript/tfjs project: package.json, tsconfig.json, src/model.ts (parameters as
 * tf.variables under their canonical names and a straight-line forward function, one statement per op, named
 * after the graph's nodes) and src/train.ts, generated here, beside the TypeScript runtime, which is real code in
 * src/runtime/ts (ops, init, data, trainer, weights, ...; the engine runs its ops and init) shipped as it is, and
 * a README (written by ./typescript/readme.ts). It type-checks with tsc and trains with `npm run train` (tsx).
 *
 * Pure: IR in, file texts out. The data folder is written by the exporter (src/main/export).
 */
import { parameterBudget } from '../compiler/budget';
import type { Op, OpKind, Program, ValueId } from '../compiler/ir';
import { continualOf } from '../document/schema';
import { Lines, commentSafe } from './code';
import { plainText } from './plainText';
import { Scope, slug, tsNumber, tsString } from './naming';
import { initLiteral, needed, planProgram, routeKey, type Plan } from './plan';
import type { ExportMetadata, GenerateOptions, GeneratedProject } from './project';
import { RUNTIME_TS } from './runtimes.generated';
import { readme } from './typescript/readme';

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

/** Names model.ts imports from the runtime (src/runtime/ts) or declares itself; graph names never take them. */
const OPS_NAMES = [
  'activation', 'linear', 'linearPerSample', 'scale', 'slice', 'broadcastBatch', 'pairRows', 'conv2d', 'pool', 'channels', 'layerNorm',
  'film', 'dropout', 'embedding', 'noise', 'pixelGrid', 'crossEntropy', 'mse', 'bce', 'meanSquare', 'accuracy', 'binaryAccuracy',
  'psnr', 'hashSeed', 'RunOptions', 'Rng',
];
const MODEL_NAMES = [
  'METADATA', 'TRAINING', 'BUDGET', 'MAIN_METRIC', 'OUTPUT_REGULARIZER', 'PARAMETERS', 'GENERATED', 'Params', 'Inputs', 'Outputs',
  'Init', 'ParamSpec', 'Budget', 'OptimizerSettings', 'TrainingSettings', 'createParams', 'initHyperfan', 'initHyperfanLayers',
  'startingValues', 'forward', 'taskWeights', 'required', 'opts', 'total',
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
    dependencies: { '@tensorflow/tfjs': TFJS_VERSION, '@tensorflow/tfjs-core': TFJS_VERSION },
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
      // The runtime, as the files the engine itself runs (src/runtime/ts).
      ...Object.fromEntries(Object.entries(RUNTIME_TS).map(([file, text]) => [`src/${file}`, text])),
      'src/train.ts': TRAIN_ENTRY,
    },
  };
}

/** src/train.ts: the runtime's training loop (trainer.ts) on this model. */
const TRAIN_ENTRY = [
  '/**',
  ' * Train the model (src/model.ts) as Hypernet Studio\'s engine does; the loop is src/trainer.ts.',
  ' *',
  ' *   npm run train -- --steps 500 --seed 3',
  ' *   npm run train -- --init-from weights/ --steps 0    (evaluate weights saved by "hnet train --save")',
  ' */',
  "import * as model from './model.ts';",
  "import { train } from './trainer.ts';",
  '',
  'await train(model);',
  '',
].join('\n');

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
  const body = new Lines('  ');
  const used = new Set<string>();
  forwardFn(body, plan, globals, used);
  body.line('');
  taskWeightsFn(body, plan, globals, used);
  L.line("import * as tf from '@tensorflow/tfjs-core';");
  if (used.size) L.line(`import { ${[...used].sort().join(', ')} } from './ops.ts';`);
  L.line("import { initHyperfan as initHyperfanLayers, startingValues } from './init.ts';");
  L.line("import type { Budget, Inputs, Outputs, ParamSpec, Params, RunOptions, TrainingSettings } from './types.ts';");
  L.line("export type { Inputs, Outputs, Params } from './types.ts';");
  L.line('');
  L.line('export const METADATA = {');
  L.block(() => {
    L.line(`name: ${tsString(metadata.name ?? program.name)},`);
    L.line(`description: ${tsString(metadata.description ?? '')},`);
    L.line(`citation: ${tsString(metadata.citation ?? '')},`);
  });
  L.line('};');
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
  L.line(`export const BUDGET: Budget = ${tsLiteral(parameterBudget(program))};`);
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
  L.line('/** Every parameter as a tf.Variable named canonically, initialised as the engine does for this seed (hyperfan ones at zero). */');
  L.line('export function createParams(seed: number): Params {');
  L.line('  const values = startingValues(PARAMETERS, seed);');
  L.line('  return Object.fromEntries(PARAMETERS.map((p) => [p.name, tf.variable(tf.tensor(values.get(p.name)!, p.shape), true, p.name)]));');
  L.line('}');
  L.line('');
  L.line('/** Hyperfan initialisation of the heads\' last layers, measured on real batches (see init.ts). */');
  L.line('export function initHyperfan(params: Params, seed: number, batches: Inputs[]): Promise<void> {');
  L.line('  return initHyperfanLayers(params, PARAMETERS, seed, batches, (inputs, value) => forward(params, inputs, { training: false, seed, step: 0 }).features[value]);');
  L.line('}');
  L.line('');
  L.line('function required(t: tf.Tensor | undefined, what: string): tf.Tensor {');
  L.line("  if (!t) throw new Error('this model needs inputs.' + what);");
  L.line('  return t;');
  L.line('}');
  L.line('');
  L.raw(body.toString());
  return L.toString();
}


const dimsTs = (shape: readonly (number | 'B')[]) => `[${shape.map((d) => (d === 'B' ? '-1' : String(d))).join(', ')}]`;

/** An op's expression: `a(i)` is input i's expression, `use(helper)` names (and imports) a function of ops.ts. */
type Emit<K extends OpKind> = (op: Extract<Op, { op: K }>, a: (i: number) => string, use: (helper: string) => string) => string;

/**
 * Each op kind as one TypeScript expression, calling the runtime's ops (src/runtime/ts/ops.ts, which the engine
 * runs too) or tf directly. Inputs and parameters are bound, not computed (null). A kind without an entry does
 * not compile.
 */
const EMIT_TS: { [K in OpKind]: Emit<K> | null } = {
  input: null,
  param: null,
  linear: (op, a, use) => `${use(op.perSample ? 'linearPerSample' : 'linear')}(${a(0)}, ${a(1)}, ${op.inputs[2] ? a(2) : 'null'})`,
  fusedLinear: (op, a, use) => `${use('fusedLinear')}(${a(0)}, ${a(1)}, ${op.inputs[2] ? a(2) : 'null'}, ${tsString(op.activation)})`,
  matmul: (op, a) => `tf.matMul(${a(0)}, ${a(1)}, false, ${op.transposeB})`,
  add: (_, a) => `tf.add(${a(0)}, ${a(1)})`,
  sub: (_, a) => `tf.sub(${a(0)}, ${a(1)})`,
  mul: (_, a) => `tf.mul(${a(0)}, ${a(1)})`,
  scale: (op, a, use) => `${use('scale')}(${a(0)}, ${tsNumber(op.factor)}, ${tsNumber(op.offset)})`,
  activation: (op, a, use) => (op.fn === 'linear' ? a(0) : `${use('activation')}(${a(0)}, ${tsString(op.fn)}${op.fn === 'sin' && op.w0 !== 1 ? `, ${tsNumber(op.w0)}` : ''})`),
  reshape: (op, a) => `tf.reshape(${a(0)}, ${dimsTs(op.shape)})`,
  transpose: (op, a) => `tf.transpose(${a(0)}, [${op.perm.join(', ')}])`,
  slice: (op, a, use) => `${use('slice')}(${a(0)}, ${op.axis}, ${op.begin}, ${op.size})`,
  concat: (op, a) => `tf.concat([${op.inputs.map((_, i) => a(i)).join(', ')}], ${op.axis})`,
  broadcastBatch: (_, a, use) => `${use('broadcastBatch')}(${a(0)}, ${a(1)})`,
  pairRows: (_, a, use) => `${use('pairRows')}(${a(0)}, ${a(1)})`,
  conv2d: (op, a, use) => `${use('conv2d')}(${a(0)}, ${a(1)}, ${op.inputs[2] ? a(2) : 'null'}, ${op.strides}, ${tsString(op.padding)})`,
  pool: (op, a, use) => `${use('pool')}(${a(0)}, ${tsString(op.kind)}, ${op.size}, ${op.strides}, ${tsString(op.padding)})`,
  layerNorm: (op, a, use) => `${use('layerNorm')}(${a(0)}, ${a(1)}, ${a(2)}, ${tsNumber(op.epsilon)})`,
  film: (_, a, use) => `${use('film')}(${a(0)}, ${a(1)}, ${a(2)})`,
  dropout: (op, a, use) => `${use('dropout')}(${a(0)}, ${tsNumber(op.rate)}, opts, ${tsString(op.id)})`,
  embedding: (_, a, use) => `${use('embedding')}(${a(0)}, ${a(1)})`,
  noise: (op, a, use) => {
    const shape = op.shape.map((d) => (d === 'B' ? `${a(0)}.shape[0]` : String(d)));
    return `${use('noise')}([${shape.join(', ')}], ${tsNumber(op.std)}, opts, ${tsString(op.id)})`;
  },
  constant: (op) => `tf.tensor(${tsLiteral(op.value)}, ${dimsTs(op.shape)})`,
  grid: (op, _, use) => `${use('pixelGrid')}(${op.height}, ${op.width})`,
  crossEntropy: (_, a, use) => `${use('crossEntropy')}(${a(0)}, ${a(1)})`,
  mse: (_, a, use) => `${use('mse')}(${a(0)}, ${a(1)})`,
  bce: (_, a, use) => `${use('bce')}(${a(0)}, ${a(1)})`,
  meanSquare: (_, a, use) => `${use('meanSquare')}(${a(0)})`,
  accuracy: (_, a, use) => `${use('accuracy')}(${a(0)}, ${a(1)})`,
  binaryAccuracy: (_, a, use) => `${use('binaryAccuracy')}(${a(0)}, ${a(1)})`,
  psnr: (op, a, use) => `${use('psnr')}(${a(0)}, ${a(1)}, ${tsNumber(op.peak)})`,
};

function tsExpr(op: Op, a: (i: number) => string, used: Set<string>): string {
  const emit = (EMIT_TS as Record<OpKind, Emit<OpKind> | null>)[op.op];
  if (!emit) throw new Error(`${op.op} has no expression`);
  return emit(op, a, (helper) => (used.add(helper), helper));
}

/** One `const` per op, grouped under a comment naming the node. */
function emitOps(L: Lines, scope: Scope, expr: Map<ValueId, string>, ops: Op[], used: Set<string>): void {
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
    L.line(`const ${local} = ${tsExpr(op, a, used)};`);
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

function forwardFn(L: Lines, plan: Plan, globals: Scope, used: Set<string>): void {
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
    emitOps(L, scope, expr, ops, used);
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

function taskWeightsFn(L: Lines, plan: Plan, globals: Scope, used: Set<string>): void {
  const scope = globals.child(['params', 'task', 'opts', 'tf']);
  const expr = new Map<ValueId, string>();
  const need = needed(plan.program, plan.regularized.map((g) => g.value));
  const ops = plan.ops.filter((o) => need.has(o.id) && o.op !== 'input');
  L.line('/** The weights generated from the task alone, keyed "<layer>.<port>" (what the output regulariser holds). */');
  L.line(`export function taskWeights(params: Params, task: tf.Tensor): Record<string, tf.Tensor> {`);
  L.block(() => {
    const taskId = plan.inputs.get('task');
    if (taskId && ops.some((o) => o.inputs.includes(taskId))) expr.set(taskId, 'task');
    else L.line('void task;');
    if (!ops.length) L.line('void params;');
    if (ops.some((o) => o.op === 'dropout' || o.op === 'noise')) L.line(`const opts: RunOptions = { training: true, seed: 0, step: 0 };`);
    emitOps(L, scope, expr, ops, used);
    L.line(`return { ${plan.regularized.map((g) => `${tsString(routeKey(g))}: ${expr.get(g.value)}`).join(', ')} };`);
  });
  L.line('}');
}
