/**
 * Weights files and checkpoints are versioned: version 2 changed the layout of generated weights (heads fill
 * Dense and Conv2D kernels in PyTorch's order), so a version-1 file's hypernetwork parameters would generate
 * other weights. The engine, the exported PyTorch code and the exported TypeScript code refuse one with a
 * message naming the file and saying why, never misread it; a checkpoint of a graph that generates only 1-D
 * weights (whose meaning did not change) is read as it is.
 */
import { copyFileSync, cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeights } from '../../src/main/engine/checkpoint';
import type { EngineEvent } from '../../src/shared/api/events';
import { programOf, record } from '../numeric/helpers';
import { PYTHON, hnet, removeDir, requireTorch, root, run, tempDir, TIMEOUT } from './helpers';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx/cli');
const spirals = join(root, 'test', 'export', 'fixtures', 'spirals-per-sample.hnet.json');
const WHY = /the layout of generated weights changed in version 2 \(heads now fill Dense and Conv2D kernels in PyTorch's \[out, in\] order\).*retrain/;

let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('versions');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

/** A copy of a JSON file with its `version` set to 1. */
function asVersion1(from: string, to: string): void {
  const json = JSON.parse(readFileSync(from, 'utf8')) as { version: number };
  expect(json.version).toBe(2);
  writeFileSync(to, JSON.stringify({ ...json, version: 1 }));
}

describe('version-1 files are refused with a reason, never misread', () => {
  it(
    'weights.json of version 1: the engine, train.py --init-from and the TypeScript train.ts --init-from refuse it, naming the file',
    () => {
      const weights = join(dir, 'weights');
      const old = join(dir, 'weights-v1');
      const trained = hnet(['train', spirals, '--steps', '2', '--save', weights, '--json']);
      expect(trained.status, trained.stderr).toBe(0);
      cpSync(weights, old, { recursive: true });
      asVersion1(join(weights, 'weights.json'), join(old, 'weights.json'));
      const oldManifest = join(old, 'weights.json').replace(/[.\\/]/g, (c) => `\\${c}`);

      expect(readWeights(weights).size).toBeGreaterThan(0);
      expect(() => readWeights(old)).toThrow(new RegExp(`${oldManifest} holds version-1 weights: ${WHY.source}.*\\(HN053\\)`));

      const py = join(dir, 'py');
      expect(hnet(['export', spirals, '--to', 'pytorch', '--out', py]).status).toBe(0);
      const pyRun = run(PYTHON, ['train.py', '--init-from', old, '--steps', '0'], { cwd: py });
      expect(pyRun.status).not.toBe(0);
      expect(pyRun.stderr).toMatch(new RegExp(`${oldManifest} holds version-1 weights: ${WHY.source}`));
      // The same export reads the engine's version-2 files.
      expect(run(PYTHON, ['train.py', '--init-from', weights, '--steps', '0'], { cwd: py }).status).toBe(0);

      const ts = join(dir, 'ts');
      expect(hnet(['export', spirals, '--to', 'tfjs', '--out', ts]).status).toBe(0);
      const tsRun = run(process.execPath, [TSX, 'src/train.ts', '--init-from', old, '--steps', '0'], { cwd: ts });
      expect(tsRun.status).not.toBe(0);
      expect(tsRun.stderr + tsRun.stdout).toMatch(new RegExp(`${oldManifest} holds version-1 weights: ${WHY.source}`));
    },
    TIMEOUT,
  );

  it(
    'a version-1 checkpoint of a graph generating kernels: hnet train --resume and train.py --resume refuse it, naming the file and the kernels',
    () => {
      const ck = join(dir, 'spirals.ckpt.json');
      const old = join(dir, 'spirals-v1.ckpt.json');
      const trained = hnet(['train', spirals, '--steps', '2', '--checkpoint', ck, '--json']);
      expect(trained.status, trained.stderr).toBe(0);
      asVersion1(ck, old);
      const message = new RegExp(`${old.replace(/[.\\/]/g, (c) => `\\${c}`)} is a version-1 checkpoint: ${WHY.source}.*\\(here dense_1\\.kernel\\)`);

      const resumed = hnet(['train', spirals, '--steps', '4', '--resume', old, '--json']);
      expect(resumed.status).toBe(1);
      expect(resumed.stderr + resumed.stdout).toMatch(message);
      expect(resumed.stderr + resumed.stdout).toMatch(/HN053/);

      const py = join(dir, 'py-resume');
      expect(hnet(['export', spirals, '--to', 'pytorch', '--out', py]).status).toBe(0);
      const pyRun = run(PYTHON, ['train.py', '--resume', old, '--steps', '4'], { cwd: py });
      expect(pyRun.status).not.toBe(0);
      expect(pyRun.stderr).toMatch(message);
      // Its own version-2 checkpoint resumes.
      expect(run(PYTHON, ['train.py', '--resume', ck, '--steps', '4'], { cwd: py }).status).toBe(0);
    },
    TIMEOUT,
  );

  it('a version-1 checkpoint of a graph generating only 1-D weights (FiLM) means the same: it resumes exactly', async () => {
    const program = programOf(
      [
        { id: 'data', type: 'data.spirals', params: { classes: 3, samples: 120 } },
        { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [8], outDim: 4 } },
        { id: 'head', type: 'head.film', params: { hidden: [8] } },
        { id: 'dense_1', type: 'target.dense', params: { units: 8, activation: 'relu' } },
        { id: 'film', type: 'target.film' },
        { id: 'dense_2', type: 'target.dense', params: { units: 3 } },
        { id: 'loss', type: 'objective.cross_entropy' },
      ],
      [
        'data.x -> enc.x',
        'enc.context -> head.context',
        'data.x -> dense_1.x',
        'dense_1.y -> film.x',
        'head.scale -> film.scale',
        'head.shift -> film.shift',
        'film.y -> dense_2.x',
        'dense_2.y -> loss.logits',
        'data.y -> loss.labels',
      ],
      { batchSize: 16, evalEvery: 0, seed: 5 },
    );
    const path = join(dir, 'film.ckpt.json');
    const atK = join(dir, 'film.step3.json');
    const whole = await record(program, { steps: 8, backend: 'cpu', checkpointPath: path, checkpointEvery: 3 }, (e: EngineEvent) => {
      if (e.event === 'checkpoint' && e.step === 3) copyFileSync(path, atK);
    });
    asVersion1(atK, atK);
    const resumed = await record(program, { steps: 8, backend: 'cpu', resumeFrom: atK });
    expect(resumed.losses).toEqual(whole.losses.slice(3));
  });
});
