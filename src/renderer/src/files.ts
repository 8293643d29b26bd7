/**
 * Documents in and out: new, open (native dialog in Electron; in the browser, the workspace's documents or a file
 * from this computer), templates, save, save as (Electron: native dialog; browser mode: a name, written into the
 * workspace), download a copy, autosave and crash-recovery drafts. A draft is deleted only once the document is
 * on disk: a download is a copy, not a save.
 *
 * Opening checks the file exactly as `hnet validate` does (load, then compile). A file that cannot be loaded,
 * or whose graph cannot be shown faithfully (duplicate ids, unknown node types, wires to missing nodes or
 * ports), is refused with every problem listed, and the open document stays as it was.
 */
import type { OpenedDocument } from '../../shared/api/contract';
import { compile } from '../../shared/compiler/compile';
import { formatProblem, type HnetProblem } from '../../shared/compiler/errors';
import { parseDocument, serializeDocument } from '../../shared/document/load';
import type { HnetDocument } from '../../shared/document/schema';
import type { WorkspaceEntry } from '../../shared/api/workspace';
import { api } from './api/client';
import { getViewport } from './canvas/view';
import { askDocumentName, chooseWorkspaceDocument } from './dialogs/WorkspaceDialogs';
import { emptyDocument } from './store/docOps';
import { isDirty, useEditor } from './store/editor';
import { useUi } from './store/ui';

/** Problems that mean the canvas could not show the file as it is. */
const BLOCKING = new Set(['HN010', 'HN011', 'HN020', 'HN021', 'HN026']);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function documentTitle(): string {
  const s = useEditor.getState();
  return s.doc.metadata.name || s.file.name || 'Untitled';
}

/** The text the document is saved as, with the current viewport kept in `ui`. */
export function currentText(): string {
  const { doc } = useEditor.getState();
  const vp = getViewport();
  const withUi: HnetDocument = vp
    ? { ...doc, ui: { ...(doc.ui ?? {}), viewport: { x: round(vp.x), y: round(vp.y), zoom: round(vp.zoom, 1000) } } }
    : doc;
  return serializeDocument(withUi);
}

const round = (v: number, k = 10) => Math.round(v * k) / k;

/** Ask before throwing away unsaved changes. Resolves true when it is fine to go on. */
export async function confirmDiscard(): Promise<boolean> {
  const s = useEditor.getState();
  if (!isDirty(s)) return true;
  const choice = await useUi.getState().ask({
    title: 'Unsaved changes',
    intro: `"${documentTitle()}" has changes that are not saved.`,
    buttons: [
      { label: 'Cancel', value: 'cancel' },
      { label: 'Discard changes', value: 'discard', danger: true },
      { label: 'Save', value: 'save', primary: true },
    ],
    testId: 'confirm-discard',
  });
  if (choice === 'save') return save();
  return choice === 'discard';
}

function showLoadErrors(what: string, problems: HnetProblem[], warnings: string[] = []): void {
  void useUi.getState().ask({
    title: `Cannot open ${what}`,
    intro: 'The file was not opened; your current document is unchanged.',
    lines: [...problems.map(formatProblem), ...warnings.map((w) => `warning: ${w}`)],
    buttons: [{ label: 'Close', value: 'ok', primary: true }],
    testId: 'load-errors',
  });
}

/**
 * Check a document's text and, when it can be opened, make it the current document.
 * Returns false (having shown why) when it cannot.
 */
export function openText(text: string, source: { name: string; handle: string | null }, options: { dirty?: boolean; template?: boolean } = {}): boolean {
  const parsed = parseDocument(text);
  if (!parsed.ok) {
    showLoadErrors(source.name, parsed.problems);
    return false;
  }
  let problems: HnetProblem[];
  try {
    problems = compile(parsed.doc).problems;
  } catch (e) {
    problems = [{ code: 'HN004', message: `the compiler failed: ${message(e)}` }];
  }
  if (problems.some((p) => BLOCKING.has(p.code))) {
    showLoadErrors(source.name, problems, parsed.warnings);
    return false;
  }
  // A document new to this window keeps its runs apart from the last unsaved one's (a recovered draft is the same work).
  if (source.handle === null && !options.dirty) freshUnsavedRunsKey();
  useEditor.getState().load(parsed.doc, { handle: source.handle, name: options.template ? null : source.name }, { dirty: options.dirty });
  useUi.getState().set({ galleryOpen: false });
  for (const w of parsed.warnings.slice(0, 3)) useUi.getState().notify('warn', w, 10_000);
  return true;
}

