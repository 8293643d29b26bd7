/**
 * Every command the editor has, in one table: the toolbar, keyboard shortcuts and the app's native menus
 * (pushed as `menu` commands) all run the same functions, and the Help dialog lists the shortcuts from here.
 */
import type { MenuCommand } from '../../shared/api/contract';
import { layoutPositions } from './canvas/layout';
import { fitView, viewCenter, zoomIn, zoomOut } from './canvas/view';
import { confirmDiscard, downloadCopy, newDocument, openDocument, save, saveAs } from './files';
import type { LibraryBlock } from '../../shared/api/contract';
import { blockTree, readBlockFile } from '../../shared/document/blocks';
import { api } from './api/client';
import type { DocNode } from '../../shared/document/schema';
import { bypassPorts } from '../../shared/compiler/graph';
import { blockToFile, makeBlock, ungroupBlock } from './store/blockOps';
import { nodeInfo } from './store/catalog';
import { addNode, copyFragment, disconnectNode, emptyDocument, moveNodes, pasteFragment, removeElements, type Fragment } from './store/docOps';
import { currentLevel, useEditor } from './store/editor';
import { useUi } from './store/ui';

export type CommandId = MenuCommand | 'quickAdd' | 'deselect' | 'downloadCopy' | 'makeBlock' | 'ungroup' | 'enterBlock' | 'leaveBlock';

let clipboard: Fragment | null = null;
let pasteCount = 0;

/** How far apart nodes added at the same spot land (a node is roughly 220 × 110). */
const STEP = { x: 36, y: 28 };

/**
 * A position near `want` where no node at the level shown already sits (within a few pixels): added nodes never
 * stack exactly, they step down and right.
 */
export function freeSpot(nodes: readonly DocNode[], level: string | undefined, want: { x: number; y: number }): { x: number; y: number } {
  const here = blockTree(nodes).children(level);
  const taken = (p: { x: number; y: number }) => here.some((n) => Math.abs(n.position.x - p.x) < 12 && Math.abs(n.position.y - p.y) < 12);
  let p = { x: Math.round(want.x), y: Math.round(want.y) };
  for (let i = 0; i < 200 && taken(p); i++) p = { x: p.x + STEP.x, y: p.y + STEP.y };
  return p;
}

/**
 * Add a node of `typeId` at `at` (a drop or a click point), or at the middle of the view, offset from nodes
 * already there; inside the block the canvas shows. Selects it and returns its id.
 */
