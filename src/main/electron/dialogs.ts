/** Native open and save dialogs for `*.hnet.json` documents, attached to the requesting window. */
import { BrowserWindow, app, dialog, type WebContents } from 'electron';
import { dirname, join } from 'node:path';
import { suggestedFileName } from '../app/files';

/**
 * Folders of the files the user picked in the Open dialog this session: a document may read data files there
 * (engine/data/files.ts), as `hnet train --allow-data DIR` grants on the command line. Picking is the grant; a
 * path a document names is not.
 */
const grantedFolders = new Set<string>();

/** The folders granted so far, for a run's or an export's data files. */
export const grantedDataFolders = (): string[] => [...grantedFolders];

const FILTERS = [
  { name: 'Hypernet Studio project', extensions: ['hnet.json'] },
  { name: 'All files', extensions: ['*'] },
];

const windowOf = (wc: WebContents | undefined) => (wc ? BrowserWindow.fromWebContents(wc) : null);

export async function chooseFileToOpen(wc?: WebContents): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title: 'Open', properties: ['openFile'], filters: FILTERS };
  const win = windowOf(wc);
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  const picked = r.canceled ? null : (r.filePaths[0] ?? null);
  if (picked !== null) grantedFolders.add(dirname(picked));
  return picked;
}

const DATA_FILTERS = {
  csv: [{ name: 'CSV table', extensions: ['csv', 'txt'] }, { name: 'All files', extensions: ['*'] }],
  // IDX files are often named without an extension (train-images-idx3-ubyte), so every file is offered too.
  idx: [{ name: 'IDX files', extensions: ['gz', 'idx', 'idx1-ubyte', 'idx3-ubyte'] }, { name: 'All files', extensions: ['*'] }],
};

/** A data file for a data node, starting in the document's folder; picking grants the file's folder for data. */
export async function chooseDataFile(wc: WebContents | undefined, format: 'csv' | 'idx', defaultDir: string | undefined): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title: 'Choose a data file', properties: ['openFile'], filters: DATA_FILTERS[format], ...(defaultDir ? { defaultPath: defaultDir } : {}) };
  const win = windowOf(wc);
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  const picked = r.canceled ? null : (r.filePaths[0] ?? null);
  if (picked !== null) grantedFolders.add(dirname(picked));
  return picked;
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
