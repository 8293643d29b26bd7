/**
 * The compiler's view of blocks: it flattens them away (a block node is not a node of the program; the nodes
 * inside it are ordinary nodes and wires join real nodes), after checking that the structure holds together:
 * every `parent` is a block, every block port stands for a port of a node directly inside it, every wire that
 * crosses a block's boundary goes through one of its ports, and every promoted parameter exists. Problems about
 * nodes inside blocks get their `scope`, so they read `generator/hyper.chunkSize: ...`.
 */
import { blockTree, isBlock, MAX_BLOCK_DEPTH, portFor, specOf, type PortSide } from '../document/blocks';
import type { HnetDocument } from '../document/schema';
import { getNodeType } from '../nodes';
import { problem, type HnetProblem } from './errors';
import type { GraphNode } from './graph';

/** Problems with the document's blocks; `nodes` are the validated real nodes (for their ports). */
export function validateBlocks(doc: HnetDocument, nodes: ReadonlyMap<string, GraphNode>): HnetProblem[] {
  const tree = blockTree(doc.nodes);
  const problems: HnetProblem[] = [];
  const hasBlocks = doc.nodes.some((n) => isBlock(n) || n.parent !== undefined);
  if (!hasBlocks) return problems;

  for (const n of doc.nodes) {
    if (n.block && !isBlock(n))
      problems.push(problem('HN070', `has a "block" field but its type is "${n.type}"; only nodes of type "block" are blocks`, { node: n.id, path: 'block' }));
    if (n.parent === undefined) continue;
    const p = tree.byId.get(n.parent);
    if (!p) problems.push(problem('HN070', `is inside block "${n.parent}", which does not exist`, { node: n.id, path: 'parent' }));
    else if (!isBlock(p)) problems.push(problem('HN070', `is inside "${n.parent}", which is a ${p.type} node, not a block`, { node: n.id, path: 'parent' }));
    else if (!tree.ancestors(n.id).length)
      problems.push(problem('HN070', `its blocks are nested in a loop or more than ${MAX_BLOCK_DEPTH} deep (parent "${n.parent}")`, { node: n.id, path: 'parent' }));
  }

  /** The ports of a node directly inside a block, as the block's port can stand for them. */
  const portsOf = (id: string, side: PortSide): string[] | null => {
    const n = tree.byId.get(id);
    if (!n) return null;
    if (isBlock(n)) return specOf(n)[side].map((p) => p.name);
    const g = nodes.get(id);
    if (!g) return null; // the node has problems of its own
    return (side === 'inputs' ? g.inputs : g.outputs).map((p) => p.name);
  };

  for (const b of doc.nodes) {
    if (!isBlock(b)) continue;
    const spec = specOf(b);
    for (const side of ['inputs', 'outputs'] as const) {
      const seen = new Set<string>();
      const word = side === 'inputs' ? 'input' : 'output';
      for (const p of spec[side]) {
        const where = { node: b.id, port: p.name, path: `block.${side}` };
        if (seen.has(p.name)) problems.push(problem('HN071', `has two ${word}s named "${p.name}"; port names must be unique`, where));
        seen.add(p.name);
        const inner = tree.byId.get(p.node);
        if (!inner || inner.parent !== b.id) {
          problems.push(problem('HN071', `${word} "${p.name}" stands for ${p.node}.${p.port}, but "${p.node}" is not a node inside this block`, where));
          continue;
        }
        const ports = portsOf(p.node, side);
        if (ports && !ports.includes(p.port))
          problems.push(
            problem('HN071', `${word} "${p.name}" stands for ${p.node}.${p.port}, but ${p.node} has no ${word} "${p.port}" (${word}s: ${ports.join(', ') || 'none'})`, where),
          );
      }
    }
    const desc = tree.descendants(b.id);
    for (const pr of spec.promoted) {
      const where = { node: b.id, path: 'block.promoted' };
      const inner = tree.byId.get(pr.node);
      if (!inner || !desc.has(pr.node)) {
        problems.push(problem('HN073', `shows parameter ${pr.node}.${pr.param}, but "${pr.node}" is not inside this block`, where));
        continue;
      }
      const type = getNodeType(inner.type);
      if (type && !(pr.param in (type.params.shape as Record<string, unknown>)))
        problems.push(problem('HN073', `shows parameter ${pr.node}.${pr.param}, but a ${type.title} node has no parameter "${pr.param}"`, where));
    }
  }

  // A wire that crosses a block's boundary must go through one of its ports.
  doc.edges.forEach((e, i) => {
    const outer = new Set(tree.ancestors(e.target));
    const inner = new Set(tree.ancestors(e.source));
    for (const b of inner)
      if (!outer.has(b) && portFor(tree, b, 'outputs', { node: e.source, port: e.sourcePort }) === undefined) problems.push(crossing(e, b, 'outputs', i));
    for (const b of outer)
      if (!inner.has(b) && portFor(tree, b, 'inputs', { node: e.target, port: e.targetPort }) === undefined) problems.push(crossing(e, b, 'inputs', i));
  });
  return problems;
}

function crossing(e: HnetDocument['edges'][number], block: string, side: PortSide, i: number): HnetProblem {
  const [node, port] = side === 'outputs' ? [e.source, e.sourcePort] : [e.target, e.targetPort];
  return problem(
    'HN072',
    `the wire ${e.source}.${e.sourcePort} → ${e.target}.${e.targetPort} leaves block "${block}" but the block has no ${side === 'outputs' ? 'output' : 'input'} for ${node}.${port}; add one in the block's inspector (Ports)`,
    { node, port, path: `edges[${i}]` },
  );
}

/** Give problems about nodes inside blocks their scope (the blocks around the node, outermost first). */
export function scopeProblems(doc: HnetDocument, problems: HnetProblem[]): HnetProblem[] {
  if (!doc.nodes.some((n) => n.parent !== undefined)) return problems;
  const tree = blockTree(doc.nodes);
  return problems.map((p) => {
    if (!p.node || p.scope !== undefined) return p;
    const scope = tree.scope(p.node);
    return scope ? { ...p, scope } : p;
  });
}
