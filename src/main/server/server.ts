/**
 * The browser mode (`hnet serve`): the built editor served over HTTP on 127.0.0.1, and the app service behind a
 * WebSocket at /api speaking the contract's RpcRequest/RpcResponse.
 *
 * A per-launch random token guards everything: the page is served only to `/?token=...` (which also sets an
 * HttpOnly, SameSite=Strict cookie so the page's scripts and styles load), and the WebSocket only accepts the
 * token from the page's own origin. Other local users, other web pages and DNS-rebinding tricks get 401/403.
 *
 * @example
 * const server = await startServer({ rendererDir: 'out/renderer', file: 'model.hnet.json' });
 * console.log(`open ${server.url}`);
 * // ... later
 * await server.close();
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Push, RpcRequest, type RpcResponse } from '../../shared/api/contract';
import type { z } from 'zod';
import { AppError, errorPayload } from '../app/errors';
import { createAppService, type AppService, type AppServiceOptions } from '../app/service';
import type { DataAccess } from '../engine/data/files';
import { COMMON_HEADERS, contentSecurityPolicy, contentTypeOf, pageHeaders, resolveStaticFile } from '../app/static';
import { browserShell } from './browserShell';

/** Tried first when no port is given; taken, the server falls back to any free port. */
export const DEFAULT_PORT = 5417;
export const DEFAULT_HOST = '127.0.0.1';
/** A document is at most 50 MB of text; JSON escaping can double that. */
const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export interface ServerOptions {
  /** Port to listen on; 0 for any free port. Default: {@link DEFAULT_PORT}, else any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A document to open and save back (`hnet serve FILE`). */
  file?: string;
  /** The built editor: index.html and its assets. */
  rendererDir: string;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Crash-recovery drafts; default ~/.hypernet-studio/drafts. */
  draftsDir?: string;
  templatesDir?: string;
  /** Runs of unsaved documents; default ~/.hypernet-studio/runs. */
  runsDir?: string;
  /** The training worker and push cadence (tests, benchmarks). */
  service?: AppServiceOptions;
  /** Folders granted for data files besides the document's (`hnet serve --data DIR`), and the size limit. */
  data?: Omit<DataAccess, 'baseDir'>;
}

export interface RunningServer {
  /** The address to open, token included: `http://127.0.0.1:5417/?token=...`. */
  url: string;
  token: string;
  host: string;
  port: number;
  /** Send a message to every connected editor. */
  push(message: Push): void;
  close(): Promise<void>;
}

type Response = z.infer<typeof RpcResponse>;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;
/** What a Host header may look like before it is echoed into a header we send. */
const HOST_HEADER = /^[A-Za-z0-9.\-:[\]]{1,300}$/;

