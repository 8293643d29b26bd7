/**
 * The editor store. The document is the single source of truth: React Flow's nodes and edges, the inspector
 * and the problems panel are all derived from it, and every edit is an action that replaces it with a new
 * document (sharing unchanged parts). Undo/redo is a history of documents; a drag or a burst of typing in one
 * field coalesces into one entry.
 */
import { create } from 'zustand';
import type { HnetDocument } from '../../../shared/document/schema';
import { blockTree, isBlock } from '../../../shared/document/blocks';
import { cachedEdgeKeys, emptyDocument } from './docOps';

interface HistoryEntry {
  doc: HnetDocument;
  editId: number;
}

export interface FileState {
  /** Opaque handle from the app to save back to; null for a document that has no file yet. */
  handle: string | null;
  /** File name shown in the title (the document's name when there is no file). */
  name: string | null;
}

export type SaveActivity = { kind: 'idle' } | { kind: 'saving' } | { kind: 'failed'; message: string };

export interface ApplyOptions {
  /** Edits with the same key in quick succession become one undo step (drags, typing in one field). */
  coalesce?: string;
  /** False for edits that cannot change what the compiler sees (positions, labels). */
  graph?: boolean;
  /** Select these nodes after the edit (and nothing else). */
  select?: string[];
}

export interface EditorState {
  doc: HnetDocument;
  /** Identity of the document's content: a new number on every edit; undo restores the earlier number. */
  editId: number;
  /** editId when the document was last saved (or loaded); differs from editId when there are unsaved changes. */
  savedEditId: number;
  /** Bumped when an edit can change the compile result; the compile cache keys on it. */
  graphVersion: number;
  /** Bumped when another document is loaded (resets views: fit, inspector drafts). */
  session: number;
  past: HistoryEntry[];
  future: HistoryEntry[];
  coalesce: { key: string; at: number } | null;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  /** Node sizes measured by React Flow, kept so derived nodes keep them (React Flow hides unmeasured nodes). */
  measured: ReadonlyMap<string, { width: number; height: number }>;
  file: FileState;
  /**
   * The blocks the canvas has entered, outermost first (empty: the top level). Not part of the document; ids
   * that no longer name a block (after an undo, an ungroup) are dropped by {@link currentLevel}.
   */
  blockPath: readonly string[];
  /** Whether the document was ever written somewhere (a file or a download). */
  everSaved: boolean;
  saveActivity: SaveActivity;

  apply(update: (doc: HnetDocument) => HnetDocument, options?: ApplyOptions): void;
  undo(): void;
  redo(): void;
  load(doc: HnetDocument, file: FileState, options?: { dirty?: boolean; everSaved?: boolean }): void;
  setSelection(nodes: ReadonlySet<string>, edges: ReadonlySet<string>): void;
  setMeasured(updates: Map<string, { width: number; height: number }>): void;
  endCoalescing(): void;
  setSaveActivity(a: SaveActivity): void;
  /** Show the inside of block `id` (a block at the level shown, or any block: the path to it is entered). */
  enterBlock(id: string): void;
  /** Leave to `depth` blocks deep (0: the top level). */
  leaveTo(depth: number): void;
  markSaved(editId: number, file?: FileState): void;
}

const HISTORY_LIMIT = 200;
/** Typing pauses longer than this start a new undo step. */
const COALESCE_MS = 1500;

let nextEditId = 1;
const EMPTY: ReadonlySet<string> = new Set();

function pruneSelection(doc: HnetDocument, nodes: ReadonlySet<string>, edges: ReadonlySet<string>) {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const keys = new Set(cachedEdgeKeys(doc.edges));
  const n = [...nodes].filter((id) => ids.has(id));
  const e = [...edges].filter((k) => keys.has(k));
  return {
    selectedNodes: n.length === nodes.size ? nodes : new Set(n),
    selectedEdges: e.length === edges.size ? edges : new Set(e),
  };
}

/**
 * Undo (from `past`) or redo (from `future`): the newest entry of that stack becomes the document, the current
 * one goes onto the other stack. Nothing changes when the stack is empty.
 */
function travel(s: EditorState, from: 'past' | 'future'): Partial<EditorState> {
  const to = from === 'past' ? 'future' : 'past';
  const entry = s[from][s[from].length - 1];
  if (!entry) return {};
  return {
    doc: entry.doc,
    editId: entry.editId,
    [from]: s[from].slice(0, -1),
    [to]: [...s[to], { doc: s.doc, editId: s.editId }],
    graphVersion: s.graphVersion + 1,
    coalesce: null,
    ...pruneSelection(entry.doc, s.selectedNodes, s.selectedEdges),
  };
}

