/**
 * The run settings form of the Train tab: prefilled from the document's training section, sent as the run's
 * overrides. Fields are kept as typed text; one that does not read as a valid value is said under the field in
 * the UI's words ({@link formProblems}: "Learning rate must be at most 10"), stops Run, and is left out of the
 * overrides.
 *
 * @example
 * const form = formFromTraining(doc.training);
 * if (!Object.keys(formProblems(form, 5)).length) api.invoke('run.start', { ..., overrides: overridesOf(form, { hasFullBudget: false, taskCount: 5 }) });
 */
import { RUN_SETTING_LABELS, RunOverrides } from '../../../shared/api/runs';
import { fieldMessage } from '../../../shared/issues';
import { OptimizerType, type Backend, type Training } from '../../../shared/document/schema';

export type Schedule = Training['schedule'];

export interface RunForm {
  optimizer: OptimizerType;
  learningRate: string;
  batchSize: string;
  steps: string;
  seed: string;
  backend: Backend;
  /** Train the document's full-budget setting (`fullBudget`), when it has one. */
  fullBudget: boolean;
  /** Continual learning (a dataset of several tasks): one task after another, or all mixed. */
  schedule: Schedule;
  /** The tasks in training order, as typed ("2, 0, 1"); empty: all tasks in order. */
  tasks: string;
}

/** The form as the document's training section sets it. */
export function formFromTraining(tr: Training): RunForm {
  const opt = tr.optimizer as { type: string; learningRate?: number };
  return {
    optimizer: OptimizerType.catch('adam').parse(opt.type),
    learningRate: String(opt.learningRate ?? 0.001),
    batchSize: String(tr.batchSize),
    steps: tr.steps !== undefined ? String(tr.steps) : '',
    seed: String(tr.seed),
    backend: tr.backend,
    fullBudget: false,
    schedule: tr.schedule,
    tasks: tr.tasks?.join(', ') ?? '',
  };
}

/** A field's message, or its value (undefined: empty, the document's own setting applies). */
type Read<T> = { value?: T; error?: string };

const NUMBERS = ['learningRate', 'batchSize', 'steps', 'seed'] as const;

function readNumber(key: (typeof NUMBERS)[number], text: string): Read<number> {
  const t = text.trim();
  if (t === '') return {};
  const label = RUN_SETTING_LABELS[key];
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: `${label} must be a number, not "${t}"` };
  const r = RunOverrides.shape[key].safeParse(n);
  return r.success ? { value: n } : { error: fieldMessage(label, r.error.issues[0]) };
}

/**
 * The task order typed as "2, 0, 1": each a task of the dataset (0 to taskCount - 1), none twice. Empty: all
 * tasks in order (undefined).
 */
export function readTasks(text: string, taskCount: number): Read<number[]> {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.length) return {};
  const label = RUN_SETTING_LABELS.tasks;
  const range = `the dataset has ${taskCount} task${taskCount === 1 ? '' : 's'} (0 to ${taskCount - 1})`;
  const tasks: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0) return { error: `${label}: "${p}" is not a task number; ${range}` };
    if (n >= taskCount) return { error: `${label}: task ${n} does not exist; ${range}` };
    if (tasks.includes(n)) return { error: `${label} lists task ${n} twice` };
    tasks.push(n);
  }
  return { value: tasks };
}

/** What each field that does not read as a valid value says, by field (none: the form can run). */
export function formProblems(f: RunForm, taskCount: number): Partial<Record<keyof RunForm, string>> {
  const out: Partial<Record<keyof RunForm, string>> = {};
  for (const key of NUMBERS) {
    const r = readNumber(key, f[key]);
    if (r.error) out[key] = r.error;
  }
  if (taskCount > 1) {
    const t = readTasks(f.tasks, taskCount);
    if (t.error) out.tasks = t.error;
  }
  return out;
}

/** What the form's overrides depend on beyond the form: the document and its dataset. */
export interface FormContext {
  /** The document has a full-budget setting. */
  hasFullBudget: boolean;
  /** The dataset's tasks (1 when it has one, or the graph does not compile). */
  taskCount?: number;
  /** The document sets a task order of its own, which an empty field must replace with all tasks. */
  documentTasks?: boolean;
}

/**
 * The run's overrides: the optimizer and backend always; the schedule and task order when the dataset has
 * several tasks (the form shows them only then); each other field when it reads as a valid value.
 */
export function overridesOf(f: RunForm, ctx: FormContext): RunOverrides {
  const o: RunOverrides = { optimizer: f.optimizer, backend: f.backend };
  for (const key of NUMBERS) {
    const v = readNumber(key, f[key]).value;
    if (v !== undefined) o[key] = v;
  }
  const taskCount = ctx.taskCount ?? 1;
  if (taskCount > 1) {
    o.schedule = f.schedule;
    const t = readTasks(f.tasks, taskCount);
    if (t.value) o.tasks = t.value;
    // Left empty ("all tasks in order") over a document that names its own order: all of them, in order.
    else if (!t.error && ctx.documentTasks) o.tasks = Array.from({ length: taskCount }, (_, i) => i);
  }
  if (f.fullBudget && ctx.hasFullBudget) o.budget = 'full';
  return o;
}
