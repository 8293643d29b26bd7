import type { FullBudget } from '../../../shared/document/schema';
import { CONTINUAL_LABELS, type ContinualSwitch } from '../../../shared/api/runs';
import { continualSummary, HYPERCL_CONTINUAL, type RunForm, type Schedule } from './form';
import { BACKENDS, OPTIMIZER_LABELS, OPTIMIZERS } from './lists';

const SCHEDULES: { value: Schedule; label: string; title: string }[] = [
  { value: 'sequential', label: 'sequential (one task after another)', title: 'Continual learning: each task trains in turn and earlier tasks are not revisited' },
  { value: 'interleaved', label: 'interleaved (all tasks mixed)', title: 'Every batch draws its task at random from the task order: multitask training' },
];

/** What each of training.continual's switches does, as its tooltip (docs/FORMAT.md says the same at length). */
const CONTINUAL_TITLES: Record<ContinualSwitch, string> = {
  optimizerPerTask: 'A new optimizer state (moments, step count) at the start of every task, as hypercl makes one per task',
  fixedEmbeddings: "Task embeddings are never trained: each task keeps its random initial code and the hypernetwork alone learns its weights (hypercl's default)",
  currentEmbeddingOnly: "Only the current task's row of a task-embedding table is trained; the other rows stay exactly as they are",
  lookAhead: 'The output regulariser is taken at Θ + ΔΘ, the step the optimizer would take on the task loss alone (Adam, or SGD without momentum)',
  taskInference: "Each test sample is run with every trained task's embedding and the lowest-entropy prediction picks the task: reports accuracy_cl1, _cl2, _cl3 and task_inferred",
};
const CONTINUAL_SWITCHES = Object.keys(CONTINUAL_LABELS) as ContinualSwitch[];

/** A refused field's message under it, by the field's test id. */
function FieldError({ message, testId }: { message: string | undefined; testId: string }) {
  return message ? (
    <span className="hn-train__field-error" role="alert" data-testid={`${testId}-error`}>
      {message}
    </span>
  ) : null;
}

/**
 * The run settings (sent as the run's overrides, ./form.ts) and the run controls: Run, Pause/Resume, Stop, and
 * Train static twin. A refused setting is said under its field and keeps Run disabled. The schedule and the task
 * order appear when the dataset has several tasks.
 */
