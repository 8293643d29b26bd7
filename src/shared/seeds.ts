/**
 * Runs over several seeds: the seed list a user types (`1,2,3`, `1-5`, `1,4-6`) and mean ± sd of what the runs
 * reach. Pure: `hnet train --seeds` and `npm run results --seeds` both use it, so the two report the same figures.
 */

/** The largest seed a document or a flag accepts (the same bound as `--seed`). */
export const MAX_SEED = 2 ** 31 - 1;
/** Seeds one command trains at most: each one is a whole training run. */
export const MAX_SEEDS = 100;

/**
 * The seeds of a list like `1,2,3`, `1-5` or `1,4-6`, in the order given; or a sentence saying what is wrong
 * (without the flag's name: the caller names it).
 *
 * @example parseSeedList('1,4-6') // [1, 4, 5, 6]
 */
export function parseSeedList(text: string): number[] | { problem: string } {
  const parts = text.split(',').map((p) => p.trim());
  const seeds: number[] = [];
  const whole = (s: string) => (/^\d+$/.test(s) && Number(s) <= MAX_SEED ? Number(s) : null);
  for (const part of parts) {
    if (part === '') return { problem: `"${text}" has an empty entry: write seeds separated by commas, like 1,2,3 or a range like 1-5` };
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const from = whole(range[1]);
      const to = whole(range[2]);
      if (from === null || to === null) return { problem: `"${part}": seeds are whole numbers from 0 to ${MAX_SEED}` };
      if (to < from) return { problem: `"${part}" runs backwards: write the smaller seed first (${to}-${from})` };
      if (to - from + 1 > MAX_SEEDS) return { problem: `"${part}" is more than ${MAX_SEEDS} seeds` };
      for (let s = from; s <= to; s++) seeds.push(s);
      continue;
    }
    const seed = whole(part);
    if (seed === null) return { problem: `"${part}" is not a seed: seeds are whole numbers from 0 to ${MAX_SEED}, like 1,2,3 or a range like 1-5` };
    seeds.push(seed);
  }
  if (seeds.length > MAX_SEEDS) return { problem: `${seeds.length} seeds is more than ${MAX_SEEDS}` };
  const twice = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (twice !== undefined) return { problem: `seed ${twice} is listed twice (each seed trains the same run)` };
  return seeds;
}

/** Mean and sample standard deviation (n − 1) of some runs' values; `sd` is null for a single run. */
export interface Spread {
  mean: number;
  sd: number | null;
  n: number;
}

/**
 * Mean ± sample sd of `values` (non-finite values are left out and counted as missing); null when none is finite.
 *
 * @example spread([0.9, 0.92, 0.94]) // { mean: 0.92, sd: 0.02, n: 3 }
 */
export function spread(values: readonly (number | null | undefined)[]): Spread | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return { mean, sd: null, n: 1 };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (xs.length - 1)), n: xs.length };
}

/** Mean ± sd of every metric any run reports (keys in the order the runs first name them). */
export function metricSpreads(runs: readonly Record<string, number>[]): Record<string, Spread> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  const outcome: Record<string, Spread> = {};
  for (const k of keys) {
    const s = spread(runs.map((r) => r[k]));
    if (s) outcome[k] = s;
  }
  return outcome;
}

/** The numbers continual-learning papers quote from an accuracy matrix (metric on task j after training task i). */
export interface MatrixSummary {
  /** Mean over all tasks after the last one was learnt. */
  final: number;
  /** Mean over tasks of each task right after it was learnt (the matrix's diagonal). */
  justLearnt: number;
  /**
   * Mean over the earlier tasks of (after the last task − right after it was learnt): below 0 for an accuracy that
   * was forgotten, above 0 for an error that grew. Null with no earlier task measured.
   */
  change: number | null;
}

export const MATRIX_SUMMARY_LABELS: Record<keyof MatrixSummary, string> = {
  final: 'matrix: after the last task (mean)',
  justLearnt: 'matrix: right after each task (mean)',
  change: 'matrix: earlier tasks, last − right after',
};

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The summary of a square accuracy matrix of at least two tasks, else null (nothing sequential to summarise). */
export function matrixSummary(matrix: readonly (readonly (number | null)[])[] | undefined | null): MatrixSummary | null {
  if (!matrix || matrix.length < 2) return null;
  const last = matrix[matrix.length - 1].filter((v): v is number => v !== null);
  const diagonal = matrix.map((row, i) => row[i]).filter((v): v is number => typeof v === 'number');
  if (last.length === 0 || diagonal.length === 0) return null;
  const changes: number[] = [];
  for (let j = 0; j < matrix.length - 1; j++) {
    const then = matrix[j][j];
    const now = matrix[matrix.length - 1][j];
    if (typeof then === 'number' && typeof now === 'number') changes.push(now - then);
  }
  return { final: meanOf(last), justLearnt: meanOf(diagonal), change: changes.length ? meanOf(changes) : null };
}

/** Mean ± sd of each summary number over the runs that have a matrix; null when none has one. */
export function matrixSpreads(matrices: readonly ((readonly (readonly (number | null)[])[]) | undefined | null)[]): Partial<Record<keyof MatrixSummary, Spread>> | null {
  const summaries = matrices.map(matrixSummary).filter((s): s is MatrixSummary => s !== null);
  if (summaries.length === 0) return null;
  const outcome: Partial<Record<keyof MatrixSummary, Spread>> = {};
  for (const k of Object.keys(MATRIX_SUMMARY_LABELS) as (keyof MatrixSummary)[]) {
    const s = spread(summaries.map((m) => m[k]));
    if (s) outcome[k] = s;
  }
  return outcome;
}
