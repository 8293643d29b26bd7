import { useMemo, useState } from 'react';
import { runsTable, runsTableText, sortRuns } from '../../../shared/api/runTable';
import { runDisplayName, type RunSummary } from '../../../shared/api/runs';
import { api } from '../api/client';
import { documentTitle, download } from '../files';
import { useUi } from '../store/ui';
import { isFinal, loadRun, refreshRuns, statusLabel, useTrain, views } from './store';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The document's runs as a table (src/shared/api/runTable.ts decides the columns: the settings and node parameters
 * that differ between runs, final metrics, time). Click a name to show the run, tick any number to overlay them on
 * the charts, sort by any column, rename and delete; a sweep's runs can be shown alone with their results.
 */
export function RunsTable({ runs, current, compare }: { runs: RunSummary[]; current: string | null; compare: string[] }) {
  const set = useTrain((s) => s.set);
  const group = useTrain((s) => s.group);
  const [sort, setSort] = useState<{ key: string; dir: 'asc' | 'desc' } | null>(null);
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const groups = useMemo(() => {
    const m = new Map<string, { name: string; n: number }>();
    for (const r of runs) if (r.group) m.set(r.group.id, { name: r.group.name, n: (m.get(r.group.id)?.n ?? 0) + 1 });
    return [...m.entries()];
  }, [runs]);
  const shown = group ? runs.filter((r) => r.group?.id === group) : runs;
  const { columns } = useMemo(() => runsTable(shown), [shown]);
  const rows = sort ? sortRuns(shown, columns, sort.key, sort.dir) : shown;
  const rest = columns.filter((c) => c.key !== 'name' && c.key !== 'status');

  const toggle = (id: string, on: boolean) => {
    const next = on ? [...compare.filter((x) => x !== id), id] : compare.filter((x) => x !== id);
    set({ compare: next });
    for (const x of next) void loadRun(x);
  };
  const rename = async (id: string, text: string) => {
    setEditing(null);
    try {
      await api.invoke('run.rename', { runId: id, label: text.trim() || null });
      await refreshRuns();
    } catch (e) {
      setError(`Could not rename the run: ${message(e)}`);
    }
  };
  const remove = async (r: RunSummary) => {
    const choice = await useUi.getState().ask({
      title: 'Delete the run?',
      intro: `${runDisplayName(r)} and everything it recorded (charts, checkpoints, exported weights) will be deleted from disk.`,
      buttons: [
        { label: 'Cancel', value: 'cancel' },
        { label: 'Delete', value: 'delete', danger: true },
      ],
      testId: 'confirm-delete-run',
    });
    if (choice !== 'delete') return;
    try {
      await api.invoke('run.delete', { runId: r.id });
      views.delete(r.id);
      const s = useTrain.getState();
      set({ compare: s.compare.filter((x) => x !== r.id), ...(s.current === r.id ? { current: null } : {}) });
      await refreshRuns();
    } catch (e) {
      setError(`Could not delete the run: ${message(e)}`);
    }
  };
  /** The rows shown, in their order, as a file (provenance included). */
  const exportTable = (format: 'csv' | 'markdown') => {
    const stem = documentTitle().replace(/\.hnet\.json$/i, '').replace(/[^\w.-]+/g, '-') || 'document';
    download(runsTableText(rows, format), `${stem}-runs.${format === 'csv' ? 'csv' : 'md'}`, format === 'csv' ? 'text/csv' : 'text/markdown');
  };
  const header = (key: string, label: string) => {
    const dir = sort?.key === key ? sort.dir : null;
    return (
      <th key={key} aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'} title={label}>
        <button type="button" className="hn-runs__sort" onClick={() => setSort({ key, dir: dir === 'asc' ? 'desc' : 'asc' })} data-testid={`runs-sort-${key}`}>
          {label}
          {dir ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
        </button>
      </th>
    );
  };

  return (
    <div className="hn-train__card hn-runs" data-testid="run-history" data-runs={rows.length}>
      <div className="hn-train__card-title">
        Runs <span className="hn-train__muted">{shown.length}{group ? ` of ${runs.length}` : ''}</span>
        {groups.length > 0 && (
          <select value={group ?? ''} onChange={(e) => set({ group: e.target.value || null })} aria-label="Show the runs of" data-testid="runs-group">
            <option value="">all runs</option>
            {groups.map(([id, g]) => (
              <option key={id} value={id}>
                {g.name} ({g.n})
              </option>
            ))}
          </select>
        )}
        {compare.length > 0 && (
          <button type="button" className="hn-train__link" onClick={() => set({ compare: [] })} data-testid="runs-clear-compare">
            clear {compare.length} ticked
          </button>
        )}
        <span className="hn-train__spacer" />
        {rows.length > 0 && (
          <>
            <span className="hn-train__muted">export</span>
            <button type="button" className="hn-train__link" onClick={() => exportTable('csv')} title="The table shown, with each run's id and provenance" data-testid="runs-export-csv">
              CSV
            </button>
            <button type="button" className="hn-train__link" onClick={() => exportTable('markdown')} title="The table shown, with each run's id and provenance" data-testid="runs-export-md">
              Markdown
            </button>
          </>
        )}
        <button type="button" className="hn-train__link" onClick={() => void refreshRuns()}>
          refresh
        </button>
      </div>
      {error && (
        <div className="hn-train__error" role="alert">
          {error}
        </div>
      )}
      {runs.length === 0 ? (
        <div className="hn-train__muted">No runs yet.</div>
      ) : (
        <div className="hn-runs__scroll">
          <table className="hn-runs__table">
            <thead>
              <tr>
                <th aria-label="Overlay on the charts" />
                {header('name', 'name')}
                {header('status', 'status')}
                {rest.map((c) => header(c.key, c.label))}
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                // A run still going follows its pushes (queue position, steps); the listing is refreshed when it ends.
                const pushed = isFinal(r.status) ? undefined : views.get(r.id)?.history;
                const st = pushed?.status ?? r.status;
                const position = st === 'queued' ? (pushed ? pushed.queuePosition : r.queuePosition) : undefined;
                const name = runDisplayName(r);
                return (
                  <tr key={r.id} className={r.id === current ? 'is-current' : ''} data-run-id={r.id} data-status={st}>
                    <td>
                      <input type="checkbox" aria-label={`Overlay ${name}`} checked={compare.includes(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} data-testid="run-compare" />
                    </td>
                    <td className="hn-runs__name">
                      {editing?.id === r.id ? (
                        <input
                          autoFocus
                          value={editing.text}
                          aria-label="Run name"
                          maxLength={200}
                          onChange={(e) => setEditing({ id: r.id, text: e.target.value })}
                          onKeyDown={(e) => {
                            if (e.key === 'Enter') void rename(r.id, editing.text);
                            if (e.key === 'Escape') setEditing(null);
                          }}
                          onBlur={() => void rename(r.id, editing.text)}
                          data-testid="run-rename-input"
                        />
                      ) : (
                        <button
                          type="button"
                          className="hn-train__link hn-runs__select"
                          title={`${r.id}${r.group ? ` · ${r.group.name}` : ''}`}
                          onClick={() => {
                            set({ current: r.id });
                            void loadRun(r.id);
                          }}
                          onDoubleClick={() => setEditing({ id: r.id, text: r.label ?? '' })}
                          data-testid="run-select"
                        >
                          {name}
                        </button>
                      )}
                      {r.settings.variant === 'static' && (
                        <span className="hn-train__badge" title="The same target network with ordinary weights instead of generated ones" data-testid="run-static-twin">
                          static twin
                        </span>
                      )}
                      {r.settings.budget === 'full' && <span className="hn-train__badge">full budget</span>}
                    </td>
                    <td>
                      <span className={`hn-train__status is-${st}`} data-testid="run-status">
                        {statusLabel(st, position)}
                      </span>
                    </td>
                    {rest.map((c) => (
                      <td key={c.key} className={c.kind === 'metric' || c.key === 'time' ? 'is-number' : ''} data-column={c.key}>
                        {c.key === 'time' && (st === 'running' || st === 'paused') ? `${pushed?.lastStep ?? r.step}${r.totalSteps ? `/${r.totalSteps}` : ''} steps` : c.text(r)}
                      </td>
                    ))}
                    <td className="hn-runs__actions">
                      <button type="button" className="hn-train__link" onClick={() => setEditing({ id: r.id, text: r.label ?? '' })} aria-label={`Rename ${name}`} data-testid="run-rename">
                        rename
                      </button>
                      <button
                        type="button"
                        className="hn-train__link"
                        disabled={!isFinal(st)}
                        title={isFinal(st) ? undefined : 'Stop the run before deleting it'}
                        onClick={() => void remove(r)}
                        aria-label={`Delete ${name}`}
                        data-testid="run-delete"
                      >
                        delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
