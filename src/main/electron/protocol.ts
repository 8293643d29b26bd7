/**
 * The `app://studio/` protocol serving the built editor (out/renderer) with its CSP. Registered as privileged
 * (standard, secure) before the app is ready so the page has a real origin for ES modules, workers and fetch.
 */
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { COMMON_HEADERS, contentTypeOf, pageHeaders, resolveStaticFile } from '../app/static';
import { APP_CSP, APP_HOST, APP_SCHEME } from './security';

/** Call before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

const plain = (status: number, text: string) =>
  new Response(text, { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });

export function serveAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'bad request');
    }
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) return plain(404, 'not found');
    // url.pathname is still percent-encoded; resolveStaticFile decodes and checks it.
    const found = resolveStaticFile(rendererDir, url.pathname);
    if (found.kind === 'forbidden') return plain(403, 'forbidden');
    if (found.kind === 'not_found') return plain(404, 'not found');
    const headers: Record<string, string> = { ...COMMON_HEADERS, 'Content-Type': contentTypeOf(found.path) };
    if (found.path.endsWith('.html')) Object.assign(headers, pageHeaders(APP_CSP));
    try {
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(await readFile(found.path)), { status: 200, headers });
    } catch {
      return plain(404, 'not found');
    }
  });
}
