/**
 * Program IR -> a PyTorch project: model.py (an nn.Module per hypernetwork node and one for the target network,
 * composed by Model), generated here, beside the Python runtime, which is real code in src/runtime/py (ops.py,
 * parameters.py, data.py, rng.py, train.py; tested there) shipped as it is, constants.py (the shared settings, from
 * src/runtime/ts) and a README. Op semantics follow the engine's (src/runtime/ts/ops.ts) exactly, channels-last
 * layout included, so the same parameters and inputs give the same outputs; tests check that against real PyTorch.
 *
 * Pure: IR in, file texts out. The data files are written by the exporter (src/main/export).
 */
import { parameterBudget } from '../compiler/budget';
import { continualOf } from '../document/schema';
import type { Op, OpKind, ParamSpec, Program, ValueId } from '../compiler/ir';
import { Lines, commentSafe } from './code';
import { Scope, localPart, pascalCase, pyFloat, pyString } from './naming';
import { initLiteral, planProgram, routeKey, type InputName, type NodeGroup, type Plan } from './plan';
import type { ExportMetadata, GenerateOptions, GeneratedProject } from './project';
import { RUNTIME_PY } from './runtimes.generated';
import { CONSTANTS_PY } from './pytorch/constants';
import { readme } from './pytorch/readme';

export type { ExportMetadata, GenerateOptions, GeneratedProject } from './project';
export { CONSTANTS_PY } from './pytorch/constants';

/** A JSON-like value as a Python literal. Strings go through pyString, so any text is safe. */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : pyFloat(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${pyLiteral(x)}`).join(', ')}}`;
  throw new Error(`cannot write ${typeof v} as Python`);
}

/** Names model.py defines at module level; generated classes and locals never take them. */
const MODULE_NAMES = [
  'Rng', 'METADATA', 'TRAINING', 'BUDGET', 'MAIN_METRIC', 'OUTPUT_REGULARIZER', 'UNUSED_PARAMETERS', 'PARAMETERS',
  'PARAMETER_ROLES',
  'GENERATED', 'channels', 'pair_rows', 'same_padding', 'pad_same', 'conv2d_nhwc', 'max_pool_nhwc', 'avg_pool_nhwc',
  'layer_norm', 'film', 'pixel_grid', 'psnr', 'gaussian_noise', 'initial_values', 'initialize', 'init_hyperfan', 'CHUNK_STEPS', 'S2_MIN', 'S2_MAX', 'scale_chunk_embeddings',
  'load_hnet_weights', 'save_hnet_weights', 'Model', 'HERE',
];

/** nn.Module attributes and methods; parameter and submodule attributes avoid them. */
const MODULE_ATTRIBUTES = [
  'training', 'forward', 'parameters', 'named_parameters', 'buffers', 'named_buffers', 'children', 'named_children',
  'modules', 'named_modules', 'train', 'eval', 'to', 'cuda', 'cpu', 'xpu', 'ipu', 'type', 'float', 'double', 'half',
  'bfloat16', 'apply', 'zero_grad', 'state_dict', 'load_state_dict', 'register_buffer', 'register_parameter',
  'register_module', 'add_module', 'requires_grad_', 'share_memory', 'extra_repr', 'get_submodule', 'get_parameter',
  'get_buffer', 'dump_patches', 'call_super_init', 'to_empty', 'register_forward_hook', 'register_forward_pre_hook',
  'register_backward_hook', 'register_full_backward_hook', 'register_full_backward_pre_hook', 'hnet_parameters',
  'task_weights', 'output_regularizer', 'load_hnet_weights', 'save_hnet_weights',
];

const INPUT_ORDER: InputName[] = ['x', 'y', 'task', 'context'];

/** One nn.Module of model.py. */
interface PyModule {
  kind: 'hyper' | 'target';
  className: string;
  /** Attribute on Model. */
  attr: string;
  groups: NodeGroup[];
  params: ParamSpec[];
  /** Canonical parameter name -> attribute. */
  paramAttr: Map<string, string>;
  attrs: Scope;
  /** register_buffer lines of __init__. */
  buffers: string[];
  inputs: ValueId[];
  outputs: ValueId[];
  /** Output value -> key of the returned dict (route key for generated weights, else the value id). null: returns the value itself. */
  outputKey: Map<ValueId, string> | null;
  /** forward's arguments after the data inputs (and `weights` for Target): values of other modules, by name. */
  extraArgs: { value: ValueId; name: string }[];
}

