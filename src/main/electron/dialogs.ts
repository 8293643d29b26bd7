/** Native open and save dialogs for `*.hnet.json` documents, attached to the requesting window. */
import { BrowserWindow, app, dialog, type WebContents } from 'electron';
import { join } from 'node:path';
import { suggestedFileName } from '../app/files';

const FILTERS = [
  { name: 'Hypernet Studio project', extensions: ['hnet.json'] },
  { name: 'All files', extensions: ['*'] },
];

const windowOf = (wc: WebContents | undefined) => (wc ? BrowserWindow.fromWebContents(wc) : null);

export async function chooseFileToOpen(wc?: WebContents): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title: 'Open', properties: ['openFile'], filters: FILTERS };
  const win = windowOf(wc);
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

export async function chooseFileToSave(wc: WebContents | undefined, suggestedName: string): Promise<string | null> {
  const options: Electron.SaveDialogOptions = {
    title: 'Save As',
    defaultPath: join(app.getPath('documents'), suggestedFileName(suggestedName)),
    filters: FILTERS,
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const win = windowOf(wc);
  const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  return r.canceled || !r.filePath ? null : r.filePath;
}

/** A folder to export into (trained weights), attached to the requesting window. */
export async function chooseFolder(wc: WebContents | undefined, title: string): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title, defaultPath: app.getPath('documents'), properties: ['openDirectory', 'createDirectory'] };
  const win = windowOf(wc);
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

/** Before an export writes into a chosen folder that holds other files: true to write into it anyway. */
export async function confirmOverwrite(wc: WebContents | undefined, folder: string, reason: string): Promise<boolean> {
  const options: Electron.MessageBoxOptions = {
    type: 'warning',
    title: 'Export into this folder?',
    message: `Export into ${folder}?`,
    detail: `The folder ${reason}. Files of the same names will be replaced.`,
    buttons: ['Cancel', 'Export anyway'],
    defaultId: 0,
    cancelId: 0,
  };
  const win = windowOf(wc);
  const r = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
  return r.response === 1;
}
