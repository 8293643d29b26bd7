/**
 * The native application menu, built from {@link menuSpec}. Items send `{ type: 'menu', command }` pushes to the
 * focused editor window; editing items act natively when a text field has focus (so Cmd+C copies text in the
 * inspector) and go to the canvas otherwise.
 */
import { BrowserWindow, Menu, app, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { basename } from 'node:path';
import type { MenuCommand } from '../../shared/api/contract';
import { menuSpec, type MenuItemSpec, type NativeEdit } from './menuSpec';

export interface MenuActions {
  /** Send a menu command to a window's editor. */
  send(win: BrowserWindow, command: MenuCommand): void;
  /** Open a file from the recent list in the focused window. */
  openRecent(path: string, win: BrowserWindow | undefined): void;
  /** The documentation link (allowlisted), or null to disable the item. */
  documentationUrl: string | null;
  openDocumentation(): void;
}

/** Whether the page's focused element takes text (an input, a textarea such as Monaco's, contenteditable). */
async function textFieldFocused(wc: WebContents): Promise<boolean> {
  try {
    const r: unknown = await wc.executeJavaScript(
      `(() => { const e = document.activeElement; if (!e) return false; if (e.isContentEditable) return true;
        const t = e.tagName; if (t === 'TEXTAREA') return !e.readOnly;
        if (t !== 'INPUT') return false;
        return !['button','checkbox','color','file','hidden','image','radio','range','reset','submit'].includes(e.type) && !e.readOnly; })()`,
      false,
    );
    return r === true;
  } catch {
    return false;
  }
}

function nativeEdit(wc: WebContents, edit: NativeEdit): void {
  if (edit === 'undo') wc.undo();
  else if (edit === 'redo') wc.redo();
  else if (edit === 'cut') wc.cut();
  else if (edit === 'copy') wc.copy();
  else if (edit === 'paste') wc.paste();
  else if (edit === 'delete') wc.delete();
  else wc.selectAll();
}

export function buildMenu(recent: string[], actions: MenuActions): Menu {
  const target = (win: unknown): BrowserWindow | undefined =>
    win instanceof BrowserWindow ? win : (BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]);

  const convert = (item: MenuItemSpec): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'role':
        return { role: item.role };
      case 'about':
        return { label: item.label, click: () => app.showAboutPanel() };
      case 'documentation':
        return { label: item.label, enabled: actions.documentationUrl !== null, click: () => actions.openDocumentation() };
      case 'submenu':
        return { label: item.label, submenu: item.items.map(convert) };
      case 'recent':
        return {
          label: item.label,
          submenu: recent.length
            ? recent.map((path, i) => ({
                label: `${i < 9 ? `&${i + 1} ` : ''}${basename(path).replace(/&/g, '&&')}`,
                toolTip: path,
                click: (_mi, win) => actions.openRecent(path, target(win)),
              }))
            : [{ label: 'No Recent Files', enabled: false }],
        };
      case 'command':
        return {
          label: item.label,
          ...(item.accelerator ? { accelerator: item.accelerator } : {}),
          ...(item.registerAccelerator === false ? { registerAccelerator: false } : {}),
          click: (_mi, win) => {
            const w = target(win);
            if (!w || w.isDestroyed()) return;
            const edit = item.nativeEdit;
            if (!edit) return actions.send(w, item.command);
            void textFieldFocused(w.webContents).then((inText) => {
              if (w.isDestroyed()) return;
              if (inText) nativeEdit(w.webContents, edit);
              else actions.send(w, item.command);
            });
          },
        };
    }
  };

  return Menu.buildFromTemplate(
    menuSpec(process.platform, { dev: !app.isPackaged, appName: app.getName() }).map((m) => ({ label: m.label, submenu: m.items.map(convert) })),
  );
}
