/**
 * The Electron main process: one instance, one editor window, files opened from the OS or the command line,
 * and the security setup (sandbox everywhere, no navigation, no new windows, no remote content, no permissions,
 * links only through the allowlist). Everything the editor asks for goes through the app service
 * (src/main/app/service.ts), shared with the browser mode.
 */
import { BrowserWindow, Menu, app, dialog, session, shell as electronShell, type WebContents } from 'electron';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUSH_CHANNEL, Push, type MenuCommand } from '../../shared/api/contract';
import { isAllowedExternalUrl } from '../app/links';
import { createRecentStore } from '../app/recent';
import { createAppService, type AppService, type Shell } from '../app/service';
import { chooseDataFile, chooseFileToOpen, chooseFileToSave, chooseFolder, confirmOverwrite, grantedDataFolders } from './dialogs';
import { registerIpc } from './ipc';
import { buildMenu } from './menu';
import { registerAppScheme, serveAppProtocol } from './protocol';
import { APP_CSP, APP_ORIGIN, APP_PAGE_URL, devCsp, isLocalRequest } from './security';
import { createEditorWindow, saved, setDirty } from './window';

// electron-vite sets this for `electron-vite dev`; never honoured in a packaged app.
const devUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : undefined;
const outDir = fileURLToPath(new URL('..', import.meta.url));
const preloadPath = join(outDir, 'preload', 'index.cjs');
const rendererDir = join(outDir, 'renderer');

registerAppScheme();
app.enableSandbox();

/** A `*.hnet.json` path among command-line arguments (the OS passes the file to open this way on Windows/Linux). */
function fileFromArgv(argv: string[], cwd: string): string | null {
  for (const arg of argv.slice(1).reverse()) {
    if (arg.startsWith('-') || !/\.json$/i.test(arg)) continue;
    const path = resolve(cwd, arg);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not a file: keep looking
    }
  }
  return null;
}

let initialFile: string | null = fileFromArgv(process.argv, process.cwd());
let mainWindow: BrowserWindow | null = null;
let service: AppService<WebContents> | null = null;

function push(win: BrowserWindow, message: Push): void {
  if (!win.isDestroyed()) win.webContents.send(PUSH_CHANNEL, Push.parse(message));
}
const sendMenu = (win: BrowserWindow, command: MenuCommand) => push(win, { type: 'menu', command });

/** Open a file chosen outside the editor (the OS, the recent menu, a second launch) in the editor window. */
function openInEditor(path: string, win: BrowserWindow | null | undefined = mainWindow): void {
  // Before the editor has loaded, it has no push listener yet: it asks for document.initial when it starts.
  if (!service || !win || win.isDestroyed() || win.webContents.isLoading()) {
    initialFile = path;
    return;
  }
  try {
    push(win, { type: 'open', document: service.openPath(path) });
    if (win.isMinimized()) win.restore();
    win.focus();
  } catch (e) {
    void dialog.showMessageBox(win, { type: 'error', message: 'The file could not be opened.', detail: e instanceof Error ? e.message : String(e) });
  }
}

/** Help > Documentation opens package.json's `homepage` when it is on the link allowlist. */
const documentationUrl = (() => {
  try {
    const { homepage } = JSON.parse(readFileSync(join(app.getAppPath(), 'package.json'), 'utf8')) as { homepage?: unknown };
    return typeof homepage === 'string' && isAllowedExternalUrl(homepage) ? homepage : null;
  } catch {
    return null;
  }
})();

function electronShellFor(): Shell<WebContents> {
  const userData = app.getPath('userData');
  const recent = createRecentStore(join(userData, 'recent.json'), (paths) => {
    rebuildMenu(paths);
  });
  return {
    mode: 'electron',
    version: app.getVersion(),
    platform: process.platform,
    templatesDir: join(app.getAppPath(), 'templates'),
    blocksDir: join(app.getAppPath(), 'blocks'),
    blockLibraryDir: join(userData, 'blocks'),
    draftsDir: join(userData, 'drafts'),
    initialFile: () => initialFile,
    chooseFileToOpen: (wc) => chooseFileToOpen(wc),
    chooseFileToSave: (wc, name) => chooseFileToSave(wc, name),
    chooseDataFile: (wc, format, dir) => chooseDataFile(wc, format, dir),
    recent: {
      list: () => recent.list(),
      add(path) {
        recent.add(path);
        app.addRecentDocument(path);
      },
      remove: (path) => recent.remove(path),
    },
    setDirty,
    openExternal: async (url) => {
      await electronShell.openExternal(url);
      return true;
    },
    saved,
    runsDir: join(userData, 'runs'),
    // A run's events go to the window that started it; a run restored from the saved queue's, to every window.
    push: (wc, message) => {
      const parsed = Push.parse(message);
      for (const target of wc ? [wc] : BrowserWindow.getAllWindows().map((w) => w.webContents)) if (!target.isDestroyed()) target.send(PUSH_CHANNEL, parsed);
    },
    chooseFolder: (wc, title) => chooseFolder(wc, title),
    confirmOverwrite: (wc, folder, reason) => confirmOverwrite(wc, folder, reason),
  };
}

