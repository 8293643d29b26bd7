import { useMemo, useState } from 'react';
import { z } from 'zod';
import { getNodeType } from '../../../shared/nodes';
import { SWEEPABLE_SETTINGS, SweepSpec, configurations, parseSweepSeeds, parseSweepSetting } from '../../../shared/sweep';
import { useEditor } from '../store/editor';

/** The training settings as the form names them. */
const SETTING_LABELS: Record<keyof typeof SWEEPABLE_SETTINGS, string> = {
  learningRate: 'Learning rate',
  batchSize: 'Batch size',
  steps: 'Steps',
  epochs: 'Epochs',
  evalEvery: 'Evaluate every',
  optimizer: 'Optimizer',
  schedule: 'Task schedule',
  variant: 'Variant (hypernetwork, static)',
  budget: 'Budget (default, full)',
};

interface Row {
  key: string;
  values: string;
}

/**
 * "Repeat over seeds" and sweeps over one or two settings (training settings or any node parameter), as a grid or
 * a list, each configuration repeated over the seeds. Checked as typed with the shared parser (src/shared/sweep.ts);
 * the error names the field.
 */
export function SweepForm(props: { busy: boolean; onStart(spec: SweepSpec): void }) {
  const nodes = useEditor((s) => s.doc.nodes);
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<Row[]>([{ key: '', values: '' }]);
  const [combine, setCombine] = useState<'grid' | 'list'>('grid');
  const [seeds, setSeeds] = useState('1-3');
  const paramKeys = useMemo(
    () =>
      nodes.flatMap((n) => {
        const schema = getNodeType(n.type)?.params;
        return schema instanceof z.ZodObject ? Object.keys(schema.shape).map((p) => `${n.id}.${p}`) : [];
      }),
    [nodes],
  );
  const checked = useMemo(() => {
    const settings = [];
    for (const [i, r] of rows.entries()) {
      if (!r.key) continue;
      if (!r.values.trim()) return { problem: `Setting ${i + 1} (${r.key}): give its values, separated by commas` };
      const p = parseSweepSetting(`${r.key}=${r.values}`);
      if ('problem' in p) return { problem: `Setting ${i + 1}: ${p.problem}` };
      settings.push(p);
    }
    const s = parseSweepSeeds(seeds);
    if (!Array.isArray(s)) return { problem: `Seeds: ${s.problem}` };
    const spec = SweepSpec.safeParse({ settings, combine, seeds: s });
    if (!spec.success) return { problem: spec.error.issues.map((i) => i.message).join('; ') };
    return { spec: spec.data };
  }, [rows, combine, seeds]);
  const runs = 'spec' in checked && checked.spec ? configurations(checked.spec).length * Math.max(1, checked.spec.seeds.length) : 0;
  const sweeping = rows.some((r) => r.key);
  const setRow = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  if (!open)
    return (
      <button type="button" className="hn-btn" onClick={() => setOpen(true)} data-testid="sweep-open">
        Sweep or repeat over seeds…
      </button>
    );
  return (
    <form
      className="hn-train__card hn-train__form hn-sweep"
      data-testid="sweep-form"
      onSubmit={(e) => {
        e.preventDefault();
        if ('spec' in checked && checked.spec) props.onStart(checked.spec);
      }}
    >
      <div className="hn-train__card-title">
        Sweep <span className="hn-train__spacer" />
        <button type="button" className="hn-train__link" onClick={() => setOpen(false)}>
          close
        </button>
      </div>
      {rows.map((r, i) => (
        <div key={i} className="hn-sweep__row">
          <label>
            Setting {i + 1}
            <select value={r.key} onChange={(e) => setRow(i, { key: e.target.value })} data-testid={`sweep-key-${i}`}>
              <option value="">{i === 0 ? 'none (repeat over seeds only)' : 'none'}</option>
              <optgroup label="Training">
                {Object.keys(SWEEPABLE_SETTINGS).map((k) => (
                  <option key={k} value={k}>
                    {SETTING_LABELS[k as keyof typeof SWEEPABLE_SETTINGS]}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Node parameters">
                {paramKeys.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
          {r.key && (
            <label>
              Values
              <input value={r.values} placeholder="e.g. 500, 1000, 2000" onChange={(e) => setRow(i, { values: e.target.value })} data-testid={`sweep-values-${i}`} />
            </label>
          )}
        </div>
      ))}
      {rows.length === 1 && rows[0].key && (
        <button type="button" className="hn-train__link" onClick={() => setRows((rs) => [...rs, { key: '', values: '' }])} data-testid="sweep-add">
          + a second setting
        </button>
      )}
      {rows.length === 2 && (
        <label>
          Combine
          <select value={combine} onChange={(e) => setCombine(e.target.value as 'grid' | 'list')} data-testid="sweep-combine">
            <option value="grid">grid: every combination</option>
            <option value="list">list: values paired one to one</option>
          </select>
        </label>
      )}
      <label>
        Seeds
        <input value={seeds} placeholder="1-3 or 1,2,3" onChange={(e) => setSeeds(e.target.value)} data-testid="sweep-seeds" />
      </label>
      {'problem' in checked && <div className="hn-train__error" data-testid="sweep-problem">{checked.problem}</div>}
      <button type="submit" className="hn-btn hn-btn--primary" disabled={props.busy || !('spec' in checked)} data-testid="sweep-start">
        {sweeping ? 'Start sweep' : 'Repeat over seeds'}
        {runs ? ` (${runs} ${runs === 1 ? 'run' : 'runs'})` : ''}
      </button>
      <div className="hn-train__muted">Each run uses the settings above with the swept values; runs beyond the limit wait in the queue.</div>
    </form>
  );
}
