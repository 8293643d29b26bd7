/**
 * What `npm run results` records about one template: the runs it trained, as plain data. docs/RESULTS.md keeps
 * these records (JSON in a comment at its end) so the page can be rendered again, and rows kept, without training.
 *
 * Records written before `--seeds` existed hold one run in the entry's own fields; records written since hold one
 * run per seed in `runs` (the entry's own fields then repeat the first seed's run, so older readers still work).
 * `seedRuns` reads both.
 */
import type { Provenance } from '../../src/shared/api/runs';
import type { Budget } from '../../src/shared/compiler/budget';

export interface Machine {
  cpu: string;
  cores: number;
  os: string;
  node: string;
  /** The backend the run trained on (a tfjs backend, or pytorch). */
  backend: string;
  date: string;
  /** One-minute load average when the run started: other work on the machine slows the run down. */
  load: number;
}

/** What one trained model reached at the end (final evaluation on the test split). */
export interface Outcome {
  metrics: Record<string, number>;
  accuracyMatrix?: (number | null)[][];
  seconds: number;
}

export interface Ablation extends Outcome {
  what: string;
}

/** The static twin's run: the same target network with ordinary weights, same data, budget and seed. */
export interface Twin extends Outcome {
  budget: Budget;
}

/** One seed's runs: the template as drawn, and (default budget) its twin and its ablation with the same seed. */
export interface SeedRun extends Outcome {
  seed: number;
  steps: number;
  /** Mean training loss over the first and the last steps of the run. */
  lossFirst: number;
  lossLast: number;
  twin?: Outcome;
  ablation?: Outcome;
  /** The app's version, the template's and its graph's sha256, the data's and the seed (recorded since the runs table). */
  provenance?: Provenance;
}

/** The template's full-budget setting (`--budget full`), trained once per seed; compared with the published figure. */
export interface FullBudgetRecord {
  note: string;
  seeds: number[];
  runs: SeedRun[];
  steps: number;
  budget: Budget;
  command: string;
  machine: Machine;
}

export interface Published {
  figure: string;
  source: string;
  setup?: string;
  /** The published figure as a number in the template's main metric (accuracy as a fraction), when it has one. */
  value?: number;
}

export interface Entry {
  file: string;
  name: string;
  /** metadata.published: the figure the template reproduces, its source, how the paper's setup differs. */
  published?: Published;
  /** metadata.shortfall: why a goal the page marks is missed (read from the template when the page is written). */
  shortfall?: string;
  /** fullBudget.note, when the template has a full-budget setting. */
  fullBudget?: string;
  twin?: Twin;
  kind: 'regression' | 'classification';
  /** Name of the main metric (accuracy or mse; loss when the graph has no metric). */
  metric: string;
  tasks: number[];
  schedule: 'sequential' | 'interleaved' | 'single';
  steps: number;
  budget: Budget;
  /** Final evaluation: mean over tasks, plus `<metric>/task<k>` (the first seed's run). */
  metrics: Record<string, number>;
  accuracyMatrix?: (number | null)[][];
  /** The same graph trained without one of its parts, for comparison. */
  ablation?: Ablation;
  lossFirst: number;
  lossLast: number;
  /** Seconds of the first seed's run of the template itself. */
  seconds: number;
  command: string;
  machine: Machine;
  /** The seeds of the default budget's runs (absent in records from before --seeds: one run, the template's seed). */
  seeds?: number[];
  /** One run per seed, in the order of `seeds`. */
  runs?: SeedRun[];
  /** The full-budget runs, when `--budget full` was run for this template. */
  full?: FullBudgetRecord;
}

/** The default budget's runs, one per seed; a record from before --seeds reads as one run. */
export function seedRuns(e: Entry): SeedRun[] {
  if (e.runs && e.runs.length) return e.runs;
  return [
    {
      seed: e.seeds?.[0] ?? Number.NaN,
      steps: e.steps,
      metrics: e.metrics,
      ...(e.accuracyMatrix ? { accuracyMatrix: e.accuracyMatrix } : {}),
      seconds: e.seconds,
      lossFirst: e.lossFirst,
      lossLast: e.lossLast,
      ...(e.twin ? { twin: { metrics: e.twin.metrics, accuracyMatrix: e.twin.accuracyMatrix, seconds: e.twin.seconds } } : {}),
      ...(e.ablation ? { ablation: { metrics: e.ablation.metrics, accuracyMatrix: e.ablation.accuracyMatrix, seconds: e.ablation.seconds } } : {}),
    },
  ];
}
