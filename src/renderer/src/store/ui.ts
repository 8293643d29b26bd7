/** Editor chrome state that is not part of the document: theme, panels, dialogs, notices. */
import { create } from 'zustand';
import type { Draft } from './types';

export type Theme = 'light' | 'dark';

const THEME_KEY = 'hnet.theme';

function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem(THEME_KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // Storage may be unavailable (privacy settings); fall back to the system preference.
  }
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export interface Notice {
  id: number;
  kind: 'info' | 'error' | 'warn';
  text: string;
}

/** A modal with a title, lines of text (plain text, never HTML) and buttons. */
export interface DialogSpec {
  title: string;
  intro?: string;
  lines?: string[];
  buttons: { label: string; value: string; primary?: boolean; danger?: boolean }[];
  testId?: string;
}

/**
 * Where quick add was opened from: a point on the canvas (double-click, "Add node here", a wire dropped there),
 * and for a dropped wire the port it came from, so the search lists only node types that can take it and the
 * new node is wired to it.
 */
export interface QuickAddContext {
  /** Flow coordinates where the node goes. */
  at?: { x: number; y: number };
  /** Screen coordinates to show the search at. */
  screen?: { x: number; y: number };
  wire?: { nodeId: string; handle: string; type: 'source' | 'target'; kind: string };
}

/** A context menu at a screen point: on a node (`nodeId`) or on the canvas. */
export interface MenuSpec {
  x: number;
  y: number;
  /** Flow coordinates of the click (where "Add node here" adds). */
  flow: { x: number; y: number };
  nodeId?: string;
}

export interface UiState {
  theme: Theme;
  showPalette: boolean;
  showInspector: boolean;
  showDock: boolean;
  /** The dock's tab on show (panels/ and code/ render them). */
  dockTab: 'problems' | 'code' | 'train';
  galleryOpen: boolean;
  quickAddOpen: boolean;
  quickAddContext: QuickAddContext | null;
  menu: MenuSpec | null;
  /** The dock's height in pixels as the user dragged it (remembered), or null for each tab's own default. */
  dockHeight: number | null;
  helpOpen: boolean;
  notices: Notice[];
  dialog: (DialogSpec & { resolve: (value: string) => void }) | null;
  drafts: Draft[];
  mode: 'electron' | 'browser';

  setTheme(t: Theme): void;
  toggleTheme(): void;
  set(
    patch: Partial<Pick<UiState, 'showPalette' | 'showInspector' | 'showDock' | 'galleryOpen' | 'quickAddOpen' | 'quickAddContext' | 'menu' | 'helpOpen' | 'drafts' | 'mode' | 'dockTab'>>,
  ): void;
  /** Open quick add, from a point or a dropped wire (null: the middle of the view). */
  openQuickAdd(context: QuickAddContext | null): void;
  /** Set the dock's height (clamped), or null for the default; remembered across sessions. */
  setDockHeight(px: number | null): void;
  notify(kind: Notice['kind'], text: string, ms?: number): void;
  dismiss(id: number): void;
  ask(spec: DialogSpec): Promise<string>;
  closeDialog(value: string): void;
}

let nextNotice = 1;

const DOCK_KEY = 'hnet.dockHeight';
export const DOCK_MIN = 96;
/** The dock never takes more than this share of the window. */
export const DOCK_MAX_SHARE = 0.75;

function initialDockHeight(): number | null {
  try {
    const raw = localStorage.getItem(DOCK_KEY);
    const v = Number(raw);
    if (raw !== null && Number.isFinite(v) && v >= DOCK_MIN) return v;
  } catch {
    // not remembered
  }
  return null;
}

export const useUi = create<UiState>()((set, get) => ({
  theme: initialTheme(),
  showPalette: true,
  showInspector: true,
  showDock: true,
  dockTab: 'problems',
  galleryOpen: false,
  quickAddOpen: false,
  quickAddContext: null,
  menu: null,
  dockHeight: initialDockHeight(),
  helpOpen: false,
  notices: [],
  dialog: null,
  drafts: [],
  mode: 'browser',

  setTheme(theme) {
    try {
      localStorage.setItem(THEME_KEY, theme);
    } catch {
      // Not remembered; the theme still applies for this session.
    }
    set({ theme });
  },
  toggleTheme() {
    get().setTheme(get().theme === 'dark' ? 'light' : 'dark');
  },
  set(patch) {
    set(patch.quickAddOpen === false ? { ...patch, quickAddContext: null } : patch);
  },
  openQuickAdd(context) {
    set({ quickAddOpen: true, quickAddContext: context, menu: null });
  },
  setDockHeight(px) {
    const max = typeof window !== 'undefined' ? Math.max(DOCK_MIN, window.innerHeight * DOCK_MAX_SHARE) : 2000;
    const h = px === null ? null : Math.round(Math.min(max, Math.max(DOCK_MIN, px)));
    try {
      if (h === null) localStorage.removeItem(DOCK_KEY);
      else localStorage.setItem(DOCK_KEY, String(h));
    } catch {
      // not remembered; applies for this session
    }
    set({ dockHeight: h });
  },
  notify(kind, text, ms = kind === 'error' ? 8000 : 4500) {
    const id = nextNotice++;
    set((s) => ({ notices: [...s.notices.slice(-3), { id, kind, text }] }));
    if (ms > 0) setTimeout(() => get().dismiss(id), ms);
  },
  dismiss(id) {
    set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  },
  ask(spec) {
    return new Promise<string>((resolve) => {
      const prev = get().dialog;
      if (prev) prev.resolve('cancel');
      set({ dialog: { ...spec, resolve } });
    });
  },
  closeDialog(value) {
    const d = get().dialog;
    set({ dialog: null });
    d?.resolve(value);
  },
}));
