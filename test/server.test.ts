/**
 * The browser mode's server (`hnet serve`), over real HTTP and WebSocket connections on 127.0.0.1: the token,
 * the static-files cookie (never the token), static files without traversal, security headers, the Host and
 * Origin checks, TLS, request size limits, and the API over /api.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Methods, RpcResponse } from '../src/shared/api/contract';
import { startServer, type RunningServer } from '../src/main/server/server';

const root = resolve(import.meta.dirname, '..');
const template = readFileSync(join(root, 'templates', 'sinusoid-family.hnet.json'), 'utf8');
const INDEX = '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body>editor</body></html>';

let dir: string;
let docDir: string;
let file: string;
let server: RunningServer;
let origin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-server-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), INDEX);
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("editor")\n');
  writeFileSync(join(rendererDir, 'assets', 'style.css'), 'body{}\n');
  writeFileSync(join(rendererDir, '.secret'), 'SECRET');
  writeFileSync(join(dir, 'outside.txt'), 'OUTSIDE');
  docDir = join(dir, 'docs');
  mkdirSync(docDir);
  file = join(docDir, 'model.hnet.json');
  writeFileSync(file, template);
  server = await startServer({ port: 0, rendererDir, file, draftsDir: join(dir, 'drafts') });
  origin = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes on the request line exactly as given (no URL normalisation). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end();
  });
}

const cookieHeader = (g: Got) => (g.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';

async function pageCookie(): Promise<string> {
  const page = await get(`/?token=${server.token}`);
  expect(page.status).toBe(200);
  return cookieHeader(page);
}

/** Open /api; resolves with the socket, or rejects with the HTTP status of the refusal. */
function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => done(ws));
    ws.once('unexpected-response', (_req, res) => {
      fail(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (e) => fail(e));
  });
}