export function RunSettingsForm(props: {
  form: RunForm;
  onField<K extends keyof RunForm>(k: K, v: RunForm[K]): void;
  /** What each refused field says (./form.ts formProblems). */
  problems: Partial<Record<keyof RunForm, string>>;
  /** The dataset's tasks. */
  taskCount: number;
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
  const { form, onField: field, problems, taskCount, fullBudget, generates, busy, running, queued } = props;
  const refused = Object.keys(problems).length > 0;
  const invalid = (k: keyof RunForm) => (problems[k] ? true : undefined);
  return (
    <form
      className="hn-train__form"
      data-testid="train-form"
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
        <input value={form.learningRate} onChange={(e) => field('learningRate', e.target.value)} inputMode="decimal" aria-invalid={invalid('learningRate')} data-testid="train-lr" />
        <FieldError message={problems.learningRate} testId="train-lr" />
      </label>
      <label>
        Batch size
        <input value={form.batchSize} onChange={(e) => field('batchSize', e.target.value)} inputMode="numeric" aria-invalid={invalid('batchSize')} data-testid="train-batch" />
        <FieldError message={problems.batchSize} testId="train-batch" />
      </label>
      <label>
        Steps{taskCount > 1 && form.schedule === 'sequential' ? ' / task' : ''}
        <input
          value={form.steps}
          placeholder="epochs"
          onChange={(e) => field('steps', e.target.value)}
          inputMode="numeric"
          aria-invalid={invalid('steps')}
          data-testid="train-steps"
        />
        <FieldError message={problems.steps} testId="train-steps" />
      </label>
      <label>
        Seed
        <input value={form.seed} onChange={(e) => field('seed', e.target.value)} inputMode="numeric" aria-invalid={invalid('seed')} data-testid="train-seed" />
        <FieldError message={problems.seed} testId="train-seed" />
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
      {taskCount > 1 && (
        <>
          <label className="hn-train__wide">
            Schedule
            <select value={form.schedule} onChange={(e) => field('schedule', e.target.value as Schedule)} data-testid="train-schedule">
              {SCHEDULES.map((o) => (
                <option key={o.value} value={o.value} title={o.title}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <label className="hn-train__wide">
            Task order
            <input
              value={form.tasks}
              placeholder={`all tasks in order (${Array.from({ length: Math.min(taskCount, 6) }, (_, i) => i).join(', ')}${taskCount > 6 ? ', …' : ''})`}
              onChange={(e) => field('tasks', e.target.value)}
              aria-invalid={invalid('tasks')}
              title={`Task numbers 0 to ${taskCount - 1} in the order they train, e.g. 2, 0, 1; empty: all tasks in order`}
              data-testid="train-tasks"
            />
            {problems.tasks ? (
              <FieldError message={problems.tasks} testId="train-tasks" />
            ) : (
              <span className="hn-train__field-help" data-testid="train-tasks-help">
                {form.tasks.trim() === '' ? `all ${taskCount} tasks in order` : `trains task ${form.tasks.split(/[\s,]+/).filter(Boolean).join(' → ')}`}
              </span>
            )}
          </label>
          {form.schedule === 'sequential' && (
            <details className="hn-train__wide hn-train__continual" data-testid="train-continual">
              <summary title="How a sequential schedule trains task after task (training.continual)">
                Continual learning: <span className="hn-train__muted" data-testid="train-continual-summary">{continualSummary(form.continual)}</span>
                {problems.continual && <span className="hn-train__field-error"> (refused)</span>}
              </summary>
              {CONTINUAL_SWITCHES.map((key) => (
                <label key={key} className="hn-train__check" title={CONTINUAL_TITLES[key]}>
                  <input
                    type="checkbox"
                    checked={form.continual[key]}
                    onChange={(e) => field('continual', { ...form.continual, [key]: e.target.checked })}
                    data-testid={`train-continual-${key}`}
                  />{' '}
                  {CONTINUAL_LABELS[key]}
                </label>
              ))}
              <label title="Regularise a random subset of this many earlier tasks per step (hypercl's --hnet_reg_batch_size); empty: all of them">
                Earlier tasks regularised per step
                <input
                  value={form.continual.regularizedTasksPerStep}
                  placeholder="all"
                  onChange={(e) => field('continual', { ...form.continual, regularizedTasksPerStep: e.target.value })}
                  inputMode="numeric"
                  aria-invalid={invalid('continual')}
                  data-testid="train-continual-per-step"
                />
              </label>
              {problems.continual && (
                <div>
                  <FieldError message={problems.continual} testId="train-continual" />
                </div>
              )}
              <button
                type="button"
                className="hn-btn hn-btn--small"
                onClick={() => field('continual', { ...form.continual, ...HYPERCL_CONTINUAL })}
                title="A fresh optimizer per task, fixed task embeddings and the look-ahead regulariser, as hypercl (von Oswald et al. 2020) trains"
                data-testid="train-continual-hypercl"
              >
                Use hypercl's settings
              </button>
            </details>
          )}
        </>
      )}
      {fullBudget && (
        <label className="hn-train__check" title={fullBudget.note || "The document's full-budget setting"}>
          <input type="checkbox" checked={form.fullBudget} onChange={(e) => field('fullBudget', e.target.checked)} data-testid="train-full-budget" /> Full budget
          {fullBudget.note && <span className="hn-train__muted"> — {fullBudget.note}</span>}
        </label>
      )}
      <div className="hn-train__buttons">
        <button type="submit" className="hn-btn hn-btn--primary" disabled={busy || running || queued || refused} title={refused ? 'Correct the refused settings first' : undefined} data-testid="train-start">
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
        disabled={busy || running || queued || refused || !generates}
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
