/**
 * The TypeScript/tfjs export: standalone projects (model, ops, data, training loop, package.json) that
 * type-check with tsc and train with node (through tsx, as `npm run train` does). The repository's node_modules
 * stands in for `npm install` (same @tensorflow/tfjs, typescript, tsx and @types/node versions).
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeights } from '../../src/main/engine/checkpoint';
import { generateTypescript } from '../../src/shared/codegen/typescript';
import { binaryGraph, imagesGraph, pointsGraph, vectorsGraph } from './graphs';
import { doneOf, events, hnet, loadDoc, removeDir, root, run, runOk, templateFiles, tempDir, TIMEOUT, writeFiles } from './helpers';
import { maxAbsDiff } from '../helpers/numbers';
import { compileOk } from '../helpers/templates';

const require = createRequire(import.meta.url);
const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const TSX = require.resolve('tsx/cli');

let dir: string;
beforeAll(() => {
  dir = tempDir('ts');
  // What `npm install` would provide, for every project below this folder.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

const fixture = (name: string) => join(root, 'test', 'export', 'fixtures', name);
const projects: [string, string][] = [
  ['sinusoid', join(root, 'templates', 'sinusoid-family.hnet.json')],
  ['continual', fixture('continual-regression.hnet.json')],
  ['spirals', fixture('spirals-per-sample.hnet.json')],
];

const train = (project: string, args: string[]) => runOk(process.execPath, [TSX, 'src/train.ts', ...args], { cwd: join(dir, project) });

describe('TypeScript export', () => {
  it(
    'exports standalone projects that type-check with tsc (every template, and graphs using every op kind)',
    () => {
      for (const [name, file] of projects) {
        const r = hnet(['export', file, '--to', 'tfjs', '--out', join(dir, name)]);
        expect(r.status, r.stderr).toBe(0);
      }
      for (const [name, program] of [
        ['images', imagesGraph()],
        ['vectors', vectorsGraph()],
        ['binary', binaryGraph()],
        ['points', pointsGraph()],
      ] as const)
        writeFiles(join(dir, name), generateTypescript(program).files);
      templateFiles().forEach((file, i) => writeFiles(join(dir, `template${i}`), generateTypescript(compileOk(loadDoc(file))).files));
      // One tsc run over every project, with the projects' own compiler options.
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: './sinusoid/tsconfig.json', include: ['*/src'] }));
      runOk(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
      // And one project exactly as shipped.
      runOk(process.execPath, [TSC, '-p', join(dir, 'sinusoid', 'tsconfig.json')], { cwd: join(dir, 'sinusoid') });
    },
    TIMEOUT,
  );

  it(
    'trains with node and prints JSON events ending in done',
    () => {
      const r = train('sinusoid', ['--steps', '3']);
      const ev = events(r.stdout);
      expect(ev[0]).toMatchObject({ event: 'start', totalSteps: 3, tasks: [0] });
      expect(ev.filter((e) => e.event === 'step')).toHaveLength(3);
      const done = doneOf(r.stdout);
      expect(done.step).toBe(3);
      expect(Number.isFinite(done.metrics.loss)).toBe(true);
      // Sequential tasks with the output regulariser: task ends, an accuracy matrix, per-task metrics.
      const cl = train('continual', ['--steps', '2']);
      expect(events(cl.stdout).filter((e) => e.event === 'task_end')).toHaveLength(3);
      const clDone = doneOf(cl.stdout);
      expect(clDone.step).toBe(6);
      expect(clDone.accuracyMatrix).toHaveLength(3);
      expect(Object.keys(clDone.metrics)).toContain('mse/task2');
      expect(events(cl.stdout).some((e) => e.event === 'step' && (e.losses as Record<string, number>).output_regularizer !== undefined)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'training.continual: optimizerPerTask and regularizedTasksPerStep follow the engine step for step; lookAhead on rmsprop is refused by name',
    () => {
      const doc = JSON.parse(readFileSync(fixture('continual-regression.hnet.json'), 'utf8'));
      doc.training.continual = { optimizerPerTask: true, regularizedTasksPerStep: 1 };
      const file = join(dir, 'continual-settings.hnet.json');
      writeFileSync(file, JSON.stringify(doc));
      // On the export's backend (cpu) the engine's arithmetic is the export's: the losses agree to rounding.
      const engine = hnet(['train', file, '--steps', '6', '--json', '--backend', 'cpu']);
      expect(engine.status, engine.stderr).toBe(0);
      expect(hnet(['export', file, '--to', 'tfjs', '--out', join(dir, 'continual-settings')]).status).toBe(0);
      const steps = (stdout: string) => events(stdout).filter((e) => e.event === 'step') as { step: number; loss: number }[];
      const want = steps(engine.stdout);
      const got = steps(train('continual-settings', ['--steps', '6']).stdout);
      expect(got.map((s) => s.step)).toEqual(want.map((s) => s.step));
      want.forEach((w, i) => expect(Math.abs(got[i].loss - w.loss), `step ${w.step}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w.loss))));

      // lookAhead on an optimizer whose step it cannot take: refused before training, in the engine's words.
      doc.training.continual = { lookAhead: true };
      doc.training.optimizer = { type: 'rmsprop', learningRate: 0.001, decay: 0.9, momentum: 0, epsilon: 1e-7 };
      writeFileSync(file, JSON.stringify(doc));
      expect(hnet(['export', file, '--to', 'tfjs', '--out', join(dir, 'continual-refused')]).status).toBe(0);
      const refused = run(process.execPath, [TSX, 'src/train.ts', '--steps', '1'], { cwd: join(dir, 'continual-refused') });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/training\.continual\.lookAhead: lookAhead needs the step of Adam or SGD; the optimizer is rmsprop/);
    },
    TIMEOUT,
  );

  const stepsOf = (stdout: string) => events(stdout).filter((e) => e.event === 'step') as { step: number; loss: number; losses: Record<string, number> }[];
  /** The engine's and the TypeScript export's step events (and done) for a document. */
  const both = (slug: string, doc: unknown, steps: number) => {
    const file = join(dir, `${slug}.hnet.json`);
    writeFileSync(file, JSON.stringify(doc));
    const saved = { engine: join(dir, `${slug}-engine-weights`), exported: join(dir, `${slug}-ts-weights`) };
    const engine = hnet(['train', file, '--steps', String(steps), '--save', saved.engine, '--json']);
    expect(engine.status, engine.stderr).toBe(0);
    expect(hnet(['export', file, '--to', 'tfjs', '--out', join(dir, slug)]).status).toBe(0);
    return { engine: engine.stdout, exported: train(slug, ['--steps', String(steps), '--save', saved.exported]).stdout, saved };
  };
  const expectSameSteps = (engine: string, exported: string) => {
    const want = stepsOf(engine);
    const got = stepsOf(exported);
    expect(got.map((s) => s.step)).toEqual(want.map((s) => s.step));
    want.forEach((w, i) => {
      expect(Object.keys(got[i].losses).sort()).toEqual(Object.keys(w.losses).sort());
      expect(Math.abs(got[i].loss - w.loss), `step ${w.step}: engine ${w.loss}, TypeScript ${got[i].loss}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(w.loss)));
      for (const [k, v] of Object.entries(w.losses))
        expect(Math.abs(got[i].losses[k] - v), `step ${w.step} ${k}: engine ${v}, TypeScript ${got[i].losses[k]}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
    });
    return want;
  };

  it.each([
    ['adam', { type: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }],
    ['sgd', { type: 'sgd', learningRate: 0.003, momentum: 0 }],
  ])(
    'training.continual: currentEmbeddingOnly and lookAhead (%s) follow the engine step for step',
    (name, optimizer) => {
      const doc = JSON.parse(readFileSync(fixture('continual-regression.hnet.json'), 'utf8'));
      doc.training.optimizer = optimizer;
      doc.training.continual = { optimizerPerTask: false, currentEmbeddingOnly: true, lookAhead: true };
      const { engine, exported, saved } = both(`continual-lookahead-${name}`, doc, 6);
      const want = expectSameSteps(engine, exported);
      expect(want.at(-1)!.losses.output_regularizer).toBeGreaterThan(0);
      const [e, t] = [doneOf(engine).metrics, doneOf(exported).metrics];
      for (const [k, v] of Object.entries(e)) expect(Math.abs(t[k] - v), k).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
      // The same weights at the end, the task-embedding rows of earlier tasks included (held exactly where their task left them).
      const [ew, tw] = [readWeights(saved.engine), readWeights(saved.exported)];
      expect([...tw.keys()].sort()).toEqual([...ew.keys()].sort());
      for (const [k, v] of ew) expect(maxAbsDiff(tw.get(k)!.values, v.values), k).toBeLessThanOrEqual(1e-5);
    },
    TIMEOUT,
  );

  it(
    'training.continual.fixedEmbeddings: the same steps and final weights as the engine, the task embeddings at their initial values',
    () => {
      const doc = JSON.parse(readFileSync(fixture('continual-regression.hnet.json'), 'utf8'));
      doc.training.continual = { optimizerPerTask: true, fixedEmbeddings: true, lookAhead: true };
      const { engine, exported, saved } = both('continual-fixed', doc, 6);
      expectSameSteps(engine, exported);
      const [ew, tw] = [readWeights(saved.engine), readWeights(saved.exported)];
      for (const [k, v] of ew) expect(maxAbsDiff(tw.get(k)!.values, v.values), k).toBeLessThanOrEqual(1e-5);
      // Trained the same 6 steps without the setting, the embeddings move; with it, they are where both started.
      const moving = both('continual-trained', { ...doc, training: { ...doc.training, continual: { optimizerPerTask: true, lookAhead: true } } }, 6);
      const mw = readWeights(moving.saved.engine);
      const emb = [...ew.keys()].filter((k) => /emb/.test(k));
      expect(emb.length).toBeGreaterThan(0);
      for (const k of emb) expect(maxAbsDiff(mw.get(k)!.values, ew.get(k)!.values), k).toBeGreaterThan(1e-4);
    },
    TIMEOUT,
  );

  it(
    'training.continual.taskInference on Split MNIST (2 tasks): accuracy_cl1..3 and task_inferred as the engine reports them',
    () => {
      const doc = JSON.parse(readFileSync(join(root, 'templates', 'split-mnist-hnet.hnet.json'), 'utf8'));
      doc.training = { ...doc.training, tasks: [0, 1], continual: { optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true, taskInference: true } };
      doc.data = { ...doc.data, maxEvalSamples: 200 };
      const { engine, exported } = both('task-inference', doc, 10);
      expectSameSteps(engine, exported);
      const want = doneOf(engine).metrics;
      const got = doneOf(exported).metrics;
      for (const k of ['accuracy_cl1', 'accuracy_cl2', 'accuracy_cl3', 'task_inferred']) {
        expect(want[k], k).toBeGreaterThanOrEqual(0);
        // An argmin over nearly equal entropies may fall differently in float32 on a sample or two (as the PyTorch test allows).
        expect(Math.abs(got[k] - want[k]), `${k}: engine ${want[k]}, TypeScript ${got[k]}`).toBeLessThanOrEqual(0.01);
      }
      expect(got.accuracy_cl1).toBeCloseTo(got.accuracy, 6);
    },
    TIMEOUT,
  );

  it(
    'evaluates weights saved by hnet train to the same metrics',
    () => {
      const weights = join(dir, 'spirals-weights');
      const trained = hnet(['train', projects[2][1], '--steps', '10', '--save', weights, '--json']);
      expect(trained.status, trained.stderr).toBe(0);
      const engine = doneOf(trained.stdout).metrics;
      const got = doneOf(train('spirals', ['--init-from', weights, '--steps', '0']).stdout).metrics;
      expect(Object.keys(got).sort()).toEqual(Object.keys(engine).sort());
      for (const [k, v] of Object.entries(engine)) expect(Math.abs(got[k] - v), k).toBeLessThanOrEqual(1e-4 * Math.max(1e-6, Math.abs(v)));
    },
    TIMEOUT,
  );

  it(
    'initialises a chunked head as the engine does (chunked hyperfan on measured batches), so training follows it step for step',
    () => {
      const doc = JSON.parse(readFileSync(fixture('continual-regression.hnet.json'), 'utf8'));
      const head = doc.nodes.find((n: { id: string }) => n.id === 'hyper');
      head.type = 'head.chunked';
      head.params = { chunkSize: 7, chunkEmbeddingDim: 4, hidden: [16] };
      const file = join(dir, 'chunked.hnet.json');
      writeFileSync(file, JSON.stringify(doc));
      const engine = hnet(['train', file, '--steps', '4', '--json']);
      expect(engine.status, engine.stderr).toBe(0);
      expect(hnet(['export', file, '--to', 'tfjs', '--out', join(dir, 'chunked')]).status).toBe(0);
      const steps = (stdout: string) => events(stdout).filter((e) => e.event === 'step') as { step: number; loss: number }[];
      const want = steps(engine.stdout);
      const got = steps(train('chunked', ['--steps', '4']).stdout);
      expect(got.map((s) => s.step)).toEqual(want.map((s) => s.step));
      want.forEach((w, i) => expect(Math.abs(got[i].loss - w.loss), `step ${w.step}: engine ${w.loss}, TypeScript ${got[i].loss}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(w.loss))));
    },
    TIMEOUT,
  );
});
