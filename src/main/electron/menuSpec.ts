/**
 * The native menus as data: labels, the editor command each item sends (a `menu` push), and platform-correct
 * accelerators. menu.ts turns this into an Electron Menu; tests read it without Electron.
 */
import type { MenuCommand } from '../../shared/api/contract';

/** Editing commands that act on a focused text field natively (copy in a form field) and on the canvas otherwise. */
export type NativeEdit = 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'delete' | 'selectAll';

export type MenuItemSpec =
  | {
      kind: 'command';
      label: string;
      command: MenuCommand;
      accelerator?: string;
      /** false: show the accelerator but let the key reach the page (Delete must still delete text). */
      registerAccelerator?: boolean;
      nativeEdit?: NativeEdit;
    }
  /** File > Open Recent: filled from the recent list. */
  | { kind: 'recent'; label: string }
  | { kind: 'about'; label: string }
  | { kind: 'documentation'; label: string }
  | { kind: 'role'; role: 'quit' | 'hide' | 'hideOthers' | 'unhide' | 'services' | 'toggleDevTools' | 'reload' | 'front' | 'minimize' | 'zoom' | 'close' }
  | { kind: 'submenu'; label: string; items: MenuItemSpec[] }
  | { kind: 'separator' };

export interface MenuSpec {
  label: string;
  items: MenuItemSpec[];
}

const cmd = (label: string, command: MenuCommand, accelerator?: string, extra: Partial<Extract<MenuItemSpec, { kind: 'command' }>> = {}): MenuItemSpec => ({
  kind: 'command',
  label,
  command,
  ...(accelerator ? { accelerator } : {}),
  ...extra,
});
const sep: MenuItemSpec = { kind: 'separator' };

export function menuSpec(platform: NodeJS.Platform, options: { dev?: boolean; appName?: string } = {}): MenuSpec[] {
  const mac = platform === 'darwin';
  const redo = mac ? 'Cmd+Shift+Z' : platform === 'win32' ? 'Ctrl+Y' : 'Ctrl+Shift+Z';
  const menus: MenuSpec[] = [];
  if (mac) {
    menus.push({
      label: options.appName ?? 'Hypernet Studio',
      items: [
        { kind: 'about', label: `About ${options.appName ?? 'Hypernet Studio'}` },
        sep,
        { kind: 'role', role: 'services' },
        sep,
        { kind: 'role', role: 'hide' },
        { kind: 'role', role: 'hideOthers' },
        { kind: 'role', role: 'unhide' },
        sep,
        { kind: 'role', role: 'quit' },
      ],
    });
  }
  menus.push({
    label: 'File',
    items: [
      cmd('New', 'new', 'CmdOrCtrl+N'),
      cmd('New from Template…', 'newFromTemplate', 'CmdOrCtrl+Shift+N'),
      cmd('Open…', 'open', 'CmdOrCtrl+O'),
      { kind: 'recent', label: 'Open Recent' },
      sep,
      cmd('Save', 'save', 'CmdOrCtrl+S'),
      cmd('Save As…', 'saveAs', 'CmdOrCtrl+Shift+S'),
      sep,
      cmd('Close', 'close', 'CmdOrCtrl+W'),
      ...(mac ? [] : [sep, { kind: 'role', role: 'quit' } as MenuItemSpec]),
    ],
  });
  menus.push({
    label: 'Edit',
    items: [
      cmd('Undo', 'undo', 'CmdOrCtrl+Z', { nativeEdit: 'undo' }),
      cmd('Redo', 'redo', redo, { nativeEdit: 'redo' }),
      sep,
      cmd('Cut', 'cut', 'CmdOrCtrl+X', { nativeEdit: 'cut' }),
      cmd('Copy', 'copy', 'CmdOrCtrl+C', { nativeEdit: 'copy' }),
      cmd('Paste', 'paste', 'CmdOrCtrl+V', { nativeEdit: 'paste' }),
      cmd('Duplicate', 'duplicate', 'CmdOrCtrl+D'),
      cmd('Delete', 'delete', mac ? 'Backspace' : 'Delete', { nativeEdit: 'delete', registerAccelerator: false }),
      sep,
      cmd('Select All', 'selectAll', 'CmdOrCtrl+A', { nativeEdit: 'selectAll' }),
    ],
  });
  menus.push({
    label: 'View',
    items: [
      cmd('Fit', 'fitView', 'CmdOrCtrl+0'),
      cmd('Zoom In', 'zoomIn', 'CmdOrCtrl+='),
      cmd('Zoom Out', 'zoomOut', 'CmdOrCtrl+-'),
      cmd('Auto Layout', 'autoLayout', 'CmdOrCtrl+Shift+L'),
      sep,
      cmd('Theme', 'toggleTheme', 'CmdOrCtrl+Shift+T'),
      sep,
      cmd('Palette', 'togglePalette', 'CmdOrCtrl+1'),
      cmd('Inspector', 'toggleInspector', 'CmdOrCtrl+2'),
      cmd('Problems', 'toggleProblems', 'CmdOrCtrl+3'),
      ...(options.dev ? [sep, { kind: 'role', role: 'reload' } as MenuItemSpec, { kind: 'role', role: 'toggleDevTools' } as MenuItemSpec] : []),
    ],
  });
  if (mac) menus.push({ label: 'Window', items: [{ kind: 'role', role: 'minimize' }, { kind: 'role', role: 'zoom' }, sep, { kind: 'role', role: 'front' }] });
  menus.push({
    label: 'Help',
    items: [
      cmd('Keyboard Shortcuts', 'shortcuts', 'CmdOrCtrl+/'),
      { kind: 'documentation', label: 'Documentation' },
      ...(mac ? [] : [sep]),
      { kind: 'about', label: 'About Hypernet Studio' },
    ],
  });
  return menus;
}
