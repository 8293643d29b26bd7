/**
 * How `hnet train` shows a run: JSON lines (`--json`), a progress bar (a terminal), or plain periodic lines
 * (a pipe or a log file).
 */
import cliProgress from 'cli-progress';
import type { DoneEvent, EngineEvent } from '../../shared/api/events';
import type { Budget } from '../../shared/compiler/budget';
import { MATRIX_SUMMARY_LABELS, matrixSpreads, metricSpreads, spread, type MatrixSummary, type Spread } from '../../shared/seeds';
import { budgetText, count, err, num, out } from './io';
import { terminalText } from './terminal';

export interface Reporter {
  event(e: EngineEvent): void;
  /** The run ended (done or failed); release the terminal. */
  close(): void;
  /** Print a notice (SIGINT, ...) without breaking the display. */
  notice(text: string): void;
}

/** One JSON object per line, `event` first (then the `tag` fields, if any); nothing else on stdout. */
export function jsonReporter(tag: Record<string, string | number> = {}): Reporter {
  return {
    event(e) {
      const { event, ...rest } = e;
      out(JSON.stringify({ event, ...tag, ...rest }));
    },
    close() {},
    notice(text) {
      err(text);
    },
  };
}

const speed = (sps: number) => (sps > 0 ? sps.toFixed(1) : '-');

const losses = (l: Record<string, number>) => {
  const entries = Object.entries(l);
  return entries.length > 1 ? `  (${entries.map(([k, v]) => `${k} ${num(v)}`).join(', ')})` : '';
};
const metricsText = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([k]) => !k.includes('/'))
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');

/** What the human reporters share: lines for every event but steps, and the final summary. */
function describe(e: EngineEvent, state: { metricName: string }): string | null {
  switch (e.event) {
    case 'start':
      return `training on ${e.backend}: ${count(e.totalSteps)} steps, ${e.tasks.length === 1 ? 'task' : 'tasks'} ${e.tasks.join(', ')}; ${budgetText(e.budget)}`;
    case 'eval': {
      const perTask = Object.keys(e.perTask).length > 1 ? `  [${Object.entries(e.perTask).map(([t, m]) => `task ${t}: ${metricsText(m)}`).join('; ')}]` : '';
      return `step ${e.step}  ${e.split ?? 'eval'}  ${metricsText(e.metrics)}${perTask}`;
    }
    case 'task_end': {
      state.metricName = e.metricName;
      const row = e.accuracyMatrix[e.accuracyMatrix.length - 1] ?? [];
      return `task ${e.task} done at step ${e.step}: ${e.metricName} ${row.map((v) => num(v)).join(' ')}`;
    }
    case 'log':
      return e.level === 'info' ? e.message : `${e.level}: ${e.message}`;
    case 'checkpoint':
      return `checkpoint at step ${e.step}: ${e.path}`;
    case 'error':
      return null; // the command prints the failure itself
    case 'weights':
    case 'step':
    case 'done':
      return null;
  }
}

export function summary(done: DoneEvent, metricName: string): string[] {
  const lines = [`${done.stopped ? 'stopped' : 'done'} at step ${count(done.step)} after ${done.seconds.toFixed(1)} s`];
  const entries = Object.entries(done.metrics);
  if (entries.length) {
    const width = Math.max(...entries.map(([k]) => k.length));
    lines.push('metrics (test set):');
    for (const [k, v] of entries) lines.push(`  ${k.padEnd(width)}  ${num(v)}`);
  }
  const matrix = done.accuracyMatrix;
  if (matrix && matrix.length) {
    const columns = Math.max(...matrix.map((r) => r.length));
    const cells = matrix.map((r) => Array.from({ length: columns }, (_, j) => num(r[j] ?? null)));
    const w = Math.max(8, ...cells.flat().map((c) => c.length));
    lines.push(`${metricName || 'metric'} on task j (columns) after training task i (rows):`);
    lines.push(`  ${''.padEnd(8)}${Array.from({ length: columns }, (_, j) => `task ${j}`.padStart(w + 2)).join('')}`);
    cells.forEach((r, i) => lines.push(`  ${`after ${i}`.padEnd(8)}${r.map((c) => c.padStart(w + 2)).join('')}`));
  }
  return lines;
}

