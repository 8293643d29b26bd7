/**
 * The runs table: which columns a document's runs need and what each cell says, worked out once for the Train
 * tab and `hnet runs FILE`, so both show the same names, the same differing settings and the same figures.
 *
 * Always shown: name ({@link runDisplayName}, also the charts' legend), status, start, backend, final metrics
 * (means, not per task) and training time. Settings appear only where runs differ: learning rate, optimizer,
 * steps, epochs, batch, seed, budget, variant, schedule, task order (`all`: every task in order), continual-learning
 * settings, the graph (a short hash) and each node parameter that
 * differs between runs, so a sweep's table shows exactly what it varied.
 *
 * @example
 * const { columns } = runsTable(runs);
 * for (const r of sortRuns(runs, columns, 'metric:accuracy', 'desc')) print(columns.map((c) => c.text(r)));
 */
import { continualText, runDisplayName, type RunSummary } from './runs';

export interface RunColumn {
  /** Stable key: `name`, `status`, `setting:learningRate`, `param:hyper.chunkSize`, `metric:accuracy`, ... */
  key: string;
  label: string;
  /** What sorting compares (numbers before text; null last). */
  value(r: RunSummary): number | string | null;
  /** What the cell says. */
  text(r: RunSummary): string;
  kind: 'fixed' | 'setting' | 'param' | 'metric';
}

/** A metric to four significant digits, without trailing zeros (0.95, 0.001, 4.933). */
const num = (v: number | null, digits = 4) => (v === null ? '–' : String(Number(v.toPrecision(digits))));
/** A setting as typed: 0.001, not 0.001000. */
const setting = (v: number) => String(Number(v.toPrecision(6)));
const shown = (v: unknown): string => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

/** Seconds a run trained: the done event's, else from its start to its end (or now, while it goes). */
export function runSeconds(r: RunSummary, now = Date.now()): number | null {
  if (r.seconds !== null) return r.seconds;
  const start = Date.parse(r.startedAt);
  const end = r.endedAt ? Date.parse(r.endedAt) : r.status === 'running' || r.status === 'paused' ? now : NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, (end - start) / 1000) : null;
}

export function formatSeconds(s: number | null): string {
  if (s === null) return '–';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** `2026-12-03 15:41` in the viewer's time zone (sortable by eye, shorter than toLocaleString). */
export function formatStart(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The training settings the table may show, each as a column when runs differ in it. */
const SETTINGS: { key: string; label: string; of(r: RunSummary): number | string | null }[] = [
  { key: 'learningRate', label: 'lr', of: (r) => r.settings.optimizer.learningRate },
  { key: 'optimizer', label: 'optimizer', of: (r) => r.settings.optimizer.type },
  { key: 'steps', label: 'steps/task', of: (r) => r.settings.steps },
  { key: 'epochs', label: 'epochs', of: (r) => r.settings.epochs },
  { key: 'batchSize', label: 'batch', of: (r) => r.settings.batchSize },
  { key: 'seed', label: 'seed', of: (r) => r.settings.seed },
  { key: 'budget', label: 'budget', of: (r) => r.settings.budget },
  { key: 'variant', label: 'variant', of: (r) => r.settings.variant },
  { key: 'schedule', label: 'schedule', of: (r) => r.settings.schedule },
  { key: 'tasks', label: 'tasks', of: (r) => r.settings.tasks?.join(',') ?? 'all' },
  { key: 'continual', label: 'continual', of: (r) => (r.settings.continual ? continualText(r.settings.continual, true) : null) },
  { key: 'graph', label: 'graph', of: (r) => r.provenance?.graphHash.slice(0, 7) ?? null },
];

const differs = (runs: readonly RunSummary[], of: (r: RunSummary) => unknown) => new Set(runs.map((r) => JSON.stringify(of(r) ?? null))).size > 1;

/** The columns for these runs (settings and parameters only where they differ). */
export function runsTable(runs: readonly RunSummary[], now = Date.now()): { columns: RunColumn[] } {
  const columns: RunColumn[] = [
    { key: 'name', label: 'name', kind: 'fixed', value: (r) => runDisplayName(r), text: (r) => runDisplayName(r) },
    { key: 'status', label: 'status', kind: 'fixed', value: (r) => r.status, text: (r) => r.status },
    { key: 'started', label: 'started', kind: 'fixed', value: (r) => r.startedAt, text: (r) => formatStart(r.startedAt) },
    { key: 'backend', label: 'backend', kind: 'fixed', value: (r) => r.backend ?? r.settings.backend, text: (r) => r.backend ?? r.settings.backend },
  ];
  for (const s of SETTINGS)
    if (differs(runs, s.of)) columns.push({ key: `setting:${s.key}`, label: s.label, kind: 'setting', value: s.of, text: (r) => (typeof s.of(r) === 'number' ? setting(s.of(r) as number) : shown(s.of(r) ?? undefined)) });
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.nodeParams)))].sort();
  for (const k of paramKeys)
    if (differs(runs, (r) => r.nodeParams[k]))
      columns.push({
        key: `param:${k}`,
        label: k,
        kind: 'param',
        value: (r) => (typeof r.nodeParams[k] === 'number' ? (r.nodeParams[k] as number) : r.nodeParams[k] === undefined ? null : shown(r.nodeParams[k])),
        text: (r) => shown(r.nodeParams[k]),
      });
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics).filter((m) => !m.includes('/'))))];
  for (const m of metricKeys)
    columns.push({ key: `metric:${m}`, label: m, kind: 'metric', value: (r) => r.metrics[m] ?? null, text: (r) => (r.metrics[m] === undefined ? '–' : num(r.metrics[m])) });
  columns.push({ key: 'time', label: 'time', kind: 'fixed', value: (r) => runSeconds(r, now), text: (r) => formatSeconds(runSeconds(r, now)) });
  return { columns };
}

