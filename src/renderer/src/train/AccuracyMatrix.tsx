import type { RunHistory } from '../../../shared/api/runs';

/** The continual-learning accuracy matrix (row: after training task, column: task evaluated), with task inference under it. */
export function AccuracyMatrix({ h }: { h: RunHistory }) {
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
