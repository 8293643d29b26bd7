/** Where the canvas is: the document, then each block entered; a click on a crumb leaves to it. */
import { Panel } from '@xyflow/react';
import { Fragment } from 'react';
import { useEditor } from '../store/editor';
import { fitView } from './view';

export function Breadcrumb({ path }: { path: readonly string[] }) {
  const nodes = useEditor((s) => s.doc.nodes);
  const name = useEditor((s) => s.doc.metadata.name);
  if (!path.length) return null;
  const leave = (depth: number) => {
    useEditor.getState().leaveTo(depth);
    requestAnimationFrame(() => fitView(undefined, false));
  };
  return (
    <Panel position="top-left">
      <nav className="hn-crumbs" aria-label="Blocks entered" data-testid="breadcrumb">
        <button type="button" onClick={() => leave(0)} data-testid="crumb-0" title="Back to the top level">
          {name || 'Document'}
        </button>
        {path.map((id, i) => {
          const label = nodes.find((n) => n.id === id)?.label ?? id;
          const last = i === path.length - 1;
          return (
            <Fragment key={id}>
              <span className="hn-crumbs__sep">›</span>
              {last ? (
                <span className="hn-crumbs__here" aria-current="location" data-testid={`crumb-${i + 1}`}>
                  {label}
                </span>
              ) : (
                <button type="button" onClick={() => leave(i + 1)} data-testid={`crumb-${i + 1}`}>
                  {label}
                </button>
              )}
            </Fragment>
          );
        })}
      </nav>
    </Panel>
  );
}