const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!TOKEN_SHAPE.test(token)) throw new Error('the access token must be 16 to 200 characters of A-Z, a-z, 0-9, "-" and "_"');
  const tokenBytes = Buffer.from(token);
  const service: AppService<void> = createAppService(
    browserShell({
      file: options.file,
      draftsDir: options.draftsDir,
      templatesDir: options.templatesDir,
      runsDir: options.runsDir,
      // Runs push their events to every connected editor.
      push: (message) => broadcast(message),
    }),
    { ...options.service, ...(options.data ? { dataAccess: () => options.data! } : {}) },
  );

  let port = 0;
  const cookieName = () => `hnet_token_${port}`;
  const sameToken = (candidate: string | null | undefined): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };

  /** The token a request carries: `?token=` or the cookie set when the page loaded. */
  function authorized(req: IncomingMessage, query: URLSearchParams): { ok: boolean; viaQuery: boolean } {
    if (sameToken(query.get('token'))) return { ok: true, viaQuery: true };
    return { ok: sameToken(cookie(req, cookieName())), viaQuery: false };
  }

  function allowedOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return false;
    if (LOOPBACK.has(host)) return [...LOOPBACK].some((h) => origin === `http://${urlHost(h)}:${port}`);
    // Bound to a real interface (driving a remote training box): the page's origin is whatever name the user
    // reached this machine by, so same-origin means "the Origin matches the Host the browser sent".
    const hostHeader = req.headers.host;
    return typeof hostHeader === 'string' && HOST_HEADER.test(hostHeader) && origin === `http://${hostHeader}`;
  }

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  function broadcast(message: Push): void {
    const text = JSON.stringify({ push: Push.parse(message) });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  const server: Server = createServer((req, res) => {
    try {
      handleHttp(req, res);
    } catch {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    }
  });

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed');
    }
    const { pathname, query } = splitUrl(req.url ?? '/');
    if (pathname === null) return send(res, 400, 'bad request');
    const auth = authorized(req, query);
    if (!auth.ok) {
      return send(res, 401, 'This is Hypernet Studio. Open the address `hnet serve` printed: it carries the access token.');
    }
    const isPage = pathname === '/' || pathname === '/index.html';
    const found = resolveStaticFile(options.rendererDir, isPage ? '/index.html' : pathname);
    if (found.kind === 'forbidden') return send(res, 403, 'forbidden');
    if (found.kind === 'not_found') return send(res, 404, isPage ? 'the editor is not built (out/renderer/index.html is missing)' : 'not found');

    const headers: Record<string, string> = { ...COMMON_HEADERS, 'Content-Type': contentTypeOf(found.path), 'Cache-Control': 'no-cache' };
    if (found.path.endsWith('.html')) {
      const hostHeader = typeof req.headers.host === 'string' && HOST_HEADER.test(req.headers.host) ? req.headers.host : `${urlHost(host)}:${port}`;
      Object.assign(headers, pageHeaders(contentSecurityPolicy([`ws://${hostHeader}`])));
    }
    // The cookie lets the page's own requests (scripts, styles, workers) through without the token in their URLs.
    if (auth.viaQuery) headers['Set-Cookie'] = `${cookieName()}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(found.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const { pathname, query } = splitUrl(req.url ?? '/');
    if (pathname !== '/api') return refuse(socket, 404, 'Not Found');
    if (!authorized(req, query).ok) return refuse(socket, 401, 'Unauthorized');
    if (!allowedOrigin(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => connection(ws));
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  function connection(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      void answer(ws, data, isBinary);
    });
  }

  async function answer(ws: WebSocket, data: unknown, isBinary: boolean): Promise<void> {
    const reply = (r: Response) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(r));
    };
    const fail = (id: number, message: string) => reply({ id, error: { message, code: 'invalid_request' } });
    if (isBinary) return fail(-1, 'binary messages are not supported; send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(textOf(data));
    } catch {
      return fail(-1, 'the message is not valid JSON');
    }
    const request = RpcRequest.safeParse(raw);
    if (!request.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      return fail(Number.isSafeInteger(id) ? (id as number) : -1, 'the message is not a request: expected {"id": integer, "method": string, "params": ...}');
    }
    const { id, method, params } = request.data;
    try {
      reply({ id, result: await service.call(method, params, undefined) });
    } catch (e) {
      reply({ id, error: errorPayload(e) });
    }
  }

  port = await listen(server, options.port ?? DEFAULT_PORT, host, options.port === undefined);
  const shownHost = host === '0.0.0.0' || host === '::' ? DEFAULT_HOST : host;

  return {
    url: `http://${urlHost(shownHost)}:${port}/?token=${token}`,
    token,
    host,
    port,
    push: broadcast,
    async close() {
      await service.close().catch(() => {});
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      return new Promise<void>((done) => {
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number, host: string, fallBack: boolean): Promise<number> {
  return new Promise((done, fail) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (fallBack && port !== 0 && e.code === 'EADDRINUSE') {
        done(listen(server, 0, host, false));
        return;
      }
      fail(
        e.code === 'EADDRINUSE'
          ? new AppError('io', `port ${port} on ${host} is already in use; choose another with --port`)
          : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
            ? new AppError('io', `cannot listen on ${host}: no such address on this machine`)
            : e,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Path (still percent-encoded) and query of a request target; the path is null unless it is origin-form. */
function splitUrl(target: string): { pathname: string | null; query: URLSearchParams } {
  const q = target.indexOf('?');
  const pathname = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  return { pathname: pathname.startsWith('/') && !pathname.startsWith('//') ? pathname : null, query };
}

function cookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function textOf(data: unknown): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return String(data);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
