/**
 * The code view (a dock tab): the TypeScript/tfjs and Python/PyTorch projects the exporter would write, file by
 * file, in a read-only Monaco editor that follows the editor's theme, plus Export to a folder.
 *
 * It costs nothing while hidden: the dock mounts it only while its tab shows, and this module (with Monaco) is
 * loaded on first use. While it shows, code is regenerated 300 ms after the graph stops changing, only for the
 * language on screen, and only when the graph compiles; otherwise the last code that compiled stays, greyed.
 */
import { Editor, type OnMount } from '@monaco-editor/react';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { create } from 'zustand';
import { EXPORT_MARKER, exportMarkerText } from '../../../shared/codegen/exportMarker';
import { serializeDocument } from '../../../shared/document/load';
import { api } from '../api/client';
import { matchShortcut } from '../commands';
import { getCompiled } from '../store/compiled';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { generateCode, type CodeLanguage, type GeneratedCode } from './generate';
import { languageOf, monaco, monacoThemeFor } from './monaco';
import { zipFiles } from './zip';

/** Wait this long after the last graph change before generating (typing a number is several changes). */
export const REGENERATE_DEBOUNCE_MS = 300;

type ExportTo = 'tfjs' | 'pytorch';

const LANGUAGES: { id: CodeLanguage; label: string; detail: string; exportTo: ExportTo }[] = [
  { id: 'typescript', label: 'TypeScript', detail: 'tfjs', exportTo: 'tfjs' },
  { id: 'python', label: 'Python', detail: 'PyTorch', exportTo: 'pytorch' },
];

const TARGET_LABEL: Record<ExportTo, string> = { tfjs: 'TypeScript / tfjs project', pytorch: 'PyTorch project' };

interface CodeViewState {
  language: CodeLanguage;
  /** The file shown per language (kept while the tab is hidden). */
  selected: Record<CodeLanguage, string | null>;
  /** Where the last export went, shown under the toolbar. */
  lastExport: { folder: string; files: number; to: ExportTo } | null;
  exporting: boolean;
}

const useCodeView = create<CodeViewState>()(() => ({
  language: 'python',
  selected: { typescript: null, python: null },
  lastExport: null,
  exporting: false,
}));

// ------------------------------------------------------------------------------------------------- generation

interface Shown {
  /** The code on screen: the current graph's, or the last that compiled (stale) when it does not compile. */
  code: GeneratedCode | null;
  /** Problems of the current graph; 0 when it compiles and `code` is its code. */
  problems: number;
}

/** The last code generated per language, for the document it came from (another document's would mislead). */
const lastGood: Partial<Record<CodeLanguage, { session: number; code: GeneratedCode }>> = {};

function current(language: CodeLanguage): Shown {
  const { doc, session } = useEditor.getState();
  const { result } = getCompiled();
  if (result.ok && result.program) {
    const code = generateCode(result.program, language, doc.metadata);
    lastGood[language] = { session, code };
    return { code, problems: 0 };
  }
  const last = lastGood[language];
  return { code: last && last.session === session ? last.code : null, problems: Math.max(1, result.problems.length) };
}

