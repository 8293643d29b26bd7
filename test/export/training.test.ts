/**
 * Training with the exported PyTorch project.
 *
 * Weights interchange: `hnet train FILE --steps N --save DIR`, then the exported `train.py --init-from DIR
 * --steps 0` evaluates those weights on the exported data and prints a done event whose metrics equal the
 * engine's final ones (relative difference at most 1e-4): a regression template, a classification template (or
 * a fixture when the gallery has none) and a continual-learning graph (per-task metrics, accuracy matrix).
 * Every template's export trains; and exported training follows the engine step for step (same initial values,
 * batches and optimizer updates) for each optimizer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doneOf, events, hnet, loadDoc, python, removeDir, requireTorch, root, templateFiles, tempDir, TIMEOUT } from './helpers';
import { compileOk } from '../helpers/templates';

let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('init-from');
});
afterAll(() => removeDir(dir));

const fixture = (name: string) => join(root, 'test', 'export', 'fixtures', name);

/** A classification template if the gallery has one (checked at test time), else the fixture. */
function classificationDoc(): string {
  for (const f of templateFiles()) {
    try {
      const p = compileOk(loadDoc(f));
      // Small, single-dataset templates keep the test quick; MNIST ones qualify too (the data is bundled).
      if (p.metrics.some((m) => m.kind === 'accuracy')) return f;
    } catch {
      // An invalid template is another test's failure.
    }
  }
  return fixture('spirals-per-sample.hnet.json');
}

function expectClose(want: Record<string, number>, got: Record<string, number>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [k, v] of Object.entries(want)) {
    const g = got[k];
    const rel = Math.abs(g - v) / Math.max(Math.abs(v), Math.abs(g), 1e-6);
    expect(rel, `${k}: engine ${v}, PyTorch ${g}`).toBeLessThanOrEqual(1e-4);
  }
}

const cases: [string, () => string, number][] = [
  ['regression (sinusoid template)', () => join(root, 'templates', 'sinusoid-family.hnet.json'), 25],
  ['classification', classificationDoc, 25],
  ['continual learning (sequential tasks, output regulariser)', () => fixture('continual-regression.hnet.json'), 15],
];

describe('hnet train --save, then train.py --init-from --steps 0', () => {
  it.each(cases)(
    '%s',
    (name, docOf, steps) => {
      const file = docOf();
      const slug = name.replace(/\W+/g, '_');
      const weights = join(dir, `${slug}-weights`);
      const out = join(dir, `${slug}-py`);
      const trained = hnet(['train', file, '--steps', String(steps), '--save', weights, '--json']);
      expect(trained.status, trained.stderr).toBe(0);
      const engine = doneOf(trained.stdout);
      const exported = hnet(['export', file, '--to', 'pytorch', '--out', out]);
      expect(exported.status, exported.stderr).toBe(0);
      const evaluated = python(['train.py', '--init-from', weights, '--steps', '0'], { cwd: out });
      const done = doneOf(evaluated.stdout);
      expect(done.step).toBe(0);
      expectClose(engine.metrics, done.metrics);
    },
    TIMEOUT,
  );
});

describe('every template, exported to PyTorch', () => {
  it.each(templateFiles().map((f) => [f.split('/').pop()!, f]))(
    '%s: train.py trains two steps per task and reports done',
    (name, file) => {
      const out = join(dir, `template-${name}`);
      const exported = hnet(['export', file, '--to', 'pytorch', '--out', out]);
      expect(exported.status, exported.stderr).toBe(0);
      const r = python(['train.py', '--steps', '2', '--device', 'cpu'], { cwd: out });
      const start = events(r.stdout).find((e) => e.event === 'start') as { totalSteps: number; tasks: number[] } | undefined;
      expect(start).toBeDefined();
      const done = doneOf(r.stdout);
      expect(done.step).toBe(start!.totalSteps);
      for (const [k, v] of Object.entries(done.metrics)) expect(Number.isFinite(v), k).toBe(true);
    },
    TIMEOUT,
  );
});

