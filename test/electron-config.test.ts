/**
 * The Electron shell's configuration, checked without Electron (which cannot run here): packaging targets, the
 * icon, the file association, the window's webPreferences, the build config, the menus, the rules for which
 * pages may call the API, and window placement.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MenuCommand, Methods, PUSH_CHANNEL, ipcChannel, type MethodName } from '../src/shared/api/contract';
import { menuSpec, type MenuItemSpec } from '../src/main/electron/menuSpec';
import { APP_CSP, APP_PAGE_URL, devCsp, isAppPageUrl, isLocalRequest } from '../src/main/electron/security';
import { secureWebPreferences } from '../src/main/electron/webPreferences';
import { restoreBounds } from '../src/main/electron/windowState';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  icon?: string;
  directories?: { output?: string; buildResources?: string };
  linux: { target: string[]; icon?: string };
  mac: { target: string[] };
  win: { target: string[] };
  fileAssociations: Array<{ ext: string; name: string; role: string; mimeType: string }>;
  asar?: boolean;
  asarUnpack?: unknown;
  electronFuses?: Record<string, unknown>;
}
const builder = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** Width and height of a PNG after checking its structure: signature, chunk CRCs, IHDR, and IDAT inflating to the image size. */
function checkPng(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  let offset = 8;
  let width = 0;
  let height = 0;
  let bytesPerPixel = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('ascii', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    expect(buf.readUInt32BE(offset + 8 + length), `CRC of ${type}`).toBe(crc(buf.subarray(offset + 4, offset + 8 + length)));
    types.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      bytesPerPixel = ({ 2: 3, 6: 4 } as Record<number, number>)[data[9]] ?? 0;
      expect(bytesPerPixel).toBeGreaterThan(0);
      expect(data[12]).toBe(0); // not interlaced
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const pixels = inflateSync(Buffer.concat(idat));
  expect(pixels.length).toBe((width * bytesPerPixel + 1) * height);
  // Not a blank square: many distinct colours.
  const colours = new Set<number>();
  for (let y = 0; y < height; y += 7) for (let x = 0; x < width; x += 7) colours.add(pixels.readUInt32BE(y * (width * bytesPerPixel + 1) + 1 + x * bytesPerPixel) >>> 0);
  expect(colours.size).toBeGreaterThan(20);
  return { width, height };
}

describe('packaging (electron-builder.yml)', () => {
  it('names the app and builds AppImage + deb, dmg, and an NSIS installer', () => {
    expect(builder.productName).toBe('Hypernet Studio');
    expect(builder.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/);
    expect(builder.linux.target).toEqual(['AppImage', 'deb']);
    expect(builder.mac.target).toEqual(['dmg']);
    expect(builder.win.target).toEqual(['nsis']);
  });

  it('ships the build, the templates and package.json', () => {
    expect(builder.files).toEqual(expect.arrayContaining(['out/**', 'templates/**', 'package.json']));
    expect(builder.files.some((f) => f.startsWith('src'))).toBe(false);
  });

  it('has a real PNG icon of at least 512x512', () => {
    const icon = builder.icon ?? builder.linux.icon;
    expect(icon).toBe('build/icon.png');
    const { width, height } = checkPng(readFileSync(join(root, icon!)));
    expect(width).toBeGreaterThanOrEqual(512);
    expect(height).toBeGreaterThanOrEqual(512);
  });

  it('flips the hardening fuses: no Node mode, no NODE_OPTIONS or inspector, encrypted cookies, only a checked app.asar', () => {
    expect(builder.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar and the integrity check need the app packed into an asar with its hash embedded.
    expect(builder.asar ?? true).toBe(true);
    // Every key is one electron-builder knows (a typo would be ignored silently by the YAML, not by this test).
    const known = readFileSync(join(root, 'node_modules/app-builder-lib/out/configuration.d.ts'), 'utf8');
    const fuseBlock = known.slice(known.indexOf('export interface FuseOptionsV1'));
    for (const key of Object.keys(builder.electronFuses!)) expect(fuseBlock, key).toMatch(new RegExp(`\\b${key}\\?: boolean`));
  });

  it('turns off Node mode, which nothing in the main process relies on (no child_process.fork, no ELECTRON_RUN_AS_NODE, process.execPath only away from Electron)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(rel);
        else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
          const text = readFileSync(join(root, rel), 'utf8');
          // fork() and a spawn of process.execPath rely on ELECTRON_RUN_AS_NODE, which the runAsNode fuse removes.
          // process.execPath may be started only where the file tells Electron apart (plain Node's CLI and server).
          const guarded = /'electron' in process\.versions/.test(text);
          if (/import\s*\{[^}]*\bfork\b[^}]*\}\s*from\s*['"](node:)?child_process['"]|\.fork\(\s*(process\.execPath|require\.resolve|new URL)|ELECTRON_RUN_AS_NODE/.test(text) || (/process\.execPath/.test(text) && !guarded))
            offenders.push(rel);
        }
      }
    };
    walk('src/main');
    expect(offenders).toEqual([]);
  });

  it('associates *.hnet.json files with the app', () => {
    expect(builder.fileAssociations).toEqual([
      expect.objectContaining({ ext: 'hnet.json', name: 'Hypernet Studio project', role: 'Editor', mimeType: 'application/x-hypernet-studio+json' }),
    ]);
  });
});

