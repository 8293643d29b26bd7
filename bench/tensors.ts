/**
 * Tensors alive after each training step: train() must release every tensor a step makes, so
 * tf.memory().numTensors read at each step event (after the step's feeds are disposed) should not move.
 * Runs the real loop, train() from train.ts, with periodic evaluation on, so evaluation leaks would show too.
 *
 * Graphs: the sinusoid template, and a continual-learning graph with an output regulariser (a template that
 * uses objective.output_regularizer when templates/ has one, else bench/fixtures/cl-toy-regression.hnet.json).
 * In a sequential schedule the regulariser snapshots h*(t') for the earlier tasks when a task starts, so the
 * count may rise at task boundaries by exactly (earlier tasks x regularised generated weights) and must be
 * constant within each task.
 *
 *   npx tsx bench/tensors.ts [--steps 120] [--backend cpu]   (default: the best available backend)
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { availableBackends, useBackend } from '../src/main/engine/backend';
import { train } from '../src/main/engine/train';
import type { Program } from '../src/shared/compiler/ir';
import { FIXTURES, TEMPLATES, compileFile, flag, heading, isMain, listDocuments, numFlag, table } from './common';

export interface PhaseCounts {
  task: number;
  steps: number;
  first: number;
  last: number;
  min: number;
  max: number;
}

export interface TensorResult {
  file: string;
  backend: string;
  steps: number;
  evalEvery: number;
  /** numTensors after each step. */
  counts: number[];
  first: number;
  last: number;
  min: number;
  max: number;
  phases: PhaseCounts[];
  /** Regulariser targets held while training task index p: p x this. 0 without a regulariser. */
  targetsPerTask: number;
  /** Within every task the count never moves, and between tasks it moves only by the expected targets. */
  constant: boolean;
  /** What constant means for this graph (overall, or within each task). */
  note: string;
  before: number;
  after: number;
  bytesBefore: number;
  bytesAfter: number;
  /** The program's parameter tensors and their bytes (to compare with anything left after the run). */
  paramTensors: number;
  paramBytes: number;
}

/** The first template with an output regulariser, else the bench fixture. */
export function continualLearningGraph(): { path: string; fromTemplates: boolean } | null {
  for (const f of listDocuments(TEMPLATES)) if (readFileSync(f, 'utf8').includes('objective.output_regularizer')) return { path: f, fromTemplates: true };
  const fixture = join(FIXTURES, 'cl-toy-regression.hnet.json');
  try {
    readFileSync(fixture);
    return { path: fixture, fromTemplates: false };
  } catch {
    return null;
  }
}

function regularisedRoutes(program: Program): number {
  if (!program.outputRegularizer) return 0;
  const byId = new Map(program.ops.map((o) => [o.id, o]));
  return program.generated.filter((g) => !byId.get(g.value)?.dataDependent).length;
}

export async function countTensors(path: string, opts: { stepsPerTask: number; evalEvery: number; backend?: string }): Promise<TensorResult> {
  // Not 'auto': that keeps whichever backend is active (e.g. the last one the steps bench used).
  const backend = await useBackend((opts.backend ?? (await availableBackends())[0]) as never);
  const { program } = compileFile(path);
  const run: Program = { ...program, training: { ...program.training, evalEvery: opts.evalEvery } };
  const counts: number[] = [];
  const tasks: number[] = [];
  const before = tf.memory().numTensors;
  const bytesBefore = tf.memory().numBytes;
  await train(run, { steps: opts.stepsPerTask, backend, stepEventEvery: 1 }, (e) => {
    if (e.event === 'log' && e.level !== 'info') console.log(`  ${basename(path)}: ${e.message}`);
    if (e.event !== 'step') return;
    counts.push(tf.memory().numTensors);
    tasks.push(e.task);
  });
  const after = tf.memory().numTensors;
  const bytesAfter = tf.memory().numBytes;

  const phases: PhaseCounts[] = [];
  counts.forEach((c, i) => {
    let p = phases[phases.length - 1];
    if (!p || p.task !== tasks[i]) phases.push((p = { task: tasks[i], steps: 0, first: c, last: c, min: c, max: c }));
    p.steps++;
    p.last = c;
    p.min = Math.min(p.min, c);
    p.max = Math.max(p.max, c);
  });
  const targetsPerTask = program.training.schedule === 'sequential' && phases.length > 1 ? regularisedRoutes(program) : 0;
  const withinEach = phases.every((p) => p.min === p.max);
  const stepsBetween = phases.every((p, i) => i === 0 || p.first - phases[i - 1].last === targetsPerTask);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const constant = targetsPerTask === 0 ? min === max : withinEach && stepsBetween;
  const note =
    targetsPerTask === 0
      ? 'the same after every step'
      : `the same within each task; +${targetsPerTask} (regulariser targets h*) at each task boundary`;
  return {
    file: basename(path),
    backend,
    steps: counts.length,
    evalEvery: opts.evalEvery,
    counts,
    first: counts[0],
    last: counts[counts.length - 1],
    min,
    max,
    phases,
    targetsPerTask,
    constant,
    note,
    before,
    after,
    bytesBefore,
    bytesAfter,
    paramTensors: program.params.length,
    paramBytes: program.params.reduce((a, q) => a + 4 * q.shape.reduce((x, y) => x * y, 1), 0),
  };
}

