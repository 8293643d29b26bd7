/**
 * Wire labels laid out apart. Each label is placed by its wire (ShapeEdge: before the input it feeds, or mid-wire
 * on a short wire), and labels of wires leaving one head for ports close together can land on one another; after
 * each change of the wires or the nodes, overlapping labels are moved down, one below the other, in flow units
 * (so the layout holds at any zoom). A label's own placement stays in ShapeEdge; only this offset is added.
 */
import { useEffect, type RefObject } from 'react';
import { getViewport } from './view';

/** Above this many labels on screen the pass is skipped (a graph that big is read zoomed out, labels hidden). */
const MAX_LABELS = 400;
const GAP = 1;

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Offsets (screen px, downwards) that separate `boxes`, in the order given (earlier boxes stay put). */
export function separate(boxes: readonly Box[]): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[a].top - boxes[b].top || boxes[a].left - boxes[b].left);
  const placed: Box[] = [];
  const out = new Array<number>(boxes.length).fill(0);
  for (const i of order) {
    const b = boxes[i];
    let top = b.top;
    let bottom = b.bottom;
    for (let guard = 0; guard < 50; guard++) {
      const hit = placed.find((p) => p.left < b.right && b.left < p.right && p.top < bottom && top < p.bottom);
      if (!hit) break;
      const shift = hit.bottom - top + GAP;
      top += shift;
      bottom += shift;
    }
    out[i] = top - b.top;
    placed.push({ left: b.left, right: b.right, top, bottom });
  }
  return out;
}

/** Keep the wire labels inside `wrapper` apart whenever `deps` change. */
export function useLabelLayout(wrapper: RefObject<HTMLElement | null>, deps: readonly unknown[]): void {
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      const root = wrapper.current;
      if (!root) return;
      const els = [...root.querySelectorAll<HTMLElement>('.hn-edge-label')];
      if (els.length > MAX_LABELS) return;
      for (const el of els) el.style.marginTop = '';
      const offsets = separate(els.map((el) => el.getBoundingClientRect()));
      const zoom = getViewport()?.zoom ?? 1;
      els.forEach((el, i) => {
        if (offsets[i]) el.style.marginTop = `${offsets[i] / zoom}px`;
        el.dataset.shifted = offsets[i] ? 'true' : 'false';
      });
    });
    return () => cancelAnimationFrame(frame);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}
