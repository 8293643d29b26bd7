/**
 * Other versions of a document, made from it as pure functions (the document itself is never changed):
 *
 * - {@link staticTwin}: the same target network with ordinary weights instead of generated ones. Every wire
 *   from a head into a target layer's weights port is removed (the port falls back to a weight the layer owns,
 *   initialised as the layer would without a head), and what only served generation goes with it: heads, context
 *   encoders and task embeddings that feed nothing else, the continual-learning output regulariser, weight
 *   penalties on head outputs, probes on removed nodes. Data, training settings and seed stay as they are, so
 *   the twin answers "what does generating the weights buy over training them directly, at the same budget?".
 * - {@link withFullBudget}: the document's `fullBudget` setting (the published configuration) applied.
 * - {@link withParams}: node parameters set by `<node>.<param>` (a sweep's configuration, a run's overrides).
 *
 * @example
 * const twin = staticTwin(doc);
 * if (twin.ok) train(compile(twin.doc).program!);
 */
import { z } from 'zod';
import { DataSettings, Training, type DocEdge, type HnetDocument } from '../document/schema';
import { getNodeType } from '../nodes';
import { problem, type HnetProblem } from './errors';
import { validateGraph } from './graph';

export type Variant = { ok: true; doc: HnetDocument; summary: string } | { ok: false; problems: HnetProblem[] };

/** A weights port that stopped being generated: `node.port`, and the head that used to drive it. */
export interface ReplacedWeight {
  node: string;
  port: string;
  head: string;
}

export type StaticTwin = (Variant & { ok: false }) | { ok: true; doc: HnetDocument; summary: string; replaced: ReplacedWeight[]; removed: string[] };

export function staticTwin(doc: HnetDocument): StaticTwin {
  const { graph, problems } = validateGraph(doc);
  if (problems.length) return { ok: false, problems };

  const replaced: ReplacedWeight[] = [];
  const kept: DocEdge[] = [];
  for (const e of graph.edges) {
    const target = graph.nodes.get(e.target)!;
    const port = target.inputs.find((p) => p.name === e.targetPort);
    if (target.type.category === 'target' && port?.kind === 'weights') replaced.push({ node: e.target, port: e.targetPort, head: e.source });
    else kept.push(e);
  }
  if (!replaced.length)
    return { ok: false, problems: [problem('HN044', 'this graph generates no weights (no head drives a target layer), so its static twin would be the graph itself', { path: 'edges' })] };

  // Heads only generate weights; what only fed them, or reads from what was removed, goes too.
  const removed = new Set<string>();
  for (const n of graph.nodes.values()) if (n.type.category === 'head' || n.type.roles?.onlyServesGeneration) removed.add(n.doc.id);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, n] of graph.nodes) {
      if (removed.has(id)) continue;
      const category = n.type.category;
      const unused = category === 'context' && !kept.some((e) => e.source === id && !removed.has(e.target));
      const orphaned = (category === 'probe' || category === 'objective' || category === 'metric') && kept.some((e) => e.target === id && removed.has(e.source));
      if (unused || orphaned) {
        removed.add(id);
        changed = true;
      }
    }
  }

  const replacedText = replaced.map((r) => `${r.node}.${r.port}`).join(', ');
  const twin: HnetDocument = {
    ...doc,
    metadata: {
      ...doc.metadata,
      name: `${doc.metadata.name} (static twin)`,
      description: `The static twin of “${doc.metadata.name}”: the same target network, data, budget and seed, with ordinary trained weights instead of generated ones (${replacedText}).`,
      result: undefined,
    },
    // Task inference tries each task's embedding; the twin has none, so it reports the task-given metrics only.
    ...(doc.training.continual?.taskInference ? { training: { ...doc.training, continual: { ...doc.training.continual, taskInference: false } } } : {}),
    nodes: doc.nodes.filter((n) => !removed.has(n.id)),
    edges: kept.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
    ...(doc.fullBudget
      ? { fullBudget: { ...doc.fullBudget, params: Object.fromEntries(Object.entries(doc.fullBudget.params).filter(([id]) => !removed.has(id))) } }
      : {}),
  };
  const summary =
    `static twin: ${replaced.length} generated weight${replaced.length === 1 ? '' : 's'} (${replacedText}) trained directly; removed ${[...removed].join(', ')}` +
    (doc.training.continual?.taskInference ? '; task inference off (no task embedding)' : '');
  return { ok: true, doc: twin, summary, replaced, removed: [...removed] };
}

