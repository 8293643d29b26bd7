import type { FullBudget, Training } from '../../../shared/document/schema';
import type { RunForm } from './form';
import { BACKENDS, OPTIMIZER_LABELS, OPTIMIZERS } from './lists';

/**
 * The run settings (sent as the run's overrides, ./form.ts) and the run controls: Run, Pause/Resume, Stop, and
 * Train static twin.
 */
export function RunSettingsForm(props: {
  form: RunForm;
  onField<K extends keyof RunForm>(k: K, v: RunForm[K]): void;
  schedule: Training['schedule'];
  /** The document's full-budget setting, when it has one. */
  fullBudget: FullBudget | undefined;
  /** The graph generates weights, so it has a static twin. */
  generates: boolean;
  busy: boolean;
  /** The shown run is running or paused. */
  running: boolean;
  /** The shown run waits for a free slot. */
  queued: boolean;
  paused: boolean;
  onStart(variant?: 'hypernetwork' | 'static'): void;
  onPauseResume(): void;
  onStop(): void;
}) {
  const { form, onField: field, fullBudget, generates, busy, running, queued } = props;
  return (
    <form
      className="hn-train__form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onStart();
      }}
    >
      <label>
        Optimizer
        <select value={form.optimizer} onChange={(e) => field('optimizer', e.target.value as RunForm['optimizer'])} data-testid="train-optimizer">
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
        Steps{props.schedule === 'sequential' ? ' / task' : ''}
        <input value={form.steps} placeholder="epochs" onChange={(e) => field('steps', e.target.value)} inputMode="numeric" data-testid="train-steps" />
      </label>
      <label>
        Seed
        <input value={form.seed} onChange={(e) => field('seed', e.target.value)} inputMode="numeric" data-testid="train-seed" />
      </label>
      <label>
        Backend
        <select value={form.backend} onChange={(e) => field('backend', e.target.value as RunForm['backend'])} data-testid="train-backend">
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
        <button type="button" className="hn-btn" disabled={busy || !running} onClick={props.onPauseResume} data-testid="train-pause">
          {props.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="hn-btn"
          disabled={busy || !(running || queued)}
          onClick={props.onStop}
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
        onClick={() => props.onStart('static')}
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
  );
}