export async function benchTensors(o: { steps?: number; backend?: string } = {}): Promise<TensorResult[]> {
  const steps = o.steps ?? 120;
  const out: TensorResult[] = [];
  out.push(await countTensors(join(TEMPLATES, 'sinusoid-family.hnet.json'), { stepsPerTask: steps, evalEvery: Math.max(1, Math.floor(steps / 3)), backend: o.backend }));
  const cl = continualLearningGraph();
  if (cl) {
    // Three tasks: a third of the steps each, so the whole run is about as long as the sinusoid one.
    const per = Math.max(6, Math.floor(steps / 3));
    out.push(await countTensors(cl.path, { stepsPerTask: per, evalEvery: Math.max(1, Math.floor(per / 2)), backend: o.backend }));
  }
  return out;
}

export function printTensors(results: TensorResult[]): void {
  heading('Tensors alive after each training step (tf.memory().numTensors, real train() loop)');
  console.log(
    table(
      ['graph', 'backend', 'steps', 'eval every', 'first', 'last', 'min', 'max', 'constant', 'left after run'],
      results.map((r) => [
        r.file,
        r.backend,
        r.steps,
        r.evalEvery,
        r.first,
        r.last,
        r.min,
        r.max,
        r.constant ? 'yes' : 'NO',
        r.after === r.before ? 'none' : `${r.after - r.before} tensors, ${r.bytesAfter - r.bytesBefore} B`,
      ]),
    ),
  );
  for (const r of results) {
    console.log(`  ${r.file}: constant means ${r.note}.`);
    if (r.phases.length > 1)
      console.log(`    per task: ${r.phases.map((p) => `task ${p.task} (${p.steps} steps) ${p.min === p.max ? p.min : `${p.min}..${p.max}`}`).join(', ')}`);
    if (!r.constant) {
      const changes = r.counts.flatMap((c, i) => (i > 0 && c !== r.counts[i - 1] ? [`step ${i + 1}: ${r.counts[i - 1]} -> ${c}`] : []));
      console.log(`    changes: ${changes.slice(0, 12).join(', ')}${changes.length > 12 ? ', ...' : ''}`);
    }
  }
  console.log("'left after run': tensors (and bytes) still alive after train() returned, compared with before it started.");
  for (const r of results)
    if (r.after !== r.before)
      console.log(
        `  ${r.file}: ${r.after - r.before} tensor(s) / ${r.bytesAfter - r.bytesBefore} B outlive the run; the program has ${r.paramTensors} parameter tensors / ${r.paramBytes} B` +
          (r.after - r.before === r.paramTensors && r.bytesAfter - r.bytesBefore === r.paramBytes ? ' (exactly one initial-value copy per parameter).' : '.'),
      );
}

if (isMain(import.meta.url)) {
  printTensors(await benchTensors({ steps: numFlag('steps', 120), backend: flag('backend') }));
}