describe('exported training follows the engine', () => {
  /** The fixture's head (node `hyper`) made a chunked one whose chunks mix kernels and biases. */
  const chunked = (chunkSize: number) => (doc: { nodes: { id: string; type: string; params: Record<string, unknown> }[] }) => {
    const head = doc.nodes.find((n) => n.id === 'hyper')!;
    head.type = 'head.chunked';
    head.params = { chunkSize, chunkEmbeddingDim: 4, hidden: [16] };
  };
  const variants: [string, string, Record<string, unknown> | null, ((doc: never) => void)?][] = [
    ['adam, hyperfan, sequential tasks with the output regulariser', fixture('continual-regression.hnet.json'), null],
    ['sgd with momentum, per-sample weights', fixture('spirals-per-sample.hnet.json'), null],
    ['rmsprop (TensorFlow semantics)', fixture('spirals-per-sample.hnet.json'), { type: 'rmsprop', learningRate: 0.01, momentum: 0.5 }],
    ['adam, per-sample low-rank head (hyperfan on a product)', fixture('lowrank-per-sample.hnet.json'), null],
    ['adam, a SIREN over pixel coordinates from a learned-base head (uniform initialisers)', join(root, 'templates', 'siren-inr.hnet.json'), null],
    ['adam, chunked hyperfan (chunk embeddings scaled on measured batches), sequential tasks', fixture('continual-regression.hnet.json'), null, chunked(7)],
    ['sgd, chunked hyperfan, per-sample weights', fixture('spirals-per-sample.hnet.json'), null, chunked(25)],
  ];
  it.each(variants)(
    '%s: same initial values, batches and updates, so the same step losses',
    (name, source, optimizer, edit) => {
      const doc = JSON.parse(readFileSync(source, 'utf8'));
      if (optimizer) doc.training.optimizer = optimizer;
      edit?.(doc as never);
      const slug = name.replace(/\W+/g, '_').slice(0, 30);
      const file = join(dir, `${slug}.hnet.json`);
      writeFileSync(file, JSON.stringify(doc));
      const engine = hnet(['train', file, '--steps', '8', '--json']);
      expect(engine.status, engine.stderr).toBe(0);
      const out = join(dir, `${slug}-trajectory`);
      expect(hnet(['export', file, '--to', 'pytorch', '--out', out]).status).toBe(0);
      const exported = python(['train.py', '--steps', '8'], { cwd: out });
      const steps = (stdout: string) => events(stdout).filter((e) => e.event === 'step') as { step: number; loss: number; losses: Record<string, number> }[];
      const want = steps(engine.stdout);
      const got = steps(exported.stdout);
      expect(got.map((s) => s.step)).toEqual(want.map((s) => s.step));
      want.forEach((w, i) => {
        expect(Object.keys(got[i].losses).sort()).toEqual(Object.keys(w.losses).sort());
        expect(Math.abs(got[i].loss - w.loss), `step ${w.step}: engine ${w.loss}, PyTorch ${got[i].loss}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(w.loss)));
      });
    },
    TIMEOUT,
  );
});

describe('training.continual (hypercl semantics, task inference) in the PyTorch export', () => {
  const run = (slug: string, doc: Record<string, unknown>, steps: number) => {
    const file = join(dir, `${slug}.hnet.json`);
    writeFileSync(file, JSON.stringify(doc));
    const engine = hnet(['train', file, '--steps', String(steps), '--json']);
    expect(engine.status, engine.stderr).toBe(0);
    const out = join(dir, `${slug}-py`);
    expect(hnet(['export', file, '--to', 'pytorch', '--out', out]).status).toBe(0);
    const exported = python(['train.py', '--steps', String(steps), '--device', 'cpu'], { cwd: out });
    return { engine: engine.stdout, exported: exported.stdout };
  };
  const steps = (stdout: string) => events(stdout).filter((e) => e.event === 'step') as { step: number; loss: number; losses: Record<string, number> }[];

  it(
    'fresh optimizer per task, current embedding only, look-ahead and one earlier task per step: the same step losses as the engine',
    () => {
      const doc = JSON.parse(readFileSync(fixture('continual-regression.hnet.json'), 'utf8'));
      doc.training.continual = { optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true, regularizedTasksPerStep: 1 };
      const { engine, exported } = run('continual-hypercl', doc, 8);
      const want = steps(engine);
      const got = steps(exported);
      expect(got.map((s) => s.step)).toEqual(want.map((s) => s.step));
      expect(want.at(-1)!.losses.output_regularizer).toBeGreaterThan(0);
      want.forEach((w, i) => {
        expect(Object.keys(got[i].losses).sort()).toEqual(Object.keys(w.losses).sort());
        for (const [k, v] of Object.entries(w.losses))
          expect(Math.abs(got[i].losses[k] - v), `step ${w.step} ${k}: engine ${v}, PyTorch ${got[i].losses[k]}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v)));
      });
      expectClose(doneOf(engine).metrics, doneOf(exported).metrics);
    },
    TIMEOUT,
  );

  it(
    'fixed task embeddings (hypercl\'s default): the same step losses as the engine, the embeddings left as they started',
    () => {
      const doc = JSON.parse(readFileSync(fixture('continual-regression.hnet.json'), 'utf8'));
      doc.training.continual = { optimizerPerTask: true, fixedEmbeddings: true, lookAhead: true };
      const { engine, exported } = run('continual-fixed', doc, 8);
      const want = steps(engine);
      const got = steps(exported);
      expect(got.map((s) => s.step)).toEqual(want.map((s) => s.step));
      want.forEach((w, i) => {
        for (const [k, v] of Object.entries(w.losses))
          expect(Math.abs(got[i].losses[k] - v), `step ${w.step} ${k}: engine ${v}, PyTorch ${got[i].losses[k]}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v)));
      });
      // The same run with trained embeddings takes other steps once task 0 has moved them.
      const trained = run('continual-trained', { ...doc, training: { ...doc.training, continual: { optimizerPerTask: true, lookAhead: true } } }, 8);
      expect(steps(trained.exported).at(-1)!.loss).not.toBeCloseTo(got.at(-1)!.loss, 4);
    },
    TIMEOUT,
  );

  it(
    'task inference on Split MNIST (2 tasks): accuracy_cl1..3 and task_inferred as the engine reports them',
    () => {
      const doc = JSON.parse(readFileSync(join(root, 'templates', 'split-mnist-hnet.hnet.json'), 'utf8'));
      doc.training = { ...doc.training, tasks: [0, 1], continual: { optimizerPerTask: true, currentEmbeddingOnly: true, taskInference: true } };
      doc.data = { ...doc.data, maxEvalSamples: 200 };
      const { engine, exported } = run('task-inference', doc, 10);
      const want = doneOf(engine).metrics;
      const got = doneOf(exported).metrics;
      for (const k of ['accuracy_cl1', 'accuracy_cl2', 'accuracy_cl3', 'task_inferred']) {
        expect(want[k], k).toBeGreaterThanOrEqual(0);
        // An argmin over nearly equal entropies may fall differently in float32 on a sample or two.
        expect(Math.abs(got[k] - want[k]), `${k}: engine ${want[k]}, PyTorch ${got[k]}`).toBeLessThanOrEqual(0.01);
      }
      expect(want.accuracy_cl1).toBeCloseTo(want.accuracy, 6);
      expect(want.accuracy_cl3).toBeLessThanOrEqual(Math.min(want.accuracy_cl2, want.task_inferred));
    },
    TIMEOUT,
  );
});
