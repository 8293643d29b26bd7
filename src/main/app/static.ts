/**
 * Serving the built editor (out/renderer) to a browser (`hnet serve`) or to Electron's `app://` protocol: which
 * file a URL path names, what type it is, and the security headers every response carries. Shared by both
 * shells so the checks that keep a request inside the folder are written and tested once.
 */
import { realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeOf = (file: string): string => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

export type StaticLookup = { kind: 'file'; path: string } | { kind: 'not_found' } | { kind: 'forbidden' };

/**
 * The file under `root` that the URL path `pathname` (still percent-encoded, as in a request line) names.
 * `/` is index.html. Forbidden: malformed encoding, NUL, backslashes, any segment starting with a dot (`..`,
 * `.env`, `.git`), and anything that resolves (symbolic links included) outside `root`.
 */
export function resolveStaticFile(root: string, pathname: string): StaticLookup {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'forbidden' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'forbidden' };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.') || s.includes(':'))) return { kind: 'forbidden' };
  if (segments.length === 0) segments.push('index.html');
  const base = resolve(root);
  const candidate = resolve(base, ...segments);
  if (!inside(base, candidate)) return { kind: 'forbidden' };
  let real: string;
  try {
    real = realpathSync(candidate);
    if (!inside(realpathSync(base), real)) return { kind: 'forbidden' };
    if (!statSync(real).isFile()) return { kind: 'not_found' };
  } catch {
    return { kind: 'not_found' };
  }
  return { kind: 'file', path: real };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * The editor's Content-Security-Policy. Styles allow 'unsafe-inline' because React Flow and Monaco inject style
 * elements; scripts never do. `connect` lists what the page may open besides its own origin (the browser mode's
 * WebSocket; Electron needs none).
 */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every response. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Headers on the editor's HTML page. */
export const pageHeaders = (csp: string): Record<string, string> => ({
  ...COMMON_HEADERS,
  'Content-Security-Policy': csp,
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
});
