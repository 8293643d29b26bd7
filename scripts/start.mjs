#!/usr/bin/env node
// `npm start`: build with electron-vite and launch the Electron app. Where Electron cannot run (its binary was
// never downloaded, no display, or it fails to start), run the browser mode (`hnet serve`) instead.
// Arguments are passed on: `npm start -- model.hnet.json`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
/** An Electron that exits with an error this soon never got going: fall back. */
const STARTUP_MS = 5000;

/**
 * The Electron executable, or why there is none. Mirrors node_modules/electron/index.js, which would instead try
 * to download the binary (and hang or fail without network).
 */
function findElectron() {
  let dir;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? join(override, relative || 'electron') : relative ? join(dir, 'dist', relative) : null;
  if (!bin || !existsSync(bin)) return { reason: 'its binary was not downloaded' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  return { bin };
}

/** Run `hnet serve` in this terminal until it ends; exit with its code. */
function browserMode(why) {
  console.log(`Electron is not available on this machine (${why}). Opening the browser mode instead: hnet serve`);
  if (why.includes('binary')) {
    console.log('To get Electron (needs network): node node_modules/electron/install.js  (or npx electron --version);');
    console.log('behind a mirror set ELECTRON_MIRROR, or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron.');
  }
  const child = spawn(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'serve', ...args], { stdio: 'inherit', cwd: process.cwd() });
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function forwardSignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
}

async function main() {
  const electron = findElectron();
  if (!electron.bin) return browserMode(electron.reason);

  const { build } = await import('electron-vite');
  await build({ root, configFile: join(root, 'electron.vite.config.ts') });

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // `electron .` needs package.json "main" (out/main/index.js); without it, start the built entry directly.
  const entry = pkg.main ? root : join(root, 'out', 'main', 'index.js');
  const started = Date.now();
  const child = spawn(electron.bin, [entry, ...args], { stdio: 'inherit' });
  forwardSignals(child);
  child.on('error', (e) => browserMode(`it could not be started: ${e.message}`));
  child.on('exit', (code, signal) => {
    if (code && Date.now() - started < STARTUP_MS) return browserMode(`it exited with code ${code} while starting`);
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main().catch((e) => {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
