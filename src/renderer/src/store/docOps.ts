/**
 * Pure edits of a document: each takes a document and returns a new one, sharing every object it did not
 * change (so memoised views of untouched nodes stay put). The store wraps them with history.
 */
import { CURRENT_VERSION, FORMAT_NAME, HnetDocument, type DocEdge, type DocNode } from '../../../shared/document/schema';
import { copyNodeId, getNodeType, newNodeId, nodeInfo } from './catalog';

/**
 * A stable key for every edge of a document, used as the React Flow edge id: the edge's own `id` when it has
 * one, else `source.port->target.port` (unique as long as each input takes one wire; repeats get `#n`).
 */
export function edgeKeys(edges: readonly DocEdge[]): string[] {
  const seen = new Map<string, number>();
  return edges.map((e) => {
    const base = e.id !== undefined ? `id:${e.id}` : `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}#${n}` : base;
  });
}

const keysCache = new WeakMap<readonly DocEdge[], string[]>();
export function cachedEdgeKeys(edges: readonly DocEdge[]): string[] {
  let k = keysCache.get(edges);
  if (!k) keysCache.set(edges, (k = edgeKeys(edges)));
  return k;
}

/** A new document: every field at the schema's default (src/shared/document/schema.ts is their one declaration). */
export function emptyDocument(name = 'Untitled'): HnetDocument {
  return HnetDocument.parse({ format: FORMAT_NAME, version: CURRENT_VERSION, metadata: { name }, nodes: [] });
}

export function addNode(doc: HnetDocument, typeId: string, position: { x: number; y: number }): { doc: HnetDocument; id: string } {
  const id = newNodeId(typeId, new Set(doc.nodes.map((n) => n.id)));
  const node: DocNode = { id, type: typeId, position: { x: Math.round(position.x), y: Math.round(position.y) }, params: {} };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export function removeElements(doc: HnetDocument, nodeIds: ReadonlySet<string>, edgeKeySet: ReadonlySet<string>): HnetDocument {
  if (!nodeIds.size && !edgeKeySet.size) return doc;
  const keys = cachedEdgeKeys(doc.edges);
  const edges = doc.edges.filter((e, i) => !nodeIds.has(e.source) && !nodeIds.has(e.target) && !edgeKeySet.has(keys[i]));
  const nodes = nodeIds.size ? doc.nodes.filter((n) => !nodeIds.has(n.id)) : doc.nodes;
  return { ...doc, nodes, edges };
}

export function moveNodes(doc: HnetDocument, moves: ReadonlyMap<string, { x: number; y: number }>): HnetDocument {
  if (!moves.size) return doc;
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = moves.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { ...n.position, x: p.x, y: p.y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

export function updateNode(doc: HnetDocument, id: string, update: (n: DocNode) => DocNode): HnetDocument {
  const i = doc.nodes.findIndex((n) => n.id === id);
  if (i < 0) return doc;
  const nodes = doc.nodes.slice();
  nodes[i] = update(nodes[i]);
  return { ...doc, nodes };
}

export function setParam(doc: HnetDocument, id: string, key: string, value: unknown): HnetDocument {
  return updateNode(doc, id, (n) => {
    const params = { ...(n.params ?? {}) };
    if (value === undefined) delete params[key];
    else params[key] = value;
    return { ...n, params };
  });
}

export function setLabel(doc: HnetDocument, id: string, label: string): HnetDocument {
  return updateNode(doc, id, (n) => {
    const next = { ...n };
    if (label.trim() === '') delete next.label;
    else next.label = label.slice(0, 200);
    return next;
  });
}

export interface ConnectionAttempt {
  source: string;
  sourceHandle: string | null | undefined;
  target: string;
  targetHandle: string | null | undefined;
}

/** Why a wire from an output to an input cannot be made, or null when it can. Mirrors the compiler's checks. */
export function connectionProblem(doc: HnetDocument, c: ConnectionAttempt): string | null {
  if (c.source === c.target) return 'a node cannot be wired to itself';
  const src = doc.nodes.find((n) => n.id === c.source);
  const dst = doc.nodes.find((n) => n.id === c.target);
  if (!src || !dst) return 'that node no longer exists';
  const out = nodeInfo(src).outputs.find((p) => p.name === c.sourceHandle);
  const inp = nodeInfo(dst).inputs.find((p) => p.name === c.targetHandle);
  if (!out) return `${c.source} has no output "${c.sourceHandle ?? ''}"`;
  if (!inp) return `${c.target} has no input "${c.targetHandle ?? ''}"`;
  if (inp.kind !== 'any' && inp.kind !== out.kind)
    return `${c.target}.${inp.name} takes ${article(inp.kind)} wire, but ${c.source}.${out.name} carries ${out.kind}`;
  const driver = doc.edges.find((e) => e.target === c.target && e.targetPort === inp.name);
  if (driver) return `${c.target}.${inp.name} is already wired from ${driver.source}.${driver.sourcePort}; an input takes one wire (delete that wire first)`;
  if (reaches(doc.edges, c.target, c.source)) return `wiring ${c.source} → ${c.target} would create a cycle`;
  return null;
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

/** Is `to` reachable from `from` along the edges? */
function reaches(edges: readonly DocEdge[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const l = next.get(e.source);
    if (l) l.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const stack = [from];
  const seen = new Set<string>([from]);
  while (stack.length) {
    const n = stack.pop()!;
    if (n === to) return true;
    for (const m of next.get(n) ?? [])
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
  }
  return false;
}

export function connect(doc: HnetDocument, c: ConnectionAttempt): HnetDocument {
  const edge: DocEdge = { source: c.source, sourcePort: c.sourceHandle ?? '', target: c.target, targetPort: c.targetHandle ?? '' };
  return { ...doc, edges: [...doc.edges, edge] };
}

/** What copy puts on the clipboard: nodes and the edges between them. */
export interface Fragment {
  nodes: DocNode[];
  edges: DocEdge[];
}

export function copyFragment(doc: HnetDocument, ids: ReadonlySet<string>): Fragment | null {
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  if (!nodes.length) return null;
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { nodes: structuredClone(nodes), edges: structuredClone(edges) };
}

/** Paste a fragment with fresh ids, moved by `offset`; edges inside the fragment come along. */
export function pasteFragment(doc: HnetDocument, frag: Fragment, offset: { x: number; y: number }): { doc: HnetDocument; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  const nodes: DocNode[] = frag.nodes.map((n) => {
    const id = copyNodeId(n.id, taken);
    taken.add(id);
    rename.set(n.id, id);
    return { ...structuredClone(n), id, position: { ...n.position, x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const edgeIds = new Set(doc.edges.map((e) => e.id).filter(Boolean));
  const edges: DocEdge[] = frag.edges.map((e) => {
    const copy: DocEdge = { ...structuredClone(e), source: rename.get(e.source)!, target: rename.get(e.target)! };
    // Edge ids must stay unique; copies drop theirs (the key falls back to the ports).
    if (copy.id !== undefined && edgeIds.has(copy.id)) delete copy.id;
    return copy;
  });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) };
}

/** Whether a node's type is known (unknown ones render as a plain card with their error). */
export const isKnownType = (typeId: string) => getNodeType(typeId) !== undefined;
