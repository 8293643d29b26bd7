/**
 * electron-vite builds three bundles: the main process (out/main, ESM), the preload (out/preload/index.cjs) and
 * the editor (out/renderer, from vite.renderer.config.ts, shared with `hnet serve`).
 *
 * The preload runs in a sandboxed renderer, where only `require('electron')` and a few builtins exist and ES
 * modules are not supported: it is bundled as one self-contained CommonJS file (zod and the contract included).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config';

const repo = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: resolve(repo, 'out/main'),
      // The training worker is bundled beside the main process (out/main/worker.js); in development the CLI and
      // `hnet serve` load its TypeScript source through tsx instead (src/main/engine/worker-entry.mjs).
      lib: {
        entry: { index: resolve(repo, 'src/main/electron/index.ts'), worker: resolve(repo, 'src/main/engine/worker.ts') },
        formats: ['es'],
      },
      rolldownOptions: { output: { entryFileNames: '[name].js' } },
    },
  },
  preload: {
    build: {
      outDir: resolve(repo, 'out/preload'),
      externalizeDeps: false,
      lib: { entry: resolve(repo, 'src/preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { format: 'cjs', entryFileNames: 'index.cjs', codeSplitting: false } },
    },
  },
  renderer: rendererConfig(),
});