export async function newDocument(): Promise<void> {
  if (!(await confirmDiscard())) return;
  freshUnsavedRunsKey();
  useEditor.getState().load(emptyDocument(), { handle: null, name: null }, { everSaved: false });
}

export async function openTemplate(id: string, name: string): Promise<void> {
  if (!(await confirmDiscard())) return;
  try {
    const { text } = await api.invoke('templates.read', { id });
    openText(text, { name, handle: null }, { template: true });
  } catch (e) {
    useUi.getState().notify('error', `Could not open the template ${name}: ${message(e)}`);
  }
}

let fileInput: HTMLInputElement | null = null;
export function registerFileInput(el: HTMLInputElement | null): void {
  fileInput = el;
}

function pickFromThisComputer(): void {
  if (fileInput) {
    fileInput.value = '';
    fileInput.click();
  }
}

const isBrowserMode = () => useUi.getState().mode === 'browser' || api.transport === 'browser';

/** Open: the app's dialog in Electron; in the browser, the workspace's documents (or a file from this computer). */
export async function openDocument(): Promise<void> {
  if (isBrowserMode()) {
    let listing;
    try {
      listing = await api.invoke('workspace.list', {});
    } catch (e) {
      useUi.getState().notify('error', `Could not list the workspace: ${message(e)}`);
      listing = null;
    }
    if (!listing) return pickFromThisComputer();
    const choice = await chooseWorkspaceDocument(listing);
    if (choice === 'upload') pickFromThisComputer();
    else if (choice) await openFromWorkspace(choice);
    return;
  }
  try {
    const opened = await api.invoke('document.open', {});
    if (opened) await openOpened(opened);
  } catch (e) {
    useUi.getState().notify('error', `Could not open: ${message(e)}`);
  }
}

async function openFromWorkspace(entry: WorkspaceEntry): Promise<void> {
  let opened;
  try {
    opened = await api.invoke('workspace.open', { path: entry.path });
  } catch (e) {
    useUi.getState().notify('error', `Could not open ${entry.path}: ${message(e)}`);
    return;
  }
  if (!(await confirmDiscard())) return;
  const previous = rememberedWorkspaceDocument();
  rememberWorkspaceDocument({ handle: opened.handle, path: opened.path });
  if (!openText(opened.text, { name: opened.name, handle: opened.handle })) rememberWorkspaceDocument(previous);
}

// ---------------------------------------------------------------------------------------------------------------
// The workspace document this tab shows, so a reload reopens it (kept per tab, like the draft id).
// ---------------------------------------------------------------------------------------------------------------

const WORKSPACE_DOC_KEY = 'hnet.workspaceDocument';
type RememberedDocument = { handle: string | null; path: string };

