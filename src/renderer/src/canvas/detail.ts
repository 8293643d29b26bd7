/**
 * Level of detail. Below FAR_ZOOM a node's text is a few pixels high and cannot be read, yet painting it (port
 * names, parameter rows, about 27 elements per node) is what makes a big graph slow to pan at the zoom that
 * shows all of it. There the canvas draws the far view: each node as one coloured box of the same size with its
 * handles kept in place (so wires do not move), wires without labels (on a graph over 300 nodes, all in one SVG:
 * FarWires), and no dot grid.
 */
import type { InternalNode, ReactFlowState } from '@xyflow/react';
import { createContext } from 'react';

/** Zoom below which the canvas draws the far view (node text at this zoom is under 5 px high). */
export const FAR_ZOOM = 0.35;

/** A boolean selector for `useStore`: its user re-renders when the view crosses FAR_ZOOM, not on every pan step. */
export const isFar = (s: Pick<ReactFlowState, 'transform'>): boolean => s.transform[2] < FAR_ZOOM;

/**
 * Whether the canvas draws the far view, provided once by the canvas. Nodes and wires read it here rather than
 * each subscribing to the zoom: React Flow runs every store subscriber on every pan frame, and at 500 nodes and
 * 880 wires that many extra selectors cost about a millisecond per frame.
 */
export const FarView = createContext(false);

/**
 * Where React Flow measured a node and its handles, as the far face needs it to stand in for the full face:
 * null when the node has not been measured yet (it then shows its full face once, to be measured).
 */
export interface FarGeometry {
  width: number;
  height: number;
  /** Handle boxes relative to the node's top left, by handle id. */
  source: ReadonlyMap<string, HandleBox>;
  target: ReadonlyMap<string, HandleBox>;
}

export interface HandleBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const geometries = new WeakMap<object, FarGeometry>();

/** The geometry of a measured node (cached per measurement: React Flow replaces handleBounds when it re-measures). */
export function farGeometry(node: InternalNode | undefined): FarGeometry | null {
  const bounds = node?.internals.handleBounds;
  const { width, height } = node?.measured ?? {};
  if (!bounds || !width || !height) return null;
  const hit = geometries.get(bounds);
  if (hit && hit.width === width && hit.height === height) return hit;
  const byId = (list: typeof bounds.source) => new Map((list ?? []).map((h) => [h.id ?? '', { x: h.x, y: h.y, width: h.width, height: h.height }]));
  const g: FarGeometry = { width, height, source: byId(bounds.source), target: byId(bounds.target) };
  geometries.set(bounds, g);
  return g;
}
