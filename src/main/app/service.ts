/**
 * The app service: every method of the API contract (src/shared/api/contract.ts), implemented once for both
 * shells. The Electron shell calls it from IPC handlers, the browser mode from a WebSocket; what differs between
 * them (dialogs, the recent list, window state, opening links) comes in through a {@link Shell}.
 *
 * Every request is validated against the method's input schema and every result against its output schema.
 * Files are named only by opaque handles the service hands out for paths the user chose (a dialog, the command
 * line, the OS, the recent list); a request can never make the app read or write a path it supplies.
 *
 * @example
 * const service = createAppService(browserShell({ draftsDir }));
 * const templates = await service.call('templates.list', {}, undefined);
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  Methods,
  isMethod,
  parseInput,
  type MethodName,
  type MethodOutput,
  type OpenedDocument,
  type Push,
} from '../../shared/api/contract';
import { fitsFormat } from '../../shared/api/data';
import type { DataAccess } from '../engine/data/files';
import { probeDataNode } from '../engine/data/probe';
import type { StartRunOptions } from '../engine/session';
import type { z } from 'zod';
import { createDraftStore } from './drafts';
import { AppError } from './errors';
import { exportToFolder } from './exportCode';
import { readDocumentText, writeFileAtomic } from './files';
import { isAllowedExternalUrl } from './links';
import type { RecentStore } from './recent';
import { createRunManager } from './runs/manager';
import type { ResourceLimits } from '../../shared/compiler/estimate';
import { runsDirFor } from './runs/store';
import { createBlockLibrary } from './blockLibrary';
import { createTemplateLibrary } from './templates';
import { createWorkspace } from './workspace';

/**
 * What differs between the Electron shell and the browser mode. `C` is whoever made the request (Electron: the
 * sender's WebContents; browser mode: nothing), passed back to the shell so it can act on the right window.
 */
export interface Shell<C = void> {
  readonly mode: 'electron' | 'browser';
  readonly version: string;
  readonly platform: string;
  /** Folder of `*.hnet.json` templates. */
  readonly templatesDir: string;
  /** Folder of the blocks shipped with the app (`*.hnet-block.json`); none when absent. */
  readonly blocksDir?: string;
  /** The user's block library. Default: `blocks` next to the drafts folder. */
  readonly blockLibraryDir?: string;
  /** Folder for crash-recovery drafts (created on first write). */
  readonly draftsDir: string;
  /** The document the app was started with (`hnet serve FILE`, a file opened from the OS), as an absolute path. */
  initialFile(): string | null;
  /** A native open dialog; the chosen absolute path, or null (cancelled, or no dialogs in this shell). */
  chooseFileToOpen(caller: C): Promise<string | null>;
  /** A native save dialog; the chosen absolute path, or null. */
  chooseFileToSave(caller: C, suggestedName: string): Promise<string | null>;
  /** The recent-files list, or null when this shell keeps none. */
  readonly recent: RecentStore | null;
  /** The editor has (or no longer has) unsaved changes; `title` names the document. */
  setDirty(caller: C, dirty: boolean, title: string): void;
  /** Open an allowlisted https link in the user's browser; false when this shell cannot. */
  openExternal(url: string): Promise<boolean>;
  /** A save or save-as from `caller` finished (`saved` false: cancelled or failed); the close prompt waits on it. */
  saved?(caller: C, saved: boolean): void;
  /**
   * Runs of unsaved documents (runs of a saved one live beside it, in `<name>.runs/`). Default: `runs` next to
   * the drafts folder (Electron userData/runs, browser mode ~/.hypernet-studio/runs).
   */
  readonly runsDir?: string;
  /**
   * Send a push (a run's events) to the editor behind `caller` (Electron), or to every editor (browser mode, and
   * Electron when `caller` is undefined: a run restored from the saved queue after a restart).
   */
  push?(caller: C | undefined, message: Push): void;
  /**
   * A native open dialog for a data file, starting in `defaultDir` (the document's folder); the chosen absolute
   * path, or null. Picking grants the file's folder for data, as the Open dialog does.
   */
  chooseDataFile?(caller: C, format: 'csv' | 'idx', defaultDir: string | undefined): Promise<string | null>;
  /** A native folder picker (exporting weights); null when cancelled or not supported. */
  chooseFolder?(caller: C, title: string): Promise<string | null>;
  /** A native confirmation before an export writes into a chosen folder that holds other files; true to go on. */
  confirmOverwrite?(caller: C, folder: string, reason: string): Promise<boolean>;
  /**
   * The browser mode's workspace folder (absolute): Open lists its documents, Save of a new document writes
   * `NAME.hnet.json` into it. Electron has none (it asks with native dialogs).
   */
  readonly workspace?: string;
  /** A new document was written to `path` (browser mode: it becomes the document `document.initial` opens). */
  createdDocument?(path: string): void;
}

