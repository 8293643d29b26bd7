import type { RunSummary } from '../../../shared/api/runs';
import { isFinal, loadRun, refreshRuns, statusLabel, useTrain, views } from './store';

/** The document's runs: select one to view it, tick two to compare their loss curves. */
export function RunHistoryList({ runs, current, compare }: { runs: RunSummary[]; current: string | null; compare: string[] }) {
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
