/**
 * Every command the editor has, in one table: the toolbar, keyboard shortcuts and the app's native menus
 * (pushed as `menu` commands) all run the same functions, and the Help dialog lists the shortcuts from here.
 */
import type { MenuCommand } from '../../shared/api/contract';
import { layoutPositions } from './canvas/layout';
import { fitView, viewCenter, zoomIn, zoomOut } from './canvas/view';
import { confirmDiscard, downloadCopy, newDocument, openDocument, save, saveAs } from './files';
import { addNode, copyFragment, emptyDocument, moveNodes, pasteFragment, removeElements, type Fragment } from './store/docOps';
import { useEditor } from './store/editor';
import { useUi } from './store/ui';

export type CommandId = MenuCommand | 'quickAdd' | 'deselect' | 'downloadCopy';

let clipboard: Fragment | null = null;
let pasteCount = 0;

export function addNodeOfType(typeId: string, at?: { x: number; y: number }): string {
  const c = at ?? viewCenter();
  // Centre the new node on the point (a node is roughly 220 × 110).
  const pos = at ? c : { x: c.x - 110, y: c.y - 55 };
  let id = '';
  useEditor.getState().apply((doc) => {
    const r = addNode(doc, typeId, pos);
    id = r.id;
    return r.doc;
  });
  useEditor.getState().setSelection(new Set([id]), new Set());
  return id;
}

export function deleteSelection(): void {
  const s = useEditor.getState();
  if (!s.selectedNodes.size && !s.selectedEdges.size) return;
  s.apply((doc) => removeElements(doc, s.selectedNodes, s.selectedEdges));
}

export function copySelection(): boolean {
  const s = useEditor.getState();
  const frag = copyFragment(s.doc, s.selectedNodes);
  if (!frag) return false;
  clipboard = frag;
  pasteCount = 0;
  try {
    void navigator.clipboard?.writeText(JSON.stringify({ hnetFragment: 1, ...frag })).catch(() => undefined);
  } catch {
    // The system clipboard is a convenience; paste uses the editor's own copy.
  }
  return true;
}

export function paste(): void {
  if (!clipboard) return;
  pasteCount++;
  const frag = clipboard;
  const offset = { x: 40 * pasteCount, y: 40 * pasteCount };
  let ids: string[] = [];
  useEditor.getState().apply((doc) => {
    const r = pasteFragment(doc, frag, offset);
    ids = r.ids;
    return r.doc;
  });
  useEditor.getState().setSelection(new Set(ids), new Set());
}

export function duplicate(): void {
  const s = useEditor.getState();
  const frag = copyFragment(s.doc, s.selectedNodes);
  if (!frag) return;
  let ids: string[] = [];
  s.apply((doc) => {
    const r = pasteFragment(doc, frag, { x: 40, y: 40 });
    ids = r.ids;
    return r.doc;
  });
  useEditor.getState().setSelection(new Set(ids), new Set());
}

export function selectAll(): void {
  const s = useEditor.getState();
  s.setSelection(new Set(s.doc.nodes.map((n) => n.id)), new Set());
}

