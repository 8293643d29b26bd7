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
import { continualText, ContinualOverrides, RUN_SETTING_LABELS, RunOverrides, type ContinualSwitch } from '../../../shared/api/runs';
import { fieldMessage } from '../../../shared/issues';
import { withFullBudget } from '../../../shared/compiler/variants';
import { continualOf, OptimizerType, type Backend, type HnetDocument, type Training } from '../../../shared/document/schema';

export type Schedule = Training['schedule'];

/** training.continual as the form holds it: switches, and the tasks regularised per step as typed (empty: all). */
export interface ContinualForm {
  optimizerPerTask: boolean;
  currentEmbeddingOnly: boolean;
  fixedEmbeddings: boolean;
  lookAhead: boolean;
  taskInference: boolean;
  regularizedTasksPerStep: string;
}

/** hypercl's continual learning (von Oswald et al. 2020, its code's defaults), one click in the form. */
export const HYPERCL_CONTINUAL = { optimizerPerTask: true, currentEmbeddingOnly: true, fixedEmbeddings: true, lookAhead: true } as const;

/** What the continual-learning section's heading says of its settings while it is closed. */
export function continualSummary(c: ContinualForm): string {
  const perStep = readRegularizedTasks(c.regularizedTasksPerStep).value ?? null;
  if (!Object.entries(HYPERCL_CONTINUAL).every(([k, v]) => c[k as ContinualSwitch] === v)) return continualText({ ...c, regularizedTasksPerStep: perStep });
  const rest = continualText({ taskInference: c.taskInference, regularizedTasksPerStep: perStep });
  return c.taskInference || perStep !== null ? `hypercl's settings, ${rest}` : "hypercl's settings";
}

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
  /** How a sequential schedule trains task after task (shown with several tasks, sent for a sequential schedule). */
  continual: ContinualForm;
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
    continual: continualFormOf(tr),
  };
}

/**
 * The form when Full budget is ticked or unticked: every field shows the training that budget runs (the full
 * budget's steps, batch size, optimizer, continual settings), so the run gets what the budget says unless a field
 * is edited after. The backend stays as chosen. A full budget that does not apply leaves the document's values
 * (starting the run then names the problem).
 */
export function formForBudget(f: RunForm, doc: HnetDocument, full: boolean): RunForm {
  const applied = full && doc.fullBudget ? withFullBudget(doc) : undefined;
  const training = applied?.ok ? applied.doc.training : doc.training;
  return { ...formFromTraining(training), backend: f.backend, fullBudget: full };
}

function continualFormOf(tr: Training): ContinualForm {
  const c = continualOf(tr);
  return {
    optimizerPerTask: c.optimizerPerTask,
    currentEmbeddingOnly: c.currentEmbeddingOnly,
    fixedEmbeddings: c.fixedEmbeddings,
    lookAhead: c.lookAhead,
    taskInference: c.taskInference,
    regularizedTasksPerStep: c.regularizedTasksPerStep !== undefined ? String(c.regularizedTasksPerStep) : '',
  };
}

/** The tasks regularised per step as typed: a whole number of at least 1, or empty (all earlier tasks: null). */
export function readRegularizedTasks(text: string): Read<number | null> {
  const t = text.trim();
  if (t === '') return { value: null };
  const label = 'Earlier tasks per step';
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: `${label} must be a number, not "${t}"` };
  const r = ContinualOverrides.shape.regularizedTasksPerStep.safeParse(n);
  return r.success ? { value: n } : { error: fieldMessage(label, r.error.issues[0]) };
}

/** What the continual-learning settings cannot do as set (the engine refuses the same at start, engine/train.ts). */
function continualProblem(f: RunForm): string | undefined {
  const r = readRegularizedTasks(f.continual.regularizedTasksPerStep);
  if (r.error) return r.error;
  if (f.continual.lookAhead && f.optimizer === 'rmsprop') return 'The look-ahead regulariser needs the step of Adam or SGD: choose one of them, or untick look-ahead';
  return undefined;
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
    const continual = f.schedule === 'sequential' ? continualProblem(f) : undefined;
    if (continual) out.continual = continual;
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
 * several tasks (the form shows them only then), with the continual-learning settings for a sequential schedule;
 * each other field when it reads as a valid value.
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
    if (f.schedule === 'sequential') {
      const { regularizedTasksPerStep, ...flags } = f.continual;
      const r = readRegularizedTasks(regularizedTasksPerStep);
      o.continual = { ...flags, ...(r.error ? {} : { regularizedTasksPerStep: r.value }) };
    }
  }
  if (f.fullBudget && ctx.hasFullBudget) o.budget = 'full';
  return o;
}
