/**
 * The editor window's size and position, remembered in userData/window-state.json and restored on the next
 * launch, moved back onto a screen if the display it was on is gone. No electron import: displays come in as
 * plain rectangles.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../app/files';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1400, height: 900 };
export const MIN_SIZE = { width: 800, height: 500 };
/** At least this much of the window's title bar area must be on a screen for it to stay where it was. */
const VISIBLE = { width: 120, height: 40 };

const isRect = (v: unknown): v is Rect =>
  typeof v === 'object' && v !== null && ['x', 'y', 'width', 'height'].every((k) => Number.isFinite((v as Record<string, unknown>)[k]));

export function readWindowState(file: string): WindowState | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { bounds?: unknown; maximized?: unknown };
    if (!isRect(v.bounds)) return null;
    return { bounds: v.bounds, maximized: v.maximized === true };
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, `${JSON.stringify(state)}\n`);
  } catch {
    // Forgetting the window position is harmless.
  }
}

/**
 * Where to put the window: the saved bounds if enough of them is on one of `workAreas` (size clamped to that
 * screen), else the default size centred on the first (primary) work area.
 */
export function restoreBounds(saved: WindowState | null, workAreas: Rect[]): { bounds: Rect; maximized: boolean } {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height };
  const centred = (): Rect => {
    const width = Math.min(DEFAULT_SIZE.width, primary.width);
    const height = Math.min(DEFAULT_SIZE.height, primary.height);
    return {
      x: Math.round(primary.x + (primary.width - width) / 2),
      y: Math.round(primary.y + (primary.height - height) / 2),
      width,
      height,
    };
  };
  if (!saved) return { bounds: centred(), maximized: false };
  const b = saved.bounds;
  const area = workAreas.find((a) => overlap(a, { x: b.x, y: b.y, width: b.width, height: Math.min(b.height, VISIBLE.height) }));
  if (!area) return { bounds: centred(), maximized: saved.maximized };
  const width = clamp(Math.round(b.width), Math.min(MIN_SIZE.width, area.width), area.width);
  const height = clamp(Math.round(b.height), Math.min(MIN_SIZE.height, area.height), area.height);
  return {
    bounds: {
      x: clamp(Math.round(b.x), area.x, area.x + area.width - width),
      y: clamp(Math.round(b.y), area.y, area.y + area.height - height),
      width,
      height,
    },
    maximized: saved.maximized,
  };
}

function overlap(a: Rect, b: Rect): boolean {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w >= Math.min(VISIBLE.width, b.width) && h >= Math.min(VISIBLE.height / 2, b.height);
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
