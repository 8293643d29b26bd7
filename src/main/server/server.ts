/**
 * The browser mode (`hnet serve`): the built editor served over HTTP on 127.0.0.1, and the app service behind a
 * WebSocket at /api speaking the contract's RpcRequest/RpcResponse.
 *
 * A per-launch random token guards the API: the WebSocket accepts only a request that carries it itself (the
 * `hnet.token.TOKEN` subprotocol the page sends, or `?token=`), from the page's own origin, never a cookie alone.
 * The page is served to `/?token=...`, which also sets a cookie holding a *different* per-launch secret: it
 * unlocks the editor's static files (scripts, styles, a reload of the page) and nothing else, so a local service
 * on another port that receives it (browsers send cookies to every port of a host) cannot use the API. The page
 * moves the token from its address to sessionStorage. Every request's Host header must name this server (the
 * loopback names or the configured host), which stops DNS-rebinding pages. A host other than loopback needs TLS
 * (HTTPS and WSS) or an explicit `insecureHttp`.
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
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, Push, type RpcResponse } from '../../shared/api/contract';
import type { z } from 'zod';
import { AppError, errorPayload } from '../app/errors';
import { createAppService, type AppService, type AppServiceOptions } from '../app/service';
import type { DataAccess } from '../engine/data/files';
import { COMMON_HEADERS, contentSecurityPolicy, contentTypeOf, pageHeaders, resolveStaticFile } from '../app/static';
import { browserShell } from './browserShell';
import { createRequestReader, type RequestReaderOptions } from './requests';

/** Tried first when no port is given; taken, the server falls back to any free port. */
export const DEFAULT_PORT = 5417;
export const DEFAULT_HOST = '127.0.0.1';
/** The subprotocol the page asks for; it sends the token as a second one, `hnet.token.TOKEN`. */
export const API_PROTOCOL = 'hnet';
export const TOKEN_PROTOCOL_PREFIX = 'hnet.token.';

export interface ServerOptions {
  /** Port to listen on; 0 for any free port. Default: {@link DEFAULT_PORT}, else any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: the server speaks HTTPS and WSS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Serve plain HTTP on a host other than loopback (the token crosses the network in clear). */
  insecureHttp?: boolean;
  /** A document to open and save back (`hnet serve FILE`). */
  file?: string;
  /** The folder Open lists and new documents are saved into (see browserShell). */
  workspace?: string;
  /** The built editor: index.html and its assets. */
  rendererDir: string;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Crash-recovery drafts; default ~/.hypernet-studio/drafts. */
  draftsDir?: string;
  templatesDir?: string;
  /** Runs of unsaved documents; default ~/.hypernet-studio/runs. */
  runsDir?: string;
  /** The largest WebSocket message; default {@link MAX_MESSAGE_BYTES} (tests lower it). */
  maxMessageBytes?: number;
  /** Where big messages are read (tests). */
  requestReader?: RequestReaderOptions;
  /** The training worker and push cadence (tests, benchmarks). */
  service?: AppServiceOptions;
  /** Folders granted for data files besides the document's (`hnet serve --data DIR`), and the size limit. */
  data?: Omit<DataAccess, 'baseDir'>;
}

export interface RunningServer {
  /** The address to open, token included: `http://127.0.0.1:5417/?token=...` (https with TLS). */
  url: string;
  /** http or https. */
  scheme: 'http' | 'https';
  /** The host names the server answers to (the Host header of every request must be one of them). */
  hostNames: string[];
  token: string;
  host: string;
  port: number;
  /** Send a message to every connected editor. */
  push(message: Push): void;
  close(): Promise<void>;
}

type Response = z.infer<typeof RpcResponse>;

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
const WILDCARD = new Set(['0.0.0.0', '::', '']);

