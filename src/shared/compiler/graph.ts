/**
 * Pass 1, validate: turn a parsed document into a graph of known node types with checked parameters and
 * well-formed edges, collecting every problem rather than stopping at the first. Pass 2, order: a stable
 * topological order (document order among ready nodes), or the cycle that prevents one.
 */
import type { z } from 'zod';
import type { DocEdge, DocNode, HnetDocument } from '../document/schema';
import { isBlock } from '../document/blocks';
import { categoryOfId, getNodeType, nodeTypes } from '../nodes';
import type { NodeType, PortDecl } from '../nodes/types';

/**
 * The ports a bypassed node passes through: its first tensor input to its first tensor output. Only layers
 * (target category) have them; null for any other node.
 */
export function bypassPorts(type: NodeType, inputs: readonly PortDecl[], outputs: readonly PortDecl[]): { input: string; output: string } | null {
  if (type.category !== 'target') return null;
  const input = inputs.find((p) => p.kind === 'tensor');
  const output = outputs.find((p) => p.kind === 'tensor');
  return input && output ? { input: input.name, output: output.name } : null;
}
import { fieldMessage, labelOf } from '../issues';
import { problem, type HnetProblem } from './errors';

export interface GraphNode {
  doc: DocNode;
  type: NodeType;
  params: Record<string, unknown>;
  inputs: PortDecl[];
  outputs: PortDecl[];
}

export interface Graph {
  doc: HnetDocument;
  nodes: Map<string, GraphNode>;
  /** Valid edges, in document order. */
  edges: DocEdge[];
  /** The edge driving each input port, by `node.port`. */
  inEdge: Map<string, DocEdge>;
  /** Edges leaving each output port, by `node.port`, in document (wiring) order. */
  outEdges: Map<string, DocEdge[]>;
  order: string[];
}

export const portKey = (node: string, port: string) => `${node}.${port}`;

export function validateGraph(doc: HnetDocument): { graph: Graph; problems: HnetProblem[] } {
  const problems: HnetProblem[] = [];
  const nodes = new Map<string, GraphNode>();
  const seen = new Set<string>();
  const blocks = new Set<string>();
  const bypassed = new Map<string, { input: string; output: string }>();
  for (const n of doc.nodes) {
    if (seen.has(n.id)) {
      problems.push(problem('HN010', `node id "${n.id}" is used more than once; ids must be unique`, { node: n.id }));
      continue;
    }
    seen.add(n.id);
    // Blocks are structure only (./blocks.ts checks them); the nodes inside them are ordinary nodes.
    if (isBlock(n)) {
      blocks.add(n.id);
      continue;
    }
    const type = getNodeType(n.type);
    if (!type) {
      problems.push(problem('HN011', `unknown node type "${n.type}"${suggest(n.type)}`, { node: n.id }));
      continue;
    }
    const parsed = type.params.safeParse(n.params ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(paramProblem(type, n.id, issue));
      continue;
    }
    const params = parsed.data as Record<string, unknown>;
    const inputs = type.inputs(params);
    const outputs = type.outputs(params);
    if (n.bypass) {
      const through = bypassPorts(type, inputs, outputs);
      if (through) bypassed.set(n.id, through);
      else problems.push(problem('HN074', `is bypassed, but a ${type.title} node has no tensor input and output to pass through; turn bypass off`, { node: n.id, path: 'bypass' }));
      continue;
    }
    nodes.set(n.id, { doc: n, type, params, inputs, outputs });
  }

  // A bypassed node is not in the program: what its output fed is driven by what drove its input instead.
  const drivers = new Map<string, DocEdge>();
  for (const e of doc.edges) if (bypassed.get(e.target)?.input === e.targetPort && !drivers.has(e.target)) drivers.set(e.target, e);
  const throughBypass = (e: DocEdge): DocEdge | null => {
    let cur = e;
    for (let hops = 0; bypassed.has(cur.source); hops++) {
      const d = drivers.get(cur.source);
      if (!d || cur.sourcePort !== bypassed.get(cur.source)!.output || hops > bypassed.size) return null;
      cur = { ...cur, source: d.source, sourcePort: d.sourcePort };
    }
    return cur;
  };
  for (const [id, t] of bypassed)
    if (!drivers.has(id)) problems.push(problem('HN024', `is bypassed, but its input "${t.input}" is not wired, so nothing can pass through`, { node: id, port: t.input }));

  const edges: DocEdge[] = [];
  const inEdge = new Map<string, DocEdge>();
  const outEdges = new Map<string, DocEdge[]>();
  const edgeIds = new Set<string>();
  doc.edges.forEach((original, i) => {
    const path = `edges[${i}]`;
    // Wires into a bypassed node go nowhere; wires out of it start where its input came from.
    if (bypassed.has(original.target)) return;
    const e = throughBypass(original);
    if (!e) return;
    if (e.id !== undefined) {
      if (edgeIds.has(e.id)) problems.push(problem('HN026', `edge id "${e.id}" is used more than once`, { path }));
      edgeIds.add(e.id);
    }
    const block = blocks.has(e.source) ? e.source : blocks.has(e.target) ? e.target : undefined;
    if (block !== undefined)
      return void problems.push(
        problem('HN021', `a wire joins "${block}", which is a block; wires join the ports of the nodes inside it (a block's ports are names for those)`, { path, node: block }),
      );
    // Edges touching a node that already failed add nothing but noise.
    if (!seen.has(e.source)) return void problems.push(problem('HN020', `edge from missing node "${e.source}"`, { path, node: e.target, port: e.targetPort }));
    if (!seen.has(e.target)) return void problems.push(problem('HN020', `edge to missing node "${e.target}"`, { path, node: e.source, port: e.sourcePort }));
    const src = nodes.get(e.source);
    const dst = nodes.get(e.target);
    if (!src || !dst) return;
    const out = src.outputs.find((p) => p.name === e.sourcePort);
    const inp = dst.inputs.find((p) => p.name === e.targetPort);
    if (!out) return void problems.push(problem('HN021', `has no output "${e.sourcePort}" (outputs: ${names(src.outputs)})`, { node: e.source, port: e.sourcePort, path }));
    if (!inp) return void problems.push(problem('HN021', `has no input "${e.targetPort}" (inputs: ${names(dst.inputs)})`, { node: e.target, port: e.targetPort, path }));
    if (inp.kind !== 'any' && inp.kind !== out.kind)
      return void problems.push(problem('HN022', `expects ${article(inp.kind)} wire but ${e.source}.${e.sourcePort} carries ${out.kind}`, { node: e.target, port: e.targetPort, path }));
    const key = portKey(e.target, e.targetPort);
    if (inEdge.has(key)) {
      const first = inEdge.get(key)!;
      return void problems.push(problem('HN023', `is already driven by ${first.source}.${first.sourcePort}; an input takes one wire`, { node: e.target, port: e.targetPort, path }));
    }
    inEdge.set(key, e);
    const okey = portKey(e.source, e.sourcePort);
    const leaving = outEdges.get(okey);
    if (leaving) leaving.push(e);
    else outEdges.set(okey, [e]);
    edges.push(e);
  });

  for (const [id, n] of nodes)
    for (const p of n.inputs)
      if (!p.optional && !inEdge.has(portKey(id, p.name))) problems.push(problem('HN024', `input "${p.name}" is not wired (${p.doc})`, { node: id, port: p.name }));

  const { order, cycle } = topoOrder(nodes, edges);
  if (cycle.length) problems.push(problem('HN025', `the graph has a cycle: ${[...cycle, cycle[0]].join(' → ')}`, { node: cycle[0] }));

  const datasets = [...nodes.values()].filter((n) => n.type.category === 'data');
  if (doc.nodes.length > 0 && datasets.length === 0 && ![...doc.nodes].some((n) => categoryOfId(n.type) === 'data'))
    problems.push(problem('HN040', 'the graph has no dataset; add one from the Data category', { path: 'nodes' }));
  if (datasets.length > 1)
    problems.push(problem('HN041', `the graph has ${datasets.length} datasets (${datasets.map((d) => d.doc.id).join(', ')}); a run trains on one`, { node: datasets[1].doc.id }));
  const objectives = [...nodes.values()].filter((n) => n.type.category === 'objective' && !n.type.roles?.regularizer);
  if (doc.nodes.length > 0 && objectives.length === 0 && ![...doc.nodes].some((n) => categoryOfId(n.type) === 'objective'))
    problems.push(problem('HN042', 'the graph has no objective to train; add a loss such as Cross-entropy or MSE', { path: 'nodes' }));

  return { graph: { doc, nodes, edges, inEdge, outEdges, order }, problems };
}