describe('the editor window', () => {
  it('is isolated, sandboxed and without Node', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('uses those webPreferences, and no Electron source weakens them', () => {
    expect(readFileSync(join(root, 'src/main/electron/window.ts'), 'utf8')).toMatch(/webPreferences: secureWebPreferences\(deps\.preload\)/);
    for (const dir of ['src/main/electron', 'src/preload']) {
      for (const name of readdirSync(join(root, dir))) {
        const text = readFileSync(join(root, dir, name), 'utf8');
        expect(text, name).not.toMatch(/sandbox:\s*false|nodeIntegration:\s*true|contextIsolation:\s*false|webSecurity:\s*false|allowRunningInsecureContent:\s*true/);
      }
    }
  });

  it('answers IPC only from the editor page', () => {
    expect(isAppPageUrl(APP_PAGE_URL)).toBe(true);
    expect(isAppPageUrl('app://studio/')).toBe(true);
    expect(isAppPageUrl('app://studio/index.html#/x?y')).toBe(true);
    for (const url of ['app://other/index.html', 'app://studio/assets/x.html', 'file:///etc/index.html', 'https://github.com/', 'http://localhost:5173/', 'about:blank', 'nonsense'])
      expect(isAppPageUrl(url), url).toBe(false);
    // The dev server only in development, and only its own origin.
    expect(isAppPageUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isAppPageUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isLocalRequest('https://github.com/x')).toBe(false);
    expect(isLocalRequest('app://studio/assets/a.js')).toBe(true);
    expect(isLocalRequest('ws://localhost:5173/', 'http://localhost:5173')).toBe(true);
  });

  it('has a strict CSP (no inline or eval scripts outside development)', () => {
    expect(APP_CSP).toMatch(/default-src 'self'/);
    expect(APP_CSP).toMatch(/script-src 'self';/);
    expect(APP_CSP).toMatch(/object-src 'none'/);
    expect(APP_CSP).toMatch(/frame-ancestors 'none'/);
    expect(APP_CSP).not.toMatch(/unsafe-eval/);
    expect(devCsp('http://localhost:5173')).toMatch(/connect-src 'self' ws:\/\/localhost:5173/);
  });

  it('restores its position only onto a visible screen, clamped to it', () => {
    const screen = { x: 0, y: 0, width: 1920, height: 1080 };
    const second = { x: 1920, y: 0, width: 1280, height: 1024 };
    expect(restoreBounds(null, [screen]).bounds).toEqual({ x: 260, y: 90, width: 1400, height: 900 });
    const kept = { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true };
    expect(restoreBounds(kept, [screen])).toEqual(kept);
    // The display it was on is gone: back to the primary screen.
    expect(restoreBounds({ bounds: { x: 2500, y: 100, width: 800, height: 600 }, maximized: false }, [screen]).bounds).toEqual({ x: 260, y: 90, width: 1400, height: 900 });
    // Still there: stays on the second screen, shrunk to fit it.
    expect(restoreBounds({ bounds: { x: 2000, y: 100, width: 2000, height: 2000 }, maximized: false }, [screen, second]).bounds).toEqual({ x: 1920, y: 0, width: 1280, height: 1024 });
    // Mostly off the top-left edge: pulled back in.
    expect(restoreBounds({ bounds: { x: -500, y: 10, width: 900, height: 600 }, maximized: false }, [screen]).bounds).toEqual({ x: 0, y: 10, width: 900, height: 600 });
  });
});

describe('the preload', () => {
  const source = readFileSync(join(root, 'src/preload/index.ts'), 'utf8');

  it('exposes one object, window.hnet, and never ipcRenderer itself', () => {
    expect([...source.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1);
    expect(source).toMatch(/exposeInMainWorld\('hnet', bridge\)/);
    expect(source).not.toMatch(/\bany\b/);
    expect(source).not.toMatch(/ipcRenderer\.invoke\(\s*method\b/); // forwards on a channel derived from a checked method name
    const imports = [...source.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports.every((s) => s === 'electron' || s.startsWith('../shared/api/'))).toBe(true);
  });

  it('has one channel per method and a separate push channel', () => {
    const channels = (Object.keys(Methods) as MethodName[]).map(ipcChannel);
    expect(new Set(channels).size).toBe(channels.length);
    expect(channels).not.toContain(PUSH_CHANNEL);
  });
});

describe('build (electron.vite.config.ts)', () => {
  it('builds main with its training worker, a self-contained CommonJS preload, and the shared renderer config', async () => {
    const { default: config } = (await import('../electron.vite.config')) as {
      default: {
        main: { build: { outDir: string; lib: { entry: Record<string, string> } } };
        preload: { build: { outDir: string; externalizeDeps: boolean; lib: { entry: string; formats: string[] }; rolldownOptions: { output: { format: string } } } };
        renderer: { root: string; build: { outDir: string } };
      };
    };
    expect(config.main.build.lib.entry).toEqual({ index: join(root, 'src/main/electron/index.ts'), worker: join(root, 'src/main/engine/worker.ts') });
    expect(config.main.build.outDir).toBe(join(root, 'out/main'));
    expect(config.preload.build.lib.entry).toBe(join(root, 'src/preload/index.ts'));
    expect(config.preload.build.outDir).toBe(join(root, 'out/preload'));
    expect(config.preload.build.rolldownOptions.output.format).toBe('cjs');
    expect(config.preload.build.externalizeDeps).toBe(false);
    expect(config.renderer.root).toBe(join(root, 'src/renderer'));
    expect(config.renderer.build.outDir).toBe(join(root, 'out/renderer'));
    const index = readFileSync(join(root, 'src/main/electron/index.ts'), 'utf8');
    expect(index).toContain("join(outDir, 'preload', 'index.cjs')");
  });
});

describe('menus', () => {
  const labels = (items: MenuItemSpec[]) => items.flatMap((i) => ('label' in i ? [i.label] : []));
  const commands = (items: MenuItemSpec[]): MenuItemSpec[] => items.flatMap((i) => (i.kind === 'submenu' ? commands(i.items) : [i]));

  it.each(['darwin', 'win32', 'linux'] as const)('lists what the issue asks for on %s', (platform) => {
    const menus = menuSpec(platform);
    const byName = Object.fromEntries(menus.map((m) => [m.label, labels(m.items)]));
    expect(byName.File.slice(0, 7)).toEqual(['New', 'New from Template…', 'Open…', 'Open Recent', 'Save', 'Save As…', 'Close']);
    expect(byName.Edit).toEqual(['Undo', 'Redo', 'Cut', 'Copy', 'Paste', 'Duplicate', 'Delete', 'Select All']);
    expect(byName.View).toEqual(expect.arrayContaining(['Fit', 'Zoom In', 'Zoom Out', 'Theme', 'Palette', 'Inspector', 'Problems']));
    expect(byName.Help).toEqual(['Keyboard Shortcuts', 'Documentation', 'About Hypernet Studio']);
    if (platform === 'darwin') expect(menus[0].label).toBe('Hypernet Studio');
  });

  it('sends only commands the contract knows, with platform-neutral accelerators', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const menu of menuSpec(platform)) {
        for (const item of commands(menu.items)) {
          if (item.kind !== 'command') continue;
          expect(MenuCommand.safeParse(item.command).success, item.command).toBe(true);
          if (item.accelerator && /^(Cmd|Ctrl)\+/.test(item.accelerator) && item.command !== 'redo') throw new Error(`${item.label}: use CmdOrCtrl`);
        }
      }
    }
    const redo = (p: NodeJS.Platform) => commands(menuSpec(p).find((m) => m.label === 'Edit')!.items).find((i) => i.kind === 'command' && i.command === 'redo');
    expect(redo('darwin')).toMatchObject({ accelerator: 'Cmd+Shift+Z' });
    expect(redo('win32')).toMatchObject({ accelerator: 'Ctrl+Y' });
  });
});
