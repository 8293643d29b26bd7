/**
 * Seeds and sweeps: a sweep varies one or two settings (a training setting such as `learningRate`, or any node
 * parameter as `<node>.<param>`), as a grid (every combination) or a list (the i-th values together), each
 * configuration repeated over seeds. Pure: the Train tab, `hnet sweep` and the app's `sweep.start` expand and
 * summarise a sweep with these functions, so they agree on its configurations and figures.
 *
 * Runs of a sweep are ordinary runs with {@link RunOverrides} and a {@link RunGroup}; what a sweep reports is
 * mean ± sample sd (src/shared/seeds.ts) of each metric per configuration.
 *
 * @example
 * const spec = SweepSpec.parse({ settings: [{ key: 'hyper.chunkSize', values: [500, 1000] }], seeds: [1, 2, 3] });
 * expandSweep(spec) // 6 runs: chunkSize 500 with seeds 1-3, then 1000 with seeds 1-3
 */
import { z } from 'zod';
import { PARAM_KEY, type RunGroup, type RunOverrides, type RunSummary } from './api/runs';
import { MAX_SEED, parseSeedList, spread, type Spread } from './seeds';

/** Training settings a sweep may vary (besides node parameters), with the type of their values. */
export const SWEEPABLE_SETTINGS = {
  learningRate: 'number',
  batchSize: 'integer',
  steps: 'integer',
  epochs: 'number',
  evalEvery: 'integer',
  optimizer: 'string',
  schedule: 'string',
  variant: 'string',
  budget: 'string',
} as const;
export type SweepableSetting = keyof typeof SWEEPABLE_SETTINGS;

/** Runs one sweep starts at most (configurations × seeds): each is a whole training run. */
export const MAX_SWEEP_RUNS = 500;

export const SweepValue = z.union([z.number(), z.string().max(200), z.boolean()]);
export type SweepValue = z.infer<typeof SweepValue>;

const SweepKey = z
  .string()
  .max(200)
  .superRefine((k, ctx) => {
    if (!Object.hasOwn(SWEEPABLE_SETTINGS, k) && !PARAM_KEY.test(k))
      ctx.addIssue({ code: 'custom', message: `${k} is neither a training setting (${Object.keys(SWEEPABLE_SETTINGS).join(', ')}) nor a node parameter <node>.<param>` });
  });

export const SweepSpec = z
  .object({
    /** One or two settings to vary, each with its values. */
    settings: z.array(z.object({ key: SweepKey, values: z.array(SweepValue).min(1).max(MAX_SWEEP_RUNS) }).strict()).max(2),
    /** `grid`: every combination; `list`: the i-th values of each setting together (same length). */
    combine: z.enum(['grid', 'list']).default('grid'),
    /** Each configuration once per seed; empty: the document's (or the run settings') own seed, once. */
    seeds: z.array(z.number().int().min(0).max(MAX_SEED)).max(100).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const keys = s.settings.map((x) => x.key);
    if (new Set(keys).size !== keys.length) ctx.addIssue({ code: 'custom', message: `${keys[0]} is swept twice`, path: ['settings'] });
    if (s.settings.length === 0 && s.seeds.length === 0) ctx.addIssue({ code: 'custom', message: 'a sweep needs a setting to vary or seeds to repeat over', path: ['settings'] });
    if (new Set(s.seeds).size !== s.seeds.length) ctx.addIssue({ code: 'custom', message: 'a seed is listed twice', path: ['seeds'] });
    if (s.combine === 'list' && s.settings.length === 2 && s.settings[0].values.length !== s.settings[1].values.length)
      ctx.addIssue({ code: 'custom', message: `a list sweep pairs values one to one: ${s.settings[0].key} has ${s.settings[0].values.length}, ${s.settings[1].key} ${s.settings[1].values.length}`, path: ['combine'] });
    for (const [i, x] of s.settings.entries()) {
      const type = SWEEPABLE_SETTINGS[x.key as SweepableSetting];
      if (!type) continue;
      for (const v of x.values) {
        const ok = type === 'string' ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v) && (type === 'number' || Number.isInteger(v));
        if (!ok) ctx.addIssue({ code: 'custom', message: `${x.key}: ${JSON.stringify(v)} is not ${type === 'integer' ? 'a whole number' : type === 'number' ? 'a number' : 'a name'}`, path: ['settings', i, 'values'] });
      }
    }
    const runs = configurationCount(s) * Math.max(1, s.seeds.length);
    if (runs > MAX_SWEEP_RUNS) ctx.addIssue({ code: 'custom', message: `${runs} runs is more than ${MAX_SWEEP_RUNS}; sweep fewer values or seeds`, path: ['settings'] });
  });
export type SweepSpec = z.output<typeof SweepSpec>;

function configurationCount(s: Pick<SweepSpec, 'settings' | 'combine'>): number {
  if (s.settings.length === 0) return 1;
  return s.combine === 'list' ? s.settings[0].values.length : s.settings.reduce((n, x) => n * x.values.length, 1);
}

/** The configurations of a sweep, in order: each maps the swept keys to one value. */
export function configurations(s: Pick<SweepSpec, 'settings' | 'combine'>): Record<string, SweepValue>[] {
  if (s.settings.length === 0) return [{}];
  if (s.combine === 'list') return s.settings[0].values.map((_, i) => Object.fromEntries(s.settings.map((x) => [x.key, x.values[i]])));
  let out: Record<string, SweepValue>[] = [{}];
  for (const x of s.settings) out = out.flatMap((c) => x.values.map((v) => ({ ...c, [x.key]: v })));
  return out;
}

