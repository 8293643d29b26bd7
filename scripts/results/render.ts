/**
 * docs/RESULTS.md from recorded runs (./entry.ts): pure, no training, no file access. The runner records, this
 * renders; `npm run results -- --render` renders the page again from the records it carries.
 *
 * Every figure over several seeds is mean ± sample sd (n − 1), computed by src/shared/seeds.ts, the same code
 * `hnet train --seeds` reports with.
 */
import { basename } from 'node:path';
import type { Budget } from '../../src/shared/compiler/budget';
import { spread } from '../../src/shared/seeds';
import { seedRuns, type Entry, type Outcome } from './entry';

/** Marks the JSON of the recorded runs at the end of the page. */
export const DATA_MARK = 'results-data';

/** The recorded runs in a RESULTS.md page ([] when it has none or they do not parse). */
export function recordedEntries(markdown: string): Entry[] {
  const m = new RegExp(`<!-- ${DATA_MARK}\\n([\\s\\S]*?)\\n-->`).exec(markdown);
  if (!m) return [];
  try {
    const entries = JSON.parse(m[1]) as unknown;
    return Array.isArray(entries) ? (entries as Entry[]) : [];
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers as people read them
// ---------------------------------------------------------------------------------------------------------------

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
/** Fractions read as percent: accuracy and its continual-learning variants (accuracy_cl3, task_inferred). */
const isFraction = (metric: string) => metric === 'accuracy' || metric.startsWith('accuracy_') || metric === 'task_inferred';

/** A metric value as people read it: accuracy in percent, errors with three significant digits. */
export function fmt(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (isFraction(metric)) return percent(v);
  if (metric === 'psnr') return `${v.toFixed(1)} dB`;
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1).replace('e-', 'e−');
  return Number(v.toPrecision(3)).toString();
}

/** Mean ± sample sd of a metric over runs (`91.2 ± 0.4 %`); the value alone for one run; – for none. */
export function fmtSpread(metric: string, values: readonly (number | null | undefined)[]): string {
  const s = spread(values);
  if (!s) return '–';
  if (s.sd === null) return fmt(metric, s.mean);
  if (isFraction(metric)) return `${(s.mean * 100).toFixed(1)} ± ${(s.sd * 100).toFixed(1)} %`;
  if (metric === 'psnr') return `${s.mean.toFixed(1)} ± ${s.sd.toFixed(1)} dB`;
  return `${fmt(metric, s.mean)} ± ${fmt(metric, s.sd)}`;
}

const int = (n: number) => n.toLocaleString('en');

function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const metricLabel = (m: string) => (m === 'accuracy' ? 'accuracy' : m === 'mse' ? 'MSE' : m === 'psnr' ? 'PSNR' : m);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const lastRow = (m: (number | null)[][] | undefined) => (m && m.length > 1 ? m[m.length - 1] : undefined);

/** `3 seeds (1, 2, 3)`; `1 run` for a record that does not say its seed. */
function seedsText(seeds: number[]): string {
  const known = seeds.filter((s) => Number.isFinite(s));
  if (known.length < seeds.length) return seeds.length === 1 ? '1 run' : `${seeds.length} runs`;
  return `${seeds.length} ${seeds.length === 1 ? 'seed' : 'seeds'} (${seeds.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sentences and cells over the runs of each seed
// ---------------------------------------------------------------------------------------------------------------

/** Per task and their mean, each as mean ± sd over the runs: the final accuracy-matrix rows of `outcomes`. */
function rowText(e: Entry, outcomes: Outcome[]): string {
  const rows = outcomes.map((o) => lastRow(o.accuracyMatrix)).filter((r): r is (number | null)[] => !!r);
  const means = rows.map((r) => mean(r.filter((v): v is number => v !== null)));
  const tasks = e.tasks.map((t, j) => `task ${t} ${fmtSpread(e.metric, rows.map((r) => r[j]))}`);
  return `mean ${fmtSpread(e.metric, means)} (${tasks.join(', ')})`;
}

/** Per task after the last one, as `a / b / c`, each mean ± sd over the runs. */
function perTaskAfterLast(e: Entry, outcomes: Outcome[]): string {
  const rows = outcomes.map((o) => lastRow(o.accuracyMatrix)).filter((r): r is (number | null)[] => !!r);
  return e.tasks.map((_, j) => fmtSpread(e.metric, rows.map((r) => r[j]))).join(' / ');
}

const metricOver = (outcomes: Outcome[], key: string) => outcomes.map((o) => o.metrics[key]);
const isSequential = (e: Entry) => !!(e.accuracyMatrix && e.accuracyMatrix.length > 1);

/** The twins of the runs (one per seed), when the template has one. */
const twins = (e: Entry): Outcome[] => seedRuns(e).flatMap((r) => (r.twin ? [r.twin] : []));
const ablations = (e: Entry): Outcome[] => seedRuns(e).flatMap((r) => (r.ablation ? [r.ablation] : []));

/** What the ablation reaches per task after the last task, as a sentence (or ''). */
function ablationSentence(e: Entry): string {
  const runs = ablations(e).filter((a) => lastRow(a.accuracyMatrix));
  if (!e.ablation || runs.length === 0) return '';
  return ` ${e.ablation.what[0].toUpperCase()}${e.ablation.what.slice(1)}, the same run ends with ${metricLabel(e.metric)} ${perTaskAfterLast(e, runs)}.`;
}

/** What the static twin reaches: per task after the last one in continual learning, else the main metric. */
function twinReached(e: Entry): string {
  const runs = twins(e);
  if (runs.some((t) => lastRow(t.accuracyMatrix))) return `${metricLabel(e.metric)} per task ${perTaskAfterLast(e, runs)}`;
  return `${metricLabel(e.metric)} ${fmtSpread(e.metric, metricOver(runs, e.metric))}`;
}

function twinSentence(e: Entry): string {
  if (!e.twin) return '';
  return ` Static twin (the same network with ${int(e.twin.budget.ordinary)} ordinary weights, same budget): ${twinReached(e)}.`;
}

/** The result of the default budget as a sentence: the one stored in Details and (with the twin) metadata.result. */
export function mainSentence(e: Entry): string {
  const runs = seedRuns(e);
  const m = metricLabel(e.metric);
  const n = runs.length;
  const seconds = fmtSeconds(mean(runs.map((r) => r.seconds)));
  const where = `${int(e.steps)} steps (${seconds}${n > 1 ? ' per seed' : ''} on ${e.machine.cores} cores, ${e.machine.cpu}, ${e.machine.backend} backend, ${e.machine.date})`;
  const over = n > 1 ? `, mean ± sd over ${seedsText(runs.map((r) => r.seed))}` : '';
  if (isSequential(e)) {
    const first = fmtSpread(e.metric, runs.map((r) => r.accuracyMatrix?.[0]?.[0]));
    return (
      `After learning all ${e.tasks.length} tasks one after the other, test ${m} per task ${perTaskAfterLast(e, runs)} ` +
      `(task 0 right after it was learnt: ${first}), mean ${fmtSpread(e.metric, metricOver(runs, e.metric))}, after ${where}${over}.` +
      ablationSentence(e)
    );
  }
  const main = fmtSpread(e.metric, metricOver(runs, e.metric));
  if (e.tasks.length > 1) {
    const tasks = e.tasks.map((t) => fmtSpread(e.metric, metricOver(runs, `${e.metric}/task${t}`))).join(' / ');
    return `Mean test ${m} ${main} over ${e.tasks.length} tasks (${tasks}) after ${where}${over}.`;
  }
  const loss = e.kind === 'regression' ? ` (training loss from ${fmtSpread('loss', runs.map((r) => r.lossFirst))} in the first steps to ${fmtSpread('loss', runs.map((r) => r.lossLast))})` : '';
  return `Test ${m} ${main}${loss} after ${where}${over}.`;
}

/** The sentence stored in the template's metadata.result. */
export function resultSentence(e: Entry): string {
  return mainSentence(e) + twinSentence(e);
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function budgetCell(b: Budget): string {
  const c = b.compression === null ? '–' : b.compression.toFixed(b.compression < 10 ? 2 : 1);
  return `${int(b.hyper)} / ${int(b.generated)} / ${int(b.ordinary)} / ${c}`;
}

function reachesCell(e: Entry): string {
  const runs = seedRuns(e);
  const m = metricLabel(e.metric);
  if (isSequential(e)) {
    const plain = ablations(e).filter((a) => lastRow(a.accuracyMatrix));
    const versus = plain.length ? `; ${e.ablation!.what}: ${rowText(e, plain)}` : '';
    return `${m} after the last task: ${rowText(e, runs)}${versus} (matrices below)`;
  }
  const main = `${m} ${fmtSpread(e.metric, metricOver(runs, e.metric))}`;
  if (e.tasks.length > 1) return `mean ${main} (${e.tasks.map((t) => `task ${t} ${fmtSpread(e.metric, metricOver(runs, `${e.metric}/task${t}`))}`).join(', ')})`;
  return main;
}

function twinCell(e: Entry): string {
  if (!e.twin) return '–';
  const runs = twins(e);
  if (runs.some((t) => lastRow(t.accuracyMatrix))) return `after the last task: ${rowText(e, runs)}`;
  return `${metricLabel(e.metric)} ${fmtSpread(e.metric, metricOver(runs, e.metric))} (${int(e.twin.budget.ordinary)} weights)`;
}

/** The full-budget figure: the main metric, mean ± sd over its seeds. */
function fullCell(e: Entry): string {
  if (!e.full) return e.fullBudget ? 'not run yet' : '–';
  const f = e.full;
  return `${metricLabel(e.metric)} ${fmtSpread(e.metric, metricOver(f.runs, e.metric))}, ${seedsText(f.seeds)}, ${int(f.steps)} steps, ${f.machine.backend}${fullIsStale(e) ? ', trained with an earlier full budget' : ''}`;
}

/**
 * The recorded full-budget run was trained with another full budget than the template's today (its note differs):
 * the page says so beside the figure, and which setting it was, until the full budget is trained again.
 */
export function fullIsStale(e: Entry): boolean {
  return !!e.full && e.fullBudget !== undefined && e.full.note !== e.fullBudget;
}

/** How far the full budget lands from the published figure, and whether that meets the goal. */
export interface Gap {
  /** `−0.8 points`, `1.6×`, `−2.1 dB`. */
  text: string;
  /** The goal (accuracy within 1 point, an error within 2×); null where no goal is set (PSNR, losses). */
  met: boolean | null;
  goal: string | null;
}

/**
 * The full budget's mean against `published.value`: points for accuracy (goal: no more than 1 point below), the
 * ratio for MSE (goal: at most 2× the published error), dB for PSNR (no goal). Null without both figures.
 */
export function publishedGap(e: Entry): Gap | null {
  const value = e.published?.value;
  const s = e.full ? spread(metricOver(e.full.runs, e.metric)) : null;
  if (value === undefined || !Number.isFinite(value) || !s) return null;
  if (e.metric === 'accuracy') {
    const points = (s.mean - value) * 100;
    const sign = points < 0 ? '−' : '+';
    return { text: `${sign}${Math.abs(points).toFixed(1)} points`, met: points >= -1, goal: 'within 1 point' };
  }
  if (e.metric === 'psnr') {
    const db = s.mean - value;
    return { text: `${db < 0 ? '−' : '+'}${Math.abs(db).toFixed(1)} dB`, met: null, goal: null };
  }
  if (value <= 0) return null;
  const ratio = s.mean / value;
  if (e.metric === 'mse') return { text: ratioText(ratio), met: ratio <= 2, goal: 'within 2×' };
  return { text: ratioText(ratio), met: null, goal: null };
}

function gapCell(e: Entry): string {
  if (e.published?.value === undefined) return '–';
  if (!e.full) return `no full-budget run${e.shortfall ? ' (why: under Details)' : ''}`;
  const gap = publishedGap(e);
  if (!gap) return '–';
  if (gap.met === null) return gap.text;
  return `${gap.text}: goal (${gap.goal}) ${gap.met ? '**met**' : `**missed**${e.shortfall ? ' (why: under Details)' : ''}`}`;
}

/** One goal of the default budget (issue 11): at least the static twin; in continual learning, above fine-tuning. */
export interface Goal {
  what: 'static twin' | 'fine-tuning';
  /** `+1.2 points`, `0.85×` (our error over theirs), `+0.4 dB`. */
  text: string;
  met: boolean;
}

/** A ratio of errors: two decimals, or two significant digits below 0.1 (`0.0042×`). */
const ratioText = (r: number) => `${r >= 0.1 ? r.toFixed(2) : Number(r.toPrecision(2)).toString()}×`;

const higherIsBetter = (metric: string) => metric === 'accuracy' || metric === 'psnr';

/** Ours against theirs (means over the seeds): the difference in points, dB or the ratio of the errors. */
function against(metric: string, ours: number, theirs: number, strict: boolean): { text: string; met: boolean } | null {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs)) return null;
  if (higherIsBetter(metric)) {
    const d = metric === 'accuracy' ? (ours - theirs) * 100 : ours - theirs;
    const text = `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(1)}${metric === 'accuracy' ? ' points' : ' dB'}`;
    return { text, met: strict ? d > 0 : d >= 0 };
  }
  if (theirs <= 0) return null;
  const ratio = ours / theirs;
  return { text: ratioText(ratio), met: strict ? ratio < 1 : ratio <= 1 };
}

/** Mean over the runs of each one's mean over the earlier tasks (all but the last) after the last task. */
function earlierTasks(outcomes: Outcome[]): number {
  const rows = outcomes.map((o) => lastRow(o.accuracyMatrix)).filter((r): r is (number | null)[] => !!r);
  return mean(rows.map((r) => mean(r.slice(0, -1).filter((v): v is number => v !== null))));
}

/**
 * The default budget's goals: the hypernetwork at least matches its static twin (the main metric, means over the
 * seeds); a continual-learning template beats fine-tuning (the graph without its regulariser) on the earlier tasks.
 */
export function defaultGoals(e: Entry): Goal[] {
  const runs = seedRuns(e);
  const goals: Goal[] = [];
  const ours = spread(metricOver(runs, e.metric));
  const twin = spread(metricOver(twins(e), e.metric));
  const vsTwin = ours && twin ? against(e.metric, ours.mean, twin.mean, false) : null;
  if (vsTwin) goals.push({ what: 'static twin', ...vsTwin });
  const plain = ablations(e).filter((a) => lastRow(a.accuracyMatrix));
  if (isSequential(e) && plain.length) {
    const vsPlain = against(e.metric, earlierTasks(runs), earlierTasks(plain), true);
    if (vsPlain) goals.push({ what: 'fine-tuning', ...vsPlain });
  }
  return goals;
}

function goalsCell(e: Entry): string {
  const goals = defaultGoals(e);
  if (!goals.length) return '–';
  const says = (g: Goal) =>
    g.what === 'static twin' ? `${g.text} against the twin: ${g.met ? 'met' : '**missed**'}` : `${g.text} against fine-tuning on earlier tasks: ${g.met ? 'met' : '**missed**'}`;
  const missed = goals.some((g) => !g.met);
  return goals.map(says).join('; ') + (missed && e.shortfall ? ' (why: under Details)' : '');
}

function matrixTable(e: Entry, outcomes: Outcome[]): string[] {
  const matrices = outcomes.map((o) => o.accuracyMatrix).filter((m): m is (number | null)[][] => !!m && m.length > 1);
  const head = `| after training | ${e.tasks.map((t) => `task ${t}`).join(' | ')} |`;
  const rule = `| --- | ${e.tasks.map(() => '---:').join(' | ')} |`;
  const rows = (matrices[0] ?? []).map((row, i) => `| task ${e.tasks[i]} | ${row.map((_, j) => fmtSpread(e.metric, matrices.map((m) => m[i]?.[j]))).join(' | ')} |`);
  return [head, rule, ...rows];
}

/** The console lines of one template's result (the runner prints them after each template). */
export function consoleLines(e: Entry): string[] {
  const lines = [resultSentence(e), `parameters ${budgetCell(e.budget)}`];
  const runs = seedRuns(e);
  if (isSequential(e)) lines.push(...matrixTable(e, runs));
  if (ablations(e).some((a) => lastRow(a.accuracyMatrix))) lines.push(`${e.ablation!.what}:`, ...matrixTable(e, ablations(e)));
  if (twins(e).some((t) => lastRow(t.accuracyMatrix))) lines.push('static twin:', ...matrixTable(e, twins(e)));
  if (defaultGoals(e).length) lines.push(`default-budget goals: ${goalsCell(e).replace(/\*\*/g, '')}`);
  if (e.full) lines.push(`full budget: ${fullCell(e)}${e.published?.value !== undefined ? `; against the published figure: ${gapCell(e).replace(/\*\*/g, '')}` : ''}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------------------------

/** Every second the records account for: each seed's run, twin and ablation, and the full-budget runs. */
function trainingSeconds(e: Entry): number {
  const sum = (runs: Entry['runs']) => (runs ?? []).reduce((a, r) => a + r.seconds + (r.twin?.seconds ?? 0) + (r.ablation?.seconds ?? 0), 0);
  return sum(seedRuns(e)) + sum(e.full?.runs);
}

export function renderMarkdown(entries: Entry[]): string {
  const machines = [...new Map(entries.flatMap((e) => [e.machine, ...(e.full ? [e.full.machine] : [])]).map((m) => [`${m.cpu}|${m.cores}|${m.backend}|${m.os}|${m.node}`, m])).values()];
  const dates = [...new Set(entries.flatMap((e) => [e.machine.date, ...(e.full ? [e.full.machine.date] : [])]))].sort();
  const totalSeconds = entries.reduce((a, e) => a + trainingSeconds(e), 0);
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
    'A row trained with several seeds (`npm run results -- --seeds 1,2,3`) shows mean ± sample standard deviation',
    '(n − 1) over them, each seed training the template, its twin and its ablation with that seed; the Seeds column',
    'says how many, and Backend what trained the row.',
    '',
    'The default budgets train in minutes; the published setups train far longer. Each template says how its budget',
    'differs under Details, and `npx hnet train FILE --budget full` trains its full-budget setting (closer to the',
    'paper, for a machine with more time or a GPU). Full-budget figures (`npm run results -- --budget full`) stand',
    'beside the published one with the gap to it: points of accuracy (goal: within 1 point) or the ratio of the',
    'errors (goal: within 2×). Default-budget goals: the hypernetwork at least matches its static twin (points of',
    'accuracy, or the ratio of our error to the twin\'s), and a continual-learning template beats fine-tuning (the same',
    'graph without its regulariser) on the earlier tasks after the last one.',
    '',
    `- Date: ${dates.join(', ')}`,
    ...machines.map((m) => `- Machine: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}; backend **${m.backend}**`),
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
    '| Template | Published | Ours (test, default budget) | Seeds | Static twin (test) | Default-budget goals | Full budget (test) | Full budget against published | Parameters: hyper / generated / ordinary / compression | Steps | Time per seed: ours / twin | Backend | Reproduce |',
    '| --- | --- | --- | ---: | --- | --- | --- | --- | --- | ---: | ---: | --- | --- |',
    ...entries.map((e) => {
      const runs = seedRuns(e);
      const twinSeconds = twins(e).map((t) => t.seconds);
      const time = `${fmtSeconds(mean(runs.map((r) => r.seconds)))} / ${twinSeconds.length ? fmtSeconds(mean(twinSeconds)) : '–'}`;
      const published = e.published ? `${e.published.figure} (${e.published.source})` : '–';
      return `| [${cell(e.name)}](../${e.file}) | ${cell(published)} | ${cell(reachesCell(e))} | ${runs.length} | ${cell(twinCell(e))} | ${cell(goalsCell(e))} | ${cell(fullCell(e))} | ${cell(gapCell(e))} | ${budgetCell(e.budget)} | ${int(e.steps)} | ${time} | ${e.machine.backend} | \`${e.command}\` |`;
    }),
    '',
    '## Details',
    '',
  ];
  for (const e of entries) {
    const runs = seedRuns(e);
    const seconds = fmtSeconds(mean(runs.map((r) => r.seconds)));
    lines.push(
      `### ${e.name}`,
      '',
      `\`${e.file}\` — ${e.schedule === 'single' ? 'one task' : `${e.tasks.length} tasks, ${e.schedule} schedule`}, ${int(e.steps)} steps, ${seconds}${runs.length > 1 ? ' per seed' : ''}; ${seedsText(runs.map((r) => r.seed))} on ${e.machine.backend}.`,
      '',
    );
    if (e.published) lines.push(`- Published: ${e.published.figure} Source: ${e.published.source}`);
    lines.push(`- Result: ${mainSentence(e)}`);
    if (e.twin) lines.push(`- Static twin, the same network with ${int(e.twin.budget.ordinary)} ordinary weights (${fmtSeconds(mean(twins(e).map((t) => t.seconds)))}): ${twinReached(e)}.`);
    if (e.twin)
      lines.push(
        `- Parameters: the generated weights (${int(e.budget.generated)}) come from ${int(e.budget.hyper)} hypernetwork parameters; ` +
          `the whole network trains ${int(e.budget.hyper + e.budget.ordinary)} parameters, its static twin ${int(e.twin.budget.ordinary)}.`,
      );
    if (defaultGoals(e).length) lines.push(`- Default-budget goals: ${goalsCell(e).replace(/\*\*/g, '').replace(' (why: under Details)', '')}.`);
    if (e.shortfall) lines.push(`- Why a goal is missed: ${e.shortfall}`);
    if (e.published?.setup) lines.push(`- Budget against the paper: ${e.published.setup}`);
    if (e.fullBudget) lines.push(`- Full budget: \`npx hnet train ${e.file} --budget full\` (${e.fullBudget.replace(/\.$/, '')}).`);
    if (e.full) {
      const gap = publishedGap(e);
      const against = gap ? `; against the published figure ${gap.text}${gap.met === null ? '' : `, goal (${gap.goal}) ${gap.met ? 'met' : 'missed'}`}` : '';
      lines.push(`- Full-budget result: ${fullCell(e)} (${fmtSeconds(mean(e.full.runs.map((r) => r.seconds)))} per seed, ${e.full.machine.date})${against}. Reproduce: \`${e.full.command}\`.`);
      if (fullIsStale(e)) lines.push(`- That run predates the full budget above; it was trained with: ${e.full.note.replace(/\.$/, '')}.`);
    }
    lines.push(`- Training loss: ${fmtSpread('loss', runs.map((r) => r.lossFirst))} over the first steps, ${fmtSpread('loss', runs.map((r) => r.lossLast))} over the last.`);
    const traced = provenanceLine(runs);
    if (traced) lines.push(traced);
    const shown = Object.keys(runs[0].metrics)
      .filter((k) => !k.includes('/'))
      .map((k) => `${k} ${fmtSpread(k, metricOver(runs, k))}`)
      .join(', ');
    lines.push(`- Final evaluation (mean over tasks): ${shown}.`);
    if (isSequential(e)) lines.push('', `Test ${metricLabel(e.metric)} on each task (columns) after training each task (rows):`, '', ...matrixTable(e, runs));
    const ablated = ablations(e);
    if (ablated.some((a) => lastRow(a.accuracyMatrix)))
      lines.push('', `The same graph ${e.ablation!.what} (${fmtSeconds(mean(ablated.map((a) => a.seconds)))}), for comparison:`, '', ...matrixTable(e, ablated));
    const twinRuns = twins(e);
    if (twinRuns.some((t) => lastRow(t.accuracyMatrix))) lines.push('', `The static twin (${fmtSeconds(mean(twinRuns.map((t) => t.seconds)))}):`, '', ...matrixTable(e, twinRuns));
    lines.push('');
  }
  const data = JSON.stringify(entries, null, 1).replace(/--/g, '-\\u002d');
  lines.push(`<!-- ${DATA_MARK}`, data, '-->', '');
  return lines.join('\n');
}

/** `- Provenance: app 0.1.0, document sha256 1a2b3c4d, data sha256 5e6f7a8b (seed 1), …`: what the runs recorded. */
function provenanceLine(runs: readonly { seed: number; provenance?: { appVersion: string; documentHash: string; graphHash: string; dataHash: string | null } }[]): string | null {
  const known = runs.filter((r) => r.provenance);
  if (known.length === 0) return null;
  const short = (h: string | null) => (h ? h.slice(0, 8) : 'unknown');
  const one = <T>(xs: T[]) => [...new Set(xs)];
  const apps = one(known.map((r) => r.provenance!.appVersion));
  const docs = one(known.map((r) => short(r.provenance!.documentHash)));
  const data = one(known.map((r) => short(r.provenance!.dataHash)));
  const dataText = data.length === 1 ? data[0] : known.map((r) => `${short(r.provenance!.dataHash)} (seed ${r.seed})`).join(', ');
  return `- Provenance: app ${apps.join(', ')}, document sha256 ${docs.join(', ')}, graph sha256 ${one(known.map((r) => short(r.provenance!.graphHash))).join(', ')}, data sha256 ${dataText}.`;
}
