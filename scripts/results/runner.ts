/**
 * Training a template for `npm run results`: the template as drawn, its static twin (src/shared/compiler/variants.ts:
 * the same target with ordinary weights, same data, budget and seed) and, for continual learning with the output
 * regulariser, the same graph without it (fine-tuning); once per seed. Or its full-budget setting, once per seed.
 * Training goes through runTraining (src/main/engine/run.ts), the engine the app and `hnet train` use: a tfjs
 * backend, or pytorch (the program's PyTorch export in a subprocess). What it returns is plain data (./entry.ts).
 */
import os from 'node:os';
import { dirname, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import type { DoneEvent, EngineEvent } from '../../src/shared/api/events';
import type { Budget } from '../../src/shared/compiler/budget';
import { compile } from '../../src/shared/compiler/compile';
import { formatProblem } from '../../src/shared/compiler/errors';
import type { Program } from '../../src/shared/compiler/ir';
import { staticTwin, withFullBudget } from '../../src/shared/compiler/variants';
import { parseDocument } from '../../src/shared/document/load';
import { Backend, type HnetDocument } from '../../src/shared/document/schema';
import { getNodeType } from '../../src/shared/nodes';
import { packageVersion } from '../../src/main/app/paths';
import { graphIdentity, provenanceOf } from '../../src/main/app/runs/provenance';
import { runTraining } from '../../src/main/engine/run';
import type { Entry, FullBudgetRecord, Machine, Outcome, SeedRun } from './entry';

export interface RunOptions {
  backend: Backend;
  /** Steps per task instead of the template's (a quick run). */
  steps?: number;
  /** The seeds to train; absent: the template's own seed. */
  seeds?: number[];
  /** The repository (or test) root file names are written relative to. */
  root: string;
  log: (line: string) => void;
}

export function loadTemplate(path: string): HnetDocument {
  const loaded = parseDocument(readFileSync(path, 'utf8'));
  if (!loaded.ok) throw new Error(`${path} does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  return loaded.doc;
}

function compileTemplate(doc: HnetDocument, what: string): { program: Program; budget: Budget } {
  const compiled = compile(doc);
  if (!compiled.ok || !compiled.program || !compiled.budget) throw new Error(`${what} does not compile:\n${compiled.problems.map(formatProblem).join('\n')}`);
  return { program: compiled.program, budget: compiled.budget };
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** One model trained with one seed: what it reached, its step losses, the backend that trained it. */
async function trainModel(
  program: Program,
  path: string,
  opts: RunOptions,
  seed: number,
  progress: boolean,
): Promise<{ done: DoneEvent; seconds: number; losses: number[]; backend: string; dataHash: string | null }> {
  const losses: number[] = [];
  let backend = opts.backend as string;
  let dataHash: string | null = null;
  const started = performance.now();
  let lastPrint = started;
  const done = await runTraining(program, { backend: opts.backend, steps: opts.steps, seed, baseDir: dirname(path), stepEventEvery: 1 }, (e: EngineEvent) => {
    if (e.event === 'start') {
      backend = e.backend;
      dataHash = e.dataHash ?? null;
    } else if (e.event === 'step') {
      losses.push(e.loss);
      const now = performance.now();
      if (progress && now - lastPrint > 10_000) {
        lastPrint = now;
        opts.log(`    step ${e.step}, task ${e.task}, loss ${e.loss.toPrecision(3)}, ${e.stepsPerSecond.toFixed(0)} steps/s`);
      }
    } else if (e.event === 'task_end' && progress) opts.log(`    task ${e.task} done at step ${e.step}`);
    else if (e.event === 'log' && e.level !== 'info') opts.log(`    ${e.level}: ${e.message}`);
  });
  return { done, seconds: (performance.now() - started) / 1000, losses, backend, dataHash };
}

const outcome = (r: { done: DoneEvent; seconds: number }): Outcome => ({
  metrics: r.done.metrics,
  ...(r.done.accuracyMatrix ? { accuracyMatrix: r.done.accuracyMatrix } : {}),
  seconds: r.seconds,
});

/** The run of the template itself with one seed, as recorded, with its provenance (as the app's runs record it). */
function seedRun(seed: number, r: { done: DoneEvent; seconds: number; losses: number[]; dataHash: string | null }, from: { text: string; doc: HnetDocument }): SeedRun {
  const window = Math.max(1, Math.min(50, Math.floor(r.losses.length / 10)));
  const provenance = provenanceOf({ appVersion: packageVersion(), documentText: from.text, graphHash: graphIdentity(from.doc).graphHash, seed, dataHash: r.dataHash });
  return { seed, steps: r.done.step, ...outcome(r), lossFirst: meanOf(r.losses.slice(0, window)), lossLast: meanOf(r.losses.slice(-window)), provenance };
}

function machine(backend: string, load: number): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    backend,
    date: new Date().toISOString().slice(0, 10),
    load,
  };
}

/** The --backend value that reproduces a run: the backend it reports (`wasm`, `pytorch (cuda)`) as a flag. */
function backendFlag(used: string, opts: RunOptions): string {
  const name = used.split(' ')[0];
  return Backend.safeParse(name).success ? name : opts.backend;
}

const seedsFlag = (opts: RunOptions) => (opts.seeds ? ` --seeds ${opts.seeds.join(',')}` : '');

/** The graph without its regularisers (the output regulariser), when that leaves a sequential continual-learning run; else null. */
function withoutRegulariser(doc: HnetDocument, path: string): Program | null {
  const regularisers = new Set(doc.nodes.filter((n) => getNodeType(n.type)?.roles?.regularizer).map((n) => n.id));
  if (!regularisers.size) return null;
  const plain = {
    ...doc,
    nodes: doc.nodes.filter((n) => !regularisers.has(n.id)),
    edges: doc.edges.filter((e) => !regularisers.has(e.source) && !regularisers.has(e.target)),
  };
  const { program } = compileTemplate(plain, `${path} without its output regulariser`);
  return program.training.schedule === 'sequential' && program.data.tasks >= 2 ? program : null;
}

/** Train the template's default budget once per seed, each seed with its ablation and its static twin. */
export async function runTemplate(path: string, opts: RunOptions): Promise<Entry> {
  const doc = loadTemplate(path);
  const { program, budget } = compileTemplate(doc, path);
  const ablated = withoutRegulariser(doc, path);
  const twinDoc = staticTwin(doc);
  const twin = twinDoc.ok ? { ...compileTemplate(twinDoc.doc, `${path}'s static twin`), summary: twinDoc.summary } : null;
  const seeds = opts.seeds ?? [program.training.seed];
  const load = os.loadavg()[0];
  const runs: SeedRun[] = [];
  let used = opts.backend as string;
  for (const seed of seeds) {
    if (opts.seeds) opts.log(`  seed ${seed}: training…`);
    const main = await trainModel(program, path, opts, seed, true);
    used = main.backend;
    const run = seedRun(seed, main, { text: readFileSync(path, 'utf8'), doc });
    if (ablated) {
      opts.log('  the same graph without the output regulariser: training…');
      run.ablation = outcome(await trainModel(ablated, path, opts, seed, false));
    }
    if (twin) {
      opts.log(`  ${twin.summary}: training…`);
      run.twin = outcome(await trainModel(twin.program, path, opts, seed, false));
    }
    runs.push(run);
  }
  const first = runs[0];
  const metric = program.metrics.find((m) => m.kind === 'accuracy')?.name ?? program.metrics[0]?.name ?? 'loss';
  const t = program.training;
  const tasks = t.tasks ?? Array.from({ length: program.data.tasks }, (_, i) => i);
  const file = relative(opts.root, path).split('\\').join('/');
  return {
    file,
    name: doc.metadata.name,
    kind: program.metrics.some((m) => m.kind === 'accuracy') ? 'classification' : 'regression',
    metric,
    tasks,
    schedule: tasks.length === 1 ? 'single' : t.schedule,
    steps: first.steps,
    budget,
    metrics: first.metrics,
    ...(first.accuracyMatrix ? { accuracyMatrix: first.accuracyMatrix } : {}),
    ...(first.ablation ? { ablation: { what: 'without the output regulariser', ...first.ablation } } : {}),
    ...(first.twin && twin ? { twin: { ...first.twin, budget: twin.budget } } : {}),
    ...(doc.metadata.published ? { published: doc.metadata.published } : {}),
    ...(doc.fullBudget ? { fullBudget: doc.fullBudget.note || 'a larger setting' } : {}),
    lossFirst: first.lossFirst,
    lossLast: first.lossLast,
    seconds: first.seconds,
    command: `npx hnet train ${file} --backend ${backendFlag(used, opts)}${seedsFlag(opts)}${twin ? ' --baseline static' : ''}`,
    machine: machine(used, load),
    seeds,
    runs,
  };
}

/** Train the template's full-budget setting once per seed (no twin, no ablation: these runs are the long ones). */
export async function runFullBudget(path: string, opts: RunOptions): Promise<FullBudgetRecord> {
  const doc = loadTemplate(path);
  const full = withFullBudget(doc);
  if (!full.ok) throw new Error(`${path} has no full budget to train:\n${full.problems.map(formatProblem).join('\n')}`);
  opts.log(`  ${full.summary}`);
  const { program, budget } = compileTemplate(full.doc, `${path} with its full budget`);
  const seeds = opts.seeds ?? [program.training.seed];
  const load = os.loadavg()[0];
  const runs: SeedRun[] = [];
  let used = opts.backend as string;
  for (const seed of seeds) {
    opts.log(`  full budget, seed ${seed}: training…`);
    const r = await trainModel(program, path, opts, seed, true);
    used = r.backend;
    runs.push(seedRun(seed, r, { text: readFileSync(path, 'utf8'), doc: full.doc }));
  }
  const file = relative(opts.root, path).split('\\').join('/');
  return {
    note: doc.fullBudget?.note || 'a larger setting',
    seeds,
    runs,
    steps: runs[0].steps,
    budget,
    command: `npx hnet train ${file} --budget full --backend ${backendFlag(used, opts)}${seedsFlag(opts)}`,
    machine: machine(used, load),
  };
}