function rememberedWorkspaceDocument(): RememberedDocument | null {
  try {
    const raw = sessionStorage.getItem(WORKSPACE_DOC_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<RememberedDocument>;
    return typeof v.path === 'string' ? { handle: typeof v.handle === 'string' ? v.handle : null, path: v.path } : null;
  } catch {
    return null;
  }
}

function rememberWorkspaceDocument(doc: RememberedDocument | null): void {
  try {
    if (doc) sessionStorage.setItem(WORKSPACE_DOC_KEY, JSON.stringify(doc));
    else sessionStorage.removeItem(WORKSPACE_DOC_KEY);
  } catch {
    // Not remembered: a reload then opens what the server serves.
  }
}

/**
 * At start-up: reopen the workspace document this tab showed before a reload. False when there is none (or it
 * is gone), and the editor opens what the app serves instead.
 */
export async function reopenWorkspaceDocument(): Promise<boolean> {
  const remembered = rememberedWorkspaceDocument();
  if (!remembered) return false;
  try {
    const opened = await api.invoke('workspace.open', { path: remembered.path });
    rememberWorkspaceDocument({ handle: opened.handle, path: opened.path });
    if (openText(opened.text, { name: opened.name, handle: opened.handle })) return true;
  } catch (e) {
    useUi.getState().notify('warn', `Could not reopen ${remembered.path}: ${message(e)}`);
  }
  rememberWorkspaceDocument(null);
  return false;
}

/** A document the app hands over (dialog, recent list, the OS). */
export async function openOpened(opened: OpenedDocument): Promise<void> {
  if (!(await confirmDiscard())) return;
  openText(opened.text, { name: opened.name, handle: opened.handle });
}

/** The browser file picker's choice. */
export async function openPickedFile(file: File): Promise<void> {
  let text: string;
  try {
    if (file.size > 50 * 1024 * 1024) {
      showLoadErrors(file.name, [{ code: 'HN001', message: 'the file is larger than 50 MB; Hypernet Studio opens documents up to 50 MB' }]);
      return;
    }
    text = await file.text();
  } catch (e) {
    useUi.getState().notify('error', `Could not read ${file.name}: ${message(e)}`);
    return;
  }
  // Check first, so a bad file never costs the user their unsaved work.
  const parsed = parseDocument(text);
  if (!parsed.ok) {
    showLoadErrors(file.name, parsed.problems);
    return;
  }
  if (!(await confirmDiscard())) return;
  openText(text, { name: file.name, handle: null });
}

function suggestedName(): string {
  const s = useEditor.getState();
  if (s.file.name && s.file.name.endsWith('.hnet.json')) return s.file.name;
  const slug = (s.doc.metadata.name || 'untitled')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'untitled'}.hnet.json`;
}

export async function save(): Promise<boolean> {
  const s = useEditor.getState();
  if (!s.file.handle) return saveAs();
  const text = currentText();
  const editId = s.editId;
  s.setSaveActivity({ kind: 'saving' });
  try {
    await api.invoke('document.save', { handle: s.file.handle, text });
    // Only now is the document on disk, and only now may its draft go.
    useEditor.getState().markSaved(editId);
    void discardOwnDraft();
    return true;
  } catch (e) {
    const m = message(e);
    useEditor.getState().setSaveActivity({ kind: 'failed', message: m });
    useUi.getState().notify('error', `Save failed: ${m}`);
    return false;
  }
}

export async function saveAs(): Promise<boolean> {
  if (isBrowserMode()) {
    const saved = await saveToWorkspace();
    if (saved !== null) return saved;
  }
  const s = useEditor.getState();
  const text = currentText();
  const editId = s.editId;
  const name = suggestedName();
  s.setSaveActivity({ kind: 'saving' });
  try {
    const result = await api.invoke('document.saveAs', { suggestedName: name, text });
    if (result) {
      const wasUnsaved = !s.file.handle;
      useEditor.getState().markSaved(editId, { handle: result.handle, name: result.name });
      if (wasUnsaved && result.handle) void adoptRuns(result.handle);
      void discardOwnDraft();
      return true;
    }
    useEditor.getState().setSaveActivity({ kind: 'idle' });
    if (isBrowserMode()) {
      // No workspace to write to: the user still gets the file, but it is not saved (the draft stays).
      downloadCopy();
    }
    return false;
  } catch (e) {
    const m = message(e);
    useEditor.getState().setSaveActivity({ kind: 'failed', message: m });
    useUi.getState().notify('error', `Save failed: ${m}`);
    return false;
  }
}

/**
 * Browser mode: ask for a name and write `NAME.hnet.json` into the workspace. Null when the server has no
 * workspace; false when cancelled or failed (the draft is kept either way).
 */
async function saveToWorkspace(): Promise<boolean | null> {
  let listing;
  try {
    listing = await api.invoke('workspace.list', {});
  } catch {
    listing = null;
  }
  if (!listing) return null;
  let name = await askDocumentName(suggestedName().replace(/\.hnet\.json$/i, ''), listing.name);
  let overwrite = false;
  while (name !== null) {
    const s = useEditor.getState();
    const text = currentText();
    const editId = s.editId;
    s.setSaveActivity({ kind: 'saving' });
    let result;
    try {
      result = await api.invoke('workspace.saveNew', { name, text, overwrite });
    } catch (e) {
      const m = message(e);
      useEditor.getState().setSaveActivity({ kind: 'failed', message: m });
      useUi.getState().notify('error', `Save failed: ${m}`);
      return false;
    }
    if (result.kind === 'saved') {
      // Remembered before the editor switches to the file, so the switch does not forget it.
      rememberWorkspaceDocument({ handle: result.handle, path: result.path });
      const wasUnsaved = !s.file.handle;
      useEditor.getState().markSaved(editId, { handle: result.handle, name: result.name });
      if (wasUnsaved) void adoptRuns(result.handle);
      void discardOwnDraft();
      useUi.getState().notify('info', `Saved ${result.path} in the workspace ${listing.name}`);
      return true;
    }
    useEditor.getState().setSaveActivity({ kind: 'idle' });
    const choice = await useUi.getState().ask({
      title: 'Replace the document?',
      intro: `${result.path} is already in the workspace. Replace it with this document, or choose another name?`,
      buttons: [
        { label: 'Cancel', value: 'cancel' },
        { label: 'Choose another name', value: 'rename' },
        { label: 'Replace', value: 'replace', danger: true },
      ],
      testId: 'confirm-replace',
    });
    if (choice === 'replace') overwrite = true;
    else if (choice === 'rename') {
      overwrite = false;
      name = await askDocumentName(name, listing.name);
    } else name = null;
  }
  useEditor.getState().setSaveActivity({ kind: 'idle' });
  return false;
}

/** "Download a copy": the document as a file from the browser. It is a copy: nothing counts as saved. */
export function downloadCopy(): void {
  const name = suggestedName();
  download(currentText(), name);
  useUi.getState().notify('info', `Downloaded a copy as ${name}; the document itself is not saved by this`);
}

/** Give the user `text` as a file named `name` (the browser's download). */
export function download(text: string, name: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------------------------------------------------------------------------------------------------------------
// Where the document's runs are kept
// ---------------------------------------------------------------------------------------------------------------

const RUNS_KEY = 'hnet.unsavedRunsKey';
let memoryRunsKey: string | null = null;

const newRunsKey = () => `u-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The key an unsaved document's runs are kept under (the app keeps them apart from other unsaved documents'):
 * one per document opened in this window, kept across a reload of the tab so the reloaded work finds its runs.
 */