export async function autoLayout(): Promise<void> {
  const s = useEditor.getState();
  if (!s.doc.nodes.length) return;
  try {
    const positions = await layoutPositions(s.doc, s.measured);
    useEditor.getState().apply((doc) => moveNodes(doc, positions), { graph: false });
    requestAnimationFrame(() => fitView());
  } catch (e) {
    useUi.getState().notify('error', `Auto-layout failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function closeDocument(): Promise<void> {
  if (!(await confirmDiscard())) return;
  useEditor.getState().load(emptyDocument(), { handle: null, name: null });
  useUi.getState().set({ galleryOpen: true });
}

const actions: Record<CommandId, () => void | Promise<unknown>> = {
  new: newDocument,
  newFromTemplate: () => useUi.getState().set({ galleryOpen: true }),
  open: openDocument,
  save,
  saveAs,
  downloadCopy,
  close: closeDocument,
  undo: () => useEditor.getState().undo(),
  redo: () => useEditor.getState().redo(),
  cut: () => {
    if (copySelection()) deleteSelection();
  },
  copy: () => void copySelection(),
  paste,
  duplicate,
  delete: deleteSelection,
  selectAll,
  fitView: () => fitView(),
  zoomIn,
  zoomOut,
  toggleTheme: () => useUi.getState().toggleTheme(),
  togglePalette: () => useUi.getState().set({ showPalette: !useUi.getState().showPalette }),
  toggleInspector: () => useUi.getState().set({ showInspector: !useUi.getState().showInspector }),
  toggleProblems: () => useUi.getState().set({ showDock: !useUi.getState().showDock }),
  autoLayout,
  shortcuts: () => useUi.getState().set({ helpOpen: true }),
  quickAdd: () => useUi.getState().set({ quickAddOpen: true }),
  deselect: () => useEditor.getState().setSelection(new Set(), new Set()),
};

/** The last command and when, so a shortcut the OS menu also handled does not run twice. */
let last: { id: CommandId; at: number; source: 'key' | 'menu' | 'ui' } | null = null;

export function runCommand(id: CommandId, source: 'key' | 'menu' | 'ui' = 'ui'): void {
  const now = performance.now();
  if (last && last.id === id && last.source !== source && source !== 'ui' && last.source !== 'ui' && now - last.at < 300) return;
  last = { id, at: now, source };
  try {
    const r = actions[id]();
    if (r instanceof Promise) r.catch((e) => useUi.getState().notify('error', String(e instanceof Error ? e.message : e)));
  } catch (e) {
    useUi.getState().notify('error', String(e instanceof Error ? e.message : e));
  }
}

/** A keyboard shortcut. `mod` is Ctrl, or Cmd on macOS. */
export interface Shortcut {
  command: CommandId;
  key: string;
  mod?: boolean;
  shift?: boolean;
  /** Shown in the Help dialog. */
  label: string;
  /** Works even while typing in a field (only Mod shortcuts that fields do not use). */
  inFields?: boolean;
}

export const SHORTCUTS: Shortcut[] = [
  { command: 'undo', key: 'z', mod: true, label: 'Undo' },
  { command: 'redo', key: 'z', mod: true, shift: true, label: 'Redo' },
  { command: 'redo', key: 'y', mod: true, label: 'Redo' },
  { command: 'copy', key: 'c', mod: true, label: 'Copy selected nodes' },
  { command: 'cut', key: 'x', mod: true, label: 'Cut selected nodes' },
  { command: 'paste', key: 'v', mod: true, label: 'Paste' },
  { command: 'duplicate', key: 'd', mod: true, label: 'Duplicate selected nodes' },
  { command: 'delete', key: 'Delete', label: 'Delete selection' },
  { command: 'delete', key: 'Backspace', label: 'Delete selection' },
  { command: 'selectAll', key: 'a', mod: true, label: 'Select all nodes' },
  { command: 'save', key: 's', mod: true, label: 'Save', inFields: true },
  { command: 'saveAs', key: 's', mod: true, shift: true, label: 'Save as…', inFields: true },
  { command: 'open', key: 'o', mod: true, label: 'Open…', inFields: true },
  { command: 'new', key: 'n', mod: true, label: 'New document' },
  { command: 'autoLayout', key: 'l', label: 'Auto-layout' },
  { command: 'fitView', key: 'f', label: 'Fit view' },
  { command: 'zoomIn', key: '=', label: 'Zoom in' },
  { command: 'zoomIn', key: '+', label: 'Zoom in' },
  { command: 'zoomOut', key: '-', label: 'Zoom out' },
  { command: 'quickAdd', key: '/', label: 'Quick add a node' },
  { command: 'quickAdd', key: 'k', mod: true, label: 'Quick add a node' },
  { command: 'toggleTheme', key: 't', label: 'Toggle light/dark theme' },
  { command: 'shortcuts', key: '?', label: 'Keyboard shortcuts' },
  { command: 'deselect', key: 'Escape', label: 'Clear the selection' },
];

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function shortcutText(s: Shortcut): string {
  const key = s.key.length === 1 ? s.key.toUpperCase() : s.key;
  return [s.mod ? (isMac ? '⌘' : 'Ctrl') : '', s.shift ? 'Shift' : '', key].filter(Boolean).join(isMac ? '' : '+');
}

function isEditable(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

/** The shortcut an event triggers, if any. */
export function matchShortcut(e: KeyboardEvent): Shortcut | null {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (e.altKey) return null;
  const editable = isEditable(e.target);
  for (const s of SHORTCUTS) {
    const keyMatch = s.key.length === 1 ? e.key.toLowerCase() === s.key || e.key === s.key : e.key === s.key;
    if (!keyMatch) continue;
    if (!!s.mod !== mod) continue;
    // Shift is a modifier only for letters; for "?" and other symbols it is part of typing the key.
    if (/^[a-z]$/.test(s.key) && !!s.shift !== e.shiftKey) continue;
    if (editable && !s.inFields) continue;
    return s;
  }
  return null;
}
