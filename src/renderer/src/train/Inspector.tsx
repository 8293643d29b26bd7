/**
 * The generated-weights inspector: a head's route and a context (task, test sample, or the interpolation slider)
 * in, the generated weights (a heatmap, or a convolution kernel's filters as a grid of tiles) and the prediction
 * views out: for 1-D regression the predicted curve, for classification the confusion matrix of the context's task
 * and test images from the chosen one on with their predicted labels, for a coordinate network (SIREN) its
 * reconstruction of the chosen image. Polls `run.inspect` every second while the run is going (one query answers
 * all of them).
 */
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { GeneratedMatrix, InspectContext, InspectResult, ProgramOutline } from '../../../shared/api/runs';
import { api } from '../api/client';
import { useUi } from '../store/ui';
import { LineChart } from './charts';
import { ConfusionMatrix, Reconstruction, SamplePredictions } from './Predictions';

/** Diverging blue–white–red, centred on 0; `t` in [-1, 1]. */
export function diverging(t: number): [number, number, number] {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [37, 99, 235] : [220, 38, 38];
  return [Math.round(255 + (r - 255) * a), Math.round(255 + (g - 255) * a), Math.round(255 + (b - 255) * a)];
}

export function Heatmap({ rows, cols, values }: { rows: number; cols: number; values: number[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  useEffect(() => {
    const c = ref.current;
    if (!c || rows === 0 || cols === 0) return;
    c.width = cols;
    c.height = rows;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) {
      const [r, g, b] = diverging((values[i] ?? 0) / span);
      img.data[i * 4] = r;
      img.data[i * 4 + 1] = g;
      img.data[i * 4 + 2] = b;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    setDrawn(rows * cols);
  }, [rows, cols, values, span]);
  return (
    <div className="hn-heatmap">
      <canvas ref={ref} data-testid="weights-heatmap" data-cells={drawn} className="hn-heatmap__canvas" style={{ height: Math.min(240, Math.max(36, rows * 10)) }} />
      <div className="hn-heatmap__legend">
        <span>{Number.isFinite(lo) ? lo.toPrecision(3) : '–'}</span>
        <span className="hn-heatmap__ramp" />
        <span>{Number.isFinite(hi) ? hi.toPrecision(3) : '–'}</span>
      </div>
    </div>
  );
}

type Filters = NonNullable<GeneratedMatrix['filters']>;

/** Pixels between two tiles of the filter grid. */
const TILE_GAP = 2;
const TILE_GAP_COLOR = '#7c8390';

/**
 * Where the tiles of a kernel go: one row per output filter and one column per input channel, or, with a single
 * input channel, the filters wrapped eight to a row.
 */
function tileLayout(f: Filters): { rows: number; cols: number; at: (o: number, c: number) => [number, number] } {
  if (f.shownIn > 1) return { rows: f.shownOut, cols: f.shownIn, at: (o, c) => [o, c] };
  const cols = Math.min(8, f.shownOut);
  return { rows: Math.ceil(f.shownOut / cols), cols, at: (o) => [Math.floor(o / cols), o % cols] };
}

/**
 * A generated convolution kernel as a grid of its filters, every tile on one colour scale symmetric around 0 (the
 * largest magnitude shown sets both ends), so tiles compare with each other and the sign reads off the colour.
 */
export function FilterGrid({ filters: f }: { filters: Filters }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(0);
  const [kh, kw] = f.kernel;
  const { rows, cols, at } = tileLayout(f);
  let span = 0;
  for (const v of f.values) span = Math.max(span, Math.abs(v));
  // Integer scale for crisp taps, as large as fits about 480 px across.
  const scale = Math.max(1, Math.min(8, Math.floor(480 / (cols * (kw + TILE_GAP)))));
  const tileW = kw * scale + TILE_GAP;
  const tileH = kh * scale + TILE_GAP;
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = cols * tileW - TILE_GAP;
    c.height = rows * tileH - TILE_GAP;
    // Mid-grey gaps between tiles, in either theme: the ramp's white centre (taps near 0) needs a frame that
    // neither the light panel nor a theme's faint border gives.
    ctx.fillStyle = TILE_GAP_COLOR;
    ctx.fillRect(0, 0, c.width, c.height);
    const tap = kh * kw;
    let n = 0;
    for (let o = 0; o < f.shownOut; o++)
      for (let ch = 0; ch < f.shownIn; ch++) {
        const [r, q] = at(o, ch);
        const base = (o * f.shownIn + ch) * tap;
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            const [red, green, blue] = diverging((f.values[base + y * kw + x] ?? 0) / (span || 1));
            ctx.fillStyle = `rgb(${red},${green},${blue})`;
            ctx.fillRect(q * tileW + x * scale, r * tileH + y * scale, scale, scale);
          }
        n++;
      }
    setDrawn(n);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `at` follows from f, rows and cols
  }, [f, rows, cols, tileW, tileH, kh, kw, scale, span]);
  const [title, setTitle] = useState('');
  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const c = e.currentTarget;
    const box = c.getBoundingClientRect();
    const q = Math.floor(((e.clientX - box.left) * (c.width / box.width)) / tileW);
    const r = Math.floor(((e.clientY - box.top) * (c.height / box.height)) / tileH);
    const [o, ch] = f.shownIn > 1 ? [r, q] : [r * cols + q, 0];
    setTitle(o < f.shownOut && ch < f.shownIn ? `filter ${o}${f.inChannels > 1 ? `, input channel ${ch}` : ''}` : '');
  };
  const partial = f.shownOut < f.outChannels || f.shownIn < f.inChannels;
  return (
    <div className="hn-filters" data-testid="filter-grid" data-tiles={drawn} data-rows={rows} data-cols={cols} data-span={span}>
      <div className="hn-train__muted">
        {f.inChannels > 1
          ? `${f.shownOut} filters (rows) × ${f.shownIn} input channels (columns), ${kh}×${kw} each`
          : `${f.shownOut} filters, ${kh}×${kw} each`}
        {partial ? ` (the first of ${f.outChannels} × ${f.inChannels})` : ''}
      </div>
      <canvas
        ref={ref}
        className="hn-filters__canvas"
        title={title}
        onMouseMove={onMove}
        role="img"
        aria-label={`generated convolution kernel: ${f.outChannels} filters of ${f.inChannels} input channels, ${kh}×${kw}, values from ${(-span).toPrecision(3)} to ${span.toPrecision(3)}`}
      />
      <div className="hn-heatmap__legend" data-testid="filter-legend">
        <span>{(-span).toPrecision(3)}</span>
        <span className="hn-heatmap__ramp" />
        <span>0</span>
        <span className="hn-heatmap__ramp" />
        <span>{span.toPrecision(3)}</span>
      </div>
    </div>
  );
}

