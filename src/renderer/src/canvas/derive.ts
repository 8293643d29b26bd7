/**
 * React Flow's nodes and edges, derived from the document. Each derived object is reused while its inputs are
 * unchanged (same document node, selection, problems, size), so a drag re-renders only the dragged nodes and
 * the wires touching them; nothing here is quadratic.
 */
import type { HnetProblem } from '../../../shared/compiler/errors';
import { blockTree, isBlock, specOf, type BlockTree } from '../../../shared/document/blocks';
import type { DocNode, HnetDocument } from '../../../shared/document/schema';
import type { Compiled } from '../store/compiled';
import { nodeInfo, type NodePorts } from '../store/catalog';
import { BOUNDARY_IN, BOUNDARY_OUT, blockPorts, levelOf } from './level';
import type { HnNode, HnNodeType } from './NodeCard';
import type { HnEdge } from './ShapeEdge';

const problemText = (p: HnetProblem) => `${p.port ? `${p.port}: ` : ''}${p.message}`;

/** How a problem inside block `blockId` names its node on the block's face: from inside the block (`inner/hyper`). */
function insideName(tree: BlockTree, blockId: string, p: HnetProblem): string {
  const up = tree.scope(blockId);
  const own = up ? `${up}/${blockId}` : blockId;
  const rest = p.scope?.startsWith(`${own}/`) ? p.scope.slice(own.length + 1) : '';
  return rest ? `${rest}/${p.node}` : (p.node ?? '');
}

interface NodeEntry {
  doc: DocNode;
  selected: boolean;
  problemsKey: string;
  /** A block's ports and inner problem count (they change with the nodes inside it). */
  blockKey: string;
  measured: { width: number; height: number } | undefined;
  rf: HnNode;
}

