/**
 * Small uPlot wrappers for the training dashboard. The plot is made once per option set and fed new data with
 * `setData` (the dashboard re-renders at most about 10 times a second), so thousands of points stay smooth.
 * The container carries `data-points` (length of the x series) and `data-series` (lines drawn) so tests can see what was drawn.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const PALETTE = ['#4f46e5', '#e58a00', '#059669', '#db2777', '#0284c7', '#7c3aed', '#d92d20', '#64748b'];

export interface Line {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  color?: string;
  dash?: boolean;
  points?: boolean;
}

/** Put several series on one shared, sorted x axis (null where a series has no point). */
export function align(lines: Line[]): uPlot.AlignedData {
  if (lines.length === 1) return [Array.from(lines[0].x), Array.from(lines[0].y)];
  const xs = new Set<number>();
  for (const l of lines) for (let i = 0; i < l.x.length; i++) xs.add(l.x[i]);
  const x = [...xs].sort((a, b) => a - b);
  const at = new Map<number, number>();
  x.forEach((v, i) => at.set(v, i));
  const ys = lines.map((l) => {
    const y = new Array<number | null>(x.length).fill(null);
    for (let i = 0; i < l.x.length; i++) y[at.get(l.x[i])!] = l.y[i];
    return y;
  });
  return [x, ...ys];
}

/** Exponential moving average that skips nulls. */
export function ema(y: ArrayLike<number | null>, alpha = 0.05): (number | null)[] {
  const out = new Array<number | null>(y.length);
  let m: number | null = null;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    m = m === null ? v : m + alpha * (v - m);
    out[i] = m;
  }
  return out;
}

/**
 * Width of a y axis from its longest tick label (uPlot's own recipe), so that "1,000,000" is not cut off and
 * "0.5" does not waste room. uPlot calls it again as labels change (`cycleNum` > 1 keeps the last answer).
 */
const yAxisSize: uPlot.Axis.Size = (self, values, axisIdx, cycleNum) => {
  const axis = self.axes[axisIdx] as uPlot.Axis & { _size?: number; font?: string | [string] };
  if (cycleNum > 1 && axis._size) return axis._size;
  const longest = (values ?? []).reduce((a, v) => (v && v.length > a.length ? v : a), '');
  let size = (axis.ticks && typeof axis.ticks === 'object' && axis.ticks.size !== undefined ? axis.ticks.size : 10) + (axis.gap ?? 5);
  if (longest) {
    self.ctx.font = Array.isArray(axis.font) ? axis.font[0] : (axis.font ?? '12px system-ui');
    size += self.ctx.measureText(longest).width / devicePixelRatio;
  }
  return Math.max(32, Math.ceil(size) + 4);
};

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function LineChart(props: {
  lines: Line[];
  testId?: string;
  log?: boolean;
  /** A logarithmic x axis (a learning-rate sweep). */
  logX?: boolean;
  height?: number;
  xLabel?: string;
  title?: string;
  theme?: string;
  /**
   * Show the legend: `true` with the values under the cursor, `'names'` with the series names only (many series);
   * default: `true` when there are several series.
   */
  legend?: boolean | 'names';
  /** Controls shown at the right of the title (e.g. the loss chart's log-scale and smoothing toggles). */
  actions?: ReactNode;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { lines, log = false, logX = false, height = 160, theme, legend = lines.length > 1 } = props;
  const signature = `${lines.map((l) => `${l.label}|${l.color}|${l.dash}|${l.points}`).join(';')}|${log}|${logX}|${height}|${theme}|${legend}`;
  const data = align(lines.length ? lines : [{ label: '', x: [], y: [] }]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = { stroke: cssVar('--text-muted', '#6b7383'), grid: { stroke: 'rgba(128, 128, 128, 0.18)', width: 1 }, ticks: { stroke: 'rgba(128, 128, 128, 0.3)' } };
    const opts: uPlot.Options = {
      width: Math.max(160, el.clientWidth),
      height,
      legend: { show: legend !== false, live: legend !== 'names' },
      cursor: { drag: { x: true, y: false } },
      scales: { x: logX ? { time: false, distr: 3 } : { time: false }, y: log ? { distr: 3 } : {} },
      axes: [{ ...axis }, { ...axis, size: yAxisSize }],
      series: [
        { label: props.xLabel ?? 'step' },
        ...lines.map((l, i) => ({
          label: l.label,
          stroke: l.color ?? PALETTE[i % PALETTE.length],
          width: 1.5,
          dash: l.dash ? [4, 4] : undefined,
          spanGaps: true,
          points: { show: l.points ?? false, size: 5 },
        })),
      ],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(160, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- made again only when the series or options change (`signature`); new data goes through setData below
  }, [signature]);

  useEffect(() => {
    const positive = (s: ArrayLike<number | null | undefined>) => Array.from(s, (v) => (v !== null && v !== undefined && v > 0 ? v : null));
    plot.current?.setData(log ? ([data[0], ...data.slice(1).map(positive)] as uPlot.AlignedData) : data);
  });

  return (
    <div className="hn-chart" data-testid={props.testId} data-points={data[0].length} data-series={lines.length}>
      {(props.title || props.actions) && (
        <div className="hn-chart__title">
          <span className="hn-chart__name">{props.title}</span>
          {props.actions}
        </div>
      )}
      <div ref={host} />
    </div>
  );
}