export interface AppServiceOptions {
  /** The training worker's entry and limits (the Electron build passes its bundled worker; tests pass fixtures). */
  worker?: StartRunOptions;
  /** How often run events are pushed at most (ms; default 50). */
  flushIntervalMs?: number;
  /**
   * The folders granted for data files besides a document's own, and the size limit, asked for at each run and
   * export (the Electron shell grants the folder of every file picked in its Open dialog as the session goes).
   */
  dataAccess?: () => Omit<DataAccess, 'baseDir'>;
  /** Runs estimated above these per training step are refused (default DEFAULT_RESOURCE_LIMITS; serve --max-memory). */
  resourceLimits?: ResourceLimits;
  /** At most this many runs train at once; more wait, queued (default 2; serve --max-runs). */
  maxRuns?: number;
}

type Input<M extends MethodName> = z.output<(typeof Methods)[M]['input']>;
type Handlers<C> = { [M in MethodName]: (input: Input<M>, caller: C) => Promise<MethodOutput<M>> | MethodOutput<M> };

export interface AppService<C = void> {
  /**
   * Run a request from the editor: `method` and `params` straight off the wire. Resolves with the method's output
   * (validated); rejects with an {@link AppError} (`unknown_method`, `invalid_request`, `unknown_handle`, ...).
   */
  call(method: string, params: unknown, caller: C): Promise<unknown>;
  /** Typed form of {@link call} for the shells' own use (menus, tests). */
  invoke<M extends MethodName>(method: M, params: z.input<(typeof Methods)[M]['input']>, caller: C): Promise<MethodOutput<M>>;
  /** Open a file the user chose outside the editor (the OS, the recent menu): read it, hand out a handle, list it as recent. */
  openPath(path: string): OpenedDocument;
  /** Stop training runs (recorded as interrupted unless they finish within a moment) and close workers. */
  close(): Promise<void>;
}

/** The name a document is shown under: its file name. */
const displayName = (path: string): string => basename(path);