export function addNodeOfType(typeId: string, at?: { x: number; y: number }): string {
  const c = at ?? viewCenter();
  // Centre the new node on the point (a node is roughly 220 × 110).
  const s0 = useEditor.getState();
  const level = currentLevel(s0);
  const pos = at ? c : freeSpot(s0.doc.nodes, level, { x: c.x - 110, y: c.y - 55 });
  let id = '';
  useEditor.getState().apply((doc) => {
    const r = addNode(doc, typeId, pos, level);
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

export const canPaste = (): boolean => clipboard !== null;

/** Paste the copied nodes: offset from where they were, or with their top-left at `at` (a context-menu point). */
export function paste(at?: { x: number; y: number }): void {
  if (!clipboard) return;
  pasteCount++;
  const frag = clipboard;
  const inFrag = new Set(frag.nodes.map((n) => n.id));
  const roots = frag.nodes.filter((n) => n.parent === undefined || !inFrag.has(n.parent));
  const offset = at
    ? { x: Math.round(at.x - Math.min(...roots.map((n) => n.position.x))), y: Math.round(at.y - Math.min(...roots.map((n) => n.position.y))) }
    : { x: 40 * pasteCount, y: 40 * pasteCount };
  let ids: string[] = [];
  const level = currentLevel(useEditor.getState());
  useEditor.getState().apply((doc) => {
    const r = pasteFragment(doc, frag, offset, level);
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
  const level = currentLevel(s);
  s.apply((doc) => {
    const r = pasteFragment(doc, frag, { x: 40, y: 40 }, level);
    ids = r.ids;
    return r.doc;
  });
  useEditor.getState().setSelection(new Set(ids), new Set());
}

export function selectAll(): void {
  const s = useEditor.getState();
  s.setSelection(new Set(blockTree(s.doc.nodes).children(currentLevel(s)).map((n) => n.id)), new Set());
}

/** Make a block of the selected nodes (at the level shown) and select it. */
export function makeBlockOfSelection(): void {
  const s = useEditor.getState();
  const r = makeBlock(s.doc, s.selectedNodes, currentLevel(s));
  if (!r) {
    useUi.getState().notify('info', 'Select the nodes to put in a block first');
    return;
  }
  s.apply(() => r.doc, { select: [r.id] });
}

/** Dissolve the selected block (or the block `id`): its nodes come out where they were. */
export function ungroup(id?: string): void {
  const s = useEditor.getState();
  const target = id ?? [...s.selectedNodes].find((n) => s.doc.nodes.find((d) => d.id === n)?.type === 'block');
  if (!target) return;
  const inner = blockTree(s.doc.nodes).children(target).map((n) => n.id);
  s.apply((doc) => ungroupBlock(doc, target), { select: inner });
}

/** Remove every wire of the selected nodes. */
export function disconnectSelection(): void {
  const s = useEditor.getState();
  if (!s.selectedNodes.size) return;
  s.apply((doc) => [...s.selectedNodes].reduce((d, id) => disconnectNode(d, id), doc));
}

/** Whether node `n` can be bypassed (a layer with a tensor input and output). */
export function canBypass(n: DocNode): boolean {
  const info = nodeInfo(n);
  return info.type !== undefined && bypassPorts(info.type, info.inputs, info.outputs) !== null;
}

/** Bypass the selected layers (or stop bypassing them, when the node clicked already is). */
export function toggleBypass(clicked: string): void {
  const s = useEditor.getState();
  const on = !s.doc.nodes.find((n) => n.id === clicked)?.bypass;
  const ids = new Set(s.selectedNodes.has(clicked) ? s.selectedNodes : [clicked]);
  s.apply((doc) => ({
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (!ids.has(n.id) || !canBypass(n)) return n;
      const { bypass: _drop, ...rest } = n;
      return on ? { ...rest, bypass: true } : rest;
    }),
  }));
}

/** Enter the selected block. */
export function enterSelectedBlock(): void {
  const s = useEditor.getState();
  const id = [...s.selectedNodes].find((n) => s.doc.nodes.find((d) => d.id === n)?.type === 'block');
  if (id) {
    s.enterBlock(id);
    requestAnimationFrame(() => fitView(undefined, false));
  }
}

export async function autoLayout(): Promise<void> {
  const s = useEditor.getState();
  if (!s.doc.nodes.length) return;
  try {
    const positions = await layoutPositions(s.doc, s.measured, currentLevel(s));
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
  paste: () => paste(),
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
  makeBlock: makeBlockOfSelection,
  ungroup: () => ungroup(),
  enterBlock: enterSelectedBlock,
  leaveBlock: () => {
    const s = useEditor.getState();
    if (s.blockPath.length) {
      s.leaveTo(s.blockPath.length - 1);
      requestAnimationFrame(() => fitView(undefined, false));
    }
  },
  shortcuts: () => useUi.getState().set({ helpOpen: true }),
  quickAdd: () => useUi.getState().openQuickAdd(null),
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
  { command: 'makeBlock', key: 'g', mod: true, label: 'Make a block of the selected nodes' },
  { command: 'ungroup', key: 'g', mod: true, shift: true, label: 'Ungroup the selected block' },
  { command: 'enterBlock', key: 'Enter', label: 'Enter the selected block' },
  { command: 'leaveBlock', key: 'Backspace', mod: true, label: 'Leave the block shown' },
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

/** The block library as last listed (the palette lists it; insertion reads a block's file from here). */
let library: LibraryBlock[] = [];
export const setLibrary = (blocks: LibraryBlock[]): void => {
  library = blocks;
};

/** Insert block `id` of the library at `at` (default: the middle of the view) into the level shown, and select it. */
export async function insertLibraryBlock(id: string, at?: { x: number; y: number }): Promise<void> {
  let entry = library.find((b) => b.id === id);
  if (!entry) {
    setLibrary(await api.invoke('blocks.list', {}));
    entry = library.find((b) => b.id === id);
  }
  if (!entry) throw new Error(`the block library has no block "${id}"`);
  const r = readBlockFile(entry.text);
  if (!r.ok) throw new Error(`the block "${entry.name}" cannot be read: ${r.message}`);
  const s = useEditor.getState();
  const level = currentLevel(s);
  const c = viewCenter();
  const want = at ?? freeSpot(s.doc.nodes, level, { x: c.x - 110, y: c.y - 55 });
  const root = r.file.nodes[0];
  let ids: string[] = [];
  s.apply((doc) => {
    const p = pasteFragment(doc, { nodes: r.file.nodes, edges: r.file.edges }, { x: Math.round(want.x - root.position.x), y: Math.round(want.y - root.position.y) }, level, true);
    ids = p.ids;
    return p.doc;
  });
  useEditor.getState().setSelection(new Set(ids), new Set());
}

/** Save block `id` of the document to the user's block library (asks before replacing one of the same name). */
export async function saveBlockToLibrary(id: string): Promise<void> {
  const s = useEditor.getState();
  const file = blockToFile(s.doc, id);
  if (!file) return;
  const name = file.nodes[0].label ?? id;
  const text = `${JSON.stringify(file, null, 2)}\n`;
  const r = await api.invoke('blocks.save', { name, text });
  if (r.kind === 'exists') {
    const answer = await useUi.getState().ask({
      title: 'Replace the block in the library?',
      intro: `The block library already has a block saved as "${name}".`,
      buttons: [
        { label: 'Cancel', value: 'cancel' },
        { label: 'Replace', value: 'replace', danger: true },
      ],
      testId: 'block-replace',
    });
    if (answer !== 'replace') return;
    await api.invoke('blocks.save', { name, text, overwrite: true });
  }
  setLibrary(await api.invoke('blocks.list', {}));
  useUi.getState().notify('info', `Saved "${name}" to the block library`);
  window.dispatchEvent(new Event(LIBRARY_CHANGED));
}

/** Fired when the block library changes (the palette lists it again). */
export const LIBRARY_CHANGED = 'hnet:block-library';
