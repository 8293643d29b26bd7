/**
 * Edits of blocks (subgraphs), pure like docOps: make a block of selected nodes, ungroup one, change its ports and
 * promoted parameters, and turn one into a library file and back. The nodes inside a block keep their ids and
 * their wires (wires always join real nodes), so making or dissolving a block never changes what trains.
 */
import { blockTree, endAt, freePortName, isBlock, specOf, type PortRef, type PortSide } from '../../../shared/document/blocks';
import {
  BLOCK_FILE_FORMAT,
  BLOCK_TYPE,
  CURRENT_VERSION,
  type BlockFile,
  PortName,
  type BlockPort,
  type BlockSpec,
  type DocNode,
  type HnetDocument,
} from '../../../shared/document/schema';
import { newNodeId } from './catalog';

const withSpec = (n: DocNode, spec: BlockSpec): DocNode => ({ ...n, block: spec });

function replaceNodes(doc: HnetDocument, changed: ReadonlyMap<string, DocNode | null>): HnetDocument {
  if (!changed.size) return doc;
  const nodes: DocNode[] = [];
  for (const n of doc.nodes) {
    const c = changed.get(n.id);
    if (c === null) continue;
    nodes.push(c ?? n);
  }
  return { ...doc, nodes };
}

/**
 * Make a block of the nodes `ids` that sit at `level` (a block's id, undefined for the top level): one block node
 * in their place, with a port for every wire that crosses the new boundary. Null when none of `ids` is at `level`.
 */
export function makeBlock(doc: HnetDocument, ids: ReadonlySet<string>, level: string | undefined, name = 'Block'): { doc: HnetDocument; id: string } | null {
  const tree = blockTree(doc.nodes);
  const members = doc.nodes.filter((n) => ids.has(n.id) && tree.visibleAt(n.id, level) === n.id);
  if (!members.length) return null;
  const memberIds = new Set(members.map((n) => n.id));
  const inside = new Set(memberIds);
  for (const m of members) if (isBlock(m)) for (const d of tree.descendants(m.id)) inside.add(d);

  const id = newNodeId(BLOCK_TYPE, new Set(doc.nodes.map((n) => n.id)));
  const ports: Record<PortSide, BlockPort[]> = { inputs: [], outputs: [] };
  const add = (side: PortSide, ref: PortRef | undefined) => {
    if (!ref || ports[side].some((p) => p.node === ref.node && p.port === ref.port)) return;
    ports[side].push({ name: freePortName(new Set(ports[side].map((p) => p.name)), ref), node: ref.node, port: ref.port });
  };
  // Ports of the enclosing block that stand for a member will go through the new block.
  const enclosing = level !== undefined ? tree.byId.get(level) : undefined;
  if (enclosing) for (const side of ['inputs', 'outputs'] as const) for (const p of specOf(enclosing)[side]) if (memberIds.has(p.node)) add(side, p);
  for (const e of doc.edges) {
    const sIn = inside.has(e.source);
    const tIn = inside.has(e.target);
    if (sIn && !tIn) add('outputs', endAt(tree, level, 'outputs', { node: e.source, port: e.sourcePort }));
    if (tIn && !sIn) add('inputs', endAt(tree, level, 'inputs', { node: e.target, port: e.targetPort }));
  }
  const xs = members.map((n) => n.position.x);
  const ys = members.map((n) => n.position.y);
  const block: DocNode = {
    id,
    type: BLOCK_TYPE,
    label: name,
    params: {},
    position: { x: Math.round(Math.min(...xs)), y: Math.round(ys.reduce((a, b) => a + b, 0) / ys.length) },
    ...(level !== undefined ? { parent: level } : {}),
    block: { description: '', inputs: ports.inputs, outputs: ports.outputs, promoted: [] },
  };
  const nodes: DocNode[] = [];
  for (const n of doc.nodes) {
    if (n.id === members[0].id) nodes.push(block);
    nodes.push(memberIds.has(n.id) ? { ...n, parent: id } : n);
  }
  // The block that held the members now holds the new block: its ports that stood for a member go through it.
  let next: HnetDocument = { ...doc, nodes };
  if (level !== undefined) next = repointPorts(next, level, (p, side) => (memberIds.has(p.node) ? portThrough(block, side, p) : p));
  return { doc: next, id };
}

