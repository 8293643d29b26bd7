/**
 * `npm run results` end to end on a tiny template in a folder of its own (--templates, --out): 2 seeds, then its
 * full budget, then --render from the recorded runs. The script runs as a user runs it (node bin/run-ts.mjs).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry } from '../scripts/results/entry';
import { hnet, jsonLines, root, run as runCommand } from './helpers/cli';

const TIMEOUT = 180_000;

/** A script as `npm run` runs it (`node bin/run-ts.mjs script args`), colours off. */
const run = (args: string[], script = 'scripts/results.ts') =>
  runCommand(process.execPath, [join(root, 'bin', 'run-ts.mjs'), script, ...args], { cwd: root, timeout: TIMEOUT, env: { ...process.env, FORCE_COLOR: '0' } });

let dir: string;
let templates: string;
let out: string;
let tiny: string;
const recorded = (): Entry[] => JSON.parse(/<!-- results-data\n([\s\S]*?)\n-->/.exec(readFileSync(out, 'utf8'))![1]) as Entry[];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-results-'));
  templates = join(dir, 'templates');
  out = join(dir, 'docs', 'RESULTS.md');
  mkdirSync(templates);
  mkdirSync(join(dir, 'docs'));
  const doc = JSON.parse(readFileSync(join(root, 'templates', 'sinusoid-family.hnet.json'), 'utf8'));
  doc.training = { ...doc.training, steps: 20, evalEvery: 0 };
  doc.metadata.published = { figure: 'MSE 0.5 on the sinusoid family.', source: 'A test.', value: 0.5 };
  doc.fullBudget = { note: 'Thirty steps.', training: { steps: 30 } };
  tiny = join(templates, 'tiny.hnet.json');
  writeFileSync(tiny, `${JSON.stringify(doc, null, 2)}\n`);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run results', () => {
  it('--help documents the flags; a bad --seeds or --budget full before any row is recorded is refused', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--seeds LIST', '--budget WHICH', '--only NAME', '--backend NAME', '--render', '--templates DIR', '--out FILE']) expect(help.stdout).toContain(flag);
    const bad = run(['--templates', templates, '--out', out, '--seeds', '3-1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/results: --seeds: "3-1" runs backwards/);
    const early = run(['--templates', templates, '--out', out, '--budget', 'full']);
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(/--budget full adds the full-budget figure to a recorded row; .* has no row for tiny\.hnet\.json/);
  }, TIMEOUT);

  it('--seeds 1,2: one run per seed (each the run `hnet train --seed S` trains), the row in mean ± sd; then --budget full and --render', () => {
    const first = run(['--templates', templates, '--out', out, '--seeds', '1,2']);
    expect(first.status, first.stderr + first.stdout).toBe(0);
    const [entry] = recorded();
    expect(entry.file).toBe('templates/tiny.hnet.json');
    expect(entry.seeds).toEqual([1, 2]);
    expect(entry.runs!.map((r) => r.seed)).toEqual([1, 2]);
    expect(entry.runs!.every((r) => r.twin)).toBe(true);
    const alone = jsonLines<{ event: string; metrics: Record<string, number> }>(hnet(['train', tiny, '--seed', '2', '--backend', 'wasm', '--json'], { timeout: TIMEOUT }).stdout).find((e) => e.event === 'done');
    expect(entry.runs![1].metrics.mse).toBe(alone!.metrics.mse);
    expect(entry.runs![0].metrics.mse).not.toBe(entry.runs![1].metrics.mse);
    expect(entry.command).toBe('npx hnet train templates/tiny.hnet.json --backend wasm --seeds 1,2 --baseline static');

    const page = readFileSync(out, 'utf8');
    const row = page.split('\n').find((l) => l.startsWith('| [Sinusoid family]'))!;
    expect(row).toMatch(/\| MSE [\d.e−]+ ± [\d.e−]+ \| 2 \|/);
    expect(row).toContain('| not run yet | no full-budget run |');
    // The template's gallery sentence comes from the same runs; the rest of the file is left as it was.
    const meta = JSON.parse(readFileSync(tiny, 'utf8')).metadata;
    expect(meta.result).toContain('mean ± sd over 2 seeds (1, 2)');

    const full = run(['--templates', templates, '--out', out, '--budget', 'full', '--seeds', '3']);
    expect(full.status, full.stderr + full.stdout).toBe(0);
    const [withFull] = recorded();
    expect(withFull.runs).toEqual(entry.runs); // the default-budget runs are kept
    expect(withFull.full!.seeds).toEqual([3]);
    expect(withFull.full!.steps).toBe(30);
    const ratio = mean(withFull.full!.runs.map((r) => r.metrics.mse)) / 0.5;
    const fullRow = readFileSync(out, 'utf8').split('\n').find((l) => l.startsWith('| [Sinusoid family]'))!;
    expect(fullRow).toContain(`1 seed (3), 30 steps, wasm | ${ratio.toFixed(2)}×: goal (within 2×) **${ratio <= 2 ? 'met' : 'missed'}** |`);
    expect(JSON.parse(readFileSync(tiny, 'utf8')).metadata.result).toBe(meta.result);

    // The page renders again from the runs it records, to the same text.
    const before = readFileSync(out, 'utf8');
    const render = run(['--templates', templates, '--out', out, '--render']);
    expect(render.status, render.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(before);
  }, TIMEOUT);
});
