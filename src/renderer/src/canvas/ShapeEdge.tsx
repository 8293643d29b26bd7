/**
 * A wire labelled with the shape it carries (from shape inference), coloured by kind, red when it has a problem.
 * In the far view (detail.ts) labels are too small to read and left out, unless the wire is selected or wrong;
 * on a big graph FarWires draws the wires there instead.
 */
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo, useContext } from 'react';
import type { PortKind } from '../../../shared/nodes/types';
import { FarView } from './detail';

export interface ShapeEdgeData extends Record<string, unknown> {
  label?: string;
  kind: PortKind | 'unknown';
  problem?: string;
}

export type HnEdge = Edge<ShapeEdgeData, 'shape'>;

function ShapeEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<HnEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const kind = data?.kind ?? 'unknown';
  // Labels sit just before the input they feed, so the labels of a layer's kernel and bias wires never overlap;
  // short wires keep theirs in the middle.
  const nearTarget = targetX - sourceX > 80;
  const transform = nearTarget
    ? `translate(-100%, -50%) translate(${targetX - 14}px, ${targetY}px)`
    : `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`;
  const text = data?.problem ? `⚠ ${data.label ?? ''}`.trim() : data?.label;
  const far = useContext(FarView);
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`hn-edge kind-${kind}${data?.problem ? ' has-error' : ''}${selected ? ' is-selected' : ''}`} />
      {text && (!far || selected || data?.problem) && (
        <EdgeLabelRenderer>
          <div
            className={`hn-edge-label kind-${kind}${data?.problem ? ' has-error' : ''}${selected ? ' is-selected' : ''}`}
            style={{ transform }}
            data-testid={`edge-label-${id}`}
            data-edge-id={id}
            title={data?.problem ?? `${kind} ${data?.label ?? ''}`}
          >
            {text}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);

/** Built once, like nodeComponents. */
export const edgeComponents = { shape: ShapeEdge } as const;