/** The port of the new block `block` that stands for `p` (a member's port). */
function portThrough(block: DocNode, side: PortSide, p: BlockPort): BlockPort {
  const q = specOf(block)[side].find((x) => x.node === p.node && x.port === p.port);
  return q ? { ...p, node: block.id, port: q.name } : p;
}

function repointPorts(doc: HnetDocument, blockId: string, fn: (p: BlockPort, side: PortSide) => BlockPort | null): HnetDocument {
  const b = doc.nodes.find((n) => n.id === blockId);
  if (!b || !isBlock(b)) return doc;
  const spec = specOf(b);
  const map = (side: PortSide) => spec[side].map((p) => fn(p, side)).filter((p): p is BlockPort => p !== null);
  return replaceNodes(doc, new Map([[blockId, withSpec(b, { ...spec, inputs: map('inputs'), outputs: map('outputs') })]]));
}

/** Dissolve block `id`: the nodes inside it move up to the level the block was at; their wires stay. */
export function ungroupBlock(doc: HnetDocument, id: string): HnetDocument {
  const b = doc.nodes.find((n) => n.id === id);
  if (!b || !isBlock(b)) return doc;
  const spec = specOf(b);
  const changed = new Map<string, DocNode | null>([[id, null]]);
  for (const n of doc.nodes)
    if (n.parent === id) {
      const { parent: _drop, ...rest } = n;
      changed.set(n.id, b.parent !== undefined ? { ...rest, parent: b.parent } : rest);
    }
  let next = replaceNodes(doc, changed);
  // An enclosing block's ports that went through this block now stand for the inner port directly.
  if (b.parent !== undefined)
    next = repointPorts(next, b.parent, (p, side) => {
      if (p.node !== id) return p;
      const q = spec[side].find((x) => x.name === p.port);
      return q ? { ...p, node: q.node, port: q.port } : null;
    });
  // Promoted parameters of enclosing blocks name inner nodes directly, so they stay valid.
  return next;
}

/** Node ids together with everything inside the blocks among them. */
export function withDescendants(doc: HnetDocument, ids: ReadonlySet<string>): Set<string> {
  const tree = blockTree(doc.nodes);
  const out = new Set(ids);
  for (const id of ids) if (tree.byId.get(id) && isBlock(tree.byId.get(id)!)) for (const d of tree.descendants(id)) out.add(d);
  return out;
}

/** After nodes were removed: drop the ports and promoted parameters of blocks that named them. */
export function pruneBlockRefs(doc: HnetDocument): HnetDocument {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const changed = new Map<string, DocNode>();
  for (const n of doc.nodes) {
    if (!isBlock(n) || !n.block) continue;
    const s = n.block;
    const inputs = s.inputs.filter((p) => ids.has(p.node));
    const outputs = s.outputs.filter((p) => ids.has(p.node));
    const promoted = s.promoted.filter((p) => ids.has(p.node));
    if (inputs.length !== s.inputs.length || outputs.length !== s.outputs.length || promoted.length !== s.promoted.length)
      changed.set(n.id, withSpec(n, { ...s, inputs, outputs, promoted }));
  }
  return replaceNodes(doc, changed);
}

/** Edit a block's spec (name and description go through setLabel and this). */
export function updateBlock(doc: HnetDocument, id: string, update: (s: BlockSpec) => BlockSpec): HnetDocument {
  const b = doc.nodes.find((n) => n.id === id);
  if (!b || !isBlock(b)) return doc;
  return replaceNodes(doc, new Map([[id, withSpec(b, update(specOf(b)))]]));
}

/** Every port of the nodes directly inside block `id` that none of its ports stands for yet. */
export function unexposedPorts(doc: HnetDocument, id: string, side: PortSide, portsOf: (n: DocNode) => string[]): PortRef[] {
  const b = doc.nodes.find((n) => n.id === id);
  if (!b) return [];
  const taken = new Set(specOf(b)[side].map((p) => `${p.node}.${p.port}`));
  const out: PortRef[] = [];
  for (const n of blockTree(doc.nodes).children(id)) for (const port of portsOf(n)) if (!taken.has(`${n.id}.${port}`)) out.push({ node: n.id, port });
  return out;
}