export const isLoopbackHost = (host: string): boolean => LOOPBACK.includes(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Why a host other than loopback is refused without TLS, and the three ways forward. */
export const plainHttpRefusal = (host: string): string =>
  `--host ${host} would send the editor and its access token over the network in clear (plain HTTP). ` +
  'Keep the default host and reach it through an SSH tunnel (ssh -L 5417:127.0.0.1:5417 THIS-MACHINE), ' +
  'or give --tls-cert FILE --tls-key FILE to serve HTTPS, or accept the risk with --insecure-http.';

/** The names a browser may reach a server listening on `host` by: loopback, and the host, or every local address. */
export function hostNamesFor(host: string): string[] {
  const names = new Set(LOOPBACK);
  if (WILDCARD.has(host)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
    names.add(hostname().toLowerCase());
  } else names.add(host.toLowerCase());
  return [...names];
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower case; null when it is malformed. */
export function hostNameOf(header: string | undefined): string | null {
  if (typeof header !== 'string' || !HOST_HEADER.test(header)) return null;
  const m = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(header) ?? /^([^:[\]]+)(?::\d{1,5})?$/.exec(header);
  return m ? m[1].toLowerCase() : null;
}
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;
/** What a Host header may look like before it is echoed into a header we send. */
const HOST_HEADER = /^[A-Za-z0-9.\-:[\]]{1,300}$/;

const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!TOKEN_SHAPE.test(token)) throw new Error('the access token must be 16 to 200 characters of A-Z, a-z, 0-9, "-" and "_"');
  if (!isLoopbackHost(host) && !options.tls && !options.insecureHttp) throw new AppError('forbidden', plainHttpRefusal(host));
  const scheme = options.tls ? 'https' : 'http';
  const hostNames = hostNamesFor(host);
  const tokenBytes = Buffer.from(token);
  // The cookie's secret: a different value from the token, good for static files only.
  const staticSecret = randomBytes(32).toString('base64url');
  const staticBytes = Buffer.from(staticSecret);
  const reader = createRequestReader(options.requestReader);
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  // Bytes of one connection's requests being read at once; above it the connection is not read until they are.
  const maxPendingBytes = 2 * maxMessageBytes;
  const service: AppService<void> = createAppService(
    browserShell({
      file: options.file,
      workspace: options.workspace,
      draftsDir: options.draftsDir,
      templatesDir: options.templatesDir,
      runsDir: options.runsDir,
      // Runs push their events to every connected editor.
      push: (message) => broadcast(message),
    }),
    { ...options.service, ...(options.data ? { dataAccess: () => options.data! } : {}) },
  );

  let port = 0;
  const cookieName = () => `hnet_static_${port}`;
  const same = (candidate: string | null | undefined, secret: Buffer): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === secret.length && timingSafeEqual(b, secret);
  };

  /** A static file may be had with the token in the URL (the page's address) or the static-files cookie. */
  function mayReadFiles(req: IncomingMessage, query: URLSearchParams): { ok: boolean; viaQuery: boolean } {
    if (same(query.get('token'), tokenBytes)) return { ok: true, viaQuery: true };
    return { ok: same(cookie(req, cookieName()), staticBytes), viaQuery: false };
  }

  /** The API needs the token in the request itself: the `hnet.token.` subprotocol or `?token=`; cookies never count. */
  function mayUseApi(req: IncomingMessage, query: URLSearchParams): boolean {
    if (same(query.get('token'), tokenBytes)) return true;
    return offeredProtocols(req).some((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX) && same(p.slice(TOKEN_PROTOCOL_PREFIX.length), tokenBytes));
  }

  /** The Host header names this server (not a DNS-rebinding name or a proxy's guess). */
  const rightHost = (req: IncomingMessage): boolean => {
    const name = hostNameOf(req.headers.host);
    return name !== null && hostNames.includes(name);
  };

  /** Same origin as the browser sees it: the page's scheme and the Host it reached us by (itself checked). */
  function allowedOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return typeof origin === 'string' && rightHost(req) && origin === `${scheme}://${req.headers.host}`;
  }

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    // Answer with the plain protocol name, never echo the token back.
    handleProtocols: (protocols) => (protocols.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });

  function broadcast(message: Push): void {
    const text = JSON.stringify({ push: Push.parse(message) });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    try {
      handleHttp(req, res);
    } catch {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    }
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (!rightHost(req)) return misdirected(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed');
    }
    const { pathname, query } = splitUrl(req.url ?? '/');
    if (pathname === null) return send(res, 400, 'bad request');
    // Nothing here takes a body; one is refused unread (and the connection closed) rather than buffered.
    if (hasBody(req)) {
      res.setHeader('Connection', 'close');
      return send(res, 413, 'requests to this server carry no body');
    }
    const auth = mayReadFiles(req, query);
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
      Object.assign(headers, pageHeaders(contentSecurityPolicy([`${scheme === 'https' ? 'wss' : 'ws'}://${hostHeader}`])));
    }
    // The cookie lets the page's own requests (scripts, styles, workers, a reload) through without the token in
    // their URLs; it holds the static-files secret, not the token.
    if (auth.viaQuery)
      headers['Set-Cookie'] = `${cookieName()}=${staticSecret}; Path=/; HttpOnly; SameSite=Strict${scheme === 'https' ? '; Secure' : ''}`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(found.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const { pathname, query } = splitUrl(req.url ?? '/');
    if (!rightHost(req)) return refuse(socket, 421, 'Misdirected Request');
    if (pathname !== '/api') return refuse(socket, 404, 'Not Found');
    if (!mayUseApi(req, query)) return refuse(socket, 401, 'Unauthorized');
    if (!allowedOrigin(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => connection(ws));
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  function connection(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // Over the size limit ws closes the socket itself (1009); say why in the close frame. ws exposes no hook
    // before it closes, so this listens on its receiver (checked by test/server.test.ts).
    const receiver = (ws as unknown as { _receiver?: { prependListener?: (e: string, f: (err: { code?: string }) => void) => void } })._receiver;
    receiver?.prependListener?.('error', (err) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') ws.close(1009, `the message is larger than the server accepts (${megabytes(maxMessageBytes)} MB)`);
    });
    ws.on('error', (err: { code?: string }) => {
      if (err.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') ws.terminate();
    });
    // Requests are dispatched in arrival order; big ones are read in a worker meanwhile, and while too many
    // bytes wait to be read the connection is not read further (backpressure instead of memory).
    let queue: Promise<unknown> = Promise.resolve();
    let pendingBytes = 0;
    ws.on('message', (data, isBinary) => {
      const reply = (r: Response) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(r));
      };
      if (isBinary) {
        queue = queue.then(() => reply({ id: -1, error: { message: 'binary messages are not supported; send JSON text', code: 'invalid_request' } }));
        return;
      }
      const buffer = bufferOf(data);
      const size = buffer.byteLength; // the reader may move the buffer to its worker (then it reads as empty here)
      pendingBytes += size;
      if (pendingBytes > maxPendingBytes) ws.pause();
      const read = reader.read(buffer).finally(() => {
        pendingBytes -= size;
        if (pendingBytes <= maxPendingBytes && ws.isPaused) ws.resume();
      });
      queue = queue.then(async () => {
        const request = await read;
        if (!request.ok) return reply({ id: request.id, error: { message: request.message, code: request.code } });
        // Not awaited: calls of one connection run side by side, as they always did; only their start is ordered.
        void service.call(request.method, request.params, undefined).then(
          (result) => reply({ id: request.id, result }),
          (e) => reply({ id: request.id, error: errorPayload(e) }),
        );
      });
    });
  }

  port = await listen(server, options.port ?? DEFAULT_PORT, host, options.port === undefined);
  const shownHost = WILDCARD.has(host) ? DEFAULT_HOST : host;

  return {
    url: `${scheme}://${urlHost(shownHost)}:${port}/?token=${token}`,
    scheme,
    hostNames,
    token,
    host,
    port,
    push: broadcast,
    async close() {
      await service.close().catch(() => {});
      await reader.close().catch(() => {});
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

const megabytes = (bytes: number): string => String(Math.round((bytes / 1024 / 1024) * 10) / 10);

function bufferOf(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(String(data));
}

/** The subprotocols a WebSocket upgrade offers. */
function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return typeof header === 'string' ? header.split(',').map((p) => p.trim()) : [];
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function misdirected(res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  send(res, 421, 'This server does not answer to that host name. Open the address `hnet serve` printed (or use --host NAME).');
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
