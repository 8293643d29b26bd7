/**
 * The editor's only way to talk to the app: a typed proxy over the contract in src/shared/api.
 *
 * In Electron the preload exposes `window.hnet`; in browser mode (`hnet serve`) requests travel over a
 * WebSocket at `/api`, the token sent in the request itself as the `hnet.token.TOKEN` subprotocol (the server
 * accepts no cookie for the API). The token arrives in the page's address; it is moved to sessionStorage and
 * removed from the address bar, so it is not kept in history or shown, and a reload still works. Either way every response and push is validated against the contract's schemas
 * before the editor sees it, so a confused or hostile peer produces an error, never a malformed state. A push
 * that fails validation is dropped, logged with its zod issue and handed to the `onInvalidPush` listeners (the
 * editor shows a notice), so a newer engine's message this version cannot read is never lost without a word.
 *
 * @example
 * const templates = await api.invoke('templates.list', {});
 * const off = api.onPush((p) => { if (p.type === 'menu') run(p.command); });
 * const offInvalid = api.onInvalidPush((p) => notify('error', `cannot read a message: ${p.issue}`));
 */
import type { z } from 'zod';
import { MAX_MESSAGE_BYTES, Methods, Push, RpcResponse, type MethodInput, type MethodName, type MethodOutput } from '../../../shared/api/contract';

/** What the Electron preload exposes on `window.hnet`. */
export interface PreloadBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  onPush(listener: (push: unknown) => void): () => void;
}

declare global {
  interface Window {
    hnet?: PreloadBridge;
  }
}

interface Transport {
  invoke(method: string, params: unknown): Promise<unknown>;
  onPush(listener: (push: unknown) => void): () => void;
}

/** Error raised for a failed request; `method` names the request so messages can say what failed. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

/** The browser-mode transport: one WebSocket, request ids, reconnection with backoff. */
class SocketTransport implements Transport {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string; timer: ReturnType<typeof setTimeout> }>();
  private listeners = new Set<(push: unknown) => void>();

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private open(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      if (!this.token) {
        this.opening = null;
        reject(new Error('this page has no access token: open the address `hnet serve` printed (it ends in ?token=...)'));
        return;
      }
      const ws = new WebSocket(this.url, ['hnet', `hnet.token.${this.token}`]);
      ws.onopen = () => {
        this.socket = ws;
        this.opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        if (this.opening) {
          this.opening = null;
          reject(new Error('cannot connect to the Hypernet Studio server (is `hnet serve` still running?)'));
        }
      };
      ws.onclose = (ev) => {
        if (this.socket === ws) this.socket = null;
        const why = ev.code === 1009 ? `the server refused a request: ${ev.reason || 'it is too large'}` : 'the connection to the server closed';
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new ApiError(p.method, why));
          this.pending.delete(id);
        }
        // Pushes (menu commands, engine events) need a live socket even when no request is pending.
        if (this.listeners.size) setTimeout(() => void this.open().catch(() => undefined), 2000);
      };
      ws.onmessage = (ev) => this.receive(ev.data);
    });
    return this.opening;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg && typeof msg === 'object' && 'push' in msg) {
      for (const l of this.listeners) l((msg as { push: unknown }).push);
      return;
    }
    const r = RpcResponse.safeParse(msg);
    if (!r.success) return;
    const p = this.pending.get(r.data.id);
    if (!p) return;
    this.pending.delete(r.data.id);
    clearTimeout(p.timer);
    if ('error' in r.data) p.reject(new ApiError(p.method, r.data.error.message));
    else p.resolve(r.data.result);
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params });
    // The server closes the connection on a message over its limit; say so before sending instead.
    if (text.length * 3 > MAX_MESSAGE_BYTES && new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES)
      throw new ApiError(method, `${method}: this request is larger than the server accepts (${MAX_MESSAGE_BYTES / 1024 / 1024} MB)`);
    const ws = await this.open();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError(method, 'the server did not answer in time'));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, method, timer });
      ws.send(text);
    });
  }

  onPush(listener: (push: unknown) => void): () => void {
    this.listeners.add(listener);
    void this.open().catch(() => undefined);
    return () => this.listeners.delete(listener);
  }
}

const TOKEN_KEY = 'hnet.token';

/** The access token: taken out of the address (kept in sessionStorage for reloads), else from sessionStorage. */
export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage disabled: this page still works, a reload needs the printed address again
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function socketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/api`;
}

/** A push the contract does not allow: dropped, and described so the user can be told. */
export interface InvalidPush {
  /** The first zod issue in a line: where in the message, and what is wrong there. */
  issue: string;
  issues: z.core.$ZodIssue[];
  /** The message as it arrived. */
  raw: unknown;
}

/** One zod issue as a line: `event.loss: Invalid input: expected number, received string`. */
export function describeIssue(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'it does not match the contract';
  const at = first.path.map(String).join('.');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${at ? `${at}: ` : ''}${first.message}${more}`;
}

export interface ApiClient {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  onPush(listener: (push: Push) => void): () => void;
  /** Hear about pushes dropped because they fail validation (each is also logged with console.warn). */
  onInvalidPush(listener: (push: InvalidPush) => void): () => void;
  /** electron when a preload bridge is present, else browser. */
  readonly transport: 'electron' | 'browser';
}

export function createClient(transport: Transport, kind: 'electron' | 'browser'): ApiClient {
  // One subscription to the transport for every listener, so each push is validated (and reported) once.
  const listeners = new Set<(push: Push) => void>();
  const invalidListeners = new Set<(push: InvalidPush) => void>();
  let unsubscribe: (() => void) | null = null;
  /** A listener that throws must not keep the push from the others; its error is still reported, uncaught. */
  const call = <T>(listener: (value: T) => void, value: T) => {
    try {
      listener(value);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  };
  const receive = (raw: unknown) => {
    const p = Push.safeParse(raw);
    if (p.success) {
      for (const l of [...listeners]) call(l, p.data);
      return;
    }
    const invalid: InvalidPush = { issue: describeIssue(p.error.issues), issues: p.error.issues, raw };
    console.warn(`hnet: dropped a push that fails validation: ${invalid.issue}`, p.error.issues);
    for (const l of [...invalidListeners]) call(l, invalid);
  };
  return {
    transport: kind,
    async invoke(method, input) {
      const spec = Methods[method];
      const request = spec.input.safeParse(input);
      if (!request.success) throw new ApiError(method, `${method}: invalid request: ${request.error.issues[0]?.message ?? 'invalid'}`);
      let raw: unknown;
      try {
        raw = await transport.invoke(method, request.data);
      } catch (e) {
        throw e instanceof ApiError ? e : new ApiError(method, e instanceof Error ? e.message : String(e));
      }
      const result = spec.output.safeParse(raw);
      if (!result.success) throw new ApiError(method, `${method}: the app sent an unexpected answer`);
      return result.data as never;
    },
    onPush(listener) {
      listeners.add(listener);
      unsubscribe ??= transport.onPush(receive);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = null;
        }
      };
    },
    onInvalidPush(listener) {
      invalidListeners.add(listener);
      return () => invalidListeners.delete(listener);
    },
  };
}

export const api: ApiClient =
  typeof window !== 'undefined' && window.hnet
    ? createClient(window.hnet, 'electron')
    : createClient(typeof window !== 'undefined' ? new SocketTransport(socketUrl(), takeToken()) : new SocketTransport('', ''), 'browser');