/** The runs sorted by a column (stable; missing values last whichever way). */
export function sortRuns(runs: readonly RunSummary[], columns: readonly RunColumn[], key: string, dir: 'asc' | 'desc'): RunSummary[] {
  const col = columns.find((c) => c.key === key);
  if (!col) return [...runs];
  const sign = dir === 'asc' ? 1 : -1;
  return runs
    .map((r, i) => ({ r, i, v: col.value(r) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      if (typeof a.v === 'number' && typeof b.v === 'number') return (a.v - b.v) * sign || a.i - b.i;
      return String(a.v).localeCompare(String(b.v)) * sign || a.i - b.i;
    })
    .map((x) => x.r);
}

/**
 * The table as a file: the columns shown, then each run's id and provenance (app version, document, graph and data
 * sha256, seed) so a results table can be traced back to, and regenerated from, the recorded runs.
 * `csv` quotes as RFC 4180 does; `markdown` is a GitHub table.
 */
export function runsTableText(runs: readonly RunSummary[], format: 'csv' | 'markdown', now = Date.now()): string {
  const { columns } = runsTable(runs, now);
  const traced: { label: string; text(r: RunSummary): string }[] = [
    { label: 'id', text: (r) => r.id },
    { label: 'app version', text: (r) => r.provenance?.appVersion ?? '' },
    { label: 'document sha256', text: (r) => r.provenance?.documentHash ?? '' },
    { label: 'graph sha256', text: (r) => r.provenance?.graphHash ?? '' },
    { label: 'data sha256', text: (r) => r.provenance?.dataHash ?? '' },
    { label: 'seed', text: (r) => String(r.provenance?.seed ?? r.settings.seed) },
  ];
  const all = [...columns.filter((c) => c.key !== 'setting:seed'), ...traced];
  const rows = runs.map((r) => all.map((c) => c.text(r)));
  if (format === 'csv') {
    const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return `${[all.map((c) => q(c.label)), ...rows.map((row) => row.map(q))].map((row) => row.join(',')).join('\r\n')}\r\n`;
  }
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return `${[`| ${all.map((c) => cell(c.label)).join(' | ')} |`, `|${all.map(() => ' --- |').join('')}`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n')}\n`;
}
