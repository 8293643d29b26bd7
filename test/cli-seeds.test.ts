/**
 * `hnet train --seeds`: one run per seed, each the same run `--seed S` trains, then mean ± sample sd over them.
 * The command runs as a user runs it (`node bin/hnet.mjs` in a child process) on small templates for a few steps;
 * the spreads are recomputed here from the per-seed results, independently of src/shared/seeds.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixSummary, parseSeedList, spread } from '../src/shared/seeds';
import { hnet, jsonLines, root } from './helpers/cli';

const sinusoid = join(root, 'templates', 'sinusoid-family.hnet.json');
const continual = join(root, 'templates', 'toy-continual-regression.hnet.json');
const TIMEOUT = 120_000;

/** A `--json` line, read loosely: the tests reach several levels into seeds and summary events. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the assertions below are the shape check; typing each event kind here would repeat the CLI's own types
type Json = Record<string, any>;

/** Mean and sample sd written out, not taken from the code under test. */
function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, sd: Math.sqrt(ss / (xs.length - 1)) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-seeds-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('seed lists', () => {
  it('reads lists, ranges and both; refuses what is not a list of seeds with a sentence saying why', () => {
    expect(parseSeedList('1,2,3')).toEqual([1, 2, 3]);
    expect(parseSeedList('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeedList('7, 1-2')).toEqual([7, 1, 2]);
    expect(parseSeedList('0')).toEqual([0]);
    const problem = (text: string) => (parseSeedList(text) as { problem: string }).problem;
    expect(problem('1,,2')).toMatch(/empty entry/);
    expect(problem('a')).toMatch(/"a" is not a seed/);
    expect(problem('1.5')).toMatch(/not a seed/);
    expect(problem('-1')).toMatch(/not a seed/);
    expect(problem('5-1')).toMatch(/runs backwards.*1-5/);
    expect(problem('1,2,1')).toMatch(/seed 1 is listed twice/);
    expect(problem('1-1000')).toMatch(/more than 100 seeds/);
    expect(problem('99999999999')).toMatch(/not a seed/);
  });

  it('spreads: sample sd (n − 1), no sd for one run; the matrix summary of a continual-learning run', () => {
    expect(spread([2, 4, 4, 4, 5, 5, 7, 9])!.sd).toBeCloseTo(2.138, 3);
    expect(spread([0.5])).toEqual({ mean: 0.5, sd: null, n: 1 });
    expect(spread([])).toBeNull();
    const m = matrixSummary([
      [0.9, null],
      [0.7, 0.8],
    ])!;
    expect(m.final).toBeCloseTo(0.75);
    expect(m.justLearnt).toBeCloseTo(0.85);
    expect(m.change).toBeCloseTo(-0.2);
    expect(matrixSummary([[0.9]])).toBeNull();
  });
});

describe('hnet train --seeds', () => {
  it('a bad list, --resume or --seed with it: a usage error naming --seeds', () => {
    const bad = hnet(['train', sinusoid, '--seeds', '1,x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--seeds.*"x" is not a seed/);
    const resume = hnet(['train', sinusoid, '--seeds', '1,2', '--resume', join(dir, 'run.ckpt')]);
    expect(resume.status).toBe(2);
    expect(resume.stderr).toMatch(/--seeds trains a fresh run per seed; --resume continues one run/);
    const both = hnet(['train', sinusoid, '--seeds', '1,2', '--seed', '3']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--seed and --seeds/);
  }, TIMEOUT);

  it('--json: each seed is the run --seed trains, every event tagged with its seed, then mean ± sd of every metric', () => {
    const r = hnet(['train', sinusoid, '--steps', '15', '--seeds', '1-2', '--json', '--save', join(dir, 'w'), '--checkpoint', join(dir, 'run.ckpt')]);
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines<Json>(r.stdout);
    const done = events.filter((e) => e.event === 'done');
    expect(done.map((e) => e.seed)).toEqual([1, 2]);
    expect(events.filter((e) => e.event !== 'seeds').every((e) => e.seed === 1 || e.seed === 2)).toBe(true);
    // Different seeds train differently; each is exactly the run `--seed S` trains.
    expect(done[0].metrics.mse).not.toBe(done[1].metrics.mse);
    const alone = jsonLines<Json>(hnet(['train', sinusoid, '--steps', '15', '--seed', '2', '--json']).stdout).find((e) => e.event === 'done')!;
    expect(alone.metrics.mse).toBe(done[1].metrics.mse);

    const seeds = events[events.length - 1];
    expect(seeds.event).toBe('seeds');
    expect(seeds.seeds).toEqual([1, 2]);
    const model = seeds.hypernetwork;
    expect(model.runs.map((x: Json) => x.seed)).toEqual([1, 2]);
    for (const k of Object.keys(done[0].metrics)) {
      const expected = meanSd(done.map((d) => d.metrics[k] as number));
      expect(model.metrics[k].mean).toBeCloseTo(expected.mean, 10);
      expect(model.metrics[k].sd).toBeCloseTo(expected.sd, 10);
      expect(model.metrics[k].n).toBe(2);
    }
    // Nothing overwrites another seed's outputs.
    for (const s of [1, 2]) {
      expect(existsSync(join(dir, 'w', `seed-${s}`, 'weights.json'))).toBe(true);
      expect(existsSync(join(dir, `run.seed-${s}.ckpt`))).toBe(true);
    }
  }, TIMEOUT);

  it('continual learning with --baseline: per-seed lines, then a table with mean ± sd per task and of the matrix summary', () => {
    const r = hnet(['train', continual, '--steps', '8', '--seeds', '3,4', '--baseline', 'static', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines<Json>(r.stdout);
    const done = events.filter((e) => e.event === 'done' && e.variant === 'hypernetwork');
    expect(events.filter((e) => e.event === 'comparison').map((e) => e.seed)).toEqual([3, 4]);
    const seeds = events[events.length - 1];
    expect(Object.keys(seeds)).toEqual(expect.arrayContaining(['hypernetwork', 'static']));
    const finals = done.map((d) => {
      const last = d.accuracyMatrix[d.accuracyMatrix.length - 1] as number[];
      return last.reduce((a, b) => a + b, 0) / last.length;
    });
    expect(seeds.hypernetwork.accuracyMatrix.final.mean).toBeCloseTo(meanSd(finals).mean, 10);
    expect(seeds.hypernetwork.accuracyMatrix.final.sd).toBeCloseTo(meanSd(finals).sd, 10);
    expect(seeds.hypernetwork.metrics['mse/task2'].mean).toBeCloseTo(meanSd(done.map((d) => d.metrics['mse/task2'])).mean, 10);

    const text = hnet(['train', continual, '--steps', '8', '--seeds', '3,4', '--baseline', 'static']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/^hnet: seed 3 \(1 of 2\)$/m);
    expect(text.stdout).toMatch(/^ {2}seed 3 {2}hypernetwork: .*mse \d.*; static twin: .*mse \d/m);
    expect(text.stdout).toMatch(/^over 2 seeds \(3, 4\): mean ± sample sd \(n − 1\):$/m);
    const table = text.stdout.slice(text.stdout.indexOf('over 2 seeds')).split('\n');
    const row = (label: string) => table.find((l) => l.trimStart().startsWith(label)) ?? '';
    expect(row('mse/task1')).toMatch(/\d ± \d.*\d ± \d/);
    expect(row('matrix: after the last task')).toMatch(/\d ± \d.*\d ± \d/);
  }, TIMEOUT);

  it('one seed: the same summary, without ±', () => {
    const r = hnet(['train', sinusoid, '--steps', '5', '--seeds', '9']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^over 1 seed \(9\): one run, no spread:$/m);
    const mse = r.stdout.split('\n').find((l) => /^ {2}mse\s/.test(l))!;
    expect(mse).toMatch(/^ {2}mse\s+\d+\.\d+$/);
  }, TIMEOUT);
});
