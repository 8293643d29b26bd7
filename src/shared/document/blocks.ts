/**
 * Blocks (subgraphs) as the document holds them: a block is a node of type {@link BLOCK_TYPE} whose `block` field
 * lists its ports and promoted parameters; the nodes inside it carry `parent` = its id. Wires always join real
 * nodes, so a block is only structure: this module answers where a node sits (its chain of blocks), which inner
 * port a block's port stands for, and which of a block's ports a wire crossing its boundary goes through.
 *
 * @example
 * const tree = blockTree(doc.nodes);
 * tree.scope('hyper'); // 'generator' (the block it is in), '' at the top level
 * resolvePort(tree, 'generator', 'outputs', 'weights'); // { node: 'hyper', port: 'weights' }
 */
import { BLOCK_TYPE, BlockFile, BlockSpec, type BlockPort, type DocNode } from './schema';

export const isBlock = (n: Pick<DocNode, 'type'>): boolean => n.type === BLOCK_TYPE;

const EMPTY_SPEC: BlockSpec = BlockSpec.parse({});
/** A block node's spec (empty when the field is missing). */
export const specOf = (n: DocNode): BlockSpec => n.block ?? EMPTY_SPEC;

export type PortSide = 'inputs' | 'outputs';
export interface PortRef {
  node: string;
  port: string;
}

/** Deeper nesting than this is refused as malformed (and stops every walk up a chain that loops). */
export const MAX_BLOCK_DEPTH = 32;

export interface BlockTree {
  byId: ReadonlyMap<string, DocNode>;
  /** The nodes directly inside `parent` (undefined: the top level), in document order. */
  children(parent: string | undefined): DocNode[];
  /** The blocks around `id`, innermost first (empty at the top level, and for a chain that loops or is broken). */
  ancestors(id: string): string[];
  /** `outer/inner`: the blocks around `id`, outermost first; '' at the top level. */
  scope(id: string): string;
  /** Every node inside block `id`, at any depth. */
  descendants(id: string): Set<string>;
  /**
   * What stands for node `id` at `level` (a block's id, or undefined for the top level): the node itself when it
   * is directly there, the block at that level that holds it, or undefined when it is not inside `level`.
   */
  visibleAt(id: string, level: string | undefined): string | undefined;
}

const trees = new WeakMap<readonly DocNode[], BlockTree>();

/** The block structure of a node list (cached per list: documents are immutable). */
export function blockTree(nodes: readonly DocNode[]): BlockTree {
  const hit = trees.get(nodes);
  if (hit) return hit;
  const byId = new Map<string, DocNode>();
  const kids = new Map<string | undefined, DocNode[]>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  const ancestorCache = new Map<string, string[]>();
  function ancestors(id: string): string[] {
    const cached = ancestorCache.get(id);
    if (cached) return cached;
    const out: string[] = [];
    let cur = byId.get(id)?.parent;
    while (cur !== undefined) {
      const p = byId.get(cur);
      if (!p || out.includes(cur) || out.length >= MAX_BLOCK_DEPTH) {
        out.length = 0; // broken or looping: treat as top level (validateBlocks reports it)
        break;
      }
      out.push(cur);
      cur = p.parent;
    }
    ancestorCache.set(id, out);
    return out;
  }
  // A node whose chain of blocks is broken (a missing or looping parent) shows at the top level, to be fixed.
  for (const n of byId.values()) {
    const p = ancestors(n.id).length ? n.parent : undefined;
    const list = kids.get(p);
    if (list) list.push(n);
    else kids.set(p, [n]);
  }
  const tree: BlockTree = {
    byId,
    children: (parent) => kids.get(parent) ?? [],
    ancestors,
    scope: (id) => ancestors(id).slice().reverse().join('/'),
    descendants(id) {
      const out = new Set<string>();
      const stack = [id];
      while (stack.length) {
        const cur = stack.pop()!;
        for (const c of kids.get(cur) ?? [])
          if (!out.has(c.id) && c.id !== id) {
            out.add(c.id);
            stack.push(c.id);
          }
      }
      return out;
    },
    visibleAt(id, level) {
      if (!byId.has(id)) return undefined;
      const up = ancestors(id);
      if (!up.length) return level === undefined ? id : undefined;
      // The node and its blocks, innermost first: what stands for it at `level` is the one directly inside `level`.
      const chain = [id, ...up];
      if (level === undefined) return chain[chain.length - 1];
      const i = chain.indexOf(level);
      return i > 0 ? chain[i - 1] : undefined;
    },
  };
  trees.set(nodes, tree);
  return tree;
}

/** The real node and port a block's port stands for (following blocks inside blocks), or null when it is broken. */
export function resolvePort(tree: BlockTree, blockId: string, side: PortSide, name: string): PortRef | null {
  let node = blockId;
  let port = name;
  for (let depth = 0; depth <= MAX_BLOCK_DEPTH; depth++) {
    const n = tree.byId.get(node);
    if (!n) return null;
    if (!isBlock(n)) return { node, port };
    const p = specOf(n)[side].find((q) => q.name === port);
    if (!p) return null;
    const inner = tree.byId.get(p.node);
    if (!inner || inner.parent !== node) return null;
    node = p.node;
    port = p.port;
  }
  return null;
}

/** The name of the port of `blockId` that stands for the real `ref` (a node somewhere inside it), if it has one. */
export function portFor(tree: BlockTree, blockId: string, side: PortSide, ref: PortRef): string | undefined {
  const n = tree.byId.get(blockId);
  if (!n || !isBlock(n)) return undefined;
  for (const p of specOf(n)[side]) {
    const r = resolvePort(tree, blockId, side, p.name);
    if (r && r.node === ref.node && r.port === ref.port) return p.name;
  }
  return undefined;
}

/**
 * Where a wire end shows at `level`: the node that stands for it there and the handle (its own port, or the
 * block's port it goes through); undefined when the end is outside `level` or goes through no declared port.
 */
export function endAt(tree: BlockTree, level: string | undefined, side: PortSide, ref: PortRef): PortRef | undefined {
  const v = tree.visibleAt(ref.node, level);
  if (v === undefined) return undefined;
  if (v === ref.node) return ref;
  const port = portFor(tree, v, side, ref);
  return port === undefined ? undefined : { node: v, port };
}

/** A port name not yet in `taken`: `weights`, then `hyper_weights`, then `hyper_weights_2`. */
export function freePortName(taken: ReadonlySet<string>, ref: PortRef): string {
  if (!taken.has(ref.port)) return ref.port;
  const base = `${ref.node.replace(/[^A-Za-z0-9_]/g, '_')}_${ref.port}`.replace(/^[^A-Za-z_]/, '_').slice(0, 60);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** The block a library file holds, checked: its first node must be a block and every other node inside it. */
export function readBlockFile(text: string): { ok: true; file: BlockFile } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${(e as Error).message}` };
  }
  const r = BlockFile.safeParse(raw);
  if (!r.success) return { ok: false, message: r.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ') };
  const [root, ...rest] = r.data.nodes;
  if (!isBlock(root)) return { ok: false, message: `its first node "${root.id}" is a ${root.type} node, not a block` };
  const inside = blockTree(r.data.nodes).descendants(root.id);
  const stray = rest.find((n) => !inside.has(n.id));
  if (stray) return { ok: false, message: `node "${stray.id}" is not inside the block "${root.id}"` };
  return { ok: true, file: r.data };
}

export type { BlockPort };
