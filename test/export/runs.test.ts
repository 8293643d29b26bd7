/**
 * Every export runs as exported: the TypeScript export of every template trains a step per task with node; a
 * single-task graph with a task embedding trains in both exports (a one-row table); and a project exported
 * without its data (the code view's zip of a document not on disk) ends with one line saying what to put where,
 * never a traceback or a stack. (Every template's PyTorch export trains in training.test.ts.)
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportProgram, generateProject } from '../../src/main/export/export';
import { singleTaskEmbeddingDoc } from '../fixtures/singleTask';
import { doneOf, events, hnet, loadDoc, PYTHON, python, removeDir, requireTorch, root, run, runOk, templateFiles, tempDir, TIMEOUT, writeFiles } from './helpers';
import { compileOk } from '../helpers/templates';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx/cli');

let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('runs');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

const tsTrain = (project: string, args: string[]) => run(process.execPath, [TSX, 'src/train.ts', ...args], { cwd: join(dir, project) });

function expectTrained(stdout: string): void {
  const start = events(stdout).find((e) => e.event === 'start') as { totalSteps: number } | undefined;
  expect(start).toBeDefined();
  const done = doneOf(stdout);
  expect(done.step).toBe(start!.totalSteps);
  for (const [k, v] of Object.entries(done.metrics)) expect(Number.isFinite(v), k).toBe(true);
}

describe('every template, exported to TypeScript', () => {
  it.each(templateFiles().map((f) => [f.split('/').pop()!, f]))(
    '%s: train.ts trains a step per task and reports done',
    (name, file) => {
      const project = `template-${name}`;
      // A hundred evaluation samples: what is checked is that it runs, not what it reaches.
      const doc = loadDoc(file);
      doc.data = { ...doc.data, maxEvalSamples: 100, evalBatchSize: 100 };
      exportProgram(compileOk(doc), 'tfjs', join(dir, project), { baseDir: join(root, 'templates') });
      const r = tsTrain(project, ['--steps', '1']);
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      expectTrained(r.stdout);
    },
    TIMEOUT,
  );
});

const singleTask = () => singleTaskEmbeddingDoc({ steps: 3 });

describe('a single-task graph with a task embedding', () => {
  it(
    'trains in the TypeScript and the PyTorch export, through hnet export',
    () => {
      const file = join(dir, 'single-task.hnet.json');
      writeFileSync(file, JSON.stringify(singleTask()));
      for (const to of ['tfjs', 'pytorch']) {
        const r = hnet(['export', file, '--to', to, '--out', join(dir, `single-${to}`)]);
        expect(r.status, r.stderr).toBe(0);
        // Exported all the same, with the compiler's warning on the terminal.
        expect(r.stderr).toMatch(/warning: .*emb\.task: this context is constant: .* \(HN034\)/);
      }
      const ts = tsTrain('single-tfjs', ['--steps', '2']);
      expect(ts.status, ts.stderr.slice(-3000)).toBe(0);
      expectTrained(ts.stdout);
      expectTrained(python(['train.py', '--steps', '2', '--device', 'cpu'], { cwd: join(dir, 'single-pytorch') }).stdout);
    },
    TIMEOUT,
  );
});

describe('a project exported without its data (a document not on disk)', () => {
  it(
    'says in one line where the data goes and how to write it, in both exports',
    () => {
      const program = compileOk(loadDoc(join(root, 'templates', 'sinusoid-family.hnet.json')));
      writeFiles(join(dir, 'nodata-ts'), generateProject(program, 'tfjs').files);
      writeFiles(join(dir, 'nodata-py'), generateProject(program, 'pytorch').files);
      const ts = tsTrain('nodata-ts', ['--steps', '2']);
      const py = run(PYTHON, ['train.py', '--steps', '2'], { cwd: join(dir, 'nodata-py') });
      for (const [r, to] of [
        [ts, 'tfjs'],
        [py, 'pytorch'],
      ] as const) {
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/no training data: .*data[\\/]manifest\.json does not exist/);
        expect(lines[0]).toContain(`hnet export DOCUMENT.hnet.json --to ${to} --out ${join(dir, to === 'tfjs' ? 'nodata-ts' : 'nodata-py')}`);
        expect(lines[0]).toMatch(/or pass --data FOLDER/);
        expect(r.stderr).not.toMatch(/Traceback|^\s+at /m);
      }
      // A data file missing from a manifest's folder is named the same way.
      runOk(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'export', join(root, 'templates', 'spirals-per-sample.hnet.json'), '--to', 'pytorch', '--out', join(dir, 'gone')]);
      removeDir(join(dir, 'gone', 'data', 'eval0.x.f32.gz'));
      const gone = run(PYTHON, ['train.py', '--steps', '1'], { cwd: join(dir, 'gone') });
      expect(gone.status).toBe(1);
      expect(gone.stderr).toMatch(/cannot read the data file .*eval0\.x\.f32\.gz/);
      expect(gone.stderr).not.toMatch(/Traceback/);
    },
    TIMEOUT,
  );
});
