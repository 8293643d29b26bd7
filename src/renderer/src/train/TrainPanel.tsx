/**
 * The "Train" dock tab: run settings (prefilled from the document's training section, sent as overrides), run
 * controls, live loss and evaluation charts, the norm of each generated tensor over training, the
 * generated-weights inspector with the prediction views, the continual-learning accuracy matrix, failures with
 * resume-from-checkpoint (at a learning rate the user may lower), checkpoints and weight export, and the
 * document's run history (select one to view it, tick two to compare their loss curves).
 *
 * This file holds the tab's state and its requests; the parts are their own components (RunSettingsForm,
 * RunHistoryList, FailureCard, AccuracyMatrix, CheckpointsCard), the form's logic is ./form.ts and the chart
 * series ./series.ts.
 */
import { useEffect, useState } from 'react';
import { runDisplayName, type CheckpointInfo, type RunOverrides } from '../../../shared/api/runs';
import type { SweepSpec } from '../../../shared/sweep';
import { api } from '../api/client';
import { currentText, documentTitle, runsPlace } from '../files';
import { useCompiled } from '../store/compiled';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { AccuracyMatrix } from './AccuracyMatrix';
import { CheckpointsCard } from './CheckpointsCard';
import { LineChart, type Line } from './charts';
import type { FailedStatus } from './failure';
import { FailureCard } from './FailureCard';
import { formForBudget, formFromTraining, formProblems, overridesOf, type FormContext, type RunForm } from './form';
import { WeightsInspector } from './Inspector';
import { QueueCard } from './QueueCard';
import { RunsTable } from './RunsTable';
import { RunSettingsForm } from './RunSettingsForm';
import { compareEvalLines, evalLines, lossLines, normLines } from './series';
import { SweepForm } from './SweepForm';
import { SweepResults } from './SweepResults';
import { isFinal, listen, loadRun, refreshRuns, statusLabel, useTrain, views } from './store';
import './train.css';

/** The form as the document's training section sets it now. */
const formFromDoc = (): RunForm => formFromTraining(useEditor.getState().doc.training);