function rebuildMenu(recent: string[]): void {
  Menu.setApplicationMenu(
    buildMenu(recent, {
      send: sendMenu,
      openRecent: (path, win) => openInEditor(path, win ?? mainWindow),
      documentationUrl,
      openDocumentation: () => {
        if (documentationUrl) void electronShell.openExternal(documentationUrl);
      },
    }),
  );
}

/** No navigation, no new windows, no webviews; allowlisted links go to the user's browser. */
function harden(wc: WebContents): void {
  const external = (url: string) => {
    if (isAllowedExternalUrl(url)) void electronShell.openExternal(url);
  };
  wc.on('will-navigate', (e) => {
    e.preventDefault();
    external(e.url);
  });
  wc.on('will-redirect', (e) => {
    if (!isLocalRequest(e.url, devUrl)) e.preventDefault();
  });
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    external(url);
    return { action: 'deny' };
  });
}

function secureSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // No remote content: the only network origin a page may reach is the dev server in development.
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (details, callback) => {
    callback({ cancel: !isLocalRequest(details.url, devUrl) });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    const own = details.url.startsWith(`${APP_ORIGIN}/`);
    const dev = devUrl !== undefined && isLocalRequest(details.url, devUrl) && details.resourceType === 'mainFrame';
    if (!own && !dev) return callback({ responseHeaders: details.responseHeaders });
    const headers = { ...details.responseHeaders };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-security-policy') delete headers[k];
    headers['Content-Security-Policy'] = [own ? APP_CSP : devCsp(devUrl!)];
    callback({ responseHeaders: headers });
  });
}

function openWindow(): BrowserWindow {
  const win = createEditorWindow({
    userData: app.getPath('userData'),
    preload: preloadPath,
    pageUrl: devUrl ?? APP_PAGE_URL,
    send: sendMenu,
    discardDrafts: (ids) => {
      for (const id of ids) void service?.invoke('autosave.discard', { id }, win.webContents).catch(() => {});
    },
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  mainWindow = win;
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, workingDirectory) => {
    const file = fileFromArgv(argv, workingDirectory);
    const win = mainWindow ?? (app.isReady() ? openWindow() : null);
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
    if (file) openInEditor(file, win);
  });

  // macOS: a document double-clicked in Finder, before or after launch.
  app.on('open-file', (e, path) => {
    e.preventDefault();
    if (mainWindow && service) openInEditor(path);
    else initialFile = path;
  });

  app.on('web-contents-created', (_e, wc) => harden(wc));

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Training runs get a moment to stop and write a final checkpoint; any still going are recorded as interrupted.
  let runsClosed = false;
  app.on('will-quit', (e) => {
    if (runsClosed || !service) return;
    e.preventDefault();
    runsClosed = true;
    void service
      .close()
      .catch(() => {})
      .finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    app.setAboutPanelOptions({
      applicationName: 'Hypernet Studio',
      applicationVersion: app.getVersion(),
      credits: 'Design, train and export hypernetworks: neural networks that generate the weights of other networks.',
      ...(documentationUrl ? { website: documentationUrl } : {}),
    });
    secureSession();
    serveAppProtocol(rendererDir);
    const shell = electronShellFor();
    service = createAppService(shell, { worker: { workerUrl: new URL('./worker.js', import.meta.url) }, dataAccess: () => ({ dataGrants: grantedDataFolders() }) });
    registerIpc(service, devUrl);
    rebuildMenu(shell.recent?.list() ?? []);
    openWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  });
}