export function addBlockPort(doc: HnetDocument, id: string, side: PortSide, ref: PortRef): HnetDocument {
  return updateBlock(doc, id, (s) => ({ ...s, [side]: [...s[side], { name: freePortName(new Set(s[side].map((p) => p.name)), ref), node: ref.node, port: ref.port }] }));
}

/** Remove a port; the wires that crossed the boundary through it go too (they would cross without a port). */
export function removeBlockPort(doc: HnetDocument, id: string, side: PortSide, name: string): HnetDocument {
  const b = doc.nodes.find((n) => n.id === id);
  if (!b || !isBlock(b)) return doc;
  const tree = blockTree(doc.nodes);
  const inside = tree.descendants(id);
  const through = (ref: PortRef) => endAt(tree, tree.byId.get(id)!.parent, side, ref);
  const edges = doc.edges.filter((e) => {
    const [innerEnd, outerEnd] = side === 'inputs' ? [{ node: e.target, port: e.targetPort }, e.source] : [{ node: e.source, port: e.sourcePort }, e.target];
    if (!inside.has(innerEnd.node) || inside.has(outerEnd)) return true;
    const at = through(innerEnd);
    return !(at && at.node === id && at.port === name);
  });
  const next = updateBlock({ ...doc, edges }, id, (s) => ({ ...s, [side]: s[side].filter((p) => p.name !== name) }));
  // An enclosing block's port through this one goes with it.
  return b.parent !== undefined ? repointPorts(next, b.parent, (p, s) => (p.node === id && s === side && p.port === name ? null : p)) : next;
}

/** Why `name` cannot be the new name of a port, or null. */
export function portNameProblem(doc: HnetDocument, id: string, side: PortSide, old: string, name: string): string | null {
  if (!PortName.safeParse(name).success) return 'a port name starts with a letter or _ and uses only letters, digits and _';
  const b = doc.nodes.find((n) => n.id === id);
  if (b && name !== old && specOf(b)[side].some((p) => p.name === name)) return `this block already has ${side === 'inputs' ? 'an input' : 'an output'} named "${name}"`;
  return null;
}

export function renameBlockPort(doc: HnetDocument, id: string, side: PortSide, old: string, name: string): HnetDocument {
  if (old === name || portNameProblem(doc, id, side, old, name)) return doc;
  const b = doc.nodes.find((n) => n.id === id);
  let next = updateBlock(doc, id, (s) => ({ ...s, [side]: s[side].map((p) => (p.name === old ? { ...p, name } : p)) }));
  if (b?.parent !== undefined) next = repointPorts(next, b.parent, (p, s) => (p.node === id && s === side && p.port === old ? { ...p, port: name } : p));
  return next;
}

export function togglePromoted(doc: HnetDocument, blockId: string, node: string, param: string): HnetDocument {
  return updateBlock(doc, blockId, (s) => {
    const has = s.promoted.some((p) => p.node === node && p.param === param);
    return { ...s, promoted: has ? s.promoted.filter((p) => !(p.node === node && p.param === param)) : [...s.promoted, { node, param }] };
  });
}

/** Block `id` as a library file: the block (at no level), everything inside it and the wires among those. */
export function blockToFile(doc: HnetDocument, id: string): BlockFile | null {
  const b = doc.nodes.find((n) => n.id === id);
  if (!b || !isBlock(b)) return null;
  const inside = blockTree(doc.nodes).descendants(id);
  const { parent: _drop, ...root } = b;
  const nodes = [structuredClone(root), ...doc.nodes.filter((n) => inside.has(n.id)).map((n) => structuredClone(n))];
  const edges = doc.edges.filter((e) => inside.has(e.source) && inside.has(e.target)).map((e) => structuredClone(e));
  return { format: BLOCK_FILE_FORMAT, version: CURRENT_VERSION, nodes, edges };
}
