/**
 * The contract between the editor (renderer) and the app (Electron main process, or `hnet serve` in browser
 * mode), declared once. Both transports validate every request and response against these schemas; the
 * renderer talks to a typed client generated from this table and never to a raw channel.
 *
 * Files are never named by paths the renderer supplies: the app hands out opaque handles for files the user
 * chose (a dialog, the command line, the recent list), and only those can be read or written.
 */
import { z } from 'zod';
import { RunStatus, StreamEvent } from './events';
import { CheckpointInfo, InspectQuery, InspectResult, RUN_ID, RunDetail, RunOverrides, RunSummary } from './runs';
import { DataFileListing, DataProbeRequest, DataProbeResult } from './data';
import { DocumentName, WorkspaceListing, WorkspacePath } from './workspace';
import { SweepSpec } from '../sweep';

const Budget = z.object({ hyper: z.number(), generated: z.number(), ordinary: z.number(), compression: z.number().nullable() });

export const TemplateSummary = z.object({
  /** File name without `.hnet.json`; stable, used in test ids (`template-<id>`). */
  id: z.string(),
  name: z.string(),
  description: z.string(),
  citation: z.string().optional(),
  result: z.string().optional(),
  budget: Budget.nullable(),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

/** A block in the block library: shipped with the app (`blocks/`) or saved by the user (their blocks folder). */
export const LibraryBlock = z.object({
  /** `shipped:<file name>` or `library:<file name>` (without `.hnet-block.json`). */
  id: z.string(),
  name: z.string(),
  description: z.string(),
  source: z.enum(['shipped', 'library']),
  /** The file's text (a block file, src/shared/document/schema.ts BlockFile). */
  text: z.string(),
});
export type LibraryBlock = z.infer<typeof LibraryBlock>;

/** A document the app opened for the renderer: its text, a display name and the handle to save it back. */
export const OpenedDocument = z.object({
  handle: z.string().nullable(),
  name: z.string(),
  text: z.string(),
});
export type OpenedDocument = z.infer<typeof OpenedDocument>;

export const RecentFile = z.object({ handle: z.string(), name: z.string(), path: z.string() });
export const Draft = z.object({ id: z.string(), name: z.string(), savedAt: z.string(), text: z.string() });

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

const RunId = z.string().max(100).regex(RUN_ID, 'not a run id');
const RunRef = z.object({ runId: RunId });
/** A document's handle, or null/absent for a new unsaved document (its runs go to a per-user folder). */
const MaybeHandle = z.string().max(200).nullable().optional();
/**
 * An unsaved document's key (the editor makes one per unsaved document): its runs are kept apart from other
 * unsaved documents' in the per-user folder, and move beside the document when it is first saved (`run.adopt`).
 */
export const UnsavedKey = z.string().regex(/^[a-z0-9-]{1,40}$/, 'is not an unsaved document key');
const MaybeUnsaved = UnsavedKey.optional();

const QueueState = z.object({ paused: z.boolean(), runs: z.array(RunSummary) });

/** What a run is started from: the document's text and where its runs are kept. */
const StartRun = z.object({
  documentText: z.string().max(50_000_000),
  /** The document's handle (its runs are kept beside it), or null for an unsaved document. */
  handle: MaybeHandle,
  unsaved: MaybeUnsaved,
  /** Shown in the run list; default: the document's file name or its metadata name. */
  name: z.string().max(200).optional(),
  overrides: RunOverrides.optional(),
});

/**
 * The largest API message the browser mode's server reads (a 50 MB document, JSON-escaped, fits); a bigger one
 * closes the connection (1009), and the page refuses to send one.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Every request the renderer can make, with its input and output. */
export const Methods = {
  /** Which shell serves the editor, and what it can do. */
  'app.info': method(z.object({}), z.object({ mode: z.enum(['electron', 'browser']), version: z.string(), platform: z.string() })),
  'templates.list': method(z.object({}), z.array(TemplateSummary)),
  /** A template's text; opening it makes a new, unsaved document. */
  'templates.read': method(z.object({ id: z.string().max(200) }), z.object({ text: z.string() })),
  /** The block library: the blocks shipped with the app, then the user's own; files that do not read are left out. */
  'blocks.list': method(z.object({}), z.array(LibraryBlock)),
  /**
   * Save a block to the user's block library as `<name>.hnet-block.json` (atomically). `exists` when that file is
   * there and `overwrite` is not set.
   */
  'blocks.save': method(
    z.object({ name: z.string().min(1).max(100), text: z.string().max(10_000_000), overwrite: z.boolean().default(false) }),
    z.discriminatedUnion('kind', [z.object({ kind: z.literal('saved'), id: z.string() }), z.object({ kind: z.literal('exists'), id: z.string() })]),
  ),
  /** The document the app was started with (hnet serve FILE, or a file opened from the OS), if any. */
  'document.initial': method(z.object({}), OpenedDocument.nullable()),
  /** Ask the user for a file (native dialog). Null when cancelled or not supported (browser mode). */
  'document.open': method(z.object({}), OpenedDocument.nullable()),
  'document.openRecent': method(z.object({ handle: z.string().max(200) }), OpenedDocument),
  'document.recent': method(z.object({}), z.array(RecentFile)),
  /** Write to the file behind `handle` (atomically: temporary file, flush, rename). */
  'document.save': method(z.object({ handle: z.string().max(200), text: z.string().max(50_000_000) }), z.object({ savedAt: z.string() })),
  /** Ask the user where to save (native dialog); null when cancelled or not supported. */
  'document.saveAs': method(z.object({ suggestedName: z.string().max(200), text: z.string().max(50_000_000) }), OpenedDocument.omit({ text: true }).nullable()),
  // The browser mode's workspace (src/shared/api/workspace.ts): `hnet serve`'s folder. Electron has none (null).
  /** The workspace's documents, its subfolders included; null where the shell has no workspace (Electron). */
  'workspace.list': method(z.object({}), WorkspaceListing.nullable()),
  /** Open a listed document by its path in the workspace. */
  'workspace.open': method(z.object({ path: WorkspacePath }), OpenedDocument.extend({ path: z.string() })),
  /**
   * Write a new document as `NAME.hnet.json` in the workspace (atomically). `exists` when that file is already
   * there and `overwrite` is not set (the editor asks, then sends `overwrite: true`).
   */
  'workspace.saveNew': method(
    z.object({ name: DocumentName, text: z.string().max(50_000_000), overwrite: z.boolean().default(false) }),
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('saved'), handle: z.string(), name: z.string(), path: z.string(), savedAt: z.string() }),
      z.object({ kind: z.literal('exists'), path: z.string() }),
    ]),
  ),
  // A data node's files (src/shared/api/data.ts), read as a run reads them.
  /** Check the files a data node's params name (exists, header, columns, counts) and preview them. */
  'data.probe': method(DataProbeRequest, DataProbeResult),
  /**
   * Ask the user for a data file (Electron: a native dialog; picking grants its folder, as Open does). The path to
   * write into the param: relative to the document's folder when inside it, else absolute. Null when cancelled or
   * not supported (browser mode lists files with `data.list` instead).
   */
  'data.choose': method(z.object({ handle: MaybeHandle, format: z.enum(['csv', 'idx']) }), z.object({ path: z.string() }).nullable()),
  /**
   * Browser mode's picker: the files under the document's folder, which must lie inside the workspace. Null where
   * the shell has no workspace (Electron) or the document has no file yet.
   */
  'data.list': method(z.object({ handle: MaybeHandle, format: z.enum(['csv', 'idx']) }), DataFileListing.nullable()),
  /** Keep a crash-recovery copy of unsaved work (one per editor window). */
  'autosave.write': method(z.object({ id: z.string().max(100), name: z.string().max(200), text: z.string().max(50_000_000) }), z.object({})),
  'autosave.list': method(z.object({}), z.array(Draft)),
  'autosave.discard': method(z.object({ id: z.string().max(100) }), z.object({})),
  /** Tell the shell whether there are unsaved changes (Electron asks before closing). */
  'window.setDirty': method(z.object({ dirty: z.boolean(), title: z.string().max(300) }), z.object({})),
  /** Open an external link (only hosts on the allowlist). */
  'shell.openExternal': method(z.object({ url: z.string().url().max(2000) }), z.object({ opened: z.boolean() })),

  // Training runs (src/shared/api/runs.ts). A run trains a snapshot of the document in the engine's worker; its
  // events arrive as `engine` pushes (steps coalesced, at most about 20 a second) and are kept on disk in
  // `<document folder>/<document name>.runs/<runId>/` (unsaved documents: a per-user folder).
  /** Compile `documentText` and train it; fails with `invalid_document` and the problems when it does not compile. */
  'run.start': method(StartRun, z.object({ runId: RunId })),
  /**
   * A sweep or a seed repeat (src/shared/sweep.ts): one run per configuration and seed, each an ordinary run with
   * the sweep's group, starting from `overrides` (the form's settings); runs beyond the concurrency limit wait in
   * the queue. Every configuration is compiled first; when one does not, nothing starts and the error names it.
   */
  'sweep.start': method(StartRun.extend({ sweep: SweepSpec }), z.object({ groupId: z.string(), runIds: z.array(RunId) })),
  'run.pause': method(RunRef, z.object({ status: RunStatus })),
  /**
   * Without `checkpoint`: continue a paused run (same id). With `checkpoint` (a name from `run.checkpoints`): a
   * new run of the same document snapshot that continues from that checkpoint's step (a new id).
   */
  'run.resume': method(
    z.object({ runId: RunId, checkpoint: z.string().max(100).optional(), overrides: RunOverrides.optional() }),
    z.object({ runId: RunId, status: RunStatus }),
  ),
  /** Stop after the current step; what was recorded so far is kept, and a final checkpoint written. */
  'run.stop': method(RunRef, z.object({ status: RunStatus })),
  /** The runs of a document (newest first), read from disk: runs of earlier sessions included. */
  'run.list': method(z.object({ handle: MaybeHandle, unsaved: MaybeUnsaved }), z.array(RunSummary)),
  /** Name a run (shown in the runs table and the charts' legends); null or empty: back to its id. */
  'run.rename': method(z.object({ runId: RunId, label: z.string().max(200).nullable() }), RunSummary),
  /** Delete an ended run and everything it recorded (its folder); a run still going must be stopped first. */
  'run.delete': method(RunRef, z.object({})),
  // The run queue (runs beyond the concurrency limit): saved on disk, so queued runs survive a restart of the app.
  /** Whether the queue is paused, and the runs waiting in it, in the order they start. */
  'queue.get': method(z.object({}), QueueState),
  /** Pause the queue (nothing new starts from it; running runs go on), or let it go on. */
  'queue.pause': method(z.object({ paused: z.boolean() }), QueueState),
  /** Move a queued run to `position` (1 starts next; clamped to the queue). */
  'queue.move': method(z.object({ runId: RunId, position: z.number().int().min(1).max(100_000) }), QueueState),
  /** Take every queued run out of the queue: each ends `stopped`, never started (`run.stop` takes one). */
  'queue.clear': method(z.object({}), QueueState),
  /** An unsaved document was saved: its runs move beside it (those still going, once they end). */
  'run.adopt': method(z.object({ unsaved: UnsavedKey, handle: z.string().max(200) }), z.object({ moved: z.number().int() })),
  /** Everything a run recorded: the document snapshot, settings, metric series, evaluations, matrices, logs. */
  'run.get': method(RunRef, RunDetail),
  /** Checkpoints kept for a run, newest first (a diverged run offers its last good one here). */
  'run.checkpoints': method(RunRef, z.array(CheckpointInfo)),
  /**
   * Write the run's trained weights (weights.json + weights.bin, float32, canonical parameter names) into the
   * run's folder, from its last checkpoint; with `saveAs`, also to a folder the user picks (Electron).
   */
  'run.exportWeights': method(
    z.object({
      runId: RunId,
      saveAs: z.boolean().default(false),
      /**
       * `hnet`: weights.json + weights.bin. `safetensors`: model.safetensors, the hypernetwork's parameters and the
       * weights it generates for `tasks` (default: the tasks trained), with the document, seed and metrics in its
       * `__metadata__`.
       */
      format: z.enum(['hnet', 'safetensors']).default('hnet'),
      tasks: z.array(z.number().int().min(0)).min(1).max(1000).optional(),
    }),
    z.object({ dir: z.string(), files: z.array(z.string()), step: z.number().int(), savedTo: z.string().nullable() }),
  ),
  /** The weights a head generates for a context (and, on request, predictions): live during a run, from the last checkpoint after it. */
  'run.inspect': method(InspectQuery.extend({ runId: RunId }), InspectResult),

  /**
   * Write the generated tfjs or PyTorch project of `documentText`, with the data files the engine writes, to a
   * folder. Electron asks for the folder (native dialog); browser mode has no dialog and writes
   * `<document folder>/<document name>-export-<to>/` beside the document behind `handle`. Null when the dialog is
   * cancelled, or in browser mode for a document without a file (the editor then offers the code as a zip).
   */
  'export.toFolder': method(
    z.object({ documentText: z.string().max(50_000_000), to: z.enum(['tfjs', 'pytorch']), handle: MaybeHandle, overwrite: z.boolean().optional() }),
    // notEmpty: nothing written, the folder holds other files (why, after its name); ask, then again with overwrite.
    z.object({ folder: z.string(), files: z.array(z.string()), notEmpty: z.string().optional() }).nullable(),
  ),
} as const;

