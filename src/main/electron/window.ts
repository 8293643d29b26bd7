/**
 * The editor window: secure webPreferences, remembered size and position, a title that shows unsaved changes,
 * and the Save / Don't Save / Cancel prompt when a window with unsaved changes is closed.
 */
import { BrowserWindow, dialog, screen, type WebContents } from 'electron';
import { join } from 'node:path';
import type { MenuCommand } from '../../shared/api/contract';
import { secureWebPreferences } from './webPreferences';
import { MIN_SIZE, readWindowState, restoreBounds, writeWindowState } from './windowState';

export interface WindowDeps {
  userData: string;
  /** Absolute path of the built preload (out/preload/index.cjs). */
  preload: string;
  /** The editor's page: app://studio/index.html, or the dev server in development. */
  pageUrl: string;
  send(win: BrowserWindow, command: MenuCommand): void;
  /** Delete the crash-recovery drafts a window wrote: it closed with nothing left unsaved. */
  discardDrafts(ids: string[]): void;
}

interface WindowRecord {
  win: BrowserWindow;
  dirty: boolean;
  title: string;
  /** The user chose Save in the close prompt; close once the save succeeds. */
  closeAfterSave: boolean;
  /** Close without asking (after Don't Save, or a save from the prompt). */
  forceClose: boolean;
  /** Draft ids this window's editor wrote (autosave.write). */
  drafts: Set<string>;
}

const records = new Map<number, WindowRecord>();
const PRODUCT = 'Hypernet Studio';

const recordOf = (wc: WebContents): WindowRecord | undefined => records.get(wc.id);

export const isEditorWindow = (wc: WebContents): boolean => records.has(wc.id);

export function createEditorWindow(deps: WindowDeps): BrowserWindow {
  const stateFile = join(deps.userData, 'window-state.json');
  const { bounds, maximized } = restoreBounds(
    readWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: PRODUCT,
    backgroundColor: '#16181d',
    webPreferences: secureWebPreferences(deps.preload),
  });
  const wcId = win.webContents.id;
  const record: WindowRecord = { win, dirty: false, title: 'Untitled', closeAfterSave: false, forceClose: false, drafts: new Set() };
  records.set(wcId, record);

  const saveState = () => {
    if (win.isDestroyed()) return;
    writeWindowState(stateFile, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  };
  let timer: NodeJS.Timeout | undefined;
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(saveState, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);

  win.once('ready-to-show', () => {
    if (maximized) win.maximize();
    win.show();
  });
  // The title is set from setDirty (document name and unsaved marker), not from the page's <title>.
  win.on('page-title-updated', (e) => e.preventDefault());

  win.on('close', (e) => {
    if (record.forceClose || !record.dirty) {
      clearTimeout(timer);
      saveState();
      deps.discardDrafts([...record.drafts]);
      return;
    }
    e.preventDefault();
    const choice = dialog.showMessageBoxSync(win, {
      type: 'warning',
      buttons: ['Save', "Don't Save", 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      noLink: true,
      message: `Do you want to save the changes you made to ${record.title}?`,
      detail: "Your changes will be lost if you don't save them.",
    });
    if (choice === 0) {
      record.closeAfterSave = true;
      deps.send(win, 'save');
    } else if (choice === 1) {
      record.forceClose = true;
      win.close();
    }
  });
  win.on('closed', () => {
    clearTimeout(timer);
    records.delete(wcId);
  });

  win.webContents.on('render-process-gone', (_e, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    const choice = dialog.showMessageBoxSync(win, {
      type: 'error',
      buttons: ['Reload', 'Close'],
      defaultId: 0,
      cancelId: 1,
      message: 'The editor stopped unexpectedly.',
      detail: 'Reload it to continue: unsaved work is offered back from the last autosave.',
    });
    if (choice === 0) win.reload();
    else {
      record.forceClose = true;
      win.close();
    }
  });

  void win.loadURL(deps.pageUrl);
  return win;
}

/** The editor says whether it has unsaved changes (window.setDirty). */
export function setDirty(wc: WebContents, dirty: boolean, title: string): void {
  const r = recordOf(wc);
  if (!r || r.win.isDestroyed()) return;
  r.dirty = dirty;
  r.title = title.trim() || 'Untitled';
  const mac = process.platform === 'darwin';
  r.win.setTitle(`${dirty && !mac ? '• ' : ''}${r.title} — ${PRODUCT}`);
  if (mac) r.win.setDocumentEdited(dirty);
}

/** A save or save-as from `wc` finished; if the close prompt asked for it, close now (or stay open if it failed). */
export function saved(wc: WebContents, ok: boolean): void {
  const r = recordOf(wc);
  if (!r || !r.closeAfterSave) return;
  r.closeAfterSave = false;
  if (!ok || r.win.isDestroyed()) return;
  r.forceClose = true;
  setImmediate(() => {
    if (!r.win.isDestroyed()) r.win.close();
  });
}

/** Remember which drafts a window wrote, to delete them when it closes cleanly. */
export function draftWritten(wc: WebContents, id: string, discarded: boolean): void {
  const r = recordOf(wc);
  if (!r) return;
  if (discarded) r.drafts.delete(id);
  else r.drafts.add(id);
}
