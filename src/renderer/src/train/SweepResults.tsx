import { useMemo, useState } from 'react';
import type { RunSummary } from '../../../shared/api/runs';
import { formatSpread, sweepResults } from '../../../shared/sweep';
import { LineChart, PALETTE, type Line } from './charts';

/**
 * A sweep's results: per configuration, its runs (done of all) and mean ± sd of each final metric, and a plot of
 * one metric against the first swept setting (one line per value of the second, with dashed mean ± sd).
 */
export function SweepResults({ runs, groupId, theme }: { runs: RunSummary[]; groupId: string; theme: string }) {
  const results = useMemo(() => sweepResults(runs, groupId), [runs, groupId]);
  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics).filter((k) => !k.includes('/'))))];
  const [chosen, setChosen] = useState<string | null>(null);
  const metric = chosen && metrics.includes(chosen) ? chosen : (metrics.find((m) => /acc/i.test(m)) ?? metrics[0] ?? null);
  if (results.length === 0) return null;
  const group = results[0].runs[0].group!;
  const keys = Object.keys(results[0].config);
  const lines = metric ? plotLines(results, keys, metric) : { lines: [], x: '', logX: false };
  return (
    <div className="hn-train__card" data-testid="sweep-results">
      <div className="hn-train__card-title">
        {group.name}
        <span className="hn-train__muted">
          {results.reduce((n, r) => n + r.done, 0)} of {results.reduce((n, r) => n + r.runs.length, 0)} runs done · mean ± sd over seeds
        </span>
        <span className="hn-train__spacer" />
        {metrics.length > 1 && (
          <select value={metric ?? ''} onChange={(e) => setChosen(e.target.value)} aria-label="Metric to plot" data-testid="sweep-metric">
            {metrics.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        )}
      </div>
      <table className="hn-runs__table" data-testid="sweep-table">
        <thead>
          <tr>
            {keys.map((k) => (
              <th key={k}>{k}</th>
            ))}
            <th>runs</th>
            {metrics.map((m) => (
              <th key={m}>{m}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.index} data-config={r.index}>
              {keys.map((k) => (
                <td key={k}>{String(r.config[k])}</td>
              ))}
              <td>
                {r.done}/{r.runs.length}
              </td>
              {metrics.map((m) => (
                <td key={m} className="is-number">
                  {formatSpread(r.metrics[m])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {lines.lines.length > 0 && (
        <LineChart testId="sweep-chart" title={`${metric} against ${lines.x}${lines.logX ? ' (log scale)' : ''}`} xLabel={lines.x} lines={lines.lines} logX={lines.logX} theme={theme} legend="names" />
      )}
    </div>
  );
}

/**
 * x: the first swept setting where its values are numbers (on a log axis when they are positive and span more than
 * a factor of 20, as learning rates do), else the configuration's place in the sweep.
 */
function plotLines(results: ReturnType<typeof sweepResults>, keys: string[], metric: string): { lines: Line[]; x: string; logX: boolean } {
  if (keys.length === 0) return { lines: [], x: '', logX: false };
  const [first, second] = keys;
  const numeric = results.every((r) => typeof r.config[first] === 'number');
  const xOf = (r: (typeof results)[number], i: number) => (numeric ? (r.config[first] as number) : i);
  const series = second ? [...new Set(results.map((r) => String(r.config[second])))] : [''];
  const lines: Line[] = [];
  series.forEach((value, s) => {
    const rs = results.map((r, i) => ({ r, x: xOf(r, i) })).filter(({ r }) => !second || String(r.config[second]) === value).sort((a, b) => a.x - b.x);
    const color = PALETTE[s % PALETTE.length];
    const name = second ? `${second}=${value}` : metric;
    const m = rs.map(({ r }) => r.metrics[metric]);
    const x = rs.map(({ x }) => x);
    lines.push({ label: name, x, y: m.map((v) => v?.mean ?? null), color, points: true });
    if (m.some((v) => v && v.sd !== null)) {
      lines.push({ label: `${name} + sd`, x, y: m.map((v) => (v && v.sd !== null ? v.mean + v.sd : null)), color, dash: true });
      lines.push({ label: `${name} − sd`, x, y: m.map((v) => (v && v.sd !== null ? v.mean - v.sd : null)), color, dash: true });
    }
  });
  const xs = numeric ? results.map((r) => r.config[first] as number) : [];
  const logX = xs.length > 1 && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) > 20;
  return { lines, x: numeric ? first : `${first} (configuration)`, logX };
}
