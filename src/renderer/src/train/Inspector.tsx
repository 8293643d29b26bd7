/**
 * The generated-weights inspector: a head's route and a context (task, sample, or the interpolation slider) in,
 * a heatmap of the generated weights and the prediction views out: for 1-D regression the predicted curve, for
 * classification the confusion matrix of the context's task and a few test images with their predicted labels.
 * Polls `run.inspect` every second while the run is going (one query answers all of them).
 */
import { useEffect, useRef, useState } from 'react';
import type { InspectContext, InspectResult, ProgramOutline } from '../../../shared/api/runs';
import { api } from '../api/client';
import { useUi } from '../store/ui';
import { LineChart } from './charts';
import { ConfusionMatrix, SamplePredictions } from './Predictions';

/** Diverging blue–white–red, centred on 0; `t` in [-1, 1]. */
function diverging(t: number): [number, number, number] {
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

  const context: InspectContext =
    t !== null && over
      ? { interpolate: over === 'task' ? { from: tasks[0] ?? 0, to: tasks[1] ?? tasks[0] ?? 0, t, over } : { from: 0, to: 1, t, over } }
      : byTask || !outline.contexts.sample
        ? { task }
        : { sample, task };
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
        {byTask ? (
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
        ) : outline.contexts.sample ? (
          <label>
            Sample{' '}
            <input type="number" min={0} value={sample} onChange={(e) => { setSample(Math.max(0, Number(e.target.value) || 0)); setT(null); }} style={{ width: 60 }} data-testid="inspect-sample" />
          </label>
        ) : null}
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
              {m.head} → {m.target} [{m.shape.join('×')}]{m.stride[0] > 1 || m.stride[1] > 1 ? ` (averaged ${m.stride[0]}×${m.stride[1]})` : ''}
            </div>
            <Heatmap rows={m.rows} cols={m.cols} values={m.values} />
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
        {result?.confusion && <ConfusionMatrix confusion={result.confusion} />}
      </div>
      {classified && <SamplePredictions predictions={classified} theme={theme} />}
      {result?.notes.length ? <div className="hn-train__muted">{result.notes.join(' ')}</div> : null}
    </div>
  );
}
