/**
 * The far view's wires (see detail.ts): all of them in one SVG, one path per look (kind, problem, selected),
 * drawn instead of React Flow's edges. React Flow gives every edge its own SVG and runs a selector per edge on
 * every pan frame; at 880 wires that was a third of the far view's cost per frame, for lines one pixel wide.
 * The curves are React Flow's own (same handle boxes, same bezier), so zooming across FAR_ZOOM moves no wire.
 */
import { getBezierPath, Position, useStoreApi, ViewportPortal, type InternalNode } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import type { HnNode } from './NodeCard';
import type { HnEdge } from './ShapeEdge';

/** Where a wire meets a handle, as React Flow computes it (getHandlePosition): outputs on the right, inputs on the left. */
function handlePoint(node: InternalNode<HnNode> | undefined, side: 'source' | 'target', id: string | null | undefined): { x: number; y: number } | null {
  const h = node?.internals.handleBounds?.[side]?.find((b) => b.id === id);
  if (!node || !h) return null;
  const x = h.x + node.internals.positionAbsolute.x;
  const y = h.y + node.internals.positionAbsolute.y;
  return side === 'source' ? { x: x + h.width, y: y + h.height / 2 } : { x, y: y + h.height / 2 };
}

/** The look a wire is drawn with; a selected wire shows as selected, then a wrong one as wrong. */
function look(e: HnEdge): string {
  if (e.selected) return 'is-selected';
  if (e.data?.problem) return 'has-error';
  return `kind-${e.data?.kind ?? 'unknown'}`;
}

/** A number that changes when React Flow replaces any node (moved, re-measured, added or removed), not on a pan. */
function useNodesVersion(): number {
  const store = useStoreApi<HnNode, HnEdge>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let seen = new Map(store.getState().nodeLookup);
    setVersion((v) => v + 1); // whatever changed between the first render and this subscription
    return store.subscribe(({ nodeLookup }) => {
      let changed = nodeLookup.size !== seen.size;
      if (!changed)
        for (const [id, n] of nodeLookup)
          if (seen.get(id) !== n) {
            changed = true;
            break;
          }
      if (!changed) return;
      seen = new Map(nodeLookup);
      setVersion((v) => v + 1);
    });
  }, [store]);
  return version;
}

export function FarWires({ edges }: { edges: readonly HnEdge[] }) {
  const store = useStoreApi<HnNode, HnEdge>();
  const version = useNodesVersion();
  const paths = useMemo(() => {
    void version; // recomputed when nodes change; the node geometry is read from the store
    const { nodeLookup } = store.getState();
    const byLook = new Map<string, string[]>();
    for (const e of edges) {
      const a = handlePoint(nodeLookup.get(e.source), 'source', e.sourceHandle);
      const b = handlePoint(nodeLookup.get(e.target), 'target', e.targetHandle);
      if (!a || !b) continue; // not measured yet, like React Flow, which skips such an edge too
      const [d] = getBezierPath({ sourceX: a.x, sourceY: a.y, sourcePosition: Position.Right, targetX: b.x, targetY: b.y, targetPosition: Position.Left });
      const k = look(e);
      const list = byLook.get(k);
      if (list) list.push(d);
      else byLook.set(k, [d]);
    }
    // Selected wires last, so they are drawn on top.
    return [...byLook].sort(([a], [b]) => Number(a === 'is-selected') - Number(b === 'is-selected'));
  }, [edges, version, store]);
  return (
    <ViewportPortal>
      <svg className="hn-far-wires" data-testid="far-wires" aria-hidden="true">
        {paths.map(([k, ds]) => (
          <path key={k} className={`hn-far-wire ${k}`} d={ds.join(' ')} data-wires={ds.length} />
        ))}
      </svg>
    </ViewportPortal>
  );
}
