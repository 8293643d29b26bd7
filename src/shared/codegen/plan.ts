/**
 * What both code generators need to know about a program beyond its op list: which ops matter, which node
 * each op belongs to and which side of the hypernetwork it is on, what crosses between nodes, and which
 * generated weights the continual-learning regulariser holds. Pure analysis of the IR; no code text here.
 */
import type { GeneratedRoute, Init, Op, ParamSpec, Program, ValueId } from '../compiler/ir';

export type InputName = 'x' | 'y' | 'task' | 'context';

/**
 * hyper: a node upstream of generated weights (heads and the context encoders feeding them).
 * target: the network that consumes generated weights. objective: losses and metrics.
 */
export type GroupKind = 'hyper' | 'target' | 'objective';

export interface NodeGroup {
  node: string;
  kind: GroupKind;
  /** Heads are the nodes that deliver generated weights. */
  isHead: boolean;
  ops: Op[];
}

export interface Plan {
  program: Program;
  /** The ops some result depends on, in program order (a topological order). */
  ops: Op[];
  op: (id: ValueId) => Op;
  /** The value id of each program input that is used. */
  inputs: Map<InputName, ValueId>;
  inputOf: (id: ValueId) => InputName | undefined;
  groups: NodeGroup[];
  groupOf: (id: ValueId) => NodeGroup | undefined;
  /** Generated values by value id (one value may drive several routes, in principle). */
  routesOf: (id: ValueId) => GeneratedRoute[];
  /** Values measured for hyperfan initialisation. */
  hyperfanInputs: ValueId[];
  /** Routes the output regulariser holds (generated weights that depend on the task only), when it is active. */
  regularized: GeneratedRoute[];
  /** Parameters that do not reach any loss (DistributedDataParallel must be told). */
  unusedParams: ParamSpec[];
  /** Values defined in `group` and read outside it, in program order. */
  outputsOf: (group: NodeGroup) => ValueId[];
  /** Values read by `group`'s ops and defined outside it (inputs included), in first-use order. */
  inputsOf: (group: NodeGroup) => ValueId[];
}

/** `dense_1.kernel`: how generated weights are addressed (the same key as the engine's weight statistics). */
export const routeKey = (g: Pick<GeneratedRoute, 'target' | 'targetPort'>): string => `${g.target}.${g.targetPort}`;

/**
 * The values `roots` depend on, themselves included: the one reachability walk of the program, used by the
 * engine (which ops a request evaluates) and both generators (which ops a function emits).
 */
export function needed(program: Pick<Program, 'ops'>, roots: Iterable<ValueId>): Set<ValueId> {
  let byId = indexCache.get(program.ops);
  if (!byId) indexCache.set(program.ops, (byId = new Map(program.ops.map((o) => [o.id, o]))));
  const seen = new Set<ValueId>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    const o = byId.get(id);
    if (!o) throw new Error(`the program has no value ${id}`);
    seen.add(id);
    for (const i of o.inputs) if (i) stack.push(i);
  }
  return seen;
}
const indexCache = new WeakMap<readonly Op[], Map<ValueId, Op>>();