/** The previous array when every element is the same object (React Flow then skips its own re-indexing). */
function sameOrNew<T>(prev: T[], next: T[]): T[] {
  if (prev.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (prev[i] !== next[i]) return next;
  return prev;
}

export class NodeDeriver {
  private cache = new Map<string, NodeEntry>();
  private last: HnNode[] = [];

  /**
   * `nodes` are the nodes at the level shown, `all` the document's (a block's ports and problems come from the
   * nodes inside it); `level` the block shown, whose boundary is drawn as two nodes.
   */
  derive(
    nodes: readonly DocNode[],
    selected: ReadonlySet<string>,
    byNode: Compiled['byNode'],
    measured: ReadonlyMap<string, { width: number; height: number }>,
    all: readonly DocNode[] = nodes,
    level?: string,
  ): HnNode[] {
    const next = new Map<string, NodeEntry>();
    const out: HnNode[] = [];
    const tree = all.some((n) => isBlock(n)) ? blockTree(all) : null;
    for (const n of nodes) {
      if (next.has(n.id)) continue; // duplicate ids are refused at load; never render two nodes with one key
      const sel = selected.has(n.id);
      let blockKey = '';
      let ports: NodePorts | undefined;
      const inner: HnetProblem[] = [];
      let promotedValues: Record<string, unknown> | undefined;
      let innerCount = 0;
      if (tree && isBlock(n)) {
        ports = blockPorts(all, n);
        promotedValues = {};
        for (const p of specOf(n).promoted) {
          const inNode = tree.byId.get(p.node);
          promotedValues[`${p.node}.${p.param}`] = inNode ? nodeInfo(inNode).params[p.param] : undefined;
        }
        const inside = tree.descendants(n.id);
        innerCount = inside.size;
        for (const d of inside) for (const p of byNode.get(d) ?? []) if (p.severity !== 'warning') inner.push(p);
        // The inner problems are in problemsKey below.
        blockKey = `${JSON.stringify(ports)}|${JSON.stringify(promotedValues)}|${innerCount}`;
      }
      const all0 = byNode.get(n.id);
      const allProblems = inner.length ? [...(all0 ?? []), ...inner.map((p) => ({ ...p, port: undefined, message: `${insideName(tree!, n.id, p)}${p.port ? `.${p.port}` : ''}: ${p.message}` }))] : all0;
      const problems = allProblems?.filter((p) => p.severity !== 'warning');
      const warnings = allProblems?.filter((p) => p.severity === 'warning');
      const problemsKey = allProblems ? allProblems.map((p) => `${p.severity ?? ''}${problemText(p)}`).join('\n') : '';
      const m = measured.get(n.id);
      const hit = this.cache.get(n.id);
      let entry: NodeEntry;
      if (hit && hit.doc === n && hit.selected === sel && hit.problemsKey === problemsKey && hit.measured === m && hit.blockKey === blockKey) entry = hit;
      else {
        const category: HnNodeType = isBlock(n) ? 'block' : (nodeInfo(n).type?.category ?? 'unknown');
        entry = {
          doc: n,
          selected: sel,
          problemsKey,
          blockKey,
          measured: m,
          rf: {
            id: n.id,
            type: category,
            position: { x: n.position.x, y: n.position.y },
            data: {
              node: n,
              problems: problems ? problems.map(problemText) : [],
              warnings: warnings ? warnings.map(problemText) : [],
              ...(ports ? { ports, innerCount, innerProblems: inner.length, promotedValues } : {}),
            },
            selected: sel,
            ...(m ? { measured: m } : {}),
          },
        };
      }
      next.set(n.id, entry);
      out.push(entry.rf);
    }
    if (tree && level !== undefined) out.push(...this.boundary(tree.byId.get(level), all, nodes, measured));
    this.cache = next;
    return (this.last = sameOrNew(this.last, out));
  }

  private boundaryCache: { key: string; nodes: HnNode[] } | null = null;

  /** The two boundary nodes of the block shown, left and right of what is inside it. */
  private boundary(block: DocNode | undefined, all: readonly DocNode[], inside: readonly DocNode[], measured: ReadonlyMap<string, { width: number; height: number }>): HnNode[] {
    if (!block) return [];
    const ports = blockPorts(all, block);
    const xs = inside.map((n) => n.position.x);
    const right = inside.map((n) => n.position.x + (measured.get(n.id)?.width ?? 220));
    const ys = inside.map((n) => n.position.y);
    const x0 = (xs.length ? Math.min(...xs) : 0) - 300;
    const x1 = (right.length ? Math.max(...right) : 220) + 80;
    const y = ys.length ? Math.min(...ys) : 0;
    const key = JSON.stringify([block.id, block.label, ports, x0, x1, y, specOf(block).description]);
    if (this.boundaryCache?.key === key) return this.boundaryCache.nodes;
    const face = (id: string, side: 'inputs' | 'outputs', x: number): HnNode => ({
      id,
      type: 'boundary',
      position: { x, y },
      draggable: false,
      selectable: false,
      deletable: false,
      connectable: false,
      data: { node: block, problems: [], boundary: side, ports },
    });
    const nodes = [face(BOUNDARY_IN, 'inputs', x0), face(BOUNDARY_OUT, 'outputs', x1)];
    this.boundaryCache = { key, nodes };
    return nodes;
  }
}

interface EdgeEntry {
  key: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
  selected: boolean;
  label: string | undefined;
  kind: string;
  problem: string | undefined;
  rf: HnEdge;
}

export class EdgeDeriver {
  private cache = new Map<string, EdgeEntry>();
  private last: HnEdge[] = [];

  /** The wires of the level shown (`level`: the block shown, undefined for the top level). */
  derive(doc: HnetDocument, selected: ReadonlySet<string>, compiled: Compiled, level?: string): HnEdge[] {
    const byId = new Map<string, DocNode>();
    for (const n of doc.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
    const labels = compiled.result.inference?.edgeLabels;
    const next = new Map<string, EdgeEntry>();
    const out: HnEdge[] = [];
    for (const le of levelOf(doc, level).edges) {
      const i = le.index;
      const e = { ...doc.edges[i], source: le.source, sourcePort: le.sourceHandle, target: le.target, targetPort: le.targetHandle };
      const src = byId.get(doc.edges[i].source);
      if (!src || !byId.has(doc.edges[i].target)) continue; // dangling wires are refused at load and cannot be drawn
      const key = le.key;
      const kind = nodeInfo(src).outputs.find((p) => p.name === doc.edges[i].sourcePort)?.kind ?? 'unknown';
      const label = labels?.get(i);
      const problems = compiled.byEdge.get(i);
      const problem = problems?.map(problemText).join('\n');
      const sel = selected.has(key);
      const hit = this.cache.get(key);
      let entry: EdgeEntry;
      if (
        hit &&
        hit.source === e.source &&
        hit.target === e.target &&
        hit.sourceHandle === e.sourcePort &&
        hit.targetHandle === e.targetPort &&
        hit.selected === sel &&
        hit.label === label &&
        hit.kind === kind &&
        hit.problem === problem
      )
        entry = hit;
      else
        entry = {
          key,
          source: e.source,
          target: e.target,
          sourceHandle: e.sourcePort,
          targetHandle: e.targetPort,
          selected: sel,
          label,
          kind,
          problem,
          rf: {
            id: key,
            type: 'shape',
            source: e.source,
            target: e.target,
            sourceHandle: e.sourcePort,
            targetHandle: e.targetPort,
            selected: sel,
            data: { label, kind, problem },
          },
        };
      next.set(key, entry);
      out.push(entry.rf);
    }
    this.cache = next;
    return (this.last = sameOrNew(this.last, out));
  }
}
