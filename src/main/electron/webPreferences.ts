/**
 * The editor window's webPreferences, kept apart from window.ts (which imports electron) so a test can import
 * and check them under plain Node.
 */
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const satisfies WebPreferences;
}
