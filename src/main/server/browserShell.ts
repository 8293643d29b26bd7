/**
 * The browser mode's side of the app service: no native dialogs (the editor falls back to a file input and a
 * download), no recent list, no windows; the one file it can write is the one given on the command line.
 */
import { resolve } from 'node:path';
import type { Push } from '../../shared/api/contract';
import { defaultBrowserDraftsDir, defaultTemplatesDir, packageVersion } from '../app/paths';
import type { Shell } from '../app/service';

export interface BrowserShellOptions {
  /** The document given to `hnet serve FILE`. */
  file?: string;
  /** Default ~/.hypernet-studio/drafts. */
  draftsDir?: string;
  templatesDir?: string;
  /** Runs of unsaved documents; default ~/.hypernet-studio/runs (beside the drafts folder). */
  runsDir?: string;
  /** Send a push to the editors; every connected editor gets every run's events (they are the same user). */
  push?: (message: Push) => void;
}

export function browserShell(options: BrowserShellOptions = {}): Shell<void> {
  const file = options.file ? resolve(options.file) : null;
  return {
    mode: 'browser',
    version: packageVersion(),
    platform: process.platform,
    templatesDir: options.templatesDir ?? defaultTemplatesDir(),
    draftsDir: options.draftsDir ?? defaultBrowserDraftsDir(),
    initialFile: () => file,
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