export function generatePytorch(program: Program, options: GenerateOptions = {}): GeneratedProject {
  const plan = planProgram(program);
  const metadata = options.metadata ?? {};
  const model = modelPy(plan, metadata);
  return {
    files: {
      'model.py': model,
      ...RUNTIME_PY,
      'constants.py': CONSTANTS_PY,
      'requirements.txt': 'torch>=1.13\nnumpy\n',
      'README.md': readme(program, metadata),
    },
  };
}

function modelPy(plan: Plan, metadata: ExportMetadata): string {
  const program = plan.program;
  const globals = new Scope('python', MODULE_NAMES);
  const modules = buildModules(plan, globals);
  const hyperModules = modules.filter((m) => m.kind === 'hyper');
  const placed = new Set(modules.flatMap((m) => m.params.map((p) => p.name)));
  const orphans = program.params.filter((p) => !placed.has(p.name));
  const modelAttrs = new Scope('python', MODULE_ATTRIBUTES);
  for (const m of modules) m.attr = modelAttrs.name(`module:${m.className}`, m.attr);
  const orphanAttr = new Map(orphans.map((p) => [p.name, modelAttrs.name(`param:${p.name}`, p.name)]));

  const L = new Lines();
  L.line(`"""The model of an exported Hypernet Studio graph (its name and description are in METADATA).`);
  L.line('');
  L.line('Each hypernetwork node is an nn.Module that maps its context to generated weights; Target is the network');
  L.line('that uses them, taking the weights as a dict keyed by "<layer>.<port>" (a weight with a leading batch');
  L.line('dimension holds one set per sample); Model composes them with the losses and metrics. Activations are');
  L.line('channels-last (NHWC) and every op computes what the Hypernet Studio engine computes, so weights move');
  L.line('between the two by canonical name ("<node>.<param>", see PARAMETERS and load_hnet_weights).');
  L.line('"""');
  L.lines(['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F', '']);
  L.line(OPS_IMPORT);
  L.line('from parameters import initialize as initialize_parameters, load_hnet_weights, save_hnet_weights');
  L.line('');
  L.line(`METADATA = {`);
  L.block(() => {
    L.line(`"name": ${pyString(metadata.name ?? program.name)},`);
    L.line(`"description": ${pyString(metadata.description ?? '')},`);
    L.line(`"citation": ${pyString(metadata.citation ?? '')},`);
  });
  L.line('}');
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
  L.line('#: Training settings of the document (train.py reads them; its flags override some).');
  L.line(`TRAINING = ${pyLiteral(training)}`);
  L.line(`BUDGET = ${pyLiteral(parameterBudget(program))}`);
  const mainMetric = program.metrics.find((m) => m.kind === 'accuracy') ?? program.metrics[0];
  L.line('#: The metric of the continual-learning accuracy matrix.');
  L.line(`MAIN_METRIC = ${mainMetric ? pyString(mainMetric.name) : 'None'}`);
  L.line(`OUTPUT_REGULARIZER = ${program.outputRegularizer ? pyLiteral({ beta: program.outputRegularizer.beta }) : 'None'}`);
  L.line('#: Parameters no loss depends on (DistributedDataParallel is told to expect them).');
  L.line(`UNUSED_PARAMETERS = ${pyLiteral(plan.unusedParams.map((p) => p.name))}`);
  L.line('');
  L.line('#: Every parameter: canonical name -> (shape, initialisation), in the order of weights.json.');
  L.line('PARAMETERS = {');
  L.block(() => {
    for (const p of program.params) L.line(`${pyString(p.name)}: (${pyLiteral(p.shape)}, ${pyLiteral(initLiteral(p, 'fan_in'))}),`);
  });
  L.line('}');
  L.line('');
  L.line('#: What each parameter is: "hyper" (hypernetwork), "embedding" (a task-embedding table [T, d]) or "target".');
  L.line(`PARAMETER_ROLES = ${pyLiteral(Object.fromEntries(program.params.map((p) => [p.name, p.role])))}`);
  L.line('');
  L.line('#: Generated weights: "<layer>.<port>" -> the head that generates them and their shape ("B": one set per sample).');
  L.line('GENERATED = {');
  L.block(() => {
    for (const g of program.generated) L.line(`${pyString(routeKey(g))}: ${pyLiteral({ head: g.head, shape: g.shape, perSample: g.perSample, value: g.value })},`);
  });
  L.line('}');
  L.line('');
  for (const m of modules) {
    L.line('');
    L.line('');
    moduleClass(L, plan, m, globals);
  }

  // Model
  L.line('');
  L.line('');
  // Model's own ops (losses and metrics) may need buffers (constants): its forward is written first.
  const self: PyModule = {
    kind: 'target', className: 'Model', attr: '', groups: [], params: orphans, paramAttr: orphanAttr, attrs: modelAttrs,
    buffers: [], inputs: [], outputs: [], outputKey: null, extraArgs: [],
  };
  const forward = new Lines();
  forwardMethod(forward, plan, modules, globals, self);
  L.line('class Model(nn.Module):');
  L.block(() => {
    L.line('"""The whole graph: hypernetworks, target network, losses and metrics."""');
    L.line('');
    L.line('def __init__(self):');
    L.block(() => {
      L.line('super().__init__()');
      for (const m of modules) L.line(`self.${m.attr} = ${m.className}()`);
      if (orphans.length) L.line('# Parameters no output uses (kept so that weights files load unchanged).');
      for (const p of orphans) L.line(`self.${orphanAttr.get(p.name)} = nn.Parameter(torch.zeros(${shapeArgs(p.shape)}))`);
      L.lines(self.buffers);
    });
    L.line('');
    L.raw(indent(forward.toString(), 1));
    if (plan.regularized.length) {
      L.line('');
      taskWeightsMethod(L, plan, hyperModules, globals);
      L.line('');
      L.line('def output_regularizer(self, earlier):');
      L.block(() => {
        L.line('"""beta/|earlier| * sum over earlier tasks t and routes of ||h(t) - h*(t)||^2 (von Oswald et al. 2020, eq. 2)."""');
        L.line('total = 0.0');
        L.line('for task, stored in earlier.items():');
        L.block(() => {
          L.line('device = next(iter(stored.values())).device');
          L.line('weights = self.task_weights(torch.tensor([task], dtype=torch.int64, device=device))');
          L.line('for key, value in stored.items():');
          L.block(() => L.line('total = total + ((weights[key] - value) ** 2).sum()'));
        });
        L.line('return total * (OUTPUT_REGULARIZER["beta"] / max(1, len(earlier)))');
      });
    }
    L.line('');
    L.line('def load_hnet_weights(self, folder):');
    L.block(() => {
      L.line('"""Assign weights saved by "hnet train --save" (or save_hnet_weights) by canonical name."""');
      L.line('load_hnet_weights(self, folder)');
    });
    L.line('');
    L.line('def save_hnet_weights(self, folder):');
    L.block(() => {
      L.line('"""Write weights.json + weights.bin, the format Hypernet Studio and the TypeScript export read."""');
      L.line('save_hnet_weights(self, folder)');
    });
    L.line('');
    L.line('def hnet_parameters(self):');
    L.block(() => {
      L.line('"""Every parameter by its canonical name ("<node>.<param>"), the names of weights.json."""');
      L.line('return {');
      L.block(() => {
        for (const p of program.params) {
          const m = modules.find((x) => x.paramAttr.has(p.name));
          const ref = m ? `self.${m.attr}.${m.paramAttr.get(p.name)}` : `self.${orphanAttr.get(p.name)}`;
          L.line(`${pyString(p.name)}: ${ref},`);
        }
      });
      L.line('}');
    });
  });
  L.line('');
  L.line('');
  L.line('def initialize(model, seed, batches):');
  L.block(() => {
    L.line(`"""The engine's initialisation of every parameter for a seed, then hyperfan (measured on the batches)."""`);
    L.line('initialize_parameters(model, PARAMETERS, seed, batches)');
  });
  const text = L.toString();
  // model.py imports the runtime ops it calls, and only those.
  const used = OPS_PY.filter((f) => new RegExp(`(?<![.\\w])${f}\\(`).test(text));
  return text.replace(OPS_IMPORT, used.length ? `from ops import ${used.join(', ')}` : '');
}