/** Plain lines on stdout: start, about ten progress lines, evaluations, logs, the summary. */
export function plainReporter(): Reporter {
  const state = { metricName: '' };
  let total = 0;
  let next = 0;
  return {
    event(e) {
      if (e.event === 'start') {
        total = e.totalSteps;
        next = 0;
      }
      if (e.event === 'step') {
        if (e.step >= next) {
          out(`step ${e.step}/${total}  loss ${num(e.loss)}${losses(e.losses)}  ${speed(e.stepsPerSecond)} steps/s`);
          const every = Math.max(1, Math.ceil(total / 10));
          next = (Math.floor(e.step / every) + 1) * every;
        }
        return;
      }
      if (e.event === 'done') {
        for (const line of summary(e, state.metricName)) out(line);
        return;
      }
      const line = describe(e, state);
      if (line !== null) out(line);
    },
    close() {},
    notice(text) {
      err(text);
    },
  };
}

/** A progress bar on stderr (steps, loss, steps/s, ETA), other events logged above it, the summary on stdout. */
export function progressReporter(): Reporter {
  const state = { metricName: '' };
  const multibar = new cliProgress.MultiBar(
    {
      format: ' {bar} {value}/{total} steps | loss {loss} | {speed} steps/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
      fps: 10,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  let closed = false;
  const log = (text: string) => {
    if (bar) multibar.log(`${terminalText(text)}\n`);
    else err(text);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    multibar.stop();
  };
  return {
    event(e) {
      if (closed) return;
      if (e.event === 'start') {
        log(describe(e, state)!);
        bar = multibar.create(Math.max(1, e.totalSteps), 0, { loss: '-', speed: '-' });
        return;
      }
      if (e.event === 'step') {
        bar?.update(e.step, { loss: num(e.loss), speed: speed(e.stepsPerSecond) });
        return;
      }
      if (e.event === 'done') {
        bar?.update(e.step);
        close();
        for (const line of summary(e, state.metricName)) out(line);
        return;
      }
      const line = describe(e, state);
      if (line !== null) log(line);
    },
    close,
    notice(text) {
      log(text);
    },
  };
}

/** One model of a `--baseline` comparison, as it ended. */
export interface Compared {
  label: string;
  variant: 'hypernetwork' | 'static';
  budget: Budget;
  done: DoneEvent;
}

/**
 * The side-by-side table of `hnet train --baseline static` (a `comparison` JSON line with --json): trained
 * parameters, the parameters of the target network, every final metric, time.
 */
export function comparison(models: Compared[], json: boolean, tag: Record<string, string | number> = {}): void {
  if (json) {
    const entry = (m: Compared) => ({ budget: m.budget, metrics: m.done.metrics, accuracyMatrix: m.done.accuracyMatrix ?? null, seconds: m.done.seconds, step: m.done.step });
    out(JSON.stringify({ event: 'comparison', ...tag, ...Object.fromEntries(models.map((m) => [m.variant, entry(m)])) }));
    return;
  }
  const rows: [string, ...string[]][] = [
    ['', ...models.map((m) => m.label)],
    ['trained parameters', ...models.map((m) => count(m.budget.hyper + m.budget.ordinary))],
    ['target network parameters', ...models.map((m) => count(m.budget.generated + m.budget.ordinary))],
  ];
  const keys = [...new Set(models.flatMap((m) => Object.keys(m.done.metrics)))];
  for (const k of keys) rows.push([k, ...models.map((m) => num(m.done.metrics[k]))]);
  rows.push(['steps', ...models.map((m) => count(m.done.step))], ['time', ...models.map((m) => `${m.done.seconds.toFixed(1)} s`)]);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  out('');
  out('side by side (final evaluation on the test split):');
  for (const r of rows) out(`  ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j] + 2))).join('')}`);
}

/** What one seed of `hnet train --seeds` trained: one model, or the graph and its static twin. */
export interface SeedRun {
  seed: number;
  models: Compared[];
}

/** `12.3456 ± 0.0123`; the mean alone for one run. */
export const spreadText = (s: Spread | null | undefined): string => (s ? `${num(s.mean)}${s.sd === null ? '' : ` ± ${num(s.sd)}`}` : '-');

/** Mean ± sd of one model over the seeds: every final metric, the accuracy-matrix summary, steps, time. */
function spreadsOf(runs: SeedRun[], index: number) {
  const done = runs.map((r) => r.models[index].done);
  return {
    metrics: metricSpreads(done.map((d) => d.metrics)),
    accuracyMatrix: matrixSpreads(done.map((d) => d.accuracyMatrix)),
    step: spread(done.map((d) => d.step)),
    seconds: spread(done.map((d) => d.seconds)),
  };
}

/**
 * The end of `hnet train --seeds`: one line per seed, then mean ± sample sd (n − 1) over the seeds of every final
 * metric (per task too), of the continual-learning matrix's summary numbers and of the time, one column per model.
 * With --json, one `seeds` line: the seeds, each model's runs and its spreads ({mean, sd, n}; sd null for n = 1).
 */
export function seedsSummary(runs: SeedRun[], json: boolean): void {
  if (runs.length === 0) return;
  const models = runs[0].models.map((m, i) => ({ label: m.label, variant: m.variant, budget: m.budget, ...spreadsOf(runs, i) }));
  if (json) {
    const entry = (i: number) => {
      const { label: _label, variant: _variant, ...rest } = models[i];
      const perSeed = runs.map((r) => {
        const d = r.models[i].done;
        return { seed: r.seed, metrics: d.metrics, accuracyMatrix: d.accuracyMatrix ?? null, step: d.step, seconds: d.seconds };
      });
      return { ...rest, runs: perSeed };
    };
    out(JSON.stringify({ event: 'seeds', seeds: runs.map((r) => r.seed), ...Object.fromEntries(models.map((m, i) => [m.variant, entry(i)])) }));
    return;
  }
  const several = models.length > 1;
  out('');
  out('per seed (final evaluation on the test split):');
  for (const r of runs) {
    const parts = r.models.map((m) => `${several ? `${m.label}: ` : ''}${metricsText(m.done.metrics) || 'no metrics'} (${m.done.seconds.toFixed(1)} s)`);
    out(`  seed ${r.seed}  ${parts.join('; ')}`);
  }
  const rows: [string, ...string[]][] = [['', ...models.map((m) => m.label)]];
  const keys = [...new Set(models.flatMap((m) => Object.keys(m.metrics)))];
  for (const k of keys) rows.push([k, ...models.map((m) => spreadText(m.metrics[k]))]);
  for (const k of Object.keys(MATRIX_SUMMARY_LABELS) as (keyof MatrixSummary)[]) {
    if (models.some((m) => m.accuracyMatrix?.[k])) rows.push([MATRIX_SUMMARY_LABELS[k], ...models.map((m) => spreadText(m.accuracyMatrix?.[k]))]);
  }
  const steps = (s: Spread | null) => (s && !s.sd ? count(s.mean) : spreadText(s));
  const seconds = (s: Spread | null) => (s ? `${s.mean.toFixed(1)}${s.sd === null ? '' : ` ± ${s.sd.toFixed(1)}`} s` : '-');
  rows.push(['steps', ...models.map((m) => steps(m.step))], ['time', ...models.map((m) => seconds(m.seconds))]);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const n = runs.length;
  out('');
  out(`over ${n} ${n === 1 ? 'seed' : 'seeds'} (${runs.map((r) => r.seed).join(', ')}): ${n === 1 ? 'one run, no spread' : 'mean ± sample sd (n − 1)'}:`);
  for (const r of rows) out(`  ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j] + 2))).join('')}`);
}
