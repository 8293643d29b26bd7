/** The Train tab's chart series, read from a run's history: loss, evaluation metric, and generated-tensor norms. */
import type { RunHistory } from '../../../shared/api/runs';
import { ema, PALETTE, type Line } from './charts';

/** Loss per step, one series per task when several tasks were trained. */
export function lossLines(h: RunHistory, smooth: boolean, prefix = '', dash = false, colorOffset = 0): Line[] {
  const s = h.steps;
  const tasks = [...new Set(s.task)];
  const sm = (y: (number | null)[]) => (smooth ? ema(y) : y);
  if (tasks.length <= 1) return [{ label: `${prefix}loss`, x: s.step, y: sm(s.loss), color: PALETTE[colorOffset % PALETTE.length], dash }];
  return tasks.map((k, i) => {
    const y = s.loss.map((v, j) => (s.task[j] === k ? v : null));
    return { label: `${prefix}task ${k}`, x: s.step, y: sm(y), color: PALETTE[(i + colorOffset) % PALETTE.length], dash };
  });
}

/**
 * The evaluation chart's metric: the continual-learning metric, else the graph's first metric node (accuracy
 * rather than the evaluation loss), else whatever was recorded first.
 */
export function evalLines(h: RunHistory, metrics: string[]): { lines: Line[]; metric: string | null; splits: string } {
  const tasks = Object.keys(h.perTask);
  const recorded = (name: string) => name in h.mean || tasks.some((k) => name in h.perTask[k]);
  const metric =
    h.metricName ?? metrics.find(recorded) ?? Object.keys(h.mean)[0] ?? (tasks.length ? Object.keys(h.perTask[tasks[0]])[0] : null) ?? null;
  // Evaluations during training read the validation split where the dataset holds one; task ends and the final one the test set.
  const splits = h.evals.some((e) => e.split === 'val') ? 'validation split during training, test set at task ends' : '';
  if (!metric) return { lines: [], metric: null, splits };
  const lines = tasks
    .filter((k) => h.perTask[k][metric])
    .map((k, i) => ({ label: `task ${k}`, x: h.perTask[k][metric].step, y: h.perTask[k][metric].value, color: PALETTE[i % PALETTE.length], points: true }));
  if (!lines.length && h.mean[metric]) lines.push({ label: metric, x: h.mean[metric].step, y: h.mean[metric].value, color: PALETTE[0], points: true });
  return { lines, metric, splits };
}

/**
 * The norm of each generated tensor over training, one series per route (the engine records them at every
 * evaluation and at the end). Log scale when the norms span more than a factor of 10, so a bias stays visible
 * next to a kernel.
 */
export function normLines(h: RunHistory): { lines: Line[]; log: boolean } {
  const routes = Object.values(h.weights);
  const heads = new Set(routes.map((w) => w.head));
  const lines = routes.map((w, i) => ({
    label: heads.size > 1 ? `${w.head} → ${w.target}` : w.target,
    x: w.step,
    y: w.norm,
    color: PALETTE[i % PALETTE.length],
    dash: i >= PALETTE.length,
    points: true,
  }));
  const all = routes.flatMap((w) => w.norm).filter((v) => v > 0 && Number.isFinite(v));
  return { lines, log: all.length > 0 && Math.max(...all) > 10 * Math.min(...all) };
}

/**
 * Several runs' evaluation metric on one chart: each run's mean over the tasks evaluated (a single task's own
 * series), the metric chosen as {@link evalLines} chooses it for the first run that recorded one.
 */
export function compareEvalLines(runs: { name: string; history: RunHistory; metrics: string[] }[]): { lines: Line[]; metric: string | null; splits: string } {
  const metric = runs.map((r) => evalLines(r.history, r.metrics).metric).find((m) => m !== null) ?? null;
  if (!metric) return { lines: [], metric: null, splits: '' };
  const lines: Line[] = [];
  runs.forEach((r, i) => {
    const h = r.history;
    const tasks = Object.keys(h.perTask).filter((k) => h.perTask[k][metric]);
    const s = h.mean[metric] ?? (tasks.length === 1 ? h.perTask[tasks[0]][metric] : undefined);
    if (s) lines.push({ label: r.name, x: s.step, y: s.value, color: PALETTE[(i * 3) % PALETTE.length], dash: i % 2 === 1, points: true });
  });
  return { lines, metric, splits: '' };
}