export function unsavedRunsKey(): string {
  try {
    const have = sessionStorage.getItem(RUNS_KEY);
    if (have) return have;
    const key = newRunsKey();
    sessionStorage.setItem(RUNS_KEY, key);
    return key;
  } catch {
    return (memoryRunsKey ??= newRunsKey());
  }
}

function freshUnsavedRunsKey(): void {
  memoryRunsKey = null;
  try {
    sessionStorage.removeItem(RUNS_KEY);
  } catch {
    // the next key is made in memory
  }
}

/** What names this document's runs in the run requests: its file's handle, or its unsaved key. */
export function runsPlace(): { handle: string | null; unsaved?: string } {
  const handle = useEditor.getState().file.handle;
  return handle ? { handle } : { handle: null, unsaved: unsavedRunsKey() };
}

/** The unsaved document was saved as a file: its runs move beside it (those going, when they end). */
async function adoptRuns(handle: string): Promise<void> {
  const unsaved = unsavedRunsKey();
  try {
    const { moved } = await api.invoke('run.adopt', { unsaved, handle });
    if (moved > 0) useUi.getState().notify('info', `${moved} ${moved === 1 ? 'run moves' : 'runs move'} beside the saved document`);
  } catch (e) {
    useUi.getState().notify('warn', `The runs of the unsaved document stay in the app's runs folder: ${message(e)}`);
  }
  freshUnsavedRunsKey();
  window.dispatchEvent(new Event('hnet:runs-moved'));
}

