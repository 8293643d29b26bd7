/**
 * Program IR -> a PyTorch project: model.py (an nn.Module per hypernetwork node and one for the target network,
 * composed by Model), generated here, beside the Python runtime, which is real code in src/runtime/py (ops.py,
 * parameters.py, data.py, rng.py, train.py; tested there) shipped as it is, constants.py (the shared settings, from
 * src/runtime/ts) and a README. Op semantics follow the engine's (src/runtime/ts/ops.ts) exactly, channels-last
 * layout included, so the same parameters and inputs give the same outputs; tests check that against real PyTorch.
 *
 * This module is the entry and writes model.py's module level; its parts live in ./pytorch: modules.ts (which
 * nn.Modules there are), emit.ts (ops as Python expressions), classes.ts (the classes and Model's methods),
 * constants.ts and readme.ts (the other generated files).
 *
 * Pure: IR in, file texts out. The data files are written by the exporter (src/main/export).
 */
import { parameterBudget } from '../compiler/budget';
import { continualOf } from '../document/schema';
import type { Program } from '../compiler/ir';
import { Lines } from './code';
import { Scope, pyString } from './naming';
import { initLiteral, planProgram, routeKey, type Plan } from './plan';
import type { ExportMetadata, GenerateOptions, GeneratedProject } from './project';
import { RUNTIME_PY } from './runtimes.generated';
import { forwardMethod, indent, moduleClass, shapeArgs, taskWeightsMethod } from './pytorch/classes';
import { CONSTANTS_PY } from './pytorch/constants';
import { pyLiteral } from './pytorch/emit';
import { MODULE_ATTRIBUTES, buildModules, type PyModule } from './pytorch/modules';
import { readme } from './pytorch/readme';

export type { ExportMetadata, GenerateOptions, GeneratedProject } from './project';
export { CONSTANTS_PY } from './pytorch/constants';
export { pyLiteral } from './pytorch/emit';

/** Names model.py defines at module level; generated classes and locals never take them. */
const MODULE_NAMES = [
  'Rng', 'METADATA', 'TRAINING', 'BUDGET', 'MAIN_METRIC', 'OUTPUT_REGULARIZER', 'UNUSED_PARAMETERS', 'PARAMETERS',
  'PARAMETER_ROLES',
  'GENERATED', 'channels', 'pair_rows', 'same_padding', 'pad_same', 'conv2d_nhwc', 'max_pool_nhwc', 'avg_pool_nhwc',
  'layer_norm', 'film', 'pixel_grid', 'psnr', 'gaussian_noise', 'initial_values', 'initialize', 'init_hyperfan', 'CHUNK_STEPS', 'S2_MIN', 'S2_MAX', 'scale_chunk_embeddings',
  'load_hnet_weights', 'save_hnet_weights', 'Model', 'HERE',
];

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
  return text.replace(`${OPS_IMPORT}\n`, used.length ? `from ops import ${used.join(', ')}\n` : '');
}

/** The functions of the runtime's ops.py (src/runtime/py/ops.py). */
const OPS_PY = [...RUNTIME_PY['ops.py'].matchAll(/^def (\w+)\(/gm)].map((m) => m[1]);
/** Where model.py's `from ops import …` line goes, once the module is written. */
const OPS_IMPORT = '# <ops>';
