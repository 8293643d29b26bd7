/**
 * The editor window: toolbar on top, palette left, canvas centre, inspector right, a dock with tabs below the
 * canvas (Problems and Code now; the training dashboard will join them) and the parameter budget at the
 * bottom.
 */
import { ReactFlowProvider } from '@xyflow/react';
import { Suspense, lazy, useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import { api, type InvalidPush } from './api/client';
import { Canvas } from './canvas/Canvas';
import { matchShortcut, runCommand } from './commands';
import { Dialog, DraftsBanner, HelpDialog, Notices } from './dialogs/Dialogs';
import { WorkspaceDialogs, workspaceDialogOpen } from './dialogs/WorkspaceDialogs';
import { loadDrafts, openOpened, openPickedFile, openText, registerFileInput, reopenWorkspaceDocument, startDocumentSync } from './files';
import { Gallery } from './gallery/Gallery';
import { Inspector } from './inspector/Inspector';
import { Palette } from './palette/Palette';
import { QuickAdd } from './palette/QuickAdd';
import { BudgetBar } from './panels/BudgetBar';
import { ProblemCount, ProblemsPanel } from './panels/ProblemsPanel';
import { DataFileDialog, dataFileDialogOpen } from './inspector/DataFiles';
import { startDataProbes } from './store/dataProbe';
import { useEditor } from './store/editor';
import { useUi, type UiState } from './store/ui';
import { Toolbar } from './ui/Toolbar';

let started = false;

/** Runs once per page: which shell this is, the initial document or the gallery, drafts to recover. */
async function startUp(): Promise<void> {
  const ui = useUi.getState();
  try {
    const info = await api.invoke('app.info', {});
    ui.set({ mode: info.mode });
  } catch (e) {
    ui.notify('error', `Cannot reach Hypernet Studio: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  // A reload reopens the workspace document this tab showed (saved by name, or opened from the workspace).
  let opened = await reopenWorkspaceDocument();
  if (!opened) {
    try {
      const initial = await api.invoke('document.initial', {});
      if (initial) opened = openText(initial.text, { name: initial.name, handle: initial.handle });
    } catch (e) {
      ui.notify('error', `Could not load the document: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!opened && useEditor.getState().doc.nodes.length === 0) ui.set({ galleryOpen: true });
  await loadDrafts();
}

/**
 * A push this version cannot read (a newer engine, a confused peer) was dropped: say so until dismissed, once
 * per distinct problem (a run's every event may fail the same way).
 */
function noticeInvalidPush(push: InvalidPush): void {
  const ui = useUi.getState();
  const text = `The engine sent a message this version cannot read: ${push.issue}`;
  if (!ui.notices.some((n) => n.text === text)) ui.notify('error', text, 0);
}

function useGlobalKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      if (ui.dialog || ui.galleryOpen || ui.quickAddOpen || ui.helpOpen || workspaceDialogOpen() || dataFileDialogOpen()) return;
      const s = matchShortcut(e);
      if (!s) return;
      // Let the browser copy selected text when no node is selected.
      if ((s.command === 'copy' || s.command === 'cut') && useEditor.getState().selectedNodes.size === 0) return;
      e.preventDefault();
      runCommand(s.command, 'key');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

// The code view brings Monaco: loaded the first time its tab opens, never at start-up.
const CodePanel = lazy(() => import('./code/CodePanel'));
// The training dashboard brings uPlot: loaded the first time its tab opens.
const TrainPanel = lazy(() => import('./train/TrainPanel'));

/** The dock's top edge: drag to resize (remembered), double-click for the tab's default height, arrows by keyboard. */
function DockResizer({ dock }: { dock: RefObject<HTMLElement | null> }) {
  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    const el = dock.current;
    if (!el) return;
    e.preventDefault();
    const startY = e.clientY;
    const startH = el.getBoundingClientRect().height;
    const target = e.currentTarget;
    target.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => useUi.getState().setDockHeight(startH + (startY - ev.clientY));
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      target.removeEventListener('pointercancel', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
    target.addEventListener('pointercancel', up);
  };
  const onKeyDown = (e: ReactKeyboardEvent) => {
    const h = dock.current?.getBoundingClientRect().height ?? 200;
    if (e.key === 'ArrowUp') useUi.getState().setDockHeight(h + 24);
    else if (e.key === 'ArrowDown') useUi.getState().setDockHeight(h - 24);
    else return;
    e.preventDefault();
  };
  return (
    <div
      className="hn-dock__resizer"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize the panel (drag; double-click for the default height)"
      tabIndex={0}
      onPointerDown={onPointerDown}
      onDoubleClick={() => useUi.getState().setDockHeight(null)}
      onKeyDown={onKeyDown}
      data-testid="dock-resizer"
    />
  );
}

function Dock() {
  const tab = useUi((s) => s.dockTab);
  const height = useUi((s) => s.dockHeight);
  const ref = useRef<HTMLElement>(null);
  const show = (dockTab: UiState['dockTab']) => useUi.getState().set({ dockTab });
  return (
    <section
      ref={ref}
      className={`hn-dock${tab === 'code' || tab === 'train' || height !== null ? ' is-tall' : ''}`}
      style={height !== null ? { height } : undefined}
      aria-label="Panels"
      data-testid="dock"
    >
      <DockResizer dock={ref} />
      <div className="hn-dock__tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'problems'} className={`hn-dock__tab${tab === 'problems' ? ' is-active' : ''}`} onClick={() => show('problems')} data-testid="dock-tab-problems">
          Problems <ProblemCount />
        </button>
        <button type="button" role="tab" aria-selected={tab === 'code'} className={`hn-dock__tab${tab === 'code' ? ' is-active' : ''}`} onClick={() => show('code')} data-testid="dock-tab-code">
          Code
        </button>
        <button type="button" role="tab" aria-selected={tab === 'train'} className={`hn-dock__tab${tab === 'train' ? ' is-active' : ''}`} onClick={() => show('train')} data-testid="dock-tab-train">
          Train
        </button>
        <span className="hn-dock__spacer" />
        <button type="button" className="hn-icon-btn" aria-label="Hide the panel" title="Hide the panel" onClick={() => runCommand('toggleProblems')}>
          ×
        </button>
      </div>
      <div className="hn-dock__body" role="tabpanel">
        {tab === 'code' ? (
          <Suspense fallback={<div className="hn-codeview__empty">Loading the code view…</div>}>
            <CodePanel />
          </Suspense>
        ) : tab === 'train' ? (
          <Suspense fallback={<div className="hn-codeview__empty">Loading the training dashboard…</div>}>
            <TrainPanel />
          </Suspense>
        ) : (
          <ProblemsPanel />
        )}
      </div>
    </section>
  );
}

export function App() {
  const theme = useUi((s) => s.theme);
  const showPalette = useUi((s) => s.showPalette);
  const showInspector = useUi((s) => s.showInspector);
  const showDock = useUi((s) => s.showDock);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    registerFileInput(fileInput.current);
    if (!started) {
      started = true;
      void startUp();
    }
    const stopSync = startDocumentSync();
    const stopProbes = startDataProbes();
    const off = api.onPush((p) => {
      if (p.type === 'menu') runCommand(p.command, 'menu');
      else if (p.type === 'open') void openOpened(p.document);
    });
    const offInvalid = api.onInvalidPush(noticeInvalidPush);
    return () => {
      off();
      offInvalid();
      stopSync();
      stopProbes();
    };
  }, []);

  useGlobalKeys();

  return (
    <ReactFlowProvider>
      <div className={`hn-app${showPalette ? '' : ' no-palette'}${showInspector ? '' : ' no-inspector'}`}>
        <Toolbar />
        <DraftsBanner />
        <div className="hn-main">
          {showPalette && <Palette />}
          <div className="hn-center">
            <Canvas />
            {showDock && <Dock />}
          </div>
          {showInspector && <Inspector />}
        </div>
        <BudgetBar />
        <input
          ref={fileInput}
          type="file"
          accept=".json,.hnet.json,application/json"
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void openPickedFile(f);
          }}
        />
      </div>
      <Gallery />
      <QuickAdd />
      <HelpDialog />
      <WorkspaceDialogs />
      <DataFileDialog />
      <Dialog />
      <Notices />
    </ReactFlowProvider>
  );
}