/**
 * The test sample the per-sample views show: a number within the test split (`samples` of them, once the first
 * answer says how many) and a step back and forward.
 */
function SamplePicker({ sample, samples, unit, onChange }: { sample: number; samples: number | null; unit: string; onChange: (i: number) => void }) {
  const last = samples === null ? null : Math.max(0, samples - 1);
  const clamp = (i: number) => Math.max(0, last === null ? i : Math.min(last, i));
  return (
    <span className="hn-train__picker" role="group" aria-label={`${unit} to show`}>
      <label>
        {unit}{' '}
        <input
          type="number"
          min={0}
          max={last ?? undefined}
          value={sample}
          onChange={(e) => onChange(clamp(Math.floor(Number(e.target.value) || 0)))}
          style={{ width: 64 }}
          data-testid="inspect-sample"
        />
      </label>
      <span className="hn-train__muted" data-testid="inspect-sample-count">
        {samples === null ? '' : `of ${samples}`}
      </span>
      <button type="button" className="hn-btn hn-btn--small" onClick={() => onChange(clamp(sample - 1))} disabled={sample <= 0} aria-label={`previous ${unit}`} data-testid="inspect-sample-prev">
        ‹
      </button>
      <button
        type="button"
        className="hn-btn hn-btn--small"
        onClick={() => onChange(clamp(sample + 1))}
        disabled={last !== null && sample >= last}
        aria-label={`next ${unit}`}
        data-testid="inspect-sample-next"
      >
        ›
      </button>
    </span>
  );
}

const digest = (xs: number[]) => xs.slice(0, 4).map((v) => v.toFixed(4)).join(',');