/** A client that sends requests and collects responses and pushes. */
function client(ws: WebSocket) {
  let next = 1;
  const waiting = new Map<number, (r: unknown) => void>();
  const pushes: unknown[] = [];
  const stray: unknown[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; push?: unknown };
    if ('push' in msg) pushes.push(msg.push);
    else if (typeof msg.id === 'number' && waiting.has(msg.id)) {
      waiting.get(msg.id)!(msg);
      waiting.delete(msg.id);
    } else stray.push(msg);
  });
  return {
    pushes,
    stray,
    call(method: string, params: unknown): Promise<{ id: number; result?: unknown; error?: { message: string; code?: string } }> {
      const id = next++;
      return new Promise((done) => {
        waiting.set(id, done as (r: unknown) => void);
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    raw(text: string | Buffer): Promise<{ id: number; error?: { message: string; code?: string } }> {
      return new Promise((done) => {
        ws.once('message', (data) => done(JSON.parse(String(data))));
        ws.send(text);
      });
    },
  };
}

describe('HTTP', () => {
  it('refuses every request without the token', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', `/?token=${'x'.repeat(43)}`, '/?token=', '/favicon.ico']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain('editor');
    }
    expect((await get('/assets/app.js', { Cookie: `hnet_static_${server.port}=wrong` })).status).toBe(401);
    // The cookie holds its own secret: the token in it unlocks nothing.
    expect((await get('/assets/app.js', { Cookie: `hnet_static_${server.port}=${server.token}` })).status).toBe(401);
    const secret = (await pageCookie()).split('=')[1];
    expect((await get('/assets/app.js', { Cookie: `hnet_static_1=${secret}` })).status).toBe(401);
  });

  it('uses a fresh 32-byte random token per launch', async () => {
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const other = await startServer({ port: 0, rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
    try {
      expect(other.token).not.toBe(server.token);
    } finally {
      await other.close();
    }
  });

  it('serves the page with the token, with a strict CSP and an HttpOnly same-site cookie that is not the token', async () => {
    const r = await get(`/?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    for (const d of [
      "default-src 'self'",
      "script-src 'self';",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      `connect-src 'self' ws://127.0.0.1:${server.port}`,
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(d);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const setCookie = (r.headers['set-cookie'] ?? [])[0] ?? '';
    const secret = new RegExp(`^hnet_static_${server.port}=([A-Za-z0-9_-]{43});`).exec(setCookie)?.[1];
    expect(secret).toBeDefined();
    expect(secret).not.toBe(server.token);
    expect(setCookie).not.toContain(server.token);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect((await get(`/index.html?token=${server.token}`)).status).toBe(200);
  });

  it("serves the page's assets with the cookie, with their types", async () => {
    const cookie = await pageCookie();
    const js = await get('/assets/app.js', { Cookie: cookie });
    expect(js.status).toBe(200);
    expect(js.body).toContain('editor');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/style.css', { Cookie: `other=1; ${cookie}` })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(`/assets/app.js?token=${server.token}`)).status).toBe(200);
    expect((await get('/assets/missing.js', { Cookie: cookie })).status).toBe(404);
    const head = await get('/assets/app.js', { Cookie: cookie }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await get('/assets/app.js', { Cookie: cookie }, 'POST')).status).toBe(405);
    // A reload of the page (its address no longer has the token) is served with the cookie.
    const reload = await get('/', { Cookie: cookie });
    expect(reload.status).toBe(200);
    expect(reload.body).toBe(INDEX);
    expect(reload.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a Host header that does not name this server (DNS rebinding), before the token is looked at', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1.evil.example', 'localhost.']) {
      const r = await get(`/?token=${server.token}`, { Host: host });
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain('editor');
      expect(r.body).toMatch(/does not answer to that host name/);
    }
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`, 'LOCALHOST:8000'])
      expect((await get(`/?token=${server.token}`, { Host: host })).status, host).toBe(200);
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example', Host: 'evil.example' })).rejects.toThrow(/HTTP 421/);
  });

  it('refuses a request body unread (413), whatever the method', async () => {
    const cookie = await pageCookie();
    const r = await new Promise<Got>((done, fail) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/assets/app.js', method: 'GET', headers: { Cookie: cookie, 'Content-Length': String(1 << 20) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', fail);
      req.write(Buffer.alloc(1024));
    });
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/carry no body/);
    expect(r.headers.connection).toBe('close');
  });

  it('never serves a file outside the editor folder, nor dotfiles', async () => {
    const cookie = await pageCookie();
    for (const path of [
      '/../package.json',
      '/../outside.txt',
      '/assets/../../outside.txt',
      '/%2e%2e/outside.txt',
      '/%2E%2E/outside.txt',
      '/%2e%2e%2foutside.txt',
      '/assets/%2e%2e%2f%2e%2e%2foutside.txt',
      '/..%5coutside.txt',
      '/..\\outside.txt',
      '/%252e%252e/outside.txt',
      '/.secret',
      '/%2esecret',
      '/assets/%00',
      '/%ff',
      `/../outside.txt?token=${server.token}`,
      '//etc/passwd',
    ]) {
      const r = await get(path, { Cookie: cookie });
      expect([400, 403, 404], path).toContain(r.status);
      expect(r.body).not.toMatch(/OUTSIDE|SECRET|"name"/);
    }
  });
});

describe('WebSocket /api', () => {
  it('refuses connections without the token', async () => {
    await expect(connect('', { Origin: origin })).rejects.toThrow(/HTTP 401/);
    await expect(connect('?token=nope', { Origin: origin })).rejects.toThrow(/HTTP 401/);
    await expect(connect('', { Origin: origin, 'Sec-WebSocket-Protocol': 'hnet, hnet.token.nope' })).rejects.toThrow(/HTTP 401/);
  });

  it('refuses the cookie alone: the API wants the token in the request itself', async () => {
    const cookie = await pageCookie();
    await expect(connect('', { Origin: origin, Cookie: cookie })).rejects.toThrow(/HTTP 401/);
    await expect(connect('', { Origin: origin, Cookie: `${cookie}; hnet_token_${server.port}=${server.token}` })).rejects.toThrow(/HTTP 401/);
  });

  it('accepts the token as a subprotocol (what the page sends), answering with the plain protocol name', async () => {
    const ws = await new Promise<WebSocket>((done, fail) => {
      const w = new WebSocket(`ws://127.0.0.1:${server.port}/api`, ['hnet', `hnet.token.${server.token}`], { headers: { Origin: origin } });
      w.once('open', () => done(w));
      w.once('unexpected-response', (_q, res) => fail(new Error(`HTTP ${res.statusCode}`)));
      w.once('error', fail);
    });
    try {
      expect(ws.protocol).toBe('hnet');
      expect((await client(ws).call('app.info', {})).result).toMatchObject({ mode: 'browser' });
    } finally {
      ws.close();
    }
  });

  it('refuses a cross-origin page, or no Origin at all, even with the token', async () => {
    for (const o of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://localhost:${server.port}`, 'null'])
      await expect(connect(`?token=${server.token}`, { Origin: o })).rejects.toThrow(/HTTP 403/);
    await expect(connect(`?token=${server.token}`, {})).rejects.toThrow(/HTTP 403/);
  });

  it('refuses other paths', async () => {
    await expect(
      new Promise((done, fail) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, { headers: { Origin: origin } });
        ws.once('open', done);
        ws.once('unexpected-response', (_q, res) => fail(new Error(`HTTP ${res.statusCode}`)));
        ws.once('error', fail);
      }),
    ).rejects.toThrow(/HTTP 404/);
  });

  it('answers the contract: app.info and templates.list, valid per the schemas', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: origin });
    try {
      const c = client(ws);
      const info = await c.call('app.info', {});
      expect(RpcResponse.safeParse(info).success).toBe(true);
      expect(Methods['app.info'].output.parse(info.result)).toMatchObject({ mode: 'browser', platform: process.platform });
      const list = await c.call('templates.list', {});
      const templates = Methods['templates.list'].output.parse(list.result);
      expect(templates.map((t) => t.id)).toContain('sinusoid-family');
      expect(await c.call('document.open', {})).toMatchObject({ result: null });
      expect(await c.call('document.saveAs', { suggestedName: 'x', text: 'y' })).toMatchObject({ result: null });
      expect(await c.call('document.recent', {})).toMatchObject({ result: [] });
      expect(await c.call('shell.openExternal', { url: 'https://github.com/' })).toMatchObject({ result: { opened: false } });
    } finally {
      ws.close();
    }
  });

  it('answers malformed messages with errors and keeps the connection', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: origin });
    try {
      const c = client(ws);
      expect(await c.raw('{ not json')).toEqual({ id: -1, error: { message: expect.stringMatching(/not valid JSON/), code: 'invalid_request' } });
      expect(await c.raw('[]')).toMatchObject({ id: -1, error: { code: 'invalid_request' } });
      expect(await c.raw('{"id": 7, "method": 5}')).toMatchObject({ id: 7, error: { code: 'invalid_request' } });
      expect(await c.raw('{"id": 1.5, "method": "app.info"}')).toMatchObject({ id: -1, error: { code: 'invalid_request' } });
      expect(await c.raw(Buffer.from([0xff, 0x00]))).toMatchObject({ id: -1, error: { code: 'invalid_request' } });
      expect(await c.raw('"__proto__"')).toMatchObject({ id: -1 });
      const unknown = await c.call('fs.readFile', { path: '/etc/passwd' });
      expect(unknown.error).toMatchObject({ code: 'unknown_method' });
      const invalid = await c.call('templates.read', { id: '../package' });
      expect(invalid.error).toMatchObject({ code: 'not_found' });
      expect(invalid.error!.message).not.toMatch(/\n\s+at /);
      expect((await c.call('app.info', {})).result).toMatchObject({ mode: 'browser' });
    } finally {
      ws.close();
    }
  });

  it('opens the FILE it was started with and saves it back atomically', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: origin });
    try {
      const c = client(ws);
      const initial = Methods['document.initial'].output.parse((await c.call('document.initial', {})).result);
      expect(initial).toMatchObject({ name: 'model.hnet.json', text: template });
      const text = template.replace('Sinusoid family', 'Sinusoid family, edited');
      const saved = await c.call('document.save', { handle: initial!.handle, text });
      expect(saved.result).toMatchObject({ savedAt: expect.any(String) });
      expect(readFileSync(file, 'utf8')).toBe(text);
      expect(readdirSync(docDir)).toEqual(['model.hnet.json']);
      const bad = await c.call('document.save', { handle: 'h_forged', text: 'x' });
      expect(bad.error).toMatchObject({ code: 'unknown_handle' });
      expect(readFileSync(file, 'utf8')).toBe(text);
    } finally {
      ws.close();
    }
  });

  it('keeps crash-recovery drafts', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: origin });
    try {
      const c = client(ws);
      expect((await c.call('autosave.write', { id: 'tab-1', name: 'Model', text: 'draft' })).result).toEqual({});
      expect((await c.call('autosave.list', {})).result).toMatchObject([{ id: 'tab-1', name: 'Model', text: 'draft' }]);
      expect((await c.call('autosave.write', { id: '../evil', name: 'x', text: 'x' })).error).toMatchObject({ code: 'invalid_request' });
      expect((await c.call('autosave.discard', { id: 'tab-1' })).result).toEqual({});
      expect((await c.call('autosave.list', {})).result).toEqual([]);
    } finally {
      ws.close();
    }
  });

  it('pushes messages to connected editors', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: origin });
    try {
      const c = client(ws);
      await c.call('app.info', {});
      server.push({ type: 'menu', command: 'save' });
      await new Promise((r) => setTimeout(r, 50));
      expect(c.pushes).toEqual([{ type: 'menu', command: 'save' }]);
      expect(() => server.push({ type: 'menu', command: 'rm -rf' } as never)).toThrow();
    } finally {
      ws.close();
    }
  });
});