/** The functions of the runtime's ops.py (src/runtime/py/ops.py). */
const OPS_PY = [...RUNTIME_PY['ops.py'].matchAll(/^def (\w+)\(/gm)].map((m) => m[1]);
/** Where model.py's `from ops import …` line goes, once the module is written. */
const OPS_IMPORT = '# <ops>';

const shapeArgs = (shape: readonly number[]) => (shape.length ? shape.join(', ') : '()');

function buildModules(plan: Plan, globals: Scope): PyModule[] {
  const modules: PyModule[] = [];
  const paramsByNode = new Map<string, ParamSpec[]>();
  for (const p of plan.program.params) paramsByNode.set(p.node, [...(paramsByNode.get(p.node) ?? []), p]);

  for (const g of plan.groups.filter((x) => x.kind === 'hyper')) {
    const base = pascalCase(g.node);
    const className = globals.nameAs(`class:${g.node}`, g.isHead && !/Head$/.test(base) ? `${base}Head` : base);
    const attrs = new Scope('python', MODULE_ATTRIBUTES);
    const params = paramsByNode.get(g.node) ?? [];
    const paramAttr = new Map(params.map((p) => [p.name, attrs.name(`param:${p.name}`, localPart(p.name, g.node))]));
    const outputs = plan.outputsOf(g);
    const keyed = g.isHead || outputs.length !== 1;
    const outputKey = keyed ? new Map(outputs.map((v) => [v, plan.routesOf(v).length ? routeKey(plan.routesOf(v)[0]) : v])) : null;
    modules.push({ kind: 'hyper', className, attr: g.node, groups: [g], params, paramAttr, attrs, buffers: [], inputs: plan.inputsOf(g), outputs, outputKey, extraArgs: [] });
  }

  const targetGroups = plan.groups.filter((x) => x.kind === 'target');
  if (targetGroups.length) {
    const className = globals.nameAs('class:(target)', 'Target');
    const attrs = new Scope('python', MODULE_ATTRIBUTES);
    const params = targetGroups.flatMap((g) => paramsByNode.get(g.node) ?? []);
    const paramAttr = new Map(params.map((p) => [p.name, attrs.name(`param:${p.name}`, p.name)]));
    const inside = new Set(targetGroups.map((g) => g.node));
    const inputs: ValueId[] = [];
    const outputs: ValueId[] = [];
    for (const g of targetGroups) {
      for (const v of plan.inputsOf(g)) if (!inside.has(plan.groupOf(v)?.node ?? '') && !inputs.includes(v)) inputs.push(v);
      for (const v of plan.outputsOf(g)) if (!outputs.includes(v) && readBeyond(plan, v, inside)) outputs.push(v);
    }
    const outputKey = new Map(outputs.map((v) => [v, v]));
    modules.push({ kind: 'target', className, attr: 'target', groups: targetGroups, params, paramAttr, attrs, buffers: [], inputs, outputs, outputKey, extraArgs: [] });
  }
  return modules;
}

/** Whether a value of the target network is read outside it (by objectives, or as a result). */
function readBeyond(plan: Plan, v: ValueId, inside: Set<string>): boolean {
  const p = plan.program;
  if (p.prediction === v || p.losses.some((l) => l.value === v) || p.metrics.some((m) => m.value === v)) return true;
  if (plan.hyperfanInputs.includes(v) || p.generated.some((g) => g.value === v)) return true;
  return plan.ops.some((o) => o.inputs.includes(v) && !inside.has(o.node));
}

/** The statement context of one generated Python function. */
interface Fn {
  scope: Scope;
  expr: Map<ValueId, string>;
  module?: PyModule;
  L: Lines;
}

/** Emit `ops` as one assignment each, grouped by node with a comment when `comments` is set. */
function emitOps(fn: Fn, ops: Op[], opts: { comments: boolean; fullNames: boolean }): void {
  let node = '';
  for (const op of ops) {
    if (fn.expr.has(op.id)) continue;
    if (op.op === 'input') throw new Error(`input ${op.id} is not bound`);
    if (op.op === 'param') {
      const attr = fn.module?.paramAttr.get(op.name);
      if (!attr) throw new Error(`parameter ${op.name} is not in scope`);
      fn.expr.set(op.id, `self.${attr}`);
      continue;
    }
    if (op.op === 'constant' || op.op === 'grid') {
      // A buffer of the module: referenced as self.<name>, no local needed.
      fn.expr.set(op.id, pyExpr(op, () => '', fn));
      continue;
    }
    if (opts.comments && op.node !== node) {
      node = op.node;
      fn.L.line(`# ${commentSafe(node)}`);
    }
    const a = (i: number): string => {
      const id = op.inputs[i];
      if (!id) return 'None';
      const e = fn.expr.get(id);
      if (!e) throw new Error(`${op.id} reads ${id}, which is not computed yet`);
      return e;
    };
    const expr = pyExpr(op, a, fn);
    const local = fn.scope.name(op.id, opts.fullNames ? op.id : localPart(op.id, op.node));
    fn.L.line(`${local} = ${expr}`);
    fn.expr.set(op.id, local);
  }
}

const ACTIVATIONS: Record<string, (x: string, w0: number) => string> = {
  relu: (x) => `torch.relu(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  gelu: (x) => `F.gelu(${x})`,
  sin: (x, w0) => (w0 === 1 ? `torch.sin(${x})` : `torch.sin(${x} * ${pyFloat(w0)})`),
  elu: (x) => `F.elu(${x})`,
  leaky_relu: (x) => `F.leaky_relu(${x}, 0.01)`,
  softplus: (x) => `F.softplus(${x})`,
  linear: (x) => x,
};

function dims(shape: readonly (number | 'B')[]): string {
  return shape.length ? shape.map((d) => (d === 'B' ? '-1' : String(d))).join(', ') : '()';
}

/** An op's Python expression: `a(i)` is input i's expression (a name or an attribute/item reference). */
type EmitPy<K extends OpKind> = (op: Extract<Op, { op: K }>, a: (i: number) => string, fn: Fn) => string;

const TRAINING = 'self.training';

/**
 * Each op kind as one Python expression, calling torch or the runtime's ops.py (src/runtime/py/ops.py, imported
 * by name where model.py calls it). Inputs and parameters are bound, not computed (null). A kind without an
 * entry does not compile.
 */
const EMIT_PY: { [K in OpKind]: EmitPy<K> | null } = {
  input: null,
  param: null,
  linear: (op, a) => {
    // Over points [B, P, in], a per-sample bias [B, out] is broadcast over the points (channels).
    const points = op.shape.length === 3;
    const bias = op.inputs[2] ? (points ? ` + channels(${a(2)}, 3)` : ` + ${a(2)}`) : '';
    if (!op.perSample) return `${a(0)} @ ${a(1)}${bias}`;
    return points ? `torch.bmm(${a(0)}, ${a(1)})${bias}` : `torch.bmm(${a(0)}.unsqueeze(1), ${a(1)}).squeeze(1)${bias}`;
  },
  fusedLinear: (op, a) => {
    const y = `${a(0)} @ ${a(1)}${op.inputs[2] ? ` + ${a(2)}` : ''}`;
    return op.activation === 'relu' ? `torch.relu(${y})` : y;
  },
  matmul: (op, a) => (op.transposeB ? `${a(0)} @ ${a(1)}.transpose(-2, -1)` : `${a(0)} @ ${a(1)}`),
  add: (_, a) => `${a(0)} + ${a(1)}`,
  sub: (_, a) => `${a(0)} - ${a(1)}`,
  mul: (_, a) => `${a(0)} * ${a(1)}`,
  scale: (op, a) => {
    let e = a(0);
    if (op.factor !== 1) e = `${e} * ${pyFloat(op.factor)}`;
    if (op.offset !== 0) e = `${e} + ${pyFloat(op.offset)}`;
    return e;
  },
  activation: (op, a) => (ACTIVATIONS[op.fn] ?? ACTIVATIONS.linear)(a(0), op.w0),
  reshape: (op, a) => `${a(0)}.reshape(${dims(op.shape)})`,
  transpose: (op, a) => `${a(0)}.permute(${op.perm.join(', ')})`,
  slice: (op, a) => `${a(0)}[${[...Array<string>(op.axis).fill(':'), `${op.begin}:${op.begin + op.size}`].join(', ')}]`,
  concat: (op, a) => `torch.cat([${op.inputs.map((_, i) => a(i)).join(', ')}], dim=${op.axis})`,
  broadcastBatch: (op, a) => `${a(0)}.expand(${a(1)}.shape[0]${', -1'.repeat(Math.max(0, op.shape.length - 1))})`,
  pairRows: (_, a) => `pair_rows(${a(0)}, ${a(1)})`,
  conv2d: (op, a) => `conv2d_nhwc(${a(0)}, ${a(1)}, ${a(2)}, stride=${op.strides}, padding=${pyString(op.padding)})`,
  pool: (op, a) => `${op.kind === 'max' ? 'max' : 'avg'}_pool_nhwc(${a(0)}, ${op.size}, stride=${op.strides}, padding=${pyString(op.padding)})`,
  layerNorm: (op, a) => `layer_norm(${a(0)}, ${a(1)}, ${a(2)}, ${pyFloat(op.epsilon)})`,
  film: (_, a) => `film(${a(0)}, ${a(1)}, ${a(2)})`,
  dropout: (op, a) => (op.rate > 0 ? `F.dropout(${a(0)}, ${pyFloat(op.rate)}, ${TRAINING})` : a(0)),
  embedding: (_, a) => `${a(0)}[${a(1)}.long()]`,
  noise: (op, a, fn) => {
    const like = op.inputs[0] ? a(0) : null;
    if (op.shape.includes('B')) {
      if (!like) throw new Error(`${op.id}: a batched noise needs an input to take its batch from`);
      const shape = op.shape.map((d) => (d === 'B' ? `${like}.shape[0]` : String(d)));
      return `gaussian_noise((${shape.join(', ')}${shape.length === 1 ? ',' : ''}), ${pyFloat(op.std)}, ${TRAINING}, ${like}.device)`;
    }
    const buffer = registerBuffer(fn, op, 'zeros', `torch.zeros(${dims(op.shape)})`);
    return `gaussian_noise(${buffer}.shape, ${pyFloat(op.std)}, ${TRAINING}, ${buffer}.device)`;
  },
  constant: (op, _, fn) =>
    registerBuffer(fn, op, '', `torch.tensor(${pyLiteral(op.value.map((v) => (Number.isInteger(v) ? v + 0.0 : v)))}, dtype=torch.float32).reshape(${dims(op.shape)})`),
  grid: (op, _, fn) => registerBuffer(fn, op, '', `pixel_grid(${op.height}, ${op.width})`),
  crossEntropy: (_, a) => `F.cross_entropy(${a(0)}, ${a(1)}.long())`,
  mse: (_, a) => `((${a(0)} - ${a(1)}) ** 2).mean()`,
  bce: (_, a) => `F.binary_cross_entropy_with_logits(${a(0)}.reshape(-1), ${a(1)}.reshape(-1).float())`,
  meanSquare: (_, a) => `(${a(0)} ** 2).mean()`,
  accuracy: (_, a) => `(${a(0)}.argmax(-1) == ${a(1)}.long()).float().mean()`,
  binaryAccuracy: (_, a) => `((${a(0)}.reshape(-1) > 0).long() == ${a(1)}.reshape(-1).long()).float().mean()`,
  psnr: (op, a) => `psnr(${a(0)}, ${a(1)}, ${pyFloat(op.peak)})`,
};

function pyExpr(op: Op, a: (i: number) => string, fn: Fn): string {
  const emit = (EMIT_PY as Record<OpKind, EmitPy<OpKind> | null>)[op.op];
  if (!emit) throw new Error(`${op.op} has no expression`);
  return emit(op, a, fn);
}

/** A constant tensor of a module, registered as a (non-persistent) buffer so it follows .to(device). */
function registerBuffer(fn: Fn, op: Op, suffix: string, init: string): string {
  const m = fn.module;
  if (!m) throw new Error(`${op.id}: constants need a module`);
  const hint = localPart(op.id, op.node) + (suffix ? `_${suffix}` : '');
  const name = m.attrs.name(`buffer:${op.id}:${suffix}`, m.kind === 'target' ? `${op.id}_${suffix}` : hint);
  m.buffers.push(`self.register_buffer(${pyString(name)}, ${init}, persistent=False)`);
  return `self.${name}`;
}

function moduleClass(L: Lines, plan: Plan, m: PyModule, globals: Scope): void {
  const methodScope = globals.child(['self']);
  // Bind inputs to argument names first, so the forward signature is known before its body.
  const args: string[] = [];
  const expr = new Map<ValueId, string>();
  const extras: ValueId[] = [];
  const dataInputs = INPUT_ORDER.filter((n) => m.inputs.some((v) => plan.inputOf(v) === n));
  for (const n of dataInputs) {
    const v = m.inputs.find((x) => plan.inputOf(x) === n)!;
    expr.set(v, methodScope.reserve(`input:${n}`, n));
    args.push(n);
  }
  if (m.kind === 'target') {
    const weights = methodScope.reserve('weights', 'weights');
    args.push(weights);
    for (const v of m.inputs) {
      if (plan.inputOf(v)) continue;
      const routes = plan.routesOf(v);
      if (routes.length) {
        const own = routes.find((r) => m.groups.some((g) => g.node === r.target)) ?? routes[0];
        expr.set(v, `${weights}[${pyString(routeKey(own))}]`);
      } else extras.push(v);
    }
  } else for (const v of m.inputs) if (!plan.inputOf(v)) extras.push(v);
  for (const v of extras) {
    const name = methodScope.name(v, v);
    expr.set(v, name);
    args.push(name);
    m.extraArgs.push({ value: v, name });
  }

  const body = new Lines();
  const fn: Fn = { scope: methodScope, expr, module: m, L: body };
  emitOps(
    fn,
    m.groups.flatMap((g) => g.ops),
    { comments: m.kind === 'target', fullNames: m.kind === 'target' },
  );
  if (m.outputKey) {
    body.line('return {');
    body.block(() => {
      for (const v of m.outputs) body.line(`${pyString(m.outputKey!.get(v)!)}: ${fn.expr.get(v)},`);
    });
    body.line('}');
  } else body.line(`return ${fn.expr.get(m.outputs[0]) ?? 'None'}`);

  L.line(`class ${m.className}(nn.Module):`);
  L.block(() => {
    L.line(`"""${moduleDoc(plan, m)}"""`);
    L.line('');
    L.line('def __init__(self):');
    L.block(() => {
      L.line('super().__init__()');
      for (const p of m.params) L.line(`self.${m.paramAttr.get(p.name)} = nn.Parameter(torch.zeros(${shapeArgs(p.shape)}))`);
      L.lines(m.buffers);
    });
    L.line('');
    L.line(`def forward(self${args.map((x) => `, ${x}`).join('')}):`);
    L.block(() => L.raw(indent(body.toString(), 2)));
  });
}

function moduleDoc(plan: Plan, m: PyModule): string {
  if (m.kind === 'target') {
    const nodes = m.groups.map((g) => commentSafe(g.node)).join(', ');
    return `The target network (${nodes}). Generated weights come in 'weights', keyed '<layer>.<port>'; a weight with a leading batch dimension holds one set per sample.`;
  }
  const g = m.groups[0];
  const node = commentSafe(g.node);
  if (!g.isHead) return `Node '${node}': computes what the hypernetwork heads read (a context).`;
  const routes = plan.program.generated.filter((r) => r.head === g.node);
  const perSample = routes.some((r) => r.perSample);
  return `Hypernetwork head '${node}': generates ${routes.map((r) => commentSafe(routeKey(r))).join(', ')} (${perSample ? 'one set per sample' : 'one set per batch'}).`;
}

const indent = (text: string, levels: number) =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l ? '    '.repeat(levels) + l : l))
    .join('\n');

/** Model's calls of the hypernetwork modules (in order), binding their outputs in `fn`. */
function callModules(fn: Fn, plan: Plan, modules: PyModule[], available: Map<InputName, string | null>): void {
  for (const m of modules) {
    const args: string[] = [];
    const dataInputs = INPUT_ORDER.filter((n) => m.inputs.some((v) => plan.inputOf(v) === n));
    for (const n of dataInputs) args.push(available.get(n) ?? 'None');
    if (m.kind === 'target') args.push('weights');
    for (const { value, name } of m.extraArgs) {
      const e = fn.expr.get(value) ?? 'None';
      args.push(m.kind === 'target' ? `${name}=${e}` : e);
    }
    const call = `self.${m.attr}(${args.join(', ')})`;
    if (m.outputKey) {
      const local = fn.scope.name(`module:${m.attr}`, m.attr);
      fn.L.line(`${local} = ${call}`);
      for (const v of m.outputs) fn.expr.set(v, `${local}[${pyString(m.outputKey.get(v)!)}]`);
    } else {
      const v = m.outputs[0];
      const local = fn.scope.name(v, v);
      fn.L.line(`${local} = ${call}`);
      fn.expr.set(v, local);
    }
  }
}

function forwardMethod(L: Lines, plan: Plan, modules: PyModule[], globals: Scope, self: PyModule): void {
  const program = plan.program;
  const scope = globals.child(['self']);
  const expr = new Map<ValueId, string>();
  const available = new Map<InputName, string | null>();
  for (const n of INPUT_ORDER) {
    available.set(n, scope.reserve(`input:${n}`, n));
    const v = plan.inputs.get(n);
    if (v) expr.set(v, n);
  }
  const earlier = scope.reserve('earlier', 'earlier');
  const regularized = plan.regularized.length > 0;
  const weights = scope.reserve('weights', 'weights');
  const body = new Lines();
  const fn: Fn = { scope, expr, L: body, module: self };
  const hyper = modules.filter((m) => m.kind === 'hyper');
  callModules(fn, plan, hyper, available);
  if (program.generated.length === 0) body.line(`${weights} = {}`);
  else {
    body.line(`${weights} = {`);
    body.block(() => {
      for (const g of program.generated) body.line(`${pyString(routeKey(g))}: ${expr.get(g.value)},`);
    });
    body.line('}');
  }
  callModules(
    fn,
    plan,
    modules.filter((m) => m.kind === 'target'),
    available,
  );
  const objectives = plan.groups.filter((g) => g.kind === 'objective');
  emitOps(
    fn,
    objectives.flatMap((g) => g.ops),
    { comments: true, fullNames: true },
  );
  const ref = (v: ValueId) => {
    const e = expr.get(v);
    if (!e) throw new Error(`${v} is not computed in forward`);
    return e;
  };
  const total = program.losses.map((l) => (l.weight === 1 ? ref(l.value) : `${ref(l.value)} * ${pyFloat(l.weight)}`));
  const totalName = scope.name('(total)', 'total');
  body.line(`${totalName} = ${total.length ? total.join(' + ') : 'x.new_zeros(())'}`);
  const out = scope.name('(out)', 'out');
  body.line(`${out} = {`);
  body.block(() => {
    body.line(`"loss": ${totalName},`);
    body.line(`"losses": {${program.losses.map((l) => `${pyString(l.name)}: ${ref(l.value)}`).join(', ')}},`);
    body.line(`"metrics": {${program.metrics.map((m) => `${pyString(m.name)}: ${ref(m.value)}`).join(', ')}},`);
    body.line(`"prediction": ${program.prediction ? ref(program.prediction) : 'None'},`);
    body.line(`"weights": ${weights},`);
    body.line(`"features": {${plan.hyperfanInputs.map((v) => `${pyString(v)}: ${ref(v)}`).join(', ')}},`);
  });
  body.line('}');
  if (regularized) {
    body.line(`if ${earlier}:`);
    body.block(() => body.line(`${out}["regularizer"] = self.output_regularizer(${earlier})`));
  }
  body.line(`return ${out}`);

  L.line(`def forward(self, x, y, task, context=None, ${earlier}=None):`);
  L.block(() => {
    L.line('"""Losses, metrics and prediction for a batch, with the weights generated for it.');
    L.line('');
    L.line('x [B, ...] inputs, y [B, ...] targets or class ids, task [1] the task id, context [1, d] the batch\'s');
    L.line('context (datasets that have one). "features" holds what hyperfan initialisation measures.');
    if (regularized) L.line('earlier maps each earlier task to the weights generated for it before this task began.');
    else L.line('earlier is for the continual-learning output regulariser, which this graph does not have.');
    L.line('"""');
    // Written at depth 0: the caller indents the whole method into the class.
    L.raw(indent(body.toString(), 1));
  });
}

function taskWeightsMethod(L: Lines, plan: Plan, hyper: PyModule[], globals: Scope): void {
  const scope = globals.child(['self']);
  const expr = new Map<ValueId, string>();
  const taskArg = scope.reserve('input:task', 'task');
  const taskValue = plan.inputs.get('task');
  if (taskValue) expr.set(taskValue, taskArg);
  // The modules the held weights depend on, and the modules those read from.
  const needed = new Set<PyModule>();
  const stack = plan.regularized.map((g) => hyper.find((m) => m.outputs.includes(g.value))!).filter(Boolean);
  while (stack.length) {
    const m = stack.pop()!;
    if (needed.has(m)) continue;
    needed.add(m);
    for (const v of m.inputs) {
      const from = hyper.find((x) => x.outputs.includes(v));
      if (from) stack.push(from);
    }
  }
  const body = new Lines();
  const fn: Fn = { scope, expr, L: body };
  callModules(
    fn,
    plan,
    hyper.filter((m) => needed.has(m)),
    new Map<InputName, string | null>([['task', taskArg]]),
  );
  body.line('return {');
  body.block(() => {
    for (const g of plan.regularized) body.line(`${pyString(routeKey(g))}: ${expr.get(g.value)},`);
  });
  body.line('}');
  L.line(`def task_weights(self, ${taskArg}):`);
  L.block(() => {
    L.line('"""The weights generated from the task alone (what the output regulariser holds), keyed "<layer>.<port>"."""');
    L.raw(indent(body.toString(), 2));
  });
}