export function WeightsInspector({ runId, outline, running }: { runId: string; outline: ProgramOutline; running: boolean }) {
  const theme = useUi((s) => s.theme);
  const routes = outline.heads.flatMap((h) => h.routes.map((r) => ({ head: h.head, target: r.target, key: `${h.head}|${r.target}` })));
  const [route, setRoute] = useState(routes[0]?.key ?? '');
  const tasks = outline.taskList.length ? outline.taskList : Array.from({ length: Math.max(1, outline.tasks) }, (_, i) => i);
  const byTask = outline.contexts.task && tasks.length > 1;
  const [task, setTask] = useState(tasks[0] ?? 0);
  const [sample, setSample] = useState(0);
  const [t, setT] = useState<number | null>(null);
  const [result, setResult] = useState<InspectResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Answers received so far (tests wait on it rather than on time). */
  const [answers, setAnswers] = useState(0);
  const over = outline.interpolation;
  const classifier = outline.kind === 'classification' && outline.hasPrediction;
  const chosen = routes.find((r) => r.key === route) ?? routes[0];
  // A sample matters when the weights depend on it, and for the views of one sample (classified test images).
  const bySample = outline.contexts.sample || classifier;

  const context: InspectContext =
    t !== null && over
      ? { interpolate: over === 'task' ? { from: tasks[0] ?? 0, to: tasks[1] ?? tasks[0] ?? 0, t, over } : { from: 0, to: 1, t, over } }
      : bySample
        ? { sample, task }
        : { task };
  const key = JSON.stringify([runId, chosen?.key, context]);

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const ask = async () => {
      try {
        const r = await api.invoke('run.inspect', {
          runId,
          ...(chosen ? { head: chosen.head, target: chosen.target } : {}),
          context,
          weights: true,
          predictions: outline.hasPrediction,
          confusion: classifier,
          maxSide: 64,
        });
        if (alive) {
          setResult(r);
          setError(null);
          setAnswers((n) => n + 1);
        }
      } catch (e) {
        if (alive) setError(e instanceof Error ? e.message : String(e));
      }
      if (alive && running) timer = setTimeout(() => void ask(), 1000);
    };
    void ask();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for runId, the route and the context (a new object each render): the poll restarts when what it asks changes, not on every render
  }, [key, running]);

  const m = result?.weights[0];
  const pred = result?.predictions?.kind === 'curve' ? result.predictions : null;
  const classified = result?.predictions?.kind === 'classes' ? result.predictions : null;
  return (
    <div className="hn-train__inspector" data-testid="weights-inspector" data-answers={answers}>
      <div className="hn-train__row">
        <label>
          Route{' '}
          <select value={chosen?.key ?? ''} onChange={(e) => setRoute(e.target.value)} data-testid="inspect-route">
            {routes.map((r) => (
              <option key={r.key} value={r.key}>
                {r.head} → {r.target}
              </option>
            ))}
          </select>
        </label>
        {byTask && (
          <label>
            Task{' '}
            <select value={task} onChange={(e) => { setTask(Number(e.target.value)); setT(null); }} data-testid="inspect-task">
              {tasks.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
        )}
        {bySample && (
          <SamplePicker
            sample={sample}
            samples={result && result.context.task === task ? result.context.samples : null}
            unit={outline.contextVector ? 'Wave' : 'Test sample'}
            onChange={(i) => {
              setSample(i);
              setT(null);
            }}
          />
        )}
        {over && (
          <label className="hn-train__slider">
            {over === 'task' ? `task ${tasks[0]}` : 'sample 0'}
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={t ?? 0}
              onChange={(e) => setT(Number(e.target.value))}
              data-testid="context-slider"
              aria-label="Interpolate between two contexts"
            />
            {over === 'task' ? `task ${tasks[1] ?? tasks[0]}` : 'sample 1'}
          </label>
        )}
        <span className="hn-train__muted" data-testid="inspect-source" data-source={result?.source} data-step={result?.step}>
          {result ? `${result.source} · step ${result.step} · ${result.context.description}` : 'Loading…'}
        </span>
      </div>
      {error && <div className="hn-train__error">{error}</div>}
      <div className="hn-train__inspect-body">
        {m ? (
          <div className="hn-train__weights">
            <div className="hn-train__muted">
              {m.head} → {m.target} [{m.shape.join('×')}]{!m.filters && (m.stride[0] > 1 || m.stride[1] > 1) ? ` (averaged ${m.stride[0]}×${m.stride[1]})` : ''}
            </div>
            {m.filters ? <FilterGrid filters={m.filters} /> : <Heatmap rows={m.rows} cols={m.cols} values={m.values} />}
          </div>
        ) : (
          <div className="hn-train__muted hn-train__weights">No generated weights for this context.</div>
        )}
        {pred && (
          <div className="hn-train__pred" data-testid="predictions" data-pred={digest(pred.predicted)}>
            <LineChart
              title="Prediction"
              xLabel="x"
              height={150}
              theme={theme}
              lines={[
                { label: 'predicted', x: pred.x, y: pred.predicted },
                ...pred.truth.map((tr, i) => ({ label: tr.label || `true ${i}`, x: tr.x, y: tr.y, color: i ? '#059669' : '#e58a00', points: true, dash: true })),
              ]}
            />
          </div>
        )}
        {result?.predictions?.kind === 'image' && <Reconstruction image={result.predictions} />}
        {result?.confusion && <ConfusionMatrix confusion={result.confusion} />}
      </div>
      {classified && <SamplePredictions predictions={classified} theme={theme} onPick={bySample && t === null ? setSample : undefined} />}
      {result?.notes.length ? <div className="hn-train__muted">{result.notes.join(' ')}</div> : null}
    </div>
  );
}