/** The code of `language`, following graph and metadata edits (debounced). */
function useGenerated(language: CodeLanguage): Shown {
  const [shown, setShown] = useState<Shown>(() => current(language));
  useEffect(() => {
    const update = () => {
      const next = current(language);
      setShown((prev) => (prev.code === next.code && prev.problems === next.problems ? prev : next));
    };
    update();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = useEditor.subscribe((s, prev) => {
      if (s.graphVersion === prev.graphVersion && s.doc.metadata === prev.doc.metadata && s.session === prev.session) return;
      clearTimeout(timer);
      timer = setTimeout(update, REGENERATE_DEBOUNCE_MS);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [language]);
  return shown;
}

// ------------------------------------------------------------------------------------------------- export

function saveBlob(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function zipName(to: ExportTo): string {
  const s = useEditor.getState();
  const base = (s.file.name?.replace(/(\.hnet)?\.json$/i, '') || s.doc.metadata.name || 'hypernet')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'hypernet'}-${to}.zip`;
}

/** Browser mode without a document file: the generated sources as a zip (the data files need the app). */
async function offerZip(to: ExportTo): Promise<void> {
  const ui = useUi.getState();
  const { result } = getCompiled();
  if (!result.ok || !result.program) return;
  const language: CodeLanguage = to === 'pytorch' ? 'python' : 'typescript';
  const code = generateCode(result.program, language, useEditor.getState().doc.metadata);
  const choice = await ui.ask({
    title: `Download the ${TARGET_LABEL[to]} as a .zip?`,
    intro: 'This document has no file on the server, so there is no folder beside it to export to.',
    lines: [
      `The zip holds the ${code.files.length} generated source files.`,
      'The data files (data/) are left out: the app writes them from its dataset loaders.',
      `For those too, serve the document from a file (hnet serve FILE), or run: hnet export FILE --to ${to} --out DIR`,
    ],
    buttons: [
      { label: 'Cancel', value: 'cancel' },
      { label: 'Download .zip', value: 'zip', primary: true },
    ],
    testId: 'code-zip-dialog',
  });
  if (choice !== 'zip') return;
  const name = zipName(to);
  // The export's mark, so that writing the data into the unzipped folder (hnet export --out) needs no --force.
  const marker = { path: EXPORT_MARKER, text: exportMarkerText(to, Object.fromEntries(code.files.map((f) => [f.path, f.text]))) };
  saveBlob(zipFiles([...code.files, marker]), name, 'application/zip');
  ui.notify('info', `Downloaded ${name} (source files only, no data).`);
}

async function exportTo(to: ExportTo): Promise<void> {
  const ui = useUi.getState();
  const view = useCodeView.getState();
  if (view.exporting) return;
  const { result } = getCompiled();
  if (!result.ok) {
    const n = result.problems.length;
    ui.notify('error', `The graph has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} before exporting (see Problems).`);
    return;
  }
  const { doc, file } = useEditor.getState();
  useCodeView.setState({ exporting: true });
  try {
    const request = { documentText: serializeDocument(doc), to, handle: file.handle };
    let written = await api.invoke('export.toFolder', request);
    if (written?.notEmpty) {
      const choice = await ui.ask({
        title: 'Export into a folder that holds other files?',
        intro: `${written.folder} ${written.notEmpty}.`,
        lines: ['Exporting replaces the files of the same names there.'],
        buttons: [
          { label: 'Cancel', value: 'cancel' },
          { label: 'Export anyway', value: 'overwrite', primary: true },
        ],
        testId: 'export-overwrite-dialog',
      });
      written = choice === 'overwrite' ? await api.invoke('export.toFolder', { ...request, overwrite: true }) : null;
      if (!written) return;
    }
    if (written) {
      useCodeView.setState({ lastExport: { folder: written.folder, files: written.files.length, to } });
      ui.notify('info', `Exported the ${TARGET_LABEL[to]} to ${written.folder}`);
    } else if (ui.mode === 'browser') await offerZip(to);
    // Electron: the folder dialog was cancelled.
  } catch (e) {
    ui.notify('error', `Export failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    useCodeView.setState({ exporting: false });
  }
}

function ExportMenu({ preferred }: { preferred: ExportTo }) {
  const [open, setOpen] = useState(false);
  const exporting = useCodeView((s) => s.exporting);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close, true);
    window.addEventListener('keydown', close, true);
    return () => {
      window.removeEventListener('pointerdown', close, true);
      window.removeEventListener('keydown', close, true);
    };
  }, [open]);
  const order: ExportTo[] = preferred === 'tfjs' ? ['tfjs', 'pytorch'] : ['pytorch', 'tfjs'];
  return (
    <div className="hn-codeview__export" ref={root}>
      <button
        type="button"
        className="hn-btn hn-btn--small"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={exporting}
        onClick={() => setOpen((o) => !o)}
        data-testid="code-export"
        title="Write the generated project, with its data files, to a folder"
      >
        {exporting ? 'Exporting…' : 'Export…'}
      </button>
      {open && (
        <div className="hn-codeview__menu" role="menu" data-testid="code-export-menu">
          {order.map((to) => (
            <button
              key={to}
              type="button"
              role="menuitem"
              data-testid={`code-export-${to}`}
              onClick={() => {
                setOpen(false);
                void exportTo(to);
              }}
            >
              {TARGET_LABEL[to]}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

// ------------------------------------------------------------------------------------------------- view

/** Keys the editor's global shortcuts would take from the code editor (Delete, Ctrl+A, letters): kept here. */
function keepKeys(e: ReactKeyboardEvent) {
  const s = matchShortcut(e.nativeEvent);
  if (s && !s.inFields && s.command !== 'undo' && s.command !== 'redo') e.stopPropagation();
}

const modelUri = (language: CodeLanguage, path: string) => `inmemory://code/${language}/${path}`;

const EDITOR_OPTIONS: monaco.editor.IStandaloneEditorConstructionOptions = {
  readOnly: true,
  domReadOnly: true,
  readOnlyMessage: { value: 'Generated code is read-only: edit the graph, and the code follows.' },
  automaticLayout: true,
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  fontSize: 12.5,
  lineHeight: 19,
  fontFamily: "'JetBrains Mono', ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
  lineNumbersMinChars: 4,
  renderLineHighlight: 'none',
  hideCursorInOverviewRuler: true,
  overviewRulerBorder: false,
  occurrencesHighlight: 'off',
  folding: true,
  padding: { top: 6, bottom: 6 },
  contextmenu: false,
  stickyScroll: { enabled: false },
  scrollbar: { verticalScrollbarSize: 10, horizontalScrollbarSize: 10, alwaysConsumeMouseWheel: false },
};

export default function CodePanel() {
  const theme = useUi((s) => s.theme);
  const language = useCodeView((s) => s.language);
  const selected = useCodeView((s) => s.selected[language]);
  const lastExport = useCodeView((s) => s.lastExport);
  const { code, problems } = useGenerated(language);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);

  const file = code ? (code.files.find((f) => f.path === selected) ?? code.files[0] ?? null) : null;
  const stale = problems > 0;

  // New code reaches every model already open for it (other files' models too, so switching never flashes
  // old text); the file on screen keeps its scroll position.
  useEffect(() => {
    if (!code) return;
    for (const f of code.files) {
      const model = monaco.editor.getModel(monaco.Uri.parse(modelUri(code.language, f.path)));
      if (!model || model.getValue() === f.text) continue;
      const editor = editorRef.current;
      const onScreen = editor?.getModel() === model;
      const top = onScreen ? editor!.getScrollTop() : 0;
      model.setValue(f.text);
      if (onScreen) editor!.setScrollTop(top);
    }
  }, [code]);

  const onMount: OnMount = useCallback((editor) => {
    editorRef.current = editor;
  }, []);

  const pick = (path: string) => useCodeView.setState((s) => ({ selected: { ...s.selected, [language]: path } }));
  const exportPreferred = LANGUAGES.find((l) => l.id === language)!.exportTo;

  return (
    <div className="hn-codeview" data-testid="code-view" role="region" aria-label="Generated code" onKeyDown={keepKeys}>
      <div className="hn-codeview__bar">
        <div className="hn-seg" role="tablist" aria-label="Language">
          {LANGUAGES.map((l) => (
            <button
              key={l.id}
              type="button"
              role="tab"
              aria-selected={language === l.id}
              className={`hn-seg__item${language === l.id ? ' is-active' : ''}`}
              data-testid={`code-tab-${l.id}`}
              onClick={() => useCodeView.setState({ language: l.id })}
            >
              {l.label} <span className="hn-seg__detail">{l.detail}</span>
            </button>
          ))}
        </div>
        {stale && (
          <button
            type="button"
            className="hn-codeview__note"
            role="status"
            data-testid="code-stale"
            title="Show the problems"
            onClick={() => useUi.getState().set({ dockTab: 'problems' })}
          >
            {code
              ? `The graph has ${problems} problem${problems === 1 ? '' : 's'}; showing the last code that compiled.`
              : `The graph has ${problems} problem${problems === 1 ? '' : 's'}; code appears once it compiles.`}
          </button>
        )}
        <span className="hn-dock__spacer" />
        {lastExport && (
          <span className="hn-codeview__exported" data-testid="code-export-result" title={lastExport.folder}>
            Exported {lastExport.files} files to <code>{lastExport.folder}</code>
          </span>
        )}
        <ExportMenu preferred={exportPreferred} />
      </div>
      <div className="hn-codeview__body">
        <div className="hn-codeview__files" role="tablist" aria-label="Files" aria-orientation="vertical">
          {code?.files.map((f) => (
            <button
              key={f.path}
              type="button"
              role="tab"
              aria-selected={file?.path === f.path}
              className={`hn-codeview__file${file?.path === f.path ? ' is-active' : ''}`}
              data-testid={`code-file-${f.path}`}
              title={f.path}
              onClick={() => pick(f.path)}
            >
              {f.path.includes('/') && <span className="hn-codeview__dir">{f.path.slice(0, f.path.lastIndexOf('/') + 1)}</span>}
              {f.path.slice(f.path.lastIndexOf('/') + 1)}
            </button>
          ))}
        </div>
        <div
          className={`hn-codeview__editor${stale ? ' is-stale' : ''}`}
          data-testid="code-editor"
          data-language={language}
          data-path={file?.path ?? ''}
          data-stale={stale ? 'true' : 'false'}
        >
          {file && code ? (
            <Editor
              path={modelUri(code.language, file.path)}
              language={languageOf(file.path)}
              defaultValue={file.text}
              theme={monacoThemeFor(theme)}
              options={EDITOR_OPTIONS}
              onMount={onMount}
              loading={<div className="hn-codeview__empty">Loading the editor…</div>}
            />
          ) : (
            <div className="hn-codeview__empty">Nothing to show yet: the code appears once the graph compiles.</div>
          )}
        </div>
      </div>
    </div>
  );
}