/** The document with its `fullBudget` applied: training and data fields replaced, node parameters merged. */
export function withFullBudget(doc: HnetDocument): Variant {
  const full = doc.fullBudget;
  if (!full) return { ok: false, problems: [problem('HN045', 'this document has no full budget (a `fullBudget` section); train it with its own settings', { path: 'fullBudget' })] };
  const problems: HnetProblem[] = [];
  const training = Training.safeParse({ ...doc.training, ...full.training });
  if (!training.success)
    for (const i of training.error.issues) problems.push(problem('HN004', `full budget: ${i.message}`, { path: ['fullBudget', 'training', ...i.path].join('.') }));
  const data = DataSettings.safeParse({ ...doc.data, ...full.data });
  if (!data.success)
    for (const i of data.error.issues) problems.push(problem('HN004', `full budget: ${i.message}`, { path: ['fullBudget', 'data', ...i.path].join('.') }));
  const ids = new Set(doc.nodes.map((n) => n.id));
  for (const id of Object.keys(full.params))
    if (!ids.has(id)) problems.push(problem('HN004', `full budget: there is no node "${id}" to set parameters on`, { path: `fullBudget.params.${id}` }));
  if (problems.length || !training.success || !data.success) return { ok: false, problems };
  const nodes = doc.nodes.map((n) => (full.params[n.id] ? { ...n, params: { ...n.params, ...full.params[n.id] } } : n));
  const changed = [...Object.keys(full.training), ...Object.keys(full.data), ...Object.keys(full.params).map((id) => `${id} parameters`)];
  return {
    ok: true,
    doc: { ...doc, nodes, data: data.data, training: training.data },
    summary: `full budget${full.note ? `: ${full.note}` : ''}${changed.length ? ` (changes ${changed.join(', ')})` : ''}`,
  };
}

/**
 * The document with node parameters set, by `<node>.<param>` (`{ 'hyper.chunkSize': 500 }`). A node that does not
 * exist is a problem naming the key; the values themselves are checked by the node's schema when the document
 * compiles, where an error names the node and the parameter.
 */
export function withParams(doc: HnetDocument, params: Readonly<Record<string, unknown>>): Variant {
  const byNode = new Map<string, Record<string, unknown>>();
  const problems: HnetProblem[] = [];
  const typeOf = new Map(doc.nodes.map((n) => [n.id, n.type]));
  for (const [key, value] of Object.entries(params)) {
    const dot = key.indexOf('.');
    const id = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const type = typeOf.get(id);
    if (dot <= 0 || dot === key.length - 1) problems.push(problem('HN004', `"${key}" does not name a node parameter: write <node>.<param>, like hyper.chunkSize`, { path: key }));
    else if (type === undefined) problems.push(problem('HN004', `there is no node "${id}" to set ${name} on`, { node: id, path: key }));
    else {
      // A name the node type does not have would be ignored: say so instead (its schema lists the names it has).
      const schema = getNodeType(type)?.params;
      const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
      if (known && !known.includes(name))
        problems.push(problem('HN012', `${type} has no parameter "${name}"; it has ${known.join(', ') || 'none'}`, { node: id, port: name, path: key }));
      else (byNode.get(id) ?? byNode.set(id, {}).get(id)!)[name] = value;
    }
  }
  if (problems.length) return { ok: false, problems };
  const nodes = doc.nodes.map((n) => (byNode.has(n.id) ? { ...n, params: { ...n.params, ...byNode.get(n.id) } } : n));
  const keys = Object.keys(params);
  return { ok: true, doc: { ...doc, nodes }, summary: keys.length ? `parameters set: ${keys.map((k) => `${k}=${JSON.stringify(params[k])}`).join(', ')}` : 'no parameters set' };
}
