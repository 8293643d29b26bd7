/**
 * From the editor's document text and the run settings form to a compiled program: the overrides replace the
 * document's training settings (the document itself is never changed), and the result is compiled here so a run
 * always trains exactly the snapshot it records.
 */
import type { z } from 'zod';
import { RUN_SETTING_LABELS, type RunOverrides, type RunSettings } from '../../../shared/api/runs';
import { fieldMessage } from '../../../shared/issues';
import { compile } from '../../../shared/compiler/compile';
import { formatProblem, type HnetProblem } from '../../../shared/compiler/errors';
import type { Program } from '../../../shared/compiler/ir';
import { staticTwin, withFullBudget, withParams } from '../../../shared/compiler/variants';
import { parseDocument } from '../../../shared/document/load';
import { continualOf, Training, type HnetDocument } from '../../../shared/document/schema';
import { AppError } from '../errors';
import { graphIdentity } from './provenance';

/**
 * Step events the worker sends per run, about: enough for smooth charts, few enough to cost nothing. Long runs
 * still get one at least every MAX_STEP_EVENT_EVERY steps, so their charts and steps/s stay live.
 */
const STEP_EVENTS_PER_RUN = 2000;
const MAX_STEP_EVENT_EVERY = 25;
/** Checkpoint cadence when the document evaluates only at task ends. */
const DEFAULT_CHECKPOINT_EVERY = 500;
const MAX_LISTED_PROBLEMS = 20;

export interface PreparedRun {
  doc: HnetDocument;
  program: Program;
  settings: RunSettings;
  /** sha256 of the graph as trained: node ids, types, parameters and wires (not positions, not the training section). */
  graphHash: string;
  /** Every node's parameters as trained, flat by `<node>.<param>`. */
  nodeParams: Record<string, unknown>;
}

function invalid(problems: HnetProblem[]): AppError {
  const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${formatProblem(p)}`);
  if (problems.length > MAX_LISTED_PROBLEMS) lines.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  return new AppError('invalid_document', `the document cannot be trained:\n${lines.join('\n')}`);
}

/** A refused training setting in the Train tab's words: "Learning rate must be at most 10". */
function settingMessage(issue: z.core.$ZodIssue): string {
  const [key, ...rest] = issue.path;
  const label = key === 'optimizer' && rest[0] === 'learningRate' ? RUN_SETTING_LABELS.learningRate : typeof key === 'string' && key in RUN_SETTING_LABELS ? RUN_SETTING_LABELS[key as keyof typeof RUN_SETTING_LABELS] : `training.${issue.path.join('.')}`;
  return fieldMessage(label, { ...issue, path: label.startsWith('training.') || key === 'optimizer' ? [] : rest });
}

/** The document's training section with the overrides applied, checked by the document schema. */
export function applyOverrides(training: HnetDocument['training'], o: RunOverrides): HnetDocument['training'] {
  const next: Record<string, unknown> = { ...training };
  if (o.optimizer !== undefined || o.learningRate !== undefined) {
    const same = o.optimizer === undefined || o.optimizer === training.optimizer.type;
    const learningRate = o.learningRate ?? training.optimizer.learningRate;
    // Another optimizer starts from its own defaults; the same one keeps the document's other settings.
    next.optimizer = same ? { ...training.optimizer, learningRate } : { type: o.optimizer, learningRate };
  }
  for (const key of ['batchSize', 'seed', 'backend', 'evalEvery', 'tasks', 'schedule'] as const) if (o[key] !== undefined) next[key] = o[key];
  if (o.continual !== undefined) {
    const { regularizedTasksPerStep, ...flags } = o.continual;
    const continual: Record<string, unknown> = { ...training.continual, ...flags };
    if (regularizedTasksPerStep === null) delete continual.regularizedTasksPerStep;
    else if (regularizedTasksPerStep !== undefined) continual.regularizedTasksPerStep = regularizedTasksPerStep;
    next.continual = continual;
  }
  if (o.steps !== undefined) next.steps = o.steps;
  if (o.epochs !== undefined) {
    next.epochs = o.epochs;
    if (o.steps === undefined) delete next.steps; // steps take precedence over epochs; asking for epochs means epochs
  }
  const parsed = Training.safeParse(next);
  if (!parsed.success) throw new AppError('invalid_request', `run settings: ${parsed.error.issues.map(settingMessage).join('; ')}`);
  return parsed.data;
}

/** Parse, apply the overrides, compile; an AppError (`invalid_document`) listing the problems otherwise. */
export function prepareRun(documentText: string, overrides: RunOverrides = {}): PreparedRun {
  const parsed = parseDocument(documentText);
  if (!parsed.ok) throw invalid(parsed.problems);
  let base = parsed.doc;
  if (overrides.budget === 'full') {
    const full = withFullBudget(base);
    if (!full.ok) throw invalid(full.problems);
    base = full.doc;
  }
  if (overrides.params && Object.keys(overrides.params).length > 0) {
    const set = withParams(base, overrides.params);
    if (!set.ok) throw invalid(set.problems);
    base = set.doc;
  }
  if (overrides.variant === 'static') {
    const twin = staticTwin(base);
    if (!twin.ok) throw invalid(twin.problems);
    base = twin.doc;
  }
  const doc: HnetDocument = { ...base, training: applyOverrides(base.training, overrides) };
  let result: ReturnType<typeof compile>;
  try {
    result = compile(doc);
  } catch (e) {
    throw invalid([{ code: 'HN004', message: `the compiler failed: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (!result.ok || !result.program) throw invalid(result.problems);
  const t = doc.training;
  const tasks = t.tasks?.length ?? result.program.data.tasks;
  const perTask = t.steps ?? (t.epochs ? undefined : 1000);
  const approxTotal = (perTask ?? 1000) * (t.schedule === 'sequential' ? tasks : 1);
  const settings: RunSettings = {
    optimizer: t.optimizer,
    batchSize: t.batchSize,
    steps: t.steps ?? null,
    epochs: t.epochs ?? null,
    seed: t.seed,
    backend: t.backend,
    evalEvery: t.evalEvery,
    schedule: t.schedule,
    tasks: t.tasks ?? null,
    continual: tasks > 1 && t.schedule === 'sequential' ? continualOf(t) : null,
    checkpointEvery: overrides.checkpointEvery ?? (t.evalEvery > 0 ? t.evalEvery : DEFAULT_CHECKPOINT_EVERY),
    stepEventEvery: Math.min(MAX_STEP_EVENT_EVERY, Math.max(1, Math.floor(approxTotal / STEP_EVENTS_PER_RUN))),
    variant: overrides.variant ?? 'hypernetwork',
    budget: overrides.budget ?? 'default',
  };
  return { doc, program: result.program, settings, ...graphIdentity(doc) };
}
