/**
 * The "Train" dock tab: run settings (prefilled from the document's training section, sent as overrides), run
 * controls, live loss and evaluation charts, the norm of each generated tensor over training, the
 * generated-weights inspector with the prediction views, the continual-learning accuracy matrix, failures with
 * resume-from-checkpoint (at a learning rate the user may lower), checkpoints and weight export, and the
 * document's run history (select one to view it, tick two to compare their loss curves).
 */
import { useEffect, useState } from 'react';
import type { CheckpointInfo, RunHistory, RunOverrides, RunSummary } from '../../../shared/api/runs';
import { Backend, OptimizerType } from '../../../shared/document/schema';
import { api } from '../api/client';
import { focusNode } from '../canvas/view';
import { currentText, documentTitle } from '../files';
import { useCompiled } from '../store/compiled';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { ema, LineChart, PALETTE, type Line } from './charts';
import { WeightsInspector } from './Inspector';
import { isFinal, listen, loadRun, refreshRuns, statusLabel, useTrain, views } from './store';
import './train.css';

/** The lists of the form, as the document schema declares them. */
const BACKENDS = Backend.options;
const OPTIMIZERS = OptimizerType.options;
const OPTIMIZER_LABELS: Record<OptimizerType, string> = { adam: 'Adam', sgd: 'SGD', rmsprop: 'RMSprop' };

interface Form {
  optimizer: OptimizerType;
  learningRate: string;
  batchSize: string;
  steps: string;
  seed: string;
  backend: Backend;
  /** Train the document's full-budget setting (`fullBudget`), when it has one. */
  fullBudget: boolean;
}

function formFromDoc(): Form {
  const tr = useEditor.getState().doc.training;
  const opt = tr.optimizer as { type: string; learningRate?: number };
  return {
    optimizer: OptimizerType.catch('adam').parse(opt.type),
    learningRate: String(opt.learningRate ?? 0.001),
    batchSize: String(tr.batchSize),
    steps: tr.steps !== undefined ? String(tr.steps) : '',
    seed: String(tr.seed),
    backend: tr.backend,
    fullBudget: false,
  };
}

function overridesOf(f: Form): RunOverrides {
  const o: RunOverrides = { optimizer: f.optimizer, backend: f.backend };
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const lr = num(f.learningRate);
  if (lr !== undefined && lr > 0) o.learningRate = lr;
  const bs = num(f.batchSize);
  if (bs !== undefined && Number.isInteger(bs) && bs >= 1) o.batchSize = bs;
  const st = num(f.steps);
  if (st !== undefined && Number.isInteger(st) && st >= 0) o.steps = st;
  const sd = num(f.seed);
  if (sd !== undefined && Number.isInteger(sd) && sd >= 0) o.seed = sd;
  if (f.fullBudget && useEditor.getState().doc.fullBudget) o.budget = 'full';
  return o;
}

