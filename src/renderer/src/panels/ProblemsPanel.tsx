/** Every problem the compiler finds, live. A click selects the node concerned and centres the view on it. */
import { memo } from 'react';
import { formatProblem, problemNode, type HnetProblem } from '../../../shared/compiler/errors';
import { blockTree } from '../../../shared/document/blocks';
import { focusNode } from '../canvas/view';
import { useCompiled } from '../store/compiled';
import { cachedEdgeKeys } from '../store/docOps';
import { useEditor } from '../store/editor';

function select(p: HnetProblem) {
  const s = useEditor.getState();
  const edgeIndex = p.path ? /^edges\[(\d+)\]/.exec(p.path)?.[1] : undefined;
  if (p.node && s.doc.nodes.some((n) => n.id === p.node)) {
    // A node inside a block: show the inside of the block that holds it (or the top level), then select it.
    const parent = blockTree(s.doc.nodes).ancestors(p.node)[0];
    if (parent !== undefined) s.enterBlock(parent);
    else s.leaveTo(0);
    s.setSelection(new Set([p.node]), new Set());
    const id = p.node;
    requestAnimationFrame(() => focusNode(id));
  } else if (edgeIndex !== undefined) {
    const key = cachedEdgeKeys(s.doc.edges)[Number(edgeIndex)];
    if (key) s.setSelection(new Set(), new Set([key]));
  }
}

const ProblemRow = memo(function ProblemRow({ p, index }: { p: HnetProblem; index: number }) {
  const clickable = Boolean(p.node) || Boolean(p.path?.startsWith('edges['));
  const warning = p.severity === 'warning';
  return (
    <li>
      <button
        type="button"
        className={`hn-problem${clickable ? '' : ' is-document'}${warning ? ' is-warning' : ''}`}
        onClick={() => select(p)}
        data-testid={`problem-${index}`}
        data-node={p.node ?? ''}
        data-code={p.code}
        data-severity={warning ? 'warning' : 'error'}
        title={clickable ? 'Select and show this node' : 'A problem of the whole document'}
      >
        <span className="hn-problem__icon" aria-hidden>
          {warning ? '⚠' : '!'}
        </span>
        <span className="hn-problem__where">{p.node ? (p.port ? `${problemNode(p)}.${p.port}` : problemNode(p)) : (p.path ?? 'document')}</span>
        <span className="hn-problem__msg">{p.message}</span>
        <span className="hn-code">{p.code}</span>
        <span className="hn-sr-only">{`${warning ? 'warning: ' : ''}${formatProblem(p)}`}</span>
      </button>
    </li>
  );
});

export function ProblemsPanel() {
  const { result, dataProblems } = useCompiled();
  // Errors first (the compiler's, then the data files'); warnings (the graph still compiles) after them.
  const errors = [...result.problems, ...dataProblems];
  const problems = [...errors, ...result.warnings];
  return (
    <div className="hn-problems" data-testid="problems-panel" role="region" aria-label="Problems">
      {problems.length === 0 ? (
        <p className="hn-problems__ok">
          <span className="hn-ok-dot" aria-hidden /> No problems: the graph compiles.
        </p>
      ) : errors.length === 0 ? (
        <>
          <p className="hn-problems__ok">
            <span className="hn-ok-dot" aria-hidden /> The graph compiles, with {problems.length === 1 ? 'a warning' : `${problems.length} warnings`}:
          </p>
          <ul>
            {problems.map((p, i) => (
              <ProblemRow key={`${i}:${p.code}:${p.node ?? ''}:${p.message}`} p={p} index={i} />
            ))}
          </ul>
        </>
      ) : (
        <ul>
          {problems.map((p, i) => (
            <ProblemRow key={`${i}:${p.code}:${p.node ?? ''}:${p.message}`} p={p} index={i} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function ProblemCount() {
  const { result, dataProblems } = useCompiled();
  const n = result.problems.length + dataProblems.length;
  return <span className={`hn-badge${n ? ' is-error' : ' is-ok'}`}>{n}</span>;
}
