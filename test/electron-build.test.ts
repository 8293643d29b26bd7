/**
 * The Electron build cannot be launched here (no Electron binary), but what it bundles can be checked: the
 * training worker the app starts is out/main/worker.js, which must train under plain Node like the CLI's worker.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startRun } from '../src/main/engine/session';
import { compile } from '../src/shared/compiler/compile';
import { HnetDocument } from '../src/shared/document/schema';

const root = resolve(import.meta.dirname, '..');

describe('electron build', () => {
  it('bundles a training worker that runs', async () => {
    const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(build.status, build.stderr).toBe(0);
    const doc = HnetDocument.parse(JSON.parse(readFileSync(join(root, 'templates/spirals-per-sample.hnet.json'), 'utf8')));
    const { program } = compile(doc);
    const run = startRun(program!, { steps: 10, backend: 'wasm' }, { workerUrl: pathToFileURL(join(root, 'out/main/worker.js')) });
    const done = await run.done;
    expect(done.step).toBe(10);
    expect(done.metrics.accuracy).toBeGreaterThan(0);
  }, 300_000);
});