export function planProgram(program: Program): Plan {
  const byId = new Map(program.ops.map((o) => [o.id, o]));
  const op = (id: ValueId) => {
    const o = byId.get(id);
    if (!o) throw new Error(`the program has no value ${id}`);
    return o;
  };
  const ancestors = (roots: Iterable<ValueId>): Set<ValueId> => needed(program, roots);

  const hyperfanInputs: ValueId[] = [];
  for (const p of program.params) if (p.init.kind === 'hyperfan' && !hyperfanInputs.includes(p.init.input)) hyperfanInputs.push(p.init.input);
  const roots = [
    ...program.losses.map((l) => l.value),
    ...program.metrics.map((m) => m.value),
    ...(program.prediction ? [program.prediction] : []),
    ...program.generated.map((g) => g.value),
    ...program.probes.map((p) => p.value),
    ...hyperfanInputs,
  ];
  const reached = ancestors(roots);
  const ops = program.ops.filter((o) => reached.has(o.id));

  const inputs = new Map<InputName, ValueId>();
  const inputById = new Map<ValueId, InputName>();
  for (const o of ops)
    if (o.op === 'input') {
      inputs.set(o.name, o.id);
      inputById.set(o.id, o.name);
    }

  const heads = new Set(program.generated.map((g) => g.head));
  const hyperValues = ancestors(program.generated.map((g) => g.value));
  const objectiveNodes = new Set([...program.losses.map((l) => l.node), ...program.metrics.map((m) => m.node)]);
  const groups: NodeGroup[] = [];
  const groupByNode = new Map<string, NodeGroup>();
  const groupById = new Map<ValueId, NodeGroup>();
  for (const o of ops) {
    if (o.op === 'input') continue;
    let g = groupByNode.get(o.node);
    if (!g) {
      const kind: GroupKind = objectiveNodes.has(o.node) ? 'objective' : hyperValues.has(o.id) || heads.has(o.node) ? 'hyper' : 'target';
      g = { node: o.node, kind, isHead: heads.has(o.node), ops: [] };
      groups.push(g);
      groupByNode.set(o.node, g);
    }
    g.ops.push(o);
    groupById.set(o.id, g);
  }
  // A node with some ops upstream of generated weights is wholly on the hypernetwork side.
  for (const g of groups) if (g.kind === 'target' && g.ops.some((o) => hyperValues.has(o.id))) g.kind = 'hyper';

  const routesByValue = new Map<ValueId, GeneratedRoute[]>();
  for (const g of program.generated) routesByValue.set(g.value, [...(routesByValue.get(g.value) ?? []), g]);

  const regularized = program.outputRegularizer ? program.generated.filter((g) => !op(g.value).dataDependent) : [];
  const reaching = ancestors([...program.losses.map((l) => l.value), ...regularized.map((g) => g.value)]);
  const usedParamNames = new Set(ops.filter((o) => o.op === 'param' && reaching.has(o.id)).map((o) => (o as Extract<Op, { op: 'param' }>).name));
  const unusedParams = program.params.filter((p) => !usedParamNames.has(p.name));

  /** Values read outside their own group: by another group's ops, or as a program result. */
  const readOutside = new Map<ValueId, Set<string>>();
  const mark = (id: ValueId, by: string) => readOutside.set(id, (readOutside.get(id) ?? new Set()).add(by));
  for (const o of ops) for (const i of o.inputs) if (i && groupById.get(i)?.node !== o.node) mark(i, o.node);
  for (const id of roots) mark(id, '(result)');
  const outputsCache = new Map<NodeGroup, ValueId[]>();
  const inputsCache = new Map<NodeGroup, ValueId[]>();

  return {
    program,
    ops,
    op,
    inputs,
    inputOf: (id) => inputById.get(id),
    groups,
    groupOf: (id) => groupById.get(id),
    routesOf: (id) => routesByValue.get(id) ?? [],
    hyperfanInputs,
    regularized,
    unusedParams,
    outputsOf(group) {
      let out = outputsCache.get(group);
      if (!out) {
        out = group.ops.filter((o) => [...(readOutside.get(o.id) ?? [])].some((by) => by !== group.node)).map((o) => o.id);
        outputsCache.set(group, out);
      }
      return out;
    },
    inputsOf(group) {
      let out = inputsCache.get(group);
      if (!out) {
        const seen: ValueId[] = [];
        for (const o of group.ops) for (const i of o.inputs) if (i && groupById.get(i) !== group && !seen.includes(i)) seen.push(i);
        out = seen;
        inputsCache.set(group, out);
      }
      return out;
    },
  };
}

/**
 * A parameter's initialiser as the generated code's PARAMETERS table holds it (both generators): hyperfan blocks
 * as [columns, variance, product 1|0] (and a chunked head's chunk blocks as [chunks, variance]), the fan-in key spelled in the target language's style.
 */
export function initLiteral(p: ParamSpec, fanInKey: 'fanIn' | 'fan_in'): Record<string, unknown> {
  const i: Init = p.init;
  switch (i.kind) {
    case 'normal':
      return { kind: 'normal', std: i.std };
    case 'uniform':
      return { kind: 'uniform', limit: i.limit };
    case 'hyperfan':
      return {
        kind: 'hyperfan',
        input: i.input,
        [fanInKey]: i.fanIn,
        blocks: i.blocks.map((b) => [b.size, b.variance, b.product ? 1 : 0]),
        // A chunked head: column factors in blocks, chunk variances here (see Init in compiler/ir.ts).
        ...(i.chunks ? { chunks: { embeddings: i.chunks.embeddings, blocks: i.chunks.blocks.map((b) => [b.size, b.variance]) } } : {}),
      };
    default:
      return { kind: i.kind };
  }
}
