import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract';
import { runDisplayName } from '../../../shared/api/runs';
import { api } from '../api/client';
import { refreshRuns, useTrain } from './store';

type QueueState = MethodOutput<'queue.get'>;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The run queue (runs beyond the concurrency limit, of every document): pause or resume it, move runs up and down,
 * cancel one or all. It is saved by the app, so what waits here still waits after a restart. Shown while anything
 * waits or the queue is paused.
 */
export function QueueCard() {
  const statusTick = useTrain((s) => s.statusTick);
  const [q, setQ] = useState<QueueState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.invoke('queue.get', {}).then(
      (state) => live && setQ(state),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [statusTick]);
  const act = async (fn: () => Promise<QueueState | unknown>) => {
    setError(null);
    try {
      const r = await fn();
      if (r && typeof r === 'object' && 'runs' in r) setQ(r as QueueState);
      else setQ(await api.invoke('queue.get', {}));
      void refreshRuns();
    } catch (e) {
      setError(message(e));
    }
  };
  if (!q || (q.runs.length === 0 && !q.paused)) return null;
  return (
    <div className="hn-train__card" data-testid="queue-card" data-paused={q.paused}>
      <div className="hn-train__card-title">
        Queue <span className="hn-train__muted">{q.runs.length} waiting{q.paused ? ' · paused' : ''}</span>
        <span className="hn-train__spacer" />
        <button type="button" className="hn-train__link" onClick={() => void act(() => api.invoke('queue.pause', { paused: !q.paused }))} data-testid="queue-pause">
          {q.paused ? 'resume queue' : 'pause queue'}
        </button>
        {q.runs.length > 0 && (
          <button type="button" className="hn-train__link" onClick={() => void act(() => api.invoke('queue.clear', {}))} data-testid="queue-clear">
            cancel all
          </button>
        )}
      </div>
      {q.paused && <div className="hn-train__muted">Paused: nothing new starts from the queue; running runs go on.</div>}
      {error && (
        <div className="hn-train__error" role="alert">
          {error}
        </div>
      )}
      <ol className="hn-queue">
        {q.runs.map((r, i) => (
          <li key={r.id} data-run-id={r.id} data-testid="queue-run">
            <span className="hn-queue__name" title={r.id}>
              {runDisplayName(r)} <span className="hn-train__muted">· {r.name}</span>
            </span>
            <button type="button" className="hn-train__link" disabled={i === 0} onClick={() => void act(() => api.invoke('queue.move', { runId: r.id, position: i }))} aria-label={`Move ${runDisplayName(r)} up`} data-testid="queue-up">
              ↑
            </button>
            <button
              type="button"
              className="hn-train__link"
              disabled={i === q.runs.length - 1}
              onClick={() => void act(() => api.invoke('queue.move', { runId: r.id, position: i + 2 }))}
              aria-label={`Move ${runDisplayName(r)} down`}
              data-testid="queue-down"
            >
              ↓
            </button>
            <button type="button" className="hn-train__link" onClick={() => void act(() => api.invoke('run.stop', { runId: r.id }))} aria-label={`Cancel ${runDisplayName(r)}`} data-testid="queue-cancel">
              cancel
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