// ---------------------------------------------------------------------------------------------------------------
// Autosave and drafts
// ---------------------------------------------------------------------------------------------------------------

/** One draft per editor window; kept across reloads of the same tab so a reload finds its own draft. */
function draftId(): string {
  const KEY = 'hnet.draftId';
  try {
    const have = sessionStorage.getItem(KEY);
    if (have) return have;
    const id = `w-${Math.random().toString(36).slice(2, 10)}`;
    sessionStorage.setItem(KEY, id);
    return id;
  } catch {
    return 'w-default';
  }
}

const AUTOSAVE_IDLE_MS = 3000;
let autosaveTimer: ReturnType<typeof setTimeout> | null = null;
let draftWritten = false;

async function discardOwnDraft(): Promise<void> {
  if (!draftWritten) return;
  draftWritten = false;
  try {
    await api.invoke('autosave.discard', { id: draftId() });
  } catch {
    // A stale draft is harmless: it is offered once and can be discarded then.
  }
}

async function writeDraft(): Promise<void> {
  const s = useEditor.getState();
  if (!isDirty(s)) return;
  try {
    await api.invoke('autosave.write', { id: draftId(), name: documentTitle().slice(0, 200), text: currentText() });
    draftWritten = true;
  } catch {
    // Autosave is best effort; the save status still says the changes are unsaved.
  }
}

/** Start autosave and keep the shell told about unsaved changes. Returns a function that stops both. */
export function startDocumentSync(): () => void {
  let lastDirty: boolean | null = null;
  let lastTitle = '';
  const sync = () => {
    const s = useEditor.getState();
    const dirty = isDirty(s);
    const title = `${dirty ? '• ' : ''}${documentTitle()} — Hypernet Studio`;
    if (dirty !== lastDirty || title !== lastTitle) {
      lastDirty = dirty;
      lastTitle = title;
      document.title = title;
      api.invoke('window.setDirty', { dirty, title: title.slice(0, 300) }).catch(() => undefined);
    }
  };
  sync();
  const unsub = useEditor.subscribe((s, prev) => {
    if (s.editId === prev.editId && s.savedEditId === prev.savedEditId && s.doc.metadata.name === prev.doc.metadata.name && s.file === prev.file) return;
    sync();
    if (s.file !== prev.file) {
      const remembered = rememberedWorkspaceDocument();
      if (remembered && remembered.handle !== s.file.handle) rememberWorkspaceDocument(null);
    }
    if (s.editId !== prev.editId) {
      if (autosaveTimer) clearTimeout(autosaveTimer);
      autosaveTimer = setTimeout(() => void writeDraft(), AUTOSAVE_IDLE_MS);
    }
    // Back to what is on disk (saved, or undone to it): the draft is no longer needed. A document without a
    // file keeps its draft, since nothing of it is on disk.
    if (!isDirty(s) && isDirty(prev) && s.file.handle) void discardOwnDraft();
  });
  return () => {
    unsub();
    if (autosaveTimer) clearTimeout(autosaveTimer);
  };
}

export async function loadDrafts(): Promise<void> {
  try {
    const drafts = await api.invoke('autosave.list', {});
    useUi.getState().set({ drafts });
  } catch {
    // No drafts to offer.
  }
}

export async function recoverDraft(id: string): Promise<void> {
  const d = useUi.getState().drafts.find((x) => x.id === id);
  if (!d) return;
  if (!(await confirmDiscard())) return;
  if (openText(d.text, { name: d.name, handle: null }, { dirty: true })) {
    useUi.getState().set({ drafts: useUi.getState().drafts.filter((x) => x.id !== id) });
    // Keep the work safe under this window's own draft first, then drop the old one: a crash in between loses nothing.
    await writeDraft();
    if (id !== draftId() && draftWritten) await discardDraft(id);
  }
}

export async function discardDraft(id: string): Promise<void> {
  useUi.getState().set({ drafts: useUi.getState().drafts.filter((x) => x.id !== id) });
  try {
    await api.invoke('autosave.discard', { id });
  } catch {
    // Already gone.
  }
}
