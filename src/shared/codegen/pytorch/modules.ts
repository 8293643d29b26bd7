/**
 * The nn.Modules of model.py: one per hypernetwork node (its parameters, its inputs and outputs) and Target, the
 * target network's nodes together, with the attribute names each may use. Planned before any code is written,
 * because Model's forward and task_weights call the modules by these names and signatures.
 */
import type { ParamSpec, ValueId } from '../../compiler/ir';
import { Scope, localPart, pascalCase } from '../naming';
import { routeKey, type NodeGroup, type Plan } from '../plan';

/** nn.Module attributes and methods; parameter and submodule attributes avoid them. */
export const MODULE_ATTRIBUTES = [
  'training', 'forward', 'parameters', 'named_parameters', 'buffers', 'named_buffers', 'children', 'named_children',
  'modules', 'named_modules', 'train', 'eval', 'to', 'cuda', 'cpu', 'xpu', 'ipu', 'type', 'float', 'double', 'half',
  'bfloat16', 'apply', 'zero_grad', 'state_dict', 'load_state_dict', 'register_buffer', 'register_parameter',
  'register_module', 'add_module', 'requires_grad_', 'share_memory', 'extra_repr', 'get_submodule', 'get_parameter',
  'get_buffer', 'dump_patches', 'call_super_init', 'to_empty', 'register_forward_hook', 'register_forward_pre_hook',
  'register_backward_hook', 'register_full_backward_hook', 'register_full_backward_pre_hook', 'hnet_parameters',
  'task_weights', 'output_regularizer', 'load_hnet_weights', 'save_hnet_weights',
];

/** One nn.Module of model.py. */
export interface PyModule {
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

export function buildModules(plan: Plan, globals: Scope): PyModule[] {
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
