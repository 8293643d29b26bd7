/**
 * The run settings form of the Train tab: prefilled from the document's training section, sent as the run's
 * overrides. Fields are kept as typed text; one that does not read as a valid value is left out of the overrides
 * (the document's own setting applies).
 *
 * @example
 * const form = formFromTraining(doc.training);
 * api.invoke('run.start', { ..., overrides: overridesOf({ ...form, steps: '500' }, doc.fullBudget !== undefined) });
 */
import type { RunOverrides } from '../../../shared/api/runs';
import { OptimizerType, type Backend, type Training } from '../../../shared/document/schema';

export interface RunForm {
  optimizer: OptimizerType;
  learningRate: string;
  batchSize: string;
  steps: string;
  seed: string;
  backend: Backend;
  /** Train the document's full-budget setting (`fullBudget`), when it has one. */
  fullBudget: boolean;
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
  };
}

/** The run's overrides: the optimizer and backend always, each other field when it reads as a valid value. */
export function overridesOf(f: RunForm, hasFullBudget: boolean): RunOverrides {
  const o: RunOverrides = { optimizer: f.optimizer, backend: f.backend };
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const lr = num(f.learningRate);
  if (lr !== undefined && lr > 0) o.learningRate = lr;
  const bs = num(f.batchSize);
  if (bs !== undefined && Number.isInteger(bs) && bs >= 1) o.batchSize = bs;
  const st = num(f.steps);
  if (st !== undefined && Number.isInteger(st) && st >= 0) o.steps = st;
  const sd = num(f.seed);
  if (sd !== undefined && Number.isInteger(sd) && sd >= 0) o.seed = sd;
  if (f.fullBudget && hasFullBudget) o.budget = 'full';
  return o;
}
