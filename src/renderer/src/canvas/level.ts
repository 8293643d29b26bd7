/**
 * What the canvas shows at one level of the document: the top level, or the inside of a block. The nodes are the
 * ones directly at that level (a block shows as one node); each wire is drawn between what stands for its ends
 * there (a block's port for an end inside the block; inside a block, the boundary's port for an end outside it).
 * The layout, the node and wire derivation and the menus all read it from here.
 */
import { blockTree, endAt, isBlock, resolvePort, specOf, type PortSide } from '../../../shared/document/blocks';
import type { DocNode, HnetDocument } from '../../../shared/document/schema';
import type { PortDecl, PortKind } from '../../../shared/nodes/types';
import { nodeInfo, type NodePorts } from '../store/catalog';
import { cachedEdgeKeys } from '../store/docOps';

/** The boundary of the block shown: its inputs enter from the left node, its outputs leave to the right one. */
export const BOUNDARY_IN = '__block_inputs';
export const BOUNDARY_OUT = '__block_outputs';
export const isBoundary = (id: string): boolean => id === BOUNDARY_IN || id === BOUNDARY_OUT;

export interface LevelEdge {
  /** The document edge's key (React Flow's edge id) and index. */
  key: string;
  index: number;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface Level {
  level: string | undefined;
  nodes: DocNode[];
  edges: LevelEdge[];
}

const portsCache = new WeakMap<DocNode, { nodes: readonly DocNode[]; ports: NodePorts }>();

/** A block's ports as handles: its port names, with the kind and doc of the inner port each stands for. */
export function blockPorts(nodes: readonly DocNode[], block: DocNode): NodePorts {
  const hit = portsCache.get(block);
  if (hit && hit.nodes === nodes) return hit.ports;
  const tree = blockTree(nodes);
  const side = (s: PortSide): PortDecl[] =>
    specOf(block)[s].map((p) => {
      const real = resolvePort(tree, block.id, s, p.name);
      const node = real ? tree.byId.get(real.node) : undefined;
      const decl = node ? (s === 'inputs' ? nodeInfo(node).inputs : nodeInfo(node).outputs).find((d) => d.name === real!.port) : undefined;
      return {
        name: p.name,
        kind: (decl?.kind ?? 'any') as PortKind,
        doc: real ? `${tree.scope(real.node) ? `${tree.scope(real.node)}/` : ''}${real.node}.${real.port}${decl ? `: ${decl.doc}` : ''}` : 'stands for no port inside the block',
        ...(decl?.optional ? { optional: true } : {}),
      } as PortDecl;
    });
  const ports = { inputs: side('inputs'), outputs: side('outputs') };
  portsCache.set(block, { nodes, ports });
  return ports;
}

/** The ports a node shows: a node type's own, or a block's. */
export function portsOf(nodes: readonly DocNode[], n: DocNode): NodePorts {
  return isBlock(n) ? blockPorts(nodes, n) : nodeInfo(n);
}

const levels = new WeakMap<HnetDocument, Map<string, Level>>();

export function levelOf(doc: HnetDocument, level: string | undefined): Level {
  let byLevel = levels.get(doc);
  if (!byLevel) levels.set(doc, (byLevel = new Map()));
  const hit = byLevel.get(level ?? '');
  if (hit) return hit;
  const tree = blockTree(doc.nodes);
  const keys = cachedEdgeKeys(doc.edges);
  const nodes = tree.children(level);
  const edges: LevelEdge[] = [];
  const inside = level !== undefined ? tree.descendants(level) : null;
  doc.edges.forEach((e, index) => {
    const src = { node: e.source, port: e.sourcePort };
    const dst = { node: e.target, port: e.targetPort };
    let s = endAt(tree, level, 'outputs', src);
    let t = endAt(tree, level, 'inputs', dst);
    if (inside) {
      // An end outside the block shown comes in (or goes out) through the boundary, by the block's own port.
      if (!s && t && !inside.has(e.source)) {
        const through = endAt(tree, tree.byId.get(level!)?.parent, 'inputs', dst);
        if (through && through.node === level) s = { node: BOUNDARY_IN, port: through.port };
      }
      if (!t && s && !inside.has(e.target)) {
        const through = endAt(tree, tree.byId.get(level!)?.parent, 'outputs', src);
        if (through && through.node === level) t = { node: BOUNDARY_OUT, port: through.port };
      }
    }
    if (!s || !t || s.node === t.node) return;
    edges.push({ key: keys[index], index, source: s.node, sourceHandle: s.port, target: t.node, targetHandle: t.port });
  });
  const out = { level, nodes, edges };
  byLevel.set(level ?? '', out);
  return out;
}
