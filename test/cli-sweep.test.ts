/**
 * `hnet sweep` and `hnet runs` as a user runs them: a grid of a node parameter and the learning rate over two
 * seeds, recorded beside the document as ordinary runs (the editor's runs table reads the same folder), the summary
 * mean ± sd per configuration; then the runs listed with the columns that differ; mistakes refused by name.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hnet, jsonLines, root } from './helpers/cli';

let dir: string;
let doc: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-cli-sweep-'));
  doc = join(dir, 'waves.hnet.json');
  copyFileSync(join(root, 'templates', 'sinusoid-family.hnet.json'), doc);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hnet sweep', () => {
  it('trains every configuration and seed, records the runs beside the document and reports mean ± sd', () => {
    const r = hnet(['sweep', doc, '--param', 'dense_1.units=8,16', '--param', 'learningRate=0.001,0.01', '--zip', '--seeds', '1,2', '--steps', '12', '--parallel', '2', '--json'], { timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const [summary] = jsonLines<{ event: string; name: string; configurations: { config: Record<string, number>; done: number; runs: { runId: string; seed: number; status: string }[]; metrics: Record<string, { mean: number; sd: number | null; n: number }> }[] }>(r.stdout);
    expect(summary.event).toBe('sweep');
    expect(summary.name).toBe('sweep dense_1.units × learningRate (list), 2 seeds (1, 2)');
    expect(summary.configurations.map((c) => c.config)).toEqual([
      { 'dense_1.units': 8, learningRate: 0.001 },
      { 'dense_1.units': 16, learningRate: 0.01 },
    ]);
    for (const c of summary.configurations) {
      expect(c.done).toBe(2);
      expect(c.runs.map((x) => x.seed).sort()).toEqual([1, 2]);
      expect(c.metrics.mse.n).toBe(2);
    }
    expect(readdirSync(join(dir, 'waves.runs')).filter((n) => n.startsWith('run-'))).toHaveLength(4);

    const table = hnet(['runs', doc]);
    expect(table.status, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['name', 'status', 'started', 'backend', 'lr', 'seed', 'graph', 'dense_1.units', 'loss', 'mse', 'time']);
    expect(rows).toHaveLength(4);
    expect(rows.every((l) => / done /.test(l))).toBe(true);
    const sorted = hnet(['runs', doc, '--sort', 'dense_1.units']).stdout.trim().split('\n').slice(1);
    expect(sorted.map((l) => l.split(/\s{2,}/)[7])).toEqual(['8', '8', '16', '16']);
    const json = jsonLines<{ id: string; provenance: { seed: number; dataHash: string } }>(hnet(['runs', doc, '--json']).stdout);
    expect(json).toHaveLength(4);
    expect(json.every((x) => /^[0-9a-f]{64}$/.test(x.provenance.dataHash))).toBe(true);
  }, 300_000);

  it('refuses a mistake by name before anything trains', () => {
    const bad = hnet(['sweep', doc, '--param', 'dense_1.units']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--param "dense_1.units": write the setting and its values as key=v1,v2/);
    const nothing = hnet(['sweep', doc]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/a sweep needs a setting to vary or seeds to repeat over/);
    const unknown = hnet(['sweep', doc, '--param', 'dense_1.unitz=4', '--steps', '3']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/dense_1.unitz: target.dense has no parameter "unitz"; it has units/);
    const sort = hnet(['runs', doc, '--sort', 'nope']);
    expect(sort.status).toBe(2);
    expect(sort.stderr).toMatch(/no such column; the columns are name, status/);
  }, 120_000);
});