export const useEditor = create<EditorState>()((set, get) => ({
  doc: emptyDocument(),
  editId: 0,
  savedEditId: 0,
  graphVersion: 0,
  session: 0,
  past: [],
  future: [],
  coalesce: null,
  selectedNodes: EMPTY,
  selectedEdges: EMPTY,
  measured: new Map(),
  file: { handle: null, name: null },
  blockPath: [],
  everSaved: false,
  saveActivity: { kind: 'idle' },

  apply(update, options = {}) {
    const s = get();
    const next = update(s.doc);
    if (next === s.doc) {
      if (options.select) set({ selectedNodes: new Set(options.select), selectedEdges: EMPTY });
      return;
    }
    const now = Date.now();
    const key = options.coalesce;
    const merge = key !== undefined && s.coalesce?.key === key && (key.startsWith('drag:') || now - s.coalesce.at < COALESCE_MS);
    const past = merge ? s.past : [...s.past, { doc: s.doc, editId: s.editId }].slice(-HISTORY_LIMIT);
    // Moves and relabels keep every node and wire: the selection stays valid (and drags stay cheap).
    const sameElements = next.edges === s.doc.edges && next.nodes.length === s.doc.nodes.length && options.graph === false;
    const selection = options.select
      ? { selectedNodes: new Set(options.select), selectedEdges: EMPTY }
      : sameElements
        ? {}
        : pruneSelection(next, s.selectedNodes, s.selectedEdges);
    set({
      doc: next,
      editId: nextEditId++,
      graphVersion: options.graph === false ? s.graphVersion : s.graphVersion + 1,
      past,
      future: [],
      coalesce: key !== undefined ? { key, at: now } : null,
      ...selection,
    });
  },

  undo() {
    set(travel(get(), 'past'));
  },

  redo() {
    set(travel(get(), 'future'));
  },

  load(doc, file, options = {}) {
    const s = get();
    const editId = nextEditId++;
    set({
      doc,
      editId,
      savedEditId: options.dirty ? -1 : editId,
      graphVersion: s.graphVersion + 1,
      session: s.session + 1,
      past: [],
      future: [],
      coalesce: null,
      selectedNodes: EMPTY,
      selectedEdges: EMPTY,
      measured: new Map(),
      file,
      blockPath: [],
      everSaved: options.everSaved ?? file.handle !== null,
      saveActivity: { kind: 'idle' },
    });
  },

  setSelection(nodes, edges) {
    set({ selectedNodes: nodes, selectedEdges: edges });
  },

  setMeasured(updates) {
    const m = new Map(get().measured);
    for (const [k, v] of updates) m.set(k, v);
    set({ measured: m });
  },

  endCoalescing() {
    set({ coalesce: null });
  },

  setSaveActivity(a) {
    set({ saveActivity: a });
  },

  enterBlock(id) {
    const tree = blockTree(get().doc.nodes);
    const b = tree.byId.get(id);
    if (!b || !isBlock(b)) return;
    set({ blockPath: [...tree.ancestors(id).slice().reverse(), id], selectedNodes: EMPTY, selectedEdges: EMPTY });
  },

  leaveTo(depth) {
    const path = validPath(get());
    if (depth >= path.length) return;
    set({ blockPath: path.slice(0, Math.max(0, depth)), selectedNodes: EMPTY, selectedEdges: EMPTY });
  },

  markSaved(editId, file) {
    set((s) => ({ savedEditId: editId, file: file ?? s.file, everSaved: true, saveActivity: { kind: 'idle' } }));
  },
}));

/** The entered blocks that still exist as a chain of blocks (an undo may have removed one). */
export function validPath(s: Pick<EditorState, 'doc' | 'blockPath'>): readonly string[] {
  if (!s.blockPath.length) return s.blockPath;
  const tree = blockTree(s.doc.nodes);
  let parent: string | undefined;
  const out: string[] = [];
  for (const id of s.blockPath) {
    const n = tree.byId.get(id);
    if (!n || !isBlock(n) || n.parent !== parent) break;
    out.push(id);
    parent = id;
  }
  return out.length === s.blockPath.length ? s.blockPath : out;
}

/** The block the canvas shows the inside of, or undefined for the top level. */
export function currentLevel(s: Pick<EditorState, 'doc' | 'blockPath'>): string | undefined {
  const p = validPath(s);
  return p.length ? p[p.length - 1] : undefined;
}

export const isDirty = (s: Pick<EditorState, 'editId' | 'savedEditId'>) => s.editId !== s.savedEditId;

/** The one selected node, or null when none or several are selected. */
export const singleSelected = (s: EditorState): string | null => (s.selectedNodes.size === 1 ? [...s.selectedNodes][0] : null);
