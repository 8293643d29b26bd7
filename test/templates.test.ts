/**
 * Every template in templates/ (read at test time, so new ones are covered): it loads cleanly, compiles with no
 * problems, is laid out for the editor, and trains for a short budget with a falling loss. Plus what particular
 * templates promise: the chunked head generates more than it costs, and the continual-learning template's
 * output regulariser prevents forgetting (against a copy of the graph without it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DoneEvent, EngineEvent, StepEvent } from '../src/shared/api/events';
import { compile } from '../src/shared/compiler/compile';
import { formatProblem } from '../src/shared/compiler/errors';
import { staticTwin } from '../src/shared/compiler/variants';
import type { Program } from '../src/shared/compiler/ir';
import { parseDocument } from '../src/shared/document/load';
import type { HnetDocument } from '../src/shared/document/schema';
import { train } from '../src/main/engine/train';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'templates');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.hnet.json'))
  .sort();

/** Steps per task for the short training check. */
const SHORT_STEPS = 100;

function load(file: string): HnetDocument {
  const r = parseDocument(readFileSync(join(dir, file), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not load:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.doc;
}

function programOf(doc: HnetDocument): Program {
  const r = compile(doc);
  if (!r.ok || !r.program) throw new Error(`does not compile:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.program;
}

async function run(program: Program, steps: number): Promise<{ steps: StepEvent[]; done: DoneEvent }> {
  const events: StepEvent[] = [];
  const done = await train(program, { steps, backend: 'wasm', stepEventEvery: 1, baseDir: dir }, (e: EngineEvent) => {
    if (e.event === 'step') events.push(e);
  });
  return { steps: events, done };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

it('there are templates', () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
  expect(files).toEqual(
    expect.arrayContaining([
      'sinusoid-family.hnet.json',
      'toy-continual-regression.hnet.json',
      'spirals-per-sample.hnet.json',
      'chunked-compression.hnet.json',
      'film-classifier.hnet.json',
      'gmm-continual-hnet.hnet.json',
    ]),
  );
});

describe.each(files)('%s', (file) => {
  it('loads without warnings and compiles with no problems', () => {
    const r = parseDocument(readFileSync(join(dir, file), 'utf8'));
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([]);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    const c = compile(r.doc);
    expect(c.problems.map(formatProblem)).toEqual([]);
    expect(c.warnings.map(formatProblem)).toEqual([]);
    expect(c.ok).toBe(true);
    expect(c.budget!.hyper).toBeGreaterThan(0);
  });

  it('is described, and its result was written by `npm run results`', () => {
    const { metadata } = load(file);
    expect(metadata.name.trim()).not.toBe('');
    expect(metadata.name).not.toBe('Untitled');
    expect(metadata.description.length).toBeGreaterThan(80);
    expect(metadata.result ?? '').toMatch(/steps/);
  });

  it('is laid out left to right with readable node ids', () => {
    const doc = load(file);
    const at = new Map(doc.nodes.map((n) => [n.id, n.position]));
    for (const n of doc.nodes) expect(n.id).toMatch(/^[a-z][a-z0-9_]*$/);
    for (const e of doc.edges) expect(at.get(e.source)!.x, `${e.source} -> ${e.target}`).toBeLessThan(at.get(e.target)!.x);
  });

  it(`trains ${SHORT_STEPS} steps per task with a falling loss`, async () => {
    // The check is about the first task's loss and finite metrics: two tasks of a long sequence and a few hundred
    // evaluation samples show it, so the test's work (not a timeout) stays small on any machine.
    const doc = load(file);
    const program = programOf(reduced(doc, programOf(doc).data.tasks > 2 ? { tasks: [0, 1] } : {}));
    const { steps, done } = await run(program, SHORT_STEPS);
    expect(done.stopped).toBe(false);
    for (const s of steps) expect(Number.isFinite(s.loss)).toBe(true);
    for (const v of Object.values(done.metrics)) expect(Number.isFinite(v)).toBe(true);
    // In a sequential schedule each task starts from a new loss: compare within the first task.
    const sequential = program.training.schedule === 'sequential' && program.data.tasks > 1;
    const first = (sequential ? steps.filter((s) => s.task === steps[0].task) : steps).slice(0, SHORT_STEPS).map((s) => s.loss);
    expect(first.length).toBe(SHORT_STEPS);
    const k = 10;
    expect(mean(first.slice(-k))).toBeLessThan(mean(first.slice(0, k)));
  });
});

describe('chunked-compression.hnet.json', () => {
  it('generates more parameters than its hypernetwork has (compression < 1)', () => {
    const c = compile(load('chunked-compression.hnet.json'));
    expect(c.budget!.compression).not.toBeNull();
    expect(c.budget!.compression!).toBeLessThan(1);
    expect(c.budget!.generated).toBeGreaterThan(c.budget!.hyper);
    expect(c.program!.generated.length).toBe(4);
  });
});

describe('spirals-per-sample.hnet.json', () => {
  it('generates one weight set per sample', () => {
    const program = programOf(load('spirals-per-sample.hnet.json'));
    expect(program.generated.length).toBeGreaterThan(0);
    for (const g of program.generated) expect(g.perSample).toBe(true);
  });
});

describe('toy-continual-regression.hnet.json', () => {
  const STEPS = 300;
  const withRegulariser = load('toy-continual-regression.hnet.json');
  const without: HnetDocument = {
    ...withRegulariser,
    nodes: withRegulariser.nodes.filter((n) => n.type !== 'objective.output_regularizer'),
  };

  it('has a task-conditioned hypernetwork, the output regulariser and a sequential schedule', () => {
    const program = programOf(withRegulariser);
    expect(program.outputRegularizer?.beta).toBeGreaterThan(0);
    expect(program.training.schedule).toBe('sequential');
    expect(program.data.tasks).toBe(3);
    expect(programOf(without).outputRegularizer).toBeUndefined();
  });

  it('remembers task 0 with the regulariser and forgets it without', async () => {
    const reg = (await run(programOf(withRegulariser), STEPS)).done;
    const plain = (await run(programOf(without), STEPS)).done;
    for (const done of [reg, plain]) {
      expect(done.accuracyMatrix).toHaveLength(3);
      done.accuracyMatrix!.forEach((row, i) => {
        expect(row).toHaveLength(3);
        row.forEach((v, j) => (j <= i ? expect(v).toEqual(expect.any(Number)) : expect(v).toBeNull()));
      });
    }
    const learnt = reg.accuracyMatrix![0][0]!;
    const kept = reg.accuracyMatrix![2][0]!;
    const forgotten = plain.accuracyMatrix![2][0]!;
    // Task 0 (y = x + 3, variance 1/3 on its interval) is learnt, kept with the regulariser, lost without it.
    expect(learnt).toBeLessThan(0.05);
    expect(kept).toBeLessThan(0.05);
    expect(forgotten).toBeGreaterThan(10 * kept);
    expect(forgotten).toBeGreaterThan(0.1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Templates that reproduce published results, at a reduced budget: the direction of each result, and the static
// twin (the same target with ordinary weights, src/shared/compiler/variants.ts) training under the same budget.
// ---------------------------------------------------------------------------------------------------------------

/** The document with fewer evaluation samples (the reduced-budget checks need the direction, not 4 digits). */
function reduced(doc: HnetDocument, training: Record<string, unknown> = {}): HnetDocument {
  return { ...doc, data: { ...doc.data, maxEvalSamples: 400 }, training: { ...doc.training, evalEvery: 0, ...training } };
}

function twinOf(doc: HnetDocument): HnetDocument {
  const twin = staticTwin(doc);
  if (!twin.ok) throw new Error(twin.problems.map(formatProblem).join('\n'));
  return twin.doc;
}

/** The final accuracy matrix row, and the mean over every task but the last (what continual learning must keep). */
function earlierTasks(done: DoneEvent): { last: number[]; earlier: number } {
  const last = done.accuracyMatrix![done.accuracyMatrix!.length - 1] as number[];
  return { last, earlier: mean(last.slice(0, -1)) };
}

describe('ha-static-mnist-cnn.hnet.json (Ha et al. 2016)', () => {
  const doc = load('ha-static-mnist-cnn.hnet.json');

  it("has the paper's parameter counts: 12,544 generated kernel weights from 4,240 generator parameters (+ z)", () => {
    const c = compile(doc);
    expect(c.budget).toMatchObject({ generated: 7 * 7 * 16 * 16, hyper: 4240 + 4 });
    const plain = compile(twinOf(doc));
    expect(plain.budget).toMatchObject({ hyper: 0, generated: 0, ordinary: c.budget!.generated + c.budget!.ordinary });
  });

  it('the hypernetwork CNN and its static twin both learn MNIST at a reduced budget', async () => {
    const steps = 80;
    const hyper = (await run(programOf(reduced(doc, { batchSize: 32 })), steps)).done;
    const plain = (await run(programOf(reduced(twinOf(doc), { batchSize: 32 })), steps)).done;
    // Chance is 10 %.
    expect(hyper.metrics.accuracy).toBeGreaterThan(0.6);
    expect(plain.metrics.accuracy).toBeGreaterThan(0.6);
  });
});

describe.each(['split-mnist-hnet.hnet.json', 'permuted-mnist-hnet.hnet.json'])('%s (von Oswald et al. 2020)', (file) => {
  const doc = load(file);
  const tasks = file.startsWith('split') ? [0, 1, 2, 3, 4] : [0, 1, 2, 3];
  const budget = { steps: 100, tasks };

  it('the output regulariser keeps earlier tasks better than fine-tuning the same graph; the static twin trains', async () => {
    const withRegulariser = (await run(programOf(reduced(doc, budget)), 100)).done;
    const fineTuned = (await run(programOf(reduced({ ...doc, nodes: doc.nodes.filter((n) => n.type !== 'objective.output_regularizer') }, budget)), 100)).done;
    const twin = (await run(programOf(reduced(twinOf(doc), budget)), 100)).done;
    const kept = earlierTasks(withRegulariser);
    const forgotten = earlierTasks(fineTuned);
    expect(kept.earlier).toBeGreaterThan(forgotten.earlier + 0.05);
    // Every task was learnt when it was trained (the diagonal), by the hypernetwork and by the twin.
    const chance = file.startsWith('split') ? 0.5 : 0.1;
    withRegulariser.accuracyMatrix!.forEach((row, i) => expect(row[i]).toBeGreaterThan(chance + 0.3));
    twin.accuracyMatrix!.forEach((row, i) => expect(row[i]).toBeGreaterThan(chance + 0.3));
  });
});

describe('gmm-continual-hnet.hnet.json (posterior_replay_cl\'s Gaussian mixture)', () => {
  const doc = load('gmm-continual-hnet.hnet.json');

  it("has the authors' configuration: 3 tasks of 2 modes, 2-number embeddings, a 10-10 head, a 2-10-10-2 target, β = 0.01", () => {
    const c = compile(doc);
    expect(c.program!.data).toMatchObject({ type: 'data.gaussian_mixture', tasks: 3, x: [2] });
    expect(c.budget!.generated).toBe(2 * 10 + 10 + 10 * 10 + 10 + 10 * 2 + 2);
    expect(c.program!.outputRegularizer?.beta).toBe(0.01);
    expect(doc.fullBudget?.training).toMatchObject({ steps: 5001, batchSize: 32, optimizer: { type: 'adam', learningRate: 0.0001 } });
  });

  it('at its default budget, the output regulariser keeps earlier tasks better than fine-tuning the same graph and than the static twin', async () => {
    // 4,500 steps of a 162-weight classifier: seconds.
    const steps = doc.training.steps!;
    const withRegulariser = (await run(programOf(reduced(doc)), steps)).done;
    const fineTuned = (await run(programOf(reduced({ ...doc, nodes: doc.nodes.filter((n) => n.type !== 'objective.output_regularizer') })), steps)).done;
    const twin = (await run(programOf(reduced(twinOf(doc))), steps)).done;
    withRegulariser.accuracyMatrix!.forEach((row, i) => expect(row[i]).toBeGreaterThan(0.9));
    expect(earlierTasks(withRegulariser).earlier).toBeGreaterThan(0.9);
    expect(earlierTasks(withRegulariser).earlier).toBeGreaterThan(earlierTasks(fineTuned).earlier + 0.2);
    expect(earlierTasks(withRegulariser).earlier).toBeGreaterThan(earlierTasks(twin).earlier + 0.2);
  });
});

describe('low-rank-dense.hnet.json', () => {
  const doc = load('low-rank-dense.hnet.json');

  it('generates a 784 × 512 layer from a rank-8 factorisation at a compression below 0.2', () => {
    const c = compile(doc);
    expect(c.budget!.generated).toBe(784 * 512 + 512);
    expect(c.budget!.compression!).toBeLessThan(0.2);
  });

  it('learns MNIST at a reduced budget, and so does its full-rank static twin', async () => {
    const hyper = (await run(programOf(reduced(doc)), 200)).done;
    const plain = (await run(programOf(reduced(twinOf(doc))), 200)).done;
    expect(hyper.metrics.accuracy).toBeGreaterThan(0.8);
    expect(plain.metrics.accuracy).toBeGreaterThan(0.8);
  });
});

describe('docs/RESULTS.md', () => {
  const text = readFileSync(join(root, 'docs', 'RESULTS.md'), 'utf8');
  const data = /<!-- results-data\n([\s\S]*?)\n-->/.exec(text);
  const entries = JSON.parse(data![1]) as { file: string; published?: { figure: string }; twin?: { budget: { ordinary: number } }; command: string; metrics: Record<string, number> }[];

  it('was written by `npm run results` for every template, each beside its static twin and its published figure', () => {
    expect(entries.map((e) => e.file).sort()).toEqual(files.map((f) => `templates/${f}`));
    for (const e of entries) {
      const doc = load(e.file.slice('templates/'.length));
      expect(e.twin, e.file).toBeDefined();
      expect(e.twin!.budget.ordinary, e.file).toBe(compile(doc).budget!.generated + compile(doc).budget!.ordinary);
      expect(e.published?.figure, e.file).toBe(doc.metadata.published?.figure);
      expect(e.command).toContain('--baseline static');
      // The sentence in the gallery is the one written from this run.
      expect(doc.metadata.result).toContain('Static twin');
    }
  });
});