/** One run of a sweep: the overrides it trains with, on top of the run settings the sweep started from. */
export interface SweepRun {
  overrides: RunOverrides;
  config: Record<string, SweepValue>;
  seed: number | null;
  index: number;
}

/** A configuration's values as overrides: training settings by name, node parameters under `params`. */
export function overridesOfConfig(config: Record<string, SweepValue>): RunOverrides {
  const o: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (Object.hasOwn(SWEEPABLE_SETTINGS, k)) o[k] = v;
    else params[k] = v;
  }
  if (Object.keys(params).length) o.params = params;
  return o as RunOverrides;
}

/** Every run of the sweep, configuration by configuration, seeds inside. */
export function expandSweep(s: SweepSpec): SweepRun[] {
  const seeds: (number | null)[] = s.seeds.length ? s.seeds : [null];
  return configurations(s).flatMap((config, index) =>
    seeds.map((seed) => ({ overrides: { ...overridesOfConfig(config), ...(seed !== null ? { seed } : {}) }, config, seed, index })),
  );
}

/** How a sweep is named above its results: `sweep hyper.chunkSize × learningRate (grid), seeds 1-3`. */
export function sweepName(s: SweepSpec): string {
  const seeds = s.seeds.length ? `${s.seeds.length} ${s.seeds.length === 1 ? 'seed' : 'seeds'} (${s.seeds.join(', ')})` : '';
  if (s.settings.length === 0) return `repeat over ${seeds}`;
  const what = s.settings.map((x) => x.key).join(' × ');
  return `sweep ${what}${s.settings.length === 2 ? ` (${s.combine})` : ''}${seeds ? `, ${seeds}` : ''}`;
}

/** The group each run of a sweep records. */
export function groupOf(id: string, s: SweepSpec, run: SweepRun): RunGroup {
  return { id, kind: s.settings.length === 0 ? 'seeds' : 'sweep', name: sweepName(s), config: run.config, index: run.index, of: configurationCount(s) };
}

// ---------------------------------------------------------------------------------------------------------------
// What a user types: `hyper.chunkSize=500,1000,2000`
// ---------------------------------------------------------------------------------------------------------------

/** A value as typed: a number where it reads as one, true/false, else the text (an optimizer's name). */
export function parseSweepValue(text: string): SweepValue {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/**
 * `key=v1,v2,v3` as one setting of a sweep, or a sentence saying what is wrong. Values are split at commas; a
 * range of whole numbers `a-b` is not offered (a parameter range is rarely dense), `1e-3` is a number.
 */
export function parseSweepSetting(text: string): { key: string; values: SweepValue[] } | { problem: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) return { problem: `"${text}": write the setting and its values as key=v1,v2 (like hyper.chunkSize=500,1000 or learningRate=0.001,0.0003)` };
  const key = text.slice(0, eq).trim();
  const parts = text.slice(eq + 1).split(',');
  if (parts.some((p) => p.trim() === '')) return { problem: `"${text}" has an empty value: separate values with commas` };
  const checked = SweepSpec.safeParse({ settings: [{ key, values: parts.map(parseSweepValue) }], seeds: [] });
  if (!checked.success) return { problem: `"${text}": ${checked.error.issues.map((i) => i.message).join('; ')}` };
  return checked.data.settings[0];
}

/** The seeds field of the Train tab and `--seeds` (1,2,3 or 1-5); empty text: none. */
export function parseSweepSeeds(text: string): number[] | { problem: string } {
  return text.trim() === '' ? [] : parseSeedList(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------------------

export interface ConfigurationResult {
  index: number;
  config: Record<string, SweepValue>;
  runs: RunSummary[];
  /** Runs that ended done (the others are still going, or failed). */
  done: number;
  /** Mean ± sd over the configuration's done runs of each final metric. */
  metrics: Record<string, Spread>;
}

/** A sweep's runs by configuration, in the sweep's order, with mean ± sd of each metric over its done runs. */
export function sweepResults(runs: readonly RunSummary[], groupId: string): ConfigurationResult[] {
  const byIndex = new Map<number, RunSummary[]>();
  for (const r of runs) if (r.group?.id === groupId) (byIndex.get(r.group.index) ?? byIndex.set(r.group.index, []).get(r.group.index)!).push(r);
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, rs]) => {
      const done = rs.filter((r) => r.status === 'done');
      const keys = [...new Set(done.flatMap((r) => Object.keys(r.metrics)))];
      const metrics: Record<string, Spread> = {};
      for (const k of keys) {
        const s = spread(done.map((r) => r.metrics[k]));
        if (s) metrics[k] = s;
      }
      return { index, config: rs[0].group!.config as Record<string, SweepValue>, runs: rs, done: done.length, metrics };
    });
}

/** `0.912 ± 0.004` (sd left out for a single run). */
export function formatSpread(s: Spread | undefined, digits = 3): string {
  if (!s) return '–';
  return s.sd === null ? s.mean.toPrecision(digits) : `${s.mean.toPrecision(digits)} ± ${s.sd.toPrecision(2)}`;
}
