/**
 * React Flow's nodes and edges, derived from the document. Each derived object is reused while its inputs are
 * unchanged (same document node, selection, problems, size), so a drag re-renders only the dragged nodes and
 * the wires touching them; nothing here is quadratic.
 */
import type { HnetProblem } from '../../../shared/compiler/errors';
import type { DocNode, HnetDocument } from '../../../shared/document/schema';
import type { Compiled } from '../store/compiled';
import { nodeInfo } from '../store/catalog';
import { cachedEdgeKeys } from '../store/docOps';
import type { HnNode, HnNodeType } from './NodeCard';
import type { HnEdge } from './ShapeEdge';

const problemText = (p: HnetProblem) => `${p.port ? `${p.port}: ` : ''}${p.message}`;

interface NodeEntry {
  doc: DocNode;
  selected: boolean;
  problemsKey: string;
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

  derive(
    nodes: readonly DocNode[],
    selected: ReadonlySet<string>,
    byNode: Compiled['byNode'],
    measured: ReadonlyMap<string, { width: number; height: number }>,
  ): HnNode[] {
    const next = new Map<string, NodeEntry>();
    const out: HnNode[] = [];
    for (const n of nodes) {
      if (next.has(n.id)) continue; // duplicate ids are refused at load; never render two nodes with one key
      const sel = selected.has(n.id);
      const all = byNode.get(n.id);
      const problems = all?.filter((p) => p.severity !== 'warning');
      const warnings = all?.filter((p) => p.severity === 'warning');
      const problemsKey = all ? all.map((p) => `${p.severity ?? ''}${problemText(p)}`).join('\n') : '';
      const m = measured.get(n.id);
      const hit = this.cache.get(n.id);
      let entry: NodeEntry;
      if (hit && hit.doc === n && hit.selected === sel && hit.problemsKey === problemsKey && hit.measured === m) entry = hit;
      else {
        const category: HnNodeType = nodeInfo(n).type?.category ?? 'unknown';
        entry = {
          doc: n,
          selected: sel,
          problemsKey,
          measured: m,
          rf: {
            id: n.id,
            type: category,
            position: { x: n.position.x, y: n.position.y },
            data: { node: n, problems: problems ? problems.map(problemText) : [], warnings: warnings ? warnings.map(problemText) : [] },
            selected: sel,
            ...(m ? { measured: m } : {}),
          },
        };
      }
      next.set(n.id, entry);
      out.push(entry.rf);
    }
    this.cache = next;
    return (this.last = sameOrNew(this.last, out));
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

  derive(doc: HnetDocument, selected: ReadonlySet<string>, compiled: Compiled): HnEdge[] {
    const keys = cachedEdgeKeys(doc.edges);
    const byId = new Map<string, DocNode>();
    for (const n of doc.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
    const labels = compiled.result.inference?.edgeLabels;
    const next = new Map<string, EdgeEntry>();
    const out: HnEdge[] = [];
    doc.edges.forEach((e, i) => {
      const src = byId.get(e.source);
      if (!src || !byId.has(e.target)) return; // dangling wires are refused at load and cannot be drawn
      const key = keys[i];
      const kind = nodeInfo(src).outputs.find((p) => p.name === e.sourcePort)?.kind ?? 'unknown';
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
    });
    this.cache = next;
    return (this.last = sameOrNew(this.last, out));
  }
}
