/**
 * The canvas viewport as commands see it (fit, zoom, centre on a node, where "the middle of the view" is).
 * The React Flow instance registers itself here when it mounts.
 */
import type { ReactFlowInstance, Viewport } from '@xyflow/react';
import { useEditor } from '../store/editor';

let instance: ReactFlowInstance | null = null;
let wrapper: HTMLElement | null = null;

export function registerCanvas(inst: ReactFlowInstance | null, el: HTMLElement | null): void {
  instance = inst;
  wrapper = el;
}

const DURATION = 250;

export function fitView(nodeIds?: string[], animate = true): void {
  if (!instance) return;
  void instance.fitView({ padding: 0.15, duration: animate ? DURATION : 0, maxZoom: 1.25, nodes: nodeIds?.map((id) => ({ id })) });
}

export const zoomIn = () => void instance?.zoomIn({ duration: DURATION });
export const zoomOut = () => void instance?.zoomOut({ duration: DURATION });

export function getViewport(): Viewport | null {
  return instance ? instance.getViewport() : null;
}

export function setViewport(v: Viewport): void {
  void instance?.setViewport(v);
}

/** Centre the view on a node (keeping the zoom, at least 0.8 so the node is readable). */
export function focusNode(id: string): void {
  if (!instance) return;
  const node = instance.getInternalNode(id);
  const doc = useEditor.getState().doc.nodes.find((n) => n.id === id);
  if (!node && !doc) return;
  const pos = node?.internals.positionAbsolute ?? doc!.position;
  const w = node?.measured.width ?? 200;
  const h = node?.measured.height ?? 100;
  const zoom = Math.max(instance.getZoom(), 0.8);
  void instance.setCenter(pos.x + w / 2, pos.y + h / 2, { zoom, duration: DURATION });
}

/** The flow coordinates at the middle of the visible canvas, for adding nodes "here". */
export function viewCenter(): { x: number; y: number } {
  if (!instance || !wrapper) return { x: 0, y: 0 };
  const r = wrapper.getBoundingClientRect();
  return instance.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
}

export function screenToFlow(p: { x: number; y: number }): { x: number; y: number } {
  return instance ? instance.screenToFlowPosition(p) : p;
}
