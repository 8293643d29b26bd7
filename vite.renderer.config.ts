/**
 * The editor's (renderer's) Vite config, in one place: electron.vite.config.ts uses it for the Electron build and
 * `hnet serve` builds the browser mode from it with Vite's JS API, so both shells serve the same out/renderer.
 * `vite --config vite.renderer.config.ts` runs the editor alone in a dev server.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));

export const rendererRoot = resolve(repo, 'src/renderer');
export const rendererOutDir = resolve(repo, 'out/renderer');

/** A fresh config each call (plugins carry per-build state). */
export function rendererConfig(): UserConfig {
  return {
    root: rendererRoot,
    // Relative asset URLs: the same build loads from app://studio/ in Electron and from http://127.0.0.1:PORT/.
    base: './',
    plugins: [react()],
    worker: { format: 'es' },
    build: {
      outDir: rendererOutDir,
      emptyOutDir: true,
      // Electron 45's Chromium and any current browser; one output for both shells.
      target: 'es2022',
      // Set explicitly: electron-vite would otherwise leave its build unminified and `hnet serve`'s minified.
      minify: true,
      sourcemap: true,
      // Loaded from disk or localhost, never over a slow network: one big chunk (Monaco, React Flow) is fine.
      chunkSizeWarningLimit: 10_000,
      rolldownOptions: { input: resolve(rendererRoot, 'index.html') },
    },
  };
}

export default rendererConfig();
