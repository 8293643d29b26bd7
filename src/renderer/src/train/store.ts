/**
 * The training dashboard's state: the document's runs (run.list), the histories of the runs the editor shows
 * (run.get, then live `engine` pushes folded in with the shared {@link applyRunEvent}), and which runs are
 * selected for viewing or comparing.
 *
 * Histories are mutated in place (charts append thousands of points); React hears about it through `tick`,
 * bumped at most about 10 times a second.
 */
import { create } from 'zustand';
import { FINAL_STATUSES, type RunStatus } from '../../../shared/api/events';
import { applyRunEvent, emptyHistory, type ProgramOutline, type RunHistory, type RunSummary } from '../../../shared/api/runs';
import { api } from '../api/client';
import { runsPlace } from '../files';

export interface RunView {
  history: RunHistory;
  outline: ProgramOutline | null;
  summary: RunSummary | null;
  /** The last status message (why a run ended badly). */
  message: string | null;
}

export interface TrainState {
  runs: RunSummary[];
  /** The run the dashboard shows (live or from the history). */
  current: string | null;
  /** Runs ticked in the runs table to overlay on the charts (any number). */
  compare: string[];
  /** The sweep whose results are shown (a group id), if any. */
  group: string | null;
  /** The editor's document session these selections belong to (another document clears them). */
  session: number | null;
  tick: number;
  /** Bumped on every status push (a run queued, started, ended, moved in the queue): the queue card asks again. */
  statusTick: number;
  set(patch: Partial<Pick<TrainState, 'current' | 'compare' | 'group' | 'session'>>): void;
}

export const views = new Map<string, RunView>();

export const useTrain = create<TrainState>()((set) => ({
  runs: [],
  current: null,
  compare: [],
  group: null,
  session: null,
  tick: 0,
  statusTick: 0,
  set: (patch) => set(patch),
}));

let tickTimer: ReturnType<typeof setTimeout> | null = null;
/** Ask for a re-render, at most every 100 ms. */
export function bump(): void {
  if (tickTimer) return;
  tickTimer = setTimeout(() => {
    tickTimer = null;
    useTrain.setState((s) => ({ tick: s.tick + 1 }));
  }, 100);
}

export const isFinal = (s: RunStatus) => FINAL_STATUSES.includes(s);

/** A run's status as the dashboard words it: a queued run says where it stands ("Queued (position 2)"). */
export const statusLabel = (s: RunStatus, position?: number): string => (s === 'queued' ? (position ? `Queued (position ${position})` : 'Queued') : s);

function viewOf(runId: string): RunView {
  let v = views.get(runId);
  if (!v) {
    v = { history: emptyHistory(), outline: null, summary: null, message: null };
    views.set(runId, v);
  }
  return v;
}

export async function refreshRuns(): Promise<void> {
  try {
    const runs = await api.invoke('run.list', runsPlace());
    useTrain.setState({ runs });
  } catch {
    // The list stays as it was; the next refresh tries again.
  }
}

/** Load a run's full record (once) so its curves, outline and matrices can be shown. */
export async function loadRun(runId: string, force = false): Promise<RunView> {
  const have = views.get(runId);
  if (have && have.outline && !force) return have;
  const detail = await api.invoke('run.get', { runId });
  const v = viewOf(runId);
  // A run this editor watched live keeps its pushed history; others take the recorded one.
  if (!have || force || v.history.steps.step.length === 0) v.history = detail.history;
  v.outline = detail.outline;
  v.summary = detail.summary;
  if (detail.summary.error && !v.message) v.message = detail.summary.error.message;
  bump();
  return v;
}

let listening = false;
/** Fold `engine` pushes into the histories; once per page. */
export function listen(): void {
  if (listening) return;
  listening = true;
  // An unsaved document was saved and its runs moved beside it.
  window.addEventListener('hnet:runs-moved', () => void refreshRuns());
  api.onPush((p) => {
    if (p.type !== 'engine') return;
    const v = viewOf(p.runId);
    applyRunEvent(v.history, p.event);
    if (p.event.event === 'status') {
      useTrain.setState((s) => ({ statusTick: s.statusTick + 1 }));
      if (p.event.message) v.message = p.event.message;
      if (isFinal(p.event.status)) {
        void refreshRuns();
        void loadRun(p.runId, false).then((lv) => {
          lv.history.status = p.event.event === 'status' ? p.event.status : lv.history.status;
          bump();
        });
      }
    }
    bump();
  });
}
