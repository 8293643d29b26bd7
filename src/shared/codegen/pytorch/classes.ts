/**
 * The classes and methods of model.py: each module's class (its parameters, buffers and forward), and Model's
 * forward (the modules called in order, then the losses and metrics) and task_weights (what the output
 * regulariser holds). The bodies are written before their signatures, since binding the inputs names them.
 */
import type { ValueId } from '../../compiler/ir';
import { Lines, commentSafe } from '../code';
import { pyFloat, pyString, type Scope } from '../naming';
import { needed, routeKey, type InputName, type Plan } from '../plan';
import { emitOps, type Fn } from './emit';
import type { PyModule } from './modules';

const INPUT_ORDER: InputName[] = ['x', 'y', 'task', 'context'];

/** A parameter's shape as the arguments of torch.zeros. */
export const shapeArgs = (shape: readonly number[]) => (shape.length ? shape.join(', ') : '()');

export function moduleClass(L: Lines, plan: Plan, m: PyModule, globals: Scope): void {
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

/** `text` with each non-empty line indented by `levels` Python levels (four spaces). */
export const indent = (text: string, levels: number) =>
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

export function forwardMethod(L: Lines, plan: Plan, modules: PyModule[], globals: Scope, self: PyModule): void {
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

export function taskWeightsMethod(L: Lines, plan: Plan, hyper: PyModule[], globals: Scope): void {
  const scope = globals.child(['self']);
  const expr = new Map<ValueId, string>();
  const taskArg = scope.reserve('input:task', 'task');
  const taskValue = plan.inputs.get('task');
  if (taskValue) expr.set(taskValue, taskArg);
  // The modules computing any value the held weights depend on.
  const need = needed(plan.program, plan.regularized.map((g) => g.value));
  const uses = (m: PyModule) => m.groups.some((g) => g.ops.some((o) => need.has(o.id)));
  const body = new Lines();
  const fn: Fn = { scope, expr, L: body };
  callModules(
    fn,
    plan,
    hyper.filter(uses),
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