/** How an overlaid run is named in a legend: as the runs table names it (with its static-twin badge). */
function runLabel(id: string): string {
  const summary = useTrain.getState().runs.find((r) => r.id === id) ?? views.get(id)?.summary;
  const name = summary ? runDisplayName(summary) : `run ${id.slice(-6)}`;
  return summary?.settings.variant === 'static' ? `${name} static twin` : name;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function fmtEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const FAILED = new Set<string>(['diverged', 'crashed', 'failed', 'interrupted'] satisfies FailedStatus[]);
const isFailed = (s: string | null): s is FailedStatus => s !== null && FAILED.has(s);

export default function TrainPanel() {
  const { runs, current, compare, group } = useTrain();
  useTrain((s) => s.tick);
  const theme = useUi((s) => s.theme);
  const training = useEditor((s) => s.doc.training);
  const fullBudget = useEditor((s) => s.doc.fullBudget);
  const compiled = useCompiled().result;
  const generates = (compiled.budget?.generated ?? 0) > 0;
  /** The dataset's tasks: the schedule and task order are settings only when there are several. */
  const taskCount = compiled.program?.data.tasks ?? 1;
  const [form, setForm] = useState<RunForm>(formFromDoc);
  const [log, setLog] = useState(false);
  const [smooth, setSmooth] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [checkpoints, setCheckpoints] = useState<CheckpointInfo[]>([]);
  const [exported, setExported] = useState<string | null>(null);
  const [showInspector, setShowInspector] = useState(false);

  // Another document (or the same one saved as a file) has other runs.
  const session = useEditor((s) => s.session);
  const handle = useEditor((s) => s.file.handle);
  useEffect(() => {
    listen();
    void refreshRuns();
  }, [session, handle]);
  useEffect(() => {
    // The tab is mounted again when the dock switches back to it: only another document clears what was shown.
    const was = useTrain.getState().session;
    if (was !== session) useTrain.getState().set({ session, ...(was !== null ? { current: null, compare: [], group: null } : {}) });
  }, [session]);
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

  const problems = formProblems(form, taskCount);
  const context = (): FormContext => {
    const doc = useEditor.getState().doc;
    return { hasFullBudget: !!doc.fullBudget, taskCount, documentTasks: doc.training.tasks !== undefined };
  };

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
        ...runsPlace(),
        name: documentTitle(),
        overrides: { ...overridesOf(form, context()), ...(variant === 'static' ? { variant } : {}) },
      });
      const pair = variant === 'static' && before ? [before, runId] : null;
      useTrain.getState().set({ current: runId, ...(pair ? { compare: pair } : {}) });
      void refreshRuns();
      await Promise.all((pair ?? [runId]).map((id) => loadRun(id)));
    });

  /** A sweep or a seed repeat: its runs start (or queue) at once; the table shows them as a group. */
  const startSweep = (spec: SweepSpec) =>
    act(async () => {
      listen();
      const { groupId, runIds } = await api.invoke('sweep.start', {
        documentText: currentText(),
        ...runsPlace(),
        name: documentTitle(),
        overrides: overridesOf(form, context()),
        sweep: spec,
      });
      useTrain.getState().set({ current: runIds[0], group: groupId, compare: [] });
      await refreshRuns();
      await loadRun(runIds[0]);
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

  const exportWeights = (format: 'hnet' | 'safetensors') =>
    act(async () => {
      if (!current) return;
      const r = await api.invoke('run.exportWeights', { runId: current, saveAs: useUi.getState().mode === 'electron', format });
      setExported(`${r.savedTo ?? r.dir} (${r.files.join(', ')}, step ${r.step})`);
    });

  const field = <K extends keyof RunForm>(k: K, v: RunForm[K]) =>
    setForm((f) => (k === 'fullBudget' ? formForBudget(f, useEditor.getState().doc, v as boolean) : { ...f, [k]: v }));
  const compared = compare.map((id) => views.get(id)).filter((v) => v !== undefined);
  const comparing = compare.length >= 2 && compared.length === compare.length;
  const loss: Line[] = comparing
    ? compared.flatMap((v, i) => lossLines(v.history, smooth, `${runLabel(compare[i])} `, i % 2 === 1, i * 3))
    : h
      ? lossLines(h, smooth)
      : [];
  const ev = comparing
    ? compareEvalLines(compared.map((v, i) => ({ name: runLabel(compare[i]), history: v.history, metrics: v.outline?.metrics ?? [] })))
    : h
      ? evalLines(h, view?.outline?.metrics ?? [])
      : { lines: [], metric: null, splits: '' };
  const compareTitle = `Loss (comparing ${compare.length} runs)`;
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
        <RunSettingsForm
          form={form}
          onField={field}
          problems={problems}
          taskCount={taskCount}
          fullBudget={fullBudget}
          generates={generates}
          busy={busy}
          running={running}
          queued={queued}
          paused={status === 'paused'}
          onStart={(variant) => void start(variant)}
          onPauseResume={() => void pauseResume()}
          onStop={() => void stop()}
        />
        <QueueCard />
        <SweepForm busy={busy || Object.keys(problems).length > 0} onStart={(spec) => void startSweep(spec)} />
        {error && <div className="hn-train__error">{error}</div>}
      </div>
      <div className="hn-train__main">
        <RunsTable runs={runs} current={current} compare={compare} />
        {group && <SweepResults runs={runs} groupId={group} theme={theme} />}
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
            {isFailed(status) && (
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
              <LineChart testId="loss-chart" title={comparing ? compareTitle : 'Loss'} lines={loss} log={log} theme={theme} actions={lossToggles} />
              {ev.lines.length > 0 && <LineChart testId="eval-chart" title={`Evaluation: ${ev.metric}${ev.splits ? ` (${ev.splits})` : ''}`} lines={ev.lines} theme={theme} />}
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
              <CheckpointsCard checkpoints={checkpoints} exported={exported} busy={busy} onExport={(format) => void exportWeights(format)} onResume={(c) => void resumeFrom(c)} />
            )}
          </>
        ) : comparing ? (
          <div className="hn-train__charts">
            <LineChart testId="loss-chart" title={compareTitle} lines={loss} log={log} theme={theme} actions={lossToggles} />
            {ev.lines.length > 0 && <LineChart testId="eval-chart" title={`Evaluation: ${ev.metric}`} lines={ev.lines} theme={theme} />}
          </div>
        ) : (
          <div className="hn-train__muted hn-train__empty">Set the training options and press Run. The run trains a snapshot of the document; you can keep editing.</div>
        )}
      </div>
    </div>
  );
}