describe('ports', () => {
  it('falls back to a free port when the default one is taken, but not when a port was asked for', async () => {
    const blocker = createServer();
    const blocked = await new Promise<boolean>((done) => {
      blocker.once('error', () => done(false));
      blocker.listen(5417, '127.0.0.1', () => done(true));
    });
    try {
      const s = await startServer({ rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
      try {
        expect(s.port).not.toBe(5417);
        expect(s.host).toBe('127.0.0.1');
      } finally {
        await s.close();
      }
      await expect(startServer({ port: 5417, rendererDir: join(dir, 'renderer') })).rejects.toThrow(/port 5417 on 127\.0\.0\.1 is already in use/);
    } finally {
      if (blocked) await new Promise((r) => blocker.close(r));
    }
  });
});

describe('hosts and TLS', () => {
  it('refuses a host other than loopback without TLS or insecureHttp, saying what to do', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1'])
      await expect(startServer({ port: 0, host, rendererDir: join(dir, 'renderer') })).rejects.toThrow(
        /over the network in clear.*SSH tunnel.*--tls-cert FILE --tls-key FILE.*--insecure-http/,
      );
  });

  it('with insecureHttp on 0.0.0.0 answers to loopback and this machine, not to other names', async () => {
    const s = await startServer({ port: 0, host: '0.0.0.0', insecureHttp: true, rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
    try {
      expect(s.hostNames).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost']));
      const at = (host: string) =>
        new Promise<number>((done, fail) => {
          const req = request({ host: '127.0.0.1', port: s.port, path: `/?token=${s.token}`, headers: { Host: host } }, (res) => {
            res.resume();
            done(res.statusCode ?? 0);
          });
          req.on('error', fail);
          req.end();
        });
      expect(await at(`127.0.0.1:${s.port}`)).toBe(200);
      expect(await at(`${s.hostNames[s.hostNames.length - 1]}:${s.port}`)).toBe(200);
      expect(await at(`rebound.example:${s.port}`)).toBe(421);
    } finally {
      await s.close();
    }
  });

  it('speaks HTTPS and WSS with a certificate, on a host other than loopback too', async () => {
    const certDir = join(dir, 'tls');
    mkdirSync(certDir, { recursive: true });
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(certDir, 'cert.pem'));
    const key = readFileSync(join(certDir, 'key.pem'));
    const s = await startServer({ port: 0, host: '0.0.0.0', tls: { cert, key }, rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
    try {
      expect(s.scheme).toBe('https');
      expect(s.url).toBe(`https://127.0.0.1:${s.port}/?token=${s.token}`);
      const page = await new Promise<Got>((done, fail) => {
        const req = httpsRequest({ host: '127.0.0.1', port: s.port, path: `/?token=${s.token}`, ca: cert }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', fail);
        req.end();
      });
      expect(page.status).toBe(200);
      expect(page.body).toBe(INDEX);
      expect(String(page.headers['content-security-policy'])).toContain(`connect-src 'self' wss://127.0.0.1:${s.port}`);
      expect((page.headers['set-cookie'] ?? [])[0]).toMatch(/; Secure/);
      // Plain HTTP to the TLS port gets nothing.
      await expect(
        new Promise((done, fail) => {
          const req = request({ host: '127.0.0.1', port: s.port, path: '/' }, (res) => done(res.statusCode));
          req.on('error', fail);
          req.setTimeout(5000, () => req.destroy(new Error('timeout')));
          req.end();
        }),
      ).rejects.toThrow();
      const ws = await new Promise<WebSocket>((done, fail) => {
        const w = new WebSocket(`wss://127.0.0.1:${s.port}/api`, ['hnet', `hnet.token.${s.token}`], { headers: { Origin: `https://127.0.0.1:${s.port}` }, ca: cert });
        w.once('open', () => done(w));
        w.once('unexpected-response', (_q, res) => fail(new Error(`HTTP ${res.statusCode}`)));
        w.once('error', fail);
      });
      try {
        expect((await client(ws).call('app.info', {})).result).toMatchObject({ mode: 'browser' });
      } finally {
        ws.close();
      }
      // The plain-HTTP origin of the same address is another origin.
      await expect(
        new Promise((done, fail) => {
          const w = new WebSocket(`wss://127.0.0.1:${s.port}/api?token=${s.token}`, { headers: { Origin: `http://127.0.0.1:${s.port}` }, ca: cert });
          w.once('open', done);
          w.once('unexpected-response', (_q, res) => fail(new Error(`HTTP ${res.statusCode}`)));
          w.once('error', fail);
        }),
      ).rejects.toThrow(/HTTP 403/);
    } finally {
      await s.close();
    }
  });
});

/** A WebSocket to a server's API with the token in the address and the page's Origin, once open. */
function openApi(s: { port: number; token: string }): Promise<WebSocket> {
  return new Promise<WebSocket>((done, fail) => {
    const w = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, { headers: { Origin: `http://127.0.0.1:${s.port}` } });
    w.once('open', () => done(w));
    w.once('error', fail);
  });
}

describe('request sizes', () => {
  it('closes the connection on a message over the limit, with the reason; a new connection works', async () => {
    const s = await startServer({ port: 0, maxMessageBytes: 64 * 1024, rendererDir: join(dir, 'renderer'), draftsDir: join(dir, 'drafts') });
    const open = () => openApi(s);
    try {
      const ws = await open();
      const closed = new Promise<{ code: number; reason: string }>((done) => ws.once('close', (code, reason) => done({ code, reason: String(reason) })));
      ws.send(JSON.stringify({ id: 1, method: 'autosave.write', params: { id: 'a', name: 'a', text: 'x'.repeat(100 * 1024) } }));
      expect(await closed).toEqual({ code: 1009, reason: 'the message is larger than the server accepts (0.1 MB)' });
      const again = await open();
      try {
        expect((await client(again).call('app.info', {})).result).toMatchObject({ mode: 'browser' });
      } finally {
        again.close();
      }
    } finally {
      await s.close();
    }
  });

  it('reads big messages in a worker, in order with the small ones, keeping only what the schema allows', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: origin });
    try {
      const c = client(ws);
      const text = 'y'.repeat(1024 * 1024);
      // Big (worker), then small (this thread): the discard must still come second.
      const [written, discarded] = await Promise.all([
        c.call('autosave.write', { id: 'big-1', name: 'Big', text, junk: Array.from({ length: 50_000 }, (_, i) => ({ i })) }),
        c.call('autosave.discard', { id: 'big-1' }),
      ]);
      expect(written.result).toEqual({});
      expect(discarded.result).toEqual({});
      expect((await c.call('autosave.list', {})).result).toEqual([]);
      expect(await c.raw(`{"id": 3, "method": "autosave.write", "params": {"id": "x", "name": "x", "text": 5}, "pad": "${'z'.repeat(400 * 1024)}"}`)).toMatchObject({
        id: 3,
        error: { code: 'invalid_request', message: expect.stringMatching(/autosave\.write: invalid request/) },
      });
      expect(await c.raw(`{"id": 4, "method": "fs.read", "params": {}, "pad": "${'z'.repeat(400 * 1024)}"}`)).toMatchObject({ id: 4, error: { code: 'unknown_method' } });
      expect(await c.raw(`{"id": 5, "pad": "${'z'.repeat(400 * 1024)}"`)).toMatchObject({ id: -1, error: { message: 'the message is not valid JSON' } });
    } finally {
      ws.close();
    }
  });

  it("answers other clients while one client's big message is still being read", async () => {
    const s = await startServer({
      port: 0,
      rendererDir: join(dir, 'renderer'),
      draftsDir: join(dir, 'drafts'),
      requestReader: { workerUrl: new URL('./fixtures/reader-hang.mjs', import.meta.url) },
    });
    const open = () => openApi(s);
    try {
      const a = await open();
      const b = await open();
      let aAnswered = false;
      a.on('message', () => (aAnswered = true));
      const aSent = new Promise<void>((done) => a.send(JSON.stringify({ id: 1, method: 'autosave.write', params: { id: 'a', name: 'a', text: 'x'.repeat(1024 * 1024) } }), () => done()));
      await aSent;
      // A's message never finishes being read (the reader hangs), yet B is answered, again and again.
      const cb = client(b);
      for (let i = 0; i < 3; i++) expect((await cb.call('app.info', {})).result).toMatchObject({ mode: 'browser' });
      expect(aAnswered).toBe(false);
      a.terminate();
      b.terminate();
    } finally {
      await s.close();
    }
  });
});

describe('hnet serve flags', () => {
  const serve = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'serve', '--no-open', '--port', '0', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  it('refuses a host other than loopback without TLS or --insecure-http before building anything, with the ways forward', () => {
    const r = serve('--host', '0.0.0.0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^hnet: cannot serve: --host 0\.0\.0\.0 would send the editor and its access token over the network in clear/);
    expect(r.stderr).toMatch(/SSH tunnel \(ssh -L 5417:127\.0\.0\.1:5417 THIS-MACHINE\).*--tls-cert FILE --tls-key FILE.*--insecure-http/);
    expect(r.stdout).not.toMatch(/Open http/);
  });

  it('wants --tls-cert and --tls-key together, and readable', () => {
    const half = serve('--tls-cert', join(dir, 'nope.pem'));
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/--tls-cert and --tls-key go together/);
    const missing = serve('--tls-cert', join(dir, 'nope.pem'), '--tls-key', join(dir, 'nope.key'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the TLS certificate or key/);
  });
});
