/**
 * Pure edits of a document: each takes a document and returns a new one, sharing every object it did not
 * change (so memoised views of untouched nodes stay put). The store wraps them with history.
 */
import { CURRENT_VERSION, FORMAT_NAME, HnetDocument, type DocEdge, type DocNode } from '../../../shared/document/schema';
import { blockTree, isBlock, resolvePort, specOf } from '../../../shared/document/blocks';
import { pruneBlockRefs, withDescendants } from './blockOps';
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

/** Add a node of `typeId` at `position`, inside block `level` when given (the block the canvas shows). */
export function addNode(doc: HnetDocument, typeId: string, position: { x: number; y: number }, level?: string): { doc: HnetDocument; id: string } {
  const id = newNodeId(typeId, new Set(doc.nodes.map((n) => n.id)));
  const node: DocNode = {
    id,
    type: typeId,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    params: {},
    ...(level !== undefined ? { parent: level } : {}),
  };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

/** Remove nodes (a block with everything inside it) and wires; blocks' ports naming removed nodes go too. */
export function removeElements(doc: HnetDocument, selectedNodes: ReadonlySet<string>, edgeKeySet: ReadonlySet<string>): HnetDocument {
  if (!selectedNodes.size && !edgeKeySet.size) return doc;
  const nodeIds = selectedNodes.size ? withDescendants(doc, selectedNodes) : selectedNodes;
  const keys = cachedEdgeKeys(doc.edges);
  const edges = doc.edges.filter((e, i) => !nodeIds.has(e.source) && !nodeIds.has(e.target) && !edgeKeySet.has(keys[i]));
  const nodes = nodeIds.size ? doc.nodes.filter((n) => !nodeIds.has(n.id)) : doc.nodes;
  const next = { ...doc, nodes, edges };
  return nodeIds.size ? pruneBlockRefs(next) : next;
}

/** Remove every wire into or out of node `id` (for a block: every wire crossing its boundary). */
export function disconnectNode(doc: HnetDocument, id: string): HnetDocument {
  const inside = withDescendants(doc, new Set([id]));
  const edges = doc.edges.filter((e) => inside.has(e.source) === inside.has(e.target));
  return edges.length === doc.edges.length ? doc : { ...doc, edges };
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

/**
 * The real wire a connection between handles stands for: a block's handle is a name for the port of a node
 * inside it. Null when a block handle stands for nothing (a broken port).
 */
export function realConnection(doc: HnetDocument, c: ConnectionAttempt): ConnectionAttempt | null {
  const tree = blockTree(doc.nodes);
  const src = tree.byId.get(c.source);
  const dst = tree.byId.get(c.target);
  let out = c;
  if (src && isBlock(src)) {
    const r = resolvePort(tree, c.source, 'outputs', c.sourceHandle ?? '');
    if (!r) return null;
    out = { ...out, source: r.node, sourceHandle: r.port };
  }
  if (dst && isBlock(dst)) {
    const r = resolvePort(tree, c.target, 'inputs', c.targetHandle ?? '');
    if (!r) return null;
    out = { ...out, target: r.node, targetHandle: r.port };
  }
  return out;
}

/** Why a wire from an output to an input cannot be made, or null when it can. Mirrors the compiler's checks. */
export function connectionProblem(doc: HnetDocument, attempt: ConnectionAttempt): string | null {
  if (attempt.source === attempt.target) return 'a node cannot be wired to itself';
  const c = realConnection(doc, attempt);
  if (!c) return `that block port stands for no port inside the block`;
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

export function connect(doc: HnetDocument, attempt: ConnectionAttempt): HnetDocument {
  const c = realConnection(doc, attempt);
  if (!c) return doc;
  const edge: DocEdge = { source: c.source, sourcePort: c.sourceHandle ?? '', target: c.target, targetPort: c.targetHandle ?? '' };
  return { ...doc, edges: [...doc.edges, edge] };
}

/** What copy puts on the clipboard: nodes and the edges between them. */
export interface Fragment {
  nodes: DocNode[];
  edges: DocEdge[];
}

/** The nodes `ids` (blocks with everything inside them) and the wires among them. */
export function copyFragment(doc: HnetDocument, selected: ReadonlySet<string>): Fragment | null {
  const ids = withDescendants(doc, selected);
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  if (!nodes.length) return null;
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { nodes: structuredClone(nodes), edges: structuredClone(edges) };
}

/**
 * Paste a fragment with fresh ids into block `level` (undefined: the top level): the fragment's outermost nodes
 * move by `offset` (nodes inside pasted blocks keep their place in their block); edges inside come along.
 * Returns the ids of the outermost pasted nodes.
 */
export function pasteFragment(
  doc: HnetDocument,
  frag: Fragment,
  offset: { x: number; y: number },
  level?: string,
  /** Keep a node's id where the document does not use it yet (inserting a library block); copies always get new ones. */
  keepFreeIds = false,
): { doc: HnetDocument; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of frag.nodes) {
    const id = keepFreeIds && !taken.has(n.id) ? n.id : copyNodeId(n.id, taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  const inFrag = new Set(frag.nodes.map((n) => n.id));
  const roots: string[] = [];
  const nodes: DocNode[] = frag.nodes.map((n) => {
    const id = rename.get(n.id)!;
    const { parent, ...rest } = structuredClone(n);
    const root = parent === undefined || !inFrag.has(parent);
    if (root) roots.push(id);
    const copy: DocNode = root
      ? { ...rest, id, position: { ...n.position, x: n.position.x + offset.x, y: n.position.y + offset.y }, ...(level !== undefined ? { parent: level } : {}) }
      : { ...rest, id, parent: rename.get(parent)! };
    if (isBlock(copy)) {
      const s = specOf(copy);
      const re = <T extends { node: string }>(p: T): T => ({ ...p, node: rename.get(p.node) ?? p.node });
      copy.block = { ...s, inputs: s.inputs.map(re), outputs: s.outputs.map(re), promoted: s.promoted.map(re) };
    }
    return copy;
  });
  const edgeIds = new Set(doc.edges.map((e) => e.id).filter(Boolean));
  const edges: DocEdge[] = frag.edges.map((e) => {
    const copy: DocEdge = { ...structuredClone(e), source: rename.get(e.source)!, target: rename.get(e.target)! };
    // Edge ids must stay unique; copies drop theirs (the key falls back to the ports).
    if (copy.id !== undefined && edgeIds.has(copy.id)) delete copy.id;
    return copy;
  });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: roots };
}

/** Whether a node's type is known (unknown ones render as a plain card with their error). */
export const isKnownType = (typeId: string) => getNodeType(typeId) !== undefined;
