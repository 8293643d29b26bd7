/**
 * The compiler runs in the renderer on every edit that can change its result (it is pure and takes a few
 * milliseconds). Results are cached per graph version, so drags and viewport moves never recompile.
 */
import { compile, type CompileResult } from '../../../shared/compiler/compile';
import type { Budget } from '../../../shared/compiler/budget';
import type { HnetProblem } from '../../../shared/compiler/errors';
import { currentDataProblems, useDataProbes } from './dataProbe';
import { useEditor } from './editor';

export interface Compiled {
  result: CompileResult;
  /**
   * Problems of data nodes' files, found by the app (`data.probe`: the compiler cannot read files). They stop a
   * run as the compiler's problems do, and are listed with them.
   */
  dataProblems: HnetProblem[];
  /** Problems by node id. */
  byNode: Map<string, HnetProblem[]>;
  /** Problems by document edge index (from `edges[i]` paths). */
  byEdge: Map<number, HnetProblem[]>;
  /** The budget of the last graph that compiled, for showing (greyed) while the current one does not. */
  lastBudget: Budget | null;
}

let cache: { version: number; probes: number; value: Compiled } | null = null;
let lastBudget: Budget | null = null;
let lastSession = -1;

function build(): Compiled {
  const { doc, session, file } = useEditor.getState();
  // Another document's budget would mislead; "last known" is per document.
  if (session !== lastSession) {
    lastSession = session;
    lastBudget = null;
  }
  let result: CompileResult;
  try {
    result = compile(doc);
  } catch (e) {
    // The compiler reports problems as values; a throw is a bug, shown rather than crashing the editor.
    result = {
      ok: false,
      problems: [{ code: 'HN004', message: `the compiler failed: ${e instanceof Error ? e.message : String(e)}` }],
      warnings: [],
      graph: { doc, nodes: new Map(), edges: [], inEdge: new Map(), outEdges: new Map(), order: [] },
    };
  }
  if (result.ok && result.budget) lastBudget = result.budget;
  const dataProblems = currentDataProblems(doc, file.handle);
  const byNode = new Map<string, HnetProblem[]>();
  const byEdge = new Map<number, HnetProblem[]>();
  // A node's list holds its warnings too (after its errors): the canvas and the inspector tell them apart by severity.
  for (const p of [...result.problems, ...dataProblems, ...result.warnings]) {
    if (p.node) {
      const l = byNode.get(p.node);
      if (l) l.push(p);
      else byNode.set(p.node, [p]);
    }
    const m = p.path ? /^edges\[(\d+)\]/.exec(p.path) : null;
    if (m) {
      const i = Number(m[1]);
      byEdge.set(i, [...(byEdge.get(i) ?? []), p]);
    }
  }
  return { result, dataProblems, byNode, byEdge, lastBudget };
}

/** The compile result for the current document (computed at most once per graph version). */
export function getCompiled(): Compiled {
  const v = useEditor.getState().graphVersion;
  const probes = useDataProbes.getState().version;
  if (!cache || cache.version !== v || cache.probes !== probes) cache = { version: v, probes, value: build() };
  return cache.value;
}

/** React hook: re-renders when the graph changes. */
export function useCompiled(): Compiled {
  useEditor((s) => s.graphVersion);
  useDataProbes((s) => s.version);
  return getCompiled();
}