/** How a compared run is named in a legend: its variant when it is a static twin, else the end of its id. */
function runLabel(id: string): string {
  const settings = views.get(id)?.summary?.settings;
  return `${settings?.variant === 'static' ? 'static twin' : 'run'} ${id.slice(-6)}`;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function fmtEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Loss per step, one series per task when several tasks were trained. */
function lossLines(h: RunHistory, smooth: boolean, prefix = '', dash = false, colorOffset = 0): Line[] {
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
function evalLines(h: RunHistory, metrics: string[]): { lines: Line[]; metric: string | null; splits: string } {
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
function normLines(h: RunHistory): { lines: Line[]; log: boolean } {
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

const FAILED = new Set(['diverged', 'crashed', 'failed', 'interrupted']);

/** Select a node the engine blamed and centre the canvas on it (as the Problems panel does), if it still exists. */
function showNode(id: string): void {
  const s = useEditor.getState();
  if (s.doc.nodes.some((n) => n.id === id)) s.setSelection(new Set([id]), new Set());
  focusNode(id);
}

/** The run's learning rate divided by ten: where a retry after a divergence starts. */
function lowerRate(summary: RunSummary | null | undefined): string {
  const lr = summary?.settings.optimizer.learningRate;
  return lr ? String(Number((lr / 10).toPrecision(3))) : '';
}

/**
 * Why the run ended badly, the node the engine blames (click to show it on the canvas), and the newest
 * checkpoint to continue from, optionally at a lower learning rate.
 */
function FailureCard(props: {
  status: string;
  error: RunHistory['error'];
  message: string | null;
  checkpoint: CheckpointInfo | undefined;
  summary: RunSummary | null | undefined;
  busy: boolean;
  onResume(cp: CheckpointInfo, overrides: RunOverrides): void;
}) {
  const { status, error: err, checkpoint } = props;
  const [rate, setRate] = useState(() => (status === 'diverged' ? lowerRate(props.summary) : ''));
  const runId = props.summary?.id;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the suggestion resets when the run or its status changes, not on each push of its summary (a new object every time), which would overwrite what the user typed
  useEffect(() => setRate(status === 'diverged' ? lowerRate(props.summary) : ''), [runId, status]);
  const lr = Number(rate);
  const rateOk = rate.trim() === '' || (Number.isFinite(lr) && lr > 0 && lr <= 10);
  return (
    <div className="hn-train__failure" role="alert" data-testid="train-failure">
      <div>
        <strong className="hn-train__failure-title">The run {status === 'failed' ? 'failed' : status === 'interrupted' ? 'was interrupted' : status}</strong>
        {err?.step !== undefined && <span> at step {err.step}</span>}
        {err?.node && (
          <>
            {' '}in node{' '}
            <button type="button" className="hn-train__link hn-train__node" onClick={() => showNode(err.node!)} title="Select this node on the canvas" data-testid="train-failure-node">
              {err.node}
              {err.port ? `.${err.port}` : ''}
            </button>
          </>
        )}
      </div>
      <div className="hn-train__failure-message" data-testid="train-failure-message">
        {err?.message ?? props.message ?? 'the run ended.'}
      </div>
      {checkpoint ? (
        <form
          className="hn-train__failure-resume"
          onSubmit={(e) => {
            e.preventDefault();
            if (rateOk) props.onResume(checkpoint, rate.trim() === '' ? {} : { learningRate: lr });
          }}
        >
          <label>
            Retry at learning rate{' '}
            <input
              value={rate}
              placeholder="as before"
              onChange={(e) => setRate(e.target.value)}
              inputMode="decimal"
              aria-invalid={!rateOk}
              data-testid="train-resume-lr"
            />
          </label>
          <button type="submit" className="hn-btn hn-btn--primary" disabled={props.busy || !rateOk} data-testid="train-resume-checkpoint">
            Resume from checkpoint (step {checkpoint.step})
          </button>
        </form>
      ) : (
        <div className="hn-train__muted">No checkpoint was kept before this; start a new run (with a lower learning rate if the loss diverged).</div>
      )}
    </div>
  );
}

function AccuracyMatrix({ h }: { h: RunHistory }) {
  const m = h.accuracyMatrix;
  if (!m || !m.length) return null;
  const higherBetter = /acc/i.test(h.metricName ?? '');
  const vals = m.flat().filter((v): v is number => v !== null);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const cols = Math.max(...m.map((r) => r.length));
  const tasks = h.start?.tasks ?? m.map((_, i) => i);
  return (
    <div className="hn-train__card">
      <div className="hn-train__card-title">Continual learning: {h.metricName ?? 'metric'} (row: after training task, column: task evaluated)</div>
      <table className="hn-train__matrix" data-testid="accuracy-matrix">
        <thead>
          <tr>
            <th />
            {Array.from({ length: cols }, (_, j) => (
              <th key={j}>task {tasks[j] ?? j}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.map((row, i) => (
            <tr key={i}>
              <th>after {tasks[i] ?? i}</th>
              {Array.from({ length: cols }, (_, j) => {
                const v = row[j] ?? null;
                let good = hi > lo && v !== null ? (v - lo) / (hi - lo) : 0.5;
                if (!higherBetter) good = 1 - good;
                const bg = v === null ? 'transparent' : `hsla(${Math.round(good * 120)}, 70%, 45%, 0.35)`;
                return (
                  <td key={j} style={{ background: bg }}>
                    {v === null ? '–' : v.toPrecision(3)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <TaskInference metrics={h.done?.metrics} />
    </div>
  );
}

/** training.continual.taskInference's metrics (HNET+ENT), under the matrix once the run is done. */
function TaskInference({ metrics }: { metrics?: Record<string, number> }) {
  if (!metrics || metrics.accuracy_cl3 === undefined) return null;
  const parts: [string, string, string][] = [
    ['accuracy_cl1', 'CL1', 'task given'],
    ['accuracy_cl2', 'CL2', 'class right with the inferred task'],
    ['accuracy_cl3', 'CL3', 'task and class right'],
    ['task_inferred', 'task inferred', 'the lowest-entropy task is the true one'],
  ];
  return (
    <div className="hn-train__muted" data-testid="task-inference">
      Task inference (lowest entropy, HNET+ENT):{' '}
      {parts.map(([key, label, title], i) => (
        <span key={key} title={title}>
          {i ? ' · ' : ''}
          {label} {metrics[key]?.toPrecision(3) ?? '–'}
        </span>
      ))}
    </div>
  );
}

function RunHistoryList({ runs, current, compare }: { runs: RunSummary[]; current: string | null; compare: string[] }) {
  const set = useTrain((s) => s.set);
  return (
    <div className="hn-train__card" data-testid="run-history">
      <div className="hn-train__card-title">
        Runs <button type="button" className="hn-train__link" onClick={() => void refreshRuns()}>refresh</button>
      </div>
      {runs.length === 0 && <div className="hn-train__muted">No runs yet.</div>}
      <ul className="hn-train__runs">
        {runs.map((r) => {
          const metrics = Object.entries(r.metrics).filter(([k]) => !k.includes('/')).slice(0, 2);
          // A run still going follows its pushes (queue position, started); the listing is refreshed when it ends.
          const pushed = isFinal(r.status) ? undefined : views.get(r.id)?.history;
          const st = pushed?.status ?? r.status;
          const position = st === 'queued' ? (pushed ? pushed.queuePosition : r.queuePosition) : undefined;
          return (
            <li key={r.id} className={r.id === current ? 'is-current' : ''} data-run-id={r.id} data-status={st}>
              <input
                type="checkbox"
                aria-label={`Compare ${r.id}`}
                checked={compare.includes(r.id)}
                onChange={(e) => {
                  const next = e.target.checked ? [...compare.filter((x) => x !== r.id), r.id].slice(-2) : compare.filter((x) => x !== r.id);
                  set({ compare: next });
                  for (const id of next) void loadRun(id);
                }}
                data-testid="run-compare"
              />
              <button type="button" className="hn-train__run" onClick={() => { set({ current: r.id }); void loadRun(r.id); }} data-testid="run-select">
                <span className={`hn-train__status is-${st}`} data-testid="run-status">
                  {statusLabel(st, position)}
                </span>
                {r.settings.variant === 'static' && (
                  <span className="hn-train__badge" title="The same target network with ordinary weights instead of generated ones" data-testid="run-static-twin">
                    static twin
                  </span>
                )}
                {r.settings.budget === 'full' && <span className="hn-train__badge">full budget</span>}
                <span>{new Date(r.startedAt).toLocaleString()}</span>
                <span className="hn-train__muted">
                  {r.status === 'running' || r.status === 'paused' ? (views.get(r.id)?.history.lastStep ?? r.step) : r.step}
                  {r.totalSteps ? `/${r.totalSteps}` : ''} steps
                </span>
                {metrics.map(([k, v]) => (
                  <span key={k} className="hn-train__muted">
                    {k} {v.toPrecision(3)}
                  </span>
                ))}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export default function TrainPanel() {
  const { runs, current, compare } = useTrain();
  useTrain((s) => s.tick);
  const theme = useUi((s) => s.theme);
  const training = useEditor((s) => s.doc.training);
  const fullBudget = useEditor((s) => s.doc.fullBudget);
  const generates = (useCompiled().result.budget?.generated ?? 0) > 0;
  const [form, setForm] = useState<Form>(formFromDoc);
  const [log, setLog] = useState(false);
  const [smooth, setSmooth] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [checkpoints, setCheckpoints] = useState<CheckpointInfo[]>([]);
  const [exported, setExported] = useState<string | null>(null);
  const [showInspector, setShowInspector] = useState(false);

  useEffect(() => {
    listen();
    void refreshRuns();
  }, []);
  // The form follows the document's training section when that changes.
  const trainingKey = JSON.stringify(training);
  useEffect(() => setForm(formFromDoc()), [trainingKey]);

  const view = current ? views.get(current) : undefined;
  const h = view?.history;
  const status = h?.status ?? null;
  const running = status === 'running' || status === 'paused';
  /** Waiting for a free slot: Stop takes it out of the queue; nothing else applies yet. */
  const queued = status === 'queued';
  const total = h?.start?.totalSteps ?? view?.summary?.totalSteps ?? null;
  const backendName = h?.start?.backend ?? view?.summary?.backend ?? null;

  useEffect(() => {
    setExported(null);
    if (!current || !status || !isFinal(status)) return setCheckpoints([]);
    api.invoke('run.checkpoints', { runId: current }).then(setCheckpoints, () => setCheckpoints([]));
  }, [current, status]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  /**
   * Run the graph, or its static twin: the same target network with ordinary weights, same data, budget and
   * seed. The twin is compared with the run shown when it started (the hypernetwork it is the twin of).
   */
  const start = (variant: 'hypernetwork' | 'static' = 'hypernetwork') =>
    act(async () => {
      listen();
      const before = current;
      const { runId } = await api.invoke('run.start', {
        documentText: currentText(),
        handle: useEditor.getState().file.handle,
        name: documentTitle(),
        overrides: { ...overridesOf(form), ...(variant === 'static' ? { variant } : {}) },
      });
      const pair = variant === 'static' && before ? [before, runId] : null;
      useTrain.getState().set({ current: runId, ...(pair ? { compare: pair } : {}) });
      void refreshRuns();
      await Promise.all((pair ?? [runId]).map((id) => loadRun(id)));
    });

  const pauseResume = () =>
    act(async () => {
      if (!current || !h) return;
      const r = status === 'paused' ? await api.invoke('run.resume', { runId: current }) : await api.invoke('run.pause', { runId: current });
      h.status = r.status;
      useTrain.setState((s) => ({ tick: s.tick + 1 }));
    });

  const stop = () => act(async () => current && (await api.invoke('run.stop', { runId: current })));

  const resumeFrom = (cp: CheckpointInfo, overrides?: RunOverrides) =>
    act(async () => {
      if (!current) return;
      const { runId } = await api.invoke('run.resume', { runId: current, checkpoint: cp.name, ...(overrides ? { overrides } : {}) });
      useTrain.getState().set({ current: runId });
      void refreshRuns();
      await loadRun(runId);
    });

  const exportWeights = () =>
    act(async () => {
      if (!current) return;
      const r = await api.invoke('run.exportWeights', { runId: current, saveAs: useUi.getState().mode === 'electron' });
      setExported(`${r.savedTo ?? r.dir} (${r.files.join(', ')}, step ${r.step})`);
    });

  const field = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const compared = compare.map((id) => views.get(id)).filter((v) => v !== undefined);
  const comparing = compare.length === 2 && compared.length === 2;
  const loss: Line[] = comparing
    ? compared.flatMap((v, i) => lossLines(v.history, smooth, `${runLabel(compare[i])} `, i === 1, i * 3))
    : h
      ? lossLines(h, smooth)
      : [];
  const ev = h ? evalLines(h, view?.outline?.metrics ?? []) : { lines: [], metric: null, splits: '' };
  const lossToggles = (
    <span className="hn-chart__actions">
      <label className="hn-train__toggle">
        <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="train-log" /> log scale
      </label>
      <label className="hn-train__toggle">
        <input type="checkbox" checked={smooth} onChange={(e) => setSmooth(e.target.checked)} data-testid="train-smooth" /> smooth
      </label>
    </span>
  );
  const norms = h ? normLines(h) : { lines: [], log: false };

  return (
    <div className="hn-train" data-testid="train-panel">
      <div className="hn-train__side">
        <form
          className="hn-train__form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <label>
            Optimizer
            <select value={form.optimizer} onChange={(e) => field('optimizer', e.target.value as Form['optimizer'])} data-testid="train-optimizer">
              {OPTIMIZERS.map((o) => (
                <option key={o} value={o}>
                  {OPTIMIZER_LABELS[o]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Learning rate
            <input value={form.learningRate} onChange={(e) => field('learningRate', e.target.value)} inputMode="decimal" data-testid="train-lr" />
          </label>
          <label>
            Batch size
            <input value={form.batchSize} onChange={(e) => field('batchSize', e.target.value)} inputMode="numeric" data-testid="train-batch" />
          </label>
          <label>
            Steps{training.schedule === 'sequential' ? ' / task' : ''}
            <input value={form.steps} placeholder="epochs" onChange={(e) => field('steps', e.target.value)} inputMode="numeric" data-testid="train-steps" />
          </label>
          <label>
            Seed
            <input value={form.seed} onChange={(e) => field('seed', e.target.value)} inputMode="numeric" data-testid="train-seed" />
          </label>
          <label>
            Backend
            <select value={form.backend} onChange={(e) => field('backend', e.target.value as Form['backend'])} data-testid="train-backend">
              {BACKENDS.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
          {fullBudget && (
            <label className="hn-train__check" title={fullBudget.note || "The document's full-budget setting"}>
              <input type="checkbox" checked={form.fullBudget} onChange={(e) => field('fullBudget', e.target.checked)} data-testid="train-full-budget" /> Full budget
              {fullBudget.note && <span className="hn-train__muted"> — {fullBudget.note}</span>}
            </label>
          )}
          <div className="hn-train__buttons">
            <button type="submit" className="hn-btn hn-btn--primary" disabled={busy || running || queued} data-testid="train-start">
              Run
            </button>
            <button type="button" className="hn-btn" disabled={busy || !running} onClick={() => void pauseResume()} data-testid="train-pause">
              {status === 'paused' ? 'Resume' : 'Pause'}
            </button>
            <button
              type="button"
              className="hn-btn"
              disabled={busy || !(running || queued)}
              onClick={() => void stop()}
              title={queued ? 'Take the run out of the queue (it never starts)' : undefined}
              data-testid="train-stop"
            >
              Stop
            </button>
          </div>
          <button
            type="button"
            className="hn-btn"
            disabled={busy || running || queued || !generates}
            onClick={() => void start('static')}
            title={
              generates
                ? 'Train the same target network with ordinary weights instead of generated ones (same data, budget and seed) and compare it with the run shown'
                : 'This graph generates no weights: its static twin would be the graph itself'
            }
            data-testid="train-static-twin"
          >
            Train static twin
          </button>
        </form>
        {error && <div className="hn-train__error">{error}</div>}
        <RunHistoryList runs={runs} current={current} compare={compare} />
      </div>
      <div className="hn-train__main">
        {h ? (
          <>
            <div className="hn-train__stats">
              <span className={`hn-train__status is-${status}`} data-testid="train-status" data-status={status ?? ''}>
                {status ? statusLabel(status, h.queuePosition) : ''}
              </span>
              <span data-testid="train-step" data-step={h.lastStep}>
                {h.lastStep}
                {total ? ` / ${total}` : ''}
              </span>
              <span className="hn-train__muted">{running ? `${h.stepsPerSecond.toFixed(1)} steps/s` : ''}</span>
              <span className="hn-train__muted">{running ? `ETA ${fmtEta(h.etaSeconds)}` : ''}</span>
              {backendName && <span className="hn-train__badge" data-testid="train-backend-badge">{backendName}</span>}
              <span className="hn-train__spacer" />
              {view?.outline && !queued && (
                <button type="button" className="hn-btn" onClick={() => setShowInspector((v) => !v)} aria-pressed={showInspector} data-testid="train-inspect">
                  {showInspector ? 'Hide inspector' : view.outline.hasPrediction ? 'Inspect weights & predictions' : 'Inspect weights'}
                </button>
              )}
            </div>
            {status && FAILED.has(status) && (
              <FailureCard
                status={status}
                error={h.error}
                message={view?.message ?? null}
                checkpoint={checkpoints[0]}
                summary={view?.summary}
                busy={busy}
                onResume={(cp, o) => void resumeFrom(cp, o)}
              />
            )}
            <div className="hn-train__charts">
              <LineChart testId="loss-chart" title={comparing ? 'Loss (comparing two runs)' : 'Loss'} lines={loss} log={log} theme={theme} actions={lossToggles} />
              {!comparing && ev.lines.length > 0 && <LineChart testId="eval-chart" title={`Evaluation: ${ev.metric}${ev.splits ? ` (${ev.splits})` : ''}`} lines={ev.lines} theme={theme} />}
              {!comparing && norms.lines.length > 0 && (
                <LineChart
                  testId="weight-norms-chart"
                  title={`Norm of each generated tensor${norms.log ? ' (log scale)' : ''}`}
                  lines={norms.lines}
                  log={norms.log}
                  legend="names"
                  theme={theme}
                />
              )}
            </div>
            {showInspector && view?.outline && current && <WeightsInspector runId={current} outline={view.outline} running={running} />}
            <AccuracyMatrix h={h} />
            {status && isFinal(status) && (
              <div className="hn-train__card" data-testid="train-checkpoints">
                <div className="hn-train__card-title">
                  Checkpoints{' '}
                  <button type="button" className="hn-btn" disabled={busy || checkpoints.length === 0} onClick={() => void exportWeights()} data-testid="train-export">
                    Export weights
                  </button>
                </div>
                {exported && (
                  <div className="hn-train__muted" data-testid="train-exported">
                    Written to {exported}
                  </div>
                )}
                <ul className="hn-train__cps">
                  {checkpoints.map((c) => (
                    <li key={c.name}>
                      step {c.step} · {new Date(c.savedAt).toLocaleTimeString()} · {(c.bytes / 1024).toFixed(0)} KB{' '}
                      <button type="button" className="hn-train__link" onClick={() => void resumeFrom(c)}>
                        resume from here
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        ) : comparing ? (
          <LineChart testId="loss-chart" title="Loss (comparing two runs)" lines={loss} log={log} theme={theme} actions={lossToggles} />
        ) : (
          <div className="hn-train__muted hn-train__empty">Set the training options and press Run. The run trains a snapshot of the document; you can keep editing.</div>
        )}
      </div>
    </div>
  );
}
