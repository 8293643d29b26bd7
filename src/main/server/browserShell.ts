/**
 * The browser mode's side of the app service: no native dialogs, no recent list, no windows. It writes the file
 * given on the command line, and new documents into its workspace folder (which Open lists).
 */
import { resolve } from 'node:path';
import type { Push } from '../../shared/api/contract';
import { defaultBlocksDir, defaultBrowserDraftsDir, defaultTemplatesDir, packageVersion } from '../app/paths';
import type { Shell } from '../app/service';

export interface BrowserShellOptions {
  /** The document given to `hnet serve FILE`. */
  file?: string;
  /** The folder Open lists and new documents are saved into (`hnet serve --workspace DIR`, default the current folder). */
  workspace?: string;
  /** Default ~/.hypernet-studio/drafts. */
  draftsDir?: string;
  templatesDir?: string;
  /** The user's block library; default ~/.hypernet-studio/blocks (beside the drafts folder). */
  blockLibraryDir?: string;
  /** Runs of unsaved documents; default ~/.hypernet-studio/runs (beside the drafts folder). */
  runsDir?: string;
  /** Send a push to the editors; every connected editor gets every run's events (they are the same user). */
  push?: (message: Push) => void;
}

export function browserShell(options: BrowserShellOptions = {}): Shell<void> {
  let file = options.file ? resolve(options.file) : null;
  return {
    mode: 'browser',
    version: packageVersion(),
    platform: process.platform,
    templatesDir: options.templatesDir ?? defaultTemplatesDir(),
    blocksDir: defaultBlocksDir(),
    ...(options.blockLibraryDir ? { blockLibraryDir: resolve(options.blockLibraryDir) } : {}),
    draftsDir: options.draftsDir ?? defaultBrowserDraftsDir(),
    initialFile: () => file,
    ...(options.workspace ? { workspace: resolve(options.workspace) } : {}),
    // Served without FILE, the first document saved by name becomes the served one (a new tab opens it).
    createdDocument: (path) => {
      file ??= path;
    },
    chooseFileToOpen: async () => null,
    chooseFileToSave: async () => null,
    recent: null,
    setDirty: () => {},
    // The server may run on another machine than the browser; the editor opens links itself in this mode.
    openExternal: async () => false,
    ...(options.runsDir ? { runsDir: options.runsDir } : {}),
    push: (_caller, message) => options.push?.(message),
  };
}