function topoOrder(nodes: Map<string, GraphNode>, edges: DocEdge[]): { order: string[]; cycle: string[] } {
  const indeg = new Map<string, number>([...nodes.keys()].map((k) => [k, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
    const targets = next.get(e.source);
    if (targets) targets.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const ids = [...nodes.keys()];
  const order: string[] = [];
  const ready = ids.filter((id) => indeg.get(id) === 0);
  const placed = new Set<string>();
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head];
    order.push(id);
    placed.add(id);
    for (const t of next.get(id) ?? []) {
      indeg.set(t, indeg.get(t)! - 1);
      if (indeg.get(t) === 0) ready.push(t);
    }
  }
  if (order.length === ids.length) return { order, cycle: [] };
  // Walk forward inside the unplaced nodes until a node repeats: that loop is a cycle to show the user.
  const left = new Set(ids.filter((id) => !placed.has(id)));
  let cur = [...left][0];
  const path: string[] = [];
  const at = new Map<string, number>();
  while (!at.has(cur)) {
    at.set(cur, path.length);
    path.push(cur);
    cur = (next.get(cur) ?? []).find((t) => left.has(t))!;
  }
  return { order, cycle: path.slice(at.get(cur)) };
}

function paramProblem(type: NodeType, node: string, issue: z.core.$ZodIssue): HnetProblem {
  const field = issue.path.map(String).join('.') || 'params';
  const tooBig = issue.code === 'too_big' && typeof (issue as { maximum?: unknown }).maximum === 'number';
  // Named by its label in the inspector (its `ui.label`, else the key), the limit said plainly (../issues.ts).
  const key = issue.path[0];
  const schema = typeof key === 'string' ? (type.params.shape as Record<string, z.ZodType | undefined>)[key] : undefined;
  const label = (schema?.meta() as { ui?: { label?: string } } | undefined)?.ui?.label ?? (typeof key === 'string' ? labelOf(key) : 'Parameters');
  return problem(tooBig ? 'HN013' : 'HN012', fieldMessage(label, { ...issue, path: issue.path.slice(1) }), { node, port: field, path: `params.${field}` });
}

const names = (ports: PortDecl[]) => (ports.length ? ports.map((p) => p.name).join(', ') : 'none');
const article = (kind: string) => (kind === 'any' ? 'any' : `a ${kind}`);

function suggest(type: string): string {
  const close = nodeTypes.map((t) => t.id).filter((id) => id.endsWith(type.split('.').pop() ?? '') || levenshtein(id, type) <= 3);
  return close.length ? `; did you mean ${close.slice(0, 3).map((c) => `"${c}"`).join(' or ')}?` : '; see `hnet nodes` or the palette for the types there are';
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}
