/**
 * The Electron shell's security rules as plain data and pure functions (no `electron` import, so tests can
 * check them under Node): where the editor's page lives, which pages may call the API, the CSP.
 */
import { contentSecurityPolicy } from '../app/static';

/**
 * The editor is served from a custom `app://studio/` protocol rather than file:// (Electron's security checklist:
 * a real origin, its own CSP header, and no access to the rest of the file system).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** CSP of the built editor. */
export const APP_CSP = contentSecurityPolicy();

/** CSP of the electron-vite dev server's page: Vite injects an inline React Refresh preamble and talks HMR over ws. */
export const devCsp = (devUrl: string): string => {
  const u = new URL(devUrl);
  return contentSecurityPolicy([`ws://${u.host}`]).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
};

/**
 * Whether a frame at `url` is the editor itself, the only page allowed to call the API: the built page at
 * app://studio/, or in development the electron-vite dev server's origin.
 */
export function isAppPageUrl(url: string, devUrl?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return u.pathname === '/' || u.pathname === '/index.html';
  if (devUrl) {
    try {
      const dev = new URL(devUrl);
      return (dev.protocol === 'http:' || dev.protocol === 'https:') && u.origin === dev.origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** A request the app's session may make: its own protocol, devtools, data/blob URLs, and the dev server in development. */
export function isLocalRequest(url: string, devUrl?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (['app:', 'devtools:', 'data:', 'blob:', 'chrome-extension:'].includes(u.protocol)) return true;
  if (devUrl) {
    try {
      const dev = new URL(devUrl);
      if (u.host === dev.host && ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return true;
    } catch {
      return false;
    }
  }
  return false;
}
