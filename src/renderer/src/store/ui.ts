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

export interface UiState {
  theme: Theme;
  showPalette: boolean;
  showInspector: boolean;
  showDock: boolean;
  /** The dock's tab on show (panels/ and code/ render them). */
  dockTab: 'problems' | 'code' | 'train';
  galleryOpen: boolean;
  quickAddOpen: boolean;
  helpOpen: boolean;
  notices: Notice[];
  dialog: (DialogSpec & { resolve: (value: string) => void }) | null;
  drafts: Draft[];
  mode: 'electron' | 'browser';

  setTheme(t: Theme): void;
  toggleTheme(): void;
  set(patch: Partial<Pick<UiState, 'showPalette' | 'showInspector' | 'showDock' | 'galleryOpen' | 'quickAddOpen' | 'helpOpen' | 'drafts' | 'mode' | 'dockTab'>>): void;
  notify(kind: Notice['kind'], text: string, ms?: number): void;
  dismiss(id: number): void;
  ask(spec: DialogSpec): Promise<string>;
  closeDialog(value: string): void;
}

let nextNotice = 1;

export const useUi = create<UiState>()((set, get) => ({
  theme: initialTheme(),
  showPalette: true,
  showInspector: true,
  showDock: true,
  dockTab: 'problems',
  galleryOpen: false,
  quickAddOpen: false,
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
    set(patch);
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
