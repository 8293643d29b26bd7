/**
 * The contract between the editor (renderer) and the app (Electron main process, or `hnet serve` in browser
 * mode), declared once. Both transports validate every request and response against these schemas; the
 * renderer talks to a typed client generated from this table and never to a raw channel.
 *
 * Files are never named by paths the renderer supplies: the app hands out opaque handles for files the user
 * chose (a dialog, the command line, the recent list), and only those can be read or written.
 */
import { z } from 'zod';
import { EngineEvent } from './events';

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

/** Every request the renderer can make, with its input and output. */
export const Methods = {
  /** Which shell serves the editor, and what it can do. */
  'app.info': method(z.object({}), z.object({ mode: z.enum(['electron', 'browser']), version: z.string(), platform: z.string() })),
  'templates.list': method(z.object({}), z.array(TemplateSummary)),
  /** A template's text; opening it makes a new, unsaved document. */
  'templates.read': method(z.object({ id: z.string().max(200) }), z.object({ text: z.string() })),
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
  /** Keep a crash-recovery copy of unsaved work (one per editor window). */
  'autosave.write': method(z.object({ id: z.string().max(100), name: z.string().max(200), text: z.string().max(50_000_000) }), z.object({})),
  'autosave.list': method(z.object({}), z.array(Draft)),
  'autosave.discard': method(z.object({ id: z.string().max(100) }), z.object({})),
  /** Tell the shell whether there are unsaved changes (Electron asks before closing). */
  'window.setDirty': method(z.object({ dirty: z.boolean(), title: z.string().max(300) }), z.object({})),
  /** Open an external link (only hosts on the allowlist). */
  'shell.openExternal': method(z.object({ url: z.string().url().max(2000) }), z.object({ opened: z.boolean() })),
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
  z.object({ type: z.literal('engine'), runId: z.string(), event: EngineEvent }),
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