export type MethodName = keyof typeof Methods;
export type MethodInput<M extends MethodName> = z.input<(typeof Methods)[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<(typeof Methods)[M]['output']>;

/** Commands the shell sends to the editor (native menus, shortcuts handled by the OS). */
export const MenuCommand = z.enum([
  'new',
  'newFromTemplate',
  'open',
  'save',
  'saveAs',
  'close',
  'undo',
  'redo',
  'cut',
  'copy',
  'paste',
  'duplicate',
  'delete',
  'selectAll',
  'fitView',
  'zoomIn',
  'zoomOut',
  'toggleTheme',
  'togglePalette',
  'toggleInspector',
  'toggleProblems',
  'autoLayout',
  'shortcuts',
]);
export type MenuCommand = z.infer<typeof MenuCommand>;

/** Messages the app pushes to the editor. */
export const Push = z.discriminatedUnion('type', [
  z.object({ type: z.literal('menu'), command: MenuCommand }),
  /** The user opened a file from the OS or the recent list while the editor runs. */
  z.object({ type: z.literal('open'), document: OpenedDocument }),
  /** A run's events, batched: steps arrive coalesced as `steps` (see events.ts), every other event as it is. */
  z.object({ type: z.literal('engine'), runId: z.string(), event: StreamEvent }),
]);
export type Push = z.infer<typeof Push>;

/** Wire format of the WebSocket transport (browser mode); Electron IPC carries the same requests. */
export const RpcRequest = z.object({ id: z.number().int(), method: z.string().max(100), params: z.unknown() });
export const RpcResponse = z.union([
  z.object({ id: z.number().int(), result: z.unknown() }),
  z.object({ id: z.number().int(), error: z.object({ message: z.string(), code: z.string().optional() }) }),
]);

/** Validate a request's params for a method; throws a readable error naming the method. */
export function parseInput<M extends MethodName>(name: M, params: unknown): z.output<(typeof Methods)[M]['input']> {
  const r = Methods[name].input.safeParse(params ?? {});
  if (!r.success) throw new Error(`${name}: invalid request: ${z.prettifyError(r.error)}`);
  return r.data as z.output<(typeof Methods)[M]['input']>;
}

export const isMethod = (name: string): name is MethodName => Object.hasOwn(Methods, name);

/** Electron IPC: one `ipcMain.handle` channel per method, one channel for pushes (the preload and main share these). */
export const ipcChannel = (method: MethodName): string => `hnet:${method}`;
export const PUSH_CHANNEL = 'hnet:push';

/** What the Electron preload exposes as `window.hnet`; without it the editor talks to `/api?token=` over a WebSocket. */
export interface HnetBridge {
  invoke<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Returns the function that stops listening. */
  onPush(listener: (message: Push) => void): () => void;
}