export function createAppService<C = void>(shell: Shell<C>, options: AppServiceOptions = {}): AppService<C> {
  const templates = createTemplateLibrary(shell.templatesDir);
  const blocks = createBlockLibrary(shell.blocksDir ?? null, shell.blockLibraryDir ?? join(dirname(shell.draftsDir), 'blocks'));
  const drafts = createDraftStore(shell.draftsDir);
  const defaultRunsDir = shell.runsDir ?? join(dirname(shell.draftsDir), 'runs');
  const runs = createRunManager<C>({
    push: (caller, message) => shell.push?.(caller, message),
    defaultRoot: defaultRunsDir,
    ...(options.worker ? { worker: options.worker } : {}),
    ...(options.flushIntervalMs ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.dataAccess ? { dataAccess: options.dataAccess } : {}),
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    ...(options.maxRuns ? { maxRuns: options.maxRuns } : {}),
    appVersion: shell.version,
  });
  // handle -> absolute path, and back, so one file keeps one handle for the whole session.
  const pathOf = new Map<string, string>();
  const handleOf = new Map<string, string>();
  const workspace = shell.workspace ? createWorkspace(shell.workspace) : null;
  function needWorkspace() {
    if (!workspace) throw new AppError('forbidden', 'this window has no workspace; use Open and Save As');
    return workspace;
  }

  function handleFor(path: string): string {
    const abs = resolve(path);
    let handle = handleOf.get(abs);
    if (!handle) {
      handle = `h_${randomBytes(18).toString('base64url')}`;
      handleOf.set(abs, handle);
      pathOf.set(handle, abs);
    }
    return handle;
  }

  function pathFor(handle: string): string {
    const path = pathOf.get(handle);
    if (!path) throw new AppError('unknown_handle', 'this document is not one the app opened (its handle is unknown); use Save As');
    return path;
  }

  function open(path: string, remember: boolean): OpenedDocument {
    if (!isAbsolute(path)) throw new AppError('internal', 'a shell passed a relative path');
    const text = readDocumentText(path);
    const handle = handleFor(path);
    if (remember) shell.recent?.add(resolve(path));
    return { handle, name: displayName(path), text };
  }

  /**
   * Where a document's runs are kept: beside it (`<name>.runs/`), or for an unsaved one its own folder in the
   * per-user runs folder (`unsaved-<key>/`; without a key, the per-user folder itself).
   */
  function runsOf(handle: string | null | undefined, unsaved?: string): { root: string; baseDir: string | null; name: string | null } {
    if (!handle) return { root: unsaved ? join(defaultRunsDir, `unsaved-${unsaved}`) : defaultRunsDir, baseDir: null, name: null };
    const path = pathFor(handle);
    return { root: runsDirFor(path), baseDir: dirname(path), name: displayName(path) };
  }

  /** Document files are `*.hnet.json`; a name typed without an extension gets it. */
  function withExtension(path: string): string {
    return /\.json$/i.test(path) ? path : `${path}.hnet.json`;
  }

  const handlers: Handlers<C> = {
    'app.info': () => ({ mode: shell.mode, version: shell.version, platform: shell.platform }),

    'templates.list': () => templates.list(),
    'templates.read': ({ id }) => ({ text: templates.read(id) }),
    'blocks.list': () => blocks.list(),
    'blocks.save': ({ name, text, overwrite }) => blocks.save(name, text, overwrite),

    'document.initial': () => {
      const file = shell.initialFile();
      return file ? open(file, false) : null;
    },
    'document.open': async (_input, caller) => {
      const file = await shell.chooseFileToOpen(caller);
      return file ? open(file, true) : null;
    },
    'document.openRecent': ({ handle }) => {
      const path = pathFor(handle);
      try {
        return open(path, true);
      } catch (e) {
        // A recent file that is gone stays gone; the next listing no longer offers it.
        if (e instanceof AppError && e.code === 'io') shell.recent?.remove(path);
        throw e;
      }
    },
    'document.recent': () => (shell.recent?.list() ?? []).map((path) => ({ handle: handleFor(path), name: displayName(path), path })),

    'document.save': ({ handle, text }, caller) => {
      try {
        writeFileAtomic(pathFor(handle), text);
      } catch (e) {
        shell.saved?.(caller, false);
        throw e;
      }
      shell.saved?.(caller, true);
      return { savedAt: new Date().toISOString() };
    },
    'document.saveAs': async ({ suggestedName, text }, caller) => {
      let chosen: string | null;
      try {
        chosen = await shell.chooseFileToSave(caller, suggestedName);
        if (!chosen) {
          shell.saved?.(caller, false);
          return null;
        }
        if (!isAbsolute(chosen)) throw new AppError('internal', 'a shell passed a relative path');
        chosen = withExtension(resolve(chosen));
        writeFileAtomic(chosen, text);
      } catch (e) {
        shell.saved?.(caller, false);
        throw e;
      }
      shell.recent?.add(chosen);
      shell.saved?.(caller, true);
      return { handle: handleFor(chosen), name: displayName(chosen) };
    },

    'workspace.list': () => workspace?.list() ?? null,
    'workspace.open': ({ path }) => ({ ...open(needWorkspace().resolveExisting(path), false), path }),
    'workspace.saveNew': ({ name, text, overwrite }, caller) => {
      let target: ReturnType<NonNullable<typeof workspace>['resolveNew']>;
      try {
        target = needWorkspace().resolveNew(name);
        if (target.exists && !overwrite) {
          shell.saved?.(caller, false);
          return { kind: 'exists' as const, path: target.rel };
        }
        writeFileAtomic(target.path, text);
      } catch (e) {
        shell.saved?.(caller, false);
        throw e;
      }
      shell.createdDocument?.(target.path);
      shell.saved?.(caller, true);
      return { kind: 'saved' as const, handle: handleFor(target.path), name: displayName(target.path), path: target.rel, savedAt: new Date().toISOString() };
    },

    // Read as a run of this document would read them: its folder, the granted folders, the size limit.
    'data.probe': ({ handle, node, type, params }) =>
      probeDataNode(type, node, params, { ...options.dataAccess?.(), ...(handle ? { baseDir: dirname(pathFor(handle)) } : {}) }),
    'data.choose': async ({ handle, format }, caller) => {
      if (!shell.chooseDataFile) return null;
      const baseDir = handle ? dirname(pathFor(handle)) : undefined;
      const chosen = await shell.chooseDataFile(caller, format, baseDir);
      if (!chosen) return null;
      if (!isAbsolute(chosen)) throw new AppError('internal', 'a shell passed a relative path');
      // Inside the document's folder the param says where relative to it, so the folder can move as a whole.
      const rel = baseDir !== undefined ? relative(baseDir, resolve(chosen)) : '';
      const inside = baseDir !== undefined && rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
      return { path: inside ? rel.split(sep).join('/') : resolve(chosen) };
    },
    'data.list': ({ handle, format }) => {
      if (!workspace || !handle) return null;
      const dir = dirname(pathFor(handle));
      return { folder: basename(dir), ...workspace.listFilesUnder(dir, (name) => fitsFormat(name, format)) };
    },

    'autosave.write': ({ id, name, text }) => {
      drafts.write(id, name, text);
      return {};
    },
    'autosave.list': () => drafts.list(),
    'autosave.discard': ({ id }) => {
      drafts.discard(id);
      return {};
    },

    'window.setDirty': ({ dirty, title }, caller) => {
      shell.setDirty(caller, dirty, title);
      return {};
    },
    'shell.openExternal': async ({ url }) => {
      if (!isAllowedExternalUrl(url)) return { opened: false };
      return { opened: await shell.openExternal(url) };
    },

    'run.start': ({ documentText, handle, unsaved, name, overrides }, caller) => {
      const where = runsOf(handle, unsaved);
      const runName = name ?? where.name ?? undefined;
      return runs.start({ documentText, root: where.root, baseDir: where.baseDir, ...(runName ? { name: runName } : {}), overrides: overrides ?? {}, caller });
    },
    'sweep.start': ({ documentText, handle, unsaved, name, overrides, sweep }, caller) => {
      const where = runsOf(handle, unsaved);
      const runName = name ?? where.name ?? undefined;
      return runs.sweep({ documentText, root: where.root, baseDir: where.baseDir, ...(runName ? { name: runName } : {}), overrides: overrides ?? {}, caller, spec: sweep });
    },
    'run.pause': ({ runId }) => runs.pause(runId),
    'run.resume': ({ runId, checkpoint, overrides }, caller) =>
      checkpoint === undefined ? runs.resume(runId) : runs.resumeFrom(runId, checkpoint, overrides, caller),
    'run.stop': ({ runId }) => runs.stop(runId),
    'run.list': ({ handle, unsaved }) => runs.list(runsOf(handle, unsaved).root),
    'run.rename': ({ runId, label }) => runs.rename(runId, label),
    'run.delete': async ({ runId }) => {
      await runs.remove(runId);
      return {};
    },
    'queue.get': () => runs.queueState(),
    'queue.pause': ({ paused }) => runs.pauseQueue(paused),
    'queue.move': ({ runId, position }) => runs.moveQueued(runId, position),
    'queue.clear': () => runs.clearQueue(),
    'run.adopt': async ({ unsaved, handle }) => ({ moved: await runs.adopt(runsOf(null, unsaved).root, runsOf(handle).root) }),
    'run.get': ({ runId }) => runs.get(runId),
    'run.checkpoints': ({ runId }) => runs.checkpoints(runId),
    'run.exportWeights': async ({ runId, saveAs, format, tasks }, caller) => {
      const written = await runs.exportWeights(runId, format, tasks);
      let savedTo: string | null = null;
      if (saveAs && shell.chooseFolder) {
        const chosen = await shell.chooseFolder(caller, 'Export trained weights');
        if (chosen) {
          if (!isAbsolute(chosen)) throw new AppError('internal', 'a shell passed a relative path');
          try {
            mkdirSync(chosen, { recursive: true });
            for (const f of written.files) copyFileSync(join(written.dir, f), join(chosen, f));
          } catch (e) {
            throw new AppError('io', `cannot export the weights to ${basename(chosen)}: ${e instanceof Error ? e.message : String(e)}`);
          }
          savedTo = chosen;
        }
      }
      return { ...written, savedTo };
    },
    'run.inspect': ({ runId, ...query }) => runs.inspect(runId, query),

    // Electron asks for a folder; browser mode writes beside the document (see exportCode.ts).
    'export.toFolder': ({ documentText, to, handle, overwrite }, caller) =>
      exportToFolder(
        { documentText, to, overwrite },
        {
          chooseFolder: shell.chooseFolder ? (title) => shell.chooseFolder!(caller, title) : undefined,
          documentPath: handle ? pathFor(handle) : null,
          data: options.dataAccess?.(),
          confirmOverwrite: shell.confirmOverwrite ? (folder, reason) => shell.confirmOverwrite!(caller, folder, reason) : undefined,
        },
      ),
  };

  async function run(method: MethodName, params: unknown, caller: C): Promise<unknown> {
    let input: unknown;
    try {
      input = parseInput(method, params);
    } catch (e) {
      throw new AppError('invalid_request', e instanceof Error ? e.message : String(e));
    }
    const handler = handlers[method] as (input: unknown, caller: C) => unknown;
    const output = await handler(input, caller);
    const checked = Methods[method].output.safeParse(output);
    if (!checked.success) throw new AppError('internal', `${method}: the app produced a response the contract does not allow`);
    return checked.data;
  }

  return {
    call(method, params, caller) {
      if (typeof method !== 'string' || !isMethod(method))
        return Promise.reject(new AppError('unknown_method', `unknown method "${String(method).slice(0, 100)}"`));
      return run(method, params, caller);
    },
    invoke(method, params, caller) {
      return run(method, params, caller) as Promise<never>;
    },
    openPath(path) {
      return open(resolve(path), true);
    },
    close() {
      return runs.close();
    },
  };
}
