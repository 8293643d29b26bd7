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
    const program = programOf(load(file));
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
