import { describe, expect, it } from 'vitest';
import type { RunSummary } from './api/runs';
import { SweepSpec, configurations, expandSweep, formatSpread, parseSweepSetting, parseSweepValue, sweepName, sweepResults } from './sweep';

const spec = (input: unknown) => SweepSpec.parse(input);

describe('sweeps', () => {
  it('expands a grid of two settings, every combination, seeds inside each configuration', () => {
    const s = spec({ settings: [{ key: 'hyper.chunkSize', values: [500, 1000] }, { key: 'learningRate', values: [0.001, 0.01, 0.1] }], seeds: [1, 2] });
    expect(configurations(s)).toHaveLength(6);
    const runs = expandSweep(s);
    expect(runs).toHaveLength(12);
    expect(runs[0]).toEqual({ overrides: { learningRate: 0.001, params: { 'hyper.chunkSize': 500 }, seed: 1 }, config: { 'hyper.chunkSize': 500, learningRate: 0.001 }, seed: 1, index: 0 });
    expect(runs[1].seed).toBe(2);
    expect(runs[11]).toMatchObject({ config: { 'hyper.chunkSize': 1000, learningRate: 0.1 }, index: 5, seed: 2 });
    expect(sweepName(s)).toBe('sweep hyper.chunkSize × learningRate (grid), 2 seeds (1, 2)');
  });

  it('pairs values one to one as a list, and repeats over seeds alone', () => {
    const list = spec({ settings: [{ key: 'batchSize', values: [16, 32] }, { key: 'learningRate', values: [0.001, 0.002] }], combine: 'list' });
    expect(configurations(list)).toEqual([{ batchSize: 16, learningRate: 0.001 }, { batchSize: 32, learningRate: 0.002 }]);
    expect(expandSweep(list).map((r) => r.seed)).toEqual([null, null]);
    const seeds = spec({ settings: [], seeds: [3, 4, 5] });
    expect(expandSweep(seeds).map((r) => r.overrides)).toEqual([{ seed: 3 }, { seed: 4 }, { seed: 5 }]);
    expect(sweepName(seeds)).toBe('repeat over 3 seeds (3, 4, 5)');
  });

  it('refuses what would train nothing useful or far too much, saying why', () => {
    const issues = (input: unknown) => {
      const r = SweepSpec.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    expect(issues({ settings: [] })).toEqual(['a sweep needs a setting to vary or seeds to repeat over']);
    expect(issues({ settings: [{ key: 'bogus', values: [1] }] })[0]).toMatch(/neither a training setting .* nor a node parameter/);
    expect(issues({ settings: [{ key: 'batchSize', values: [1.5] }] })).toEqual(['batchSize: 1.5 is not a whole number']);
    expect(issues({ settings: [{ key: 'optimizer', values: [3] }] })).toEqual(['optimizer: 3 is not a name']);
    expect(issues({ settings: [{ key: 'a.b', values: [1, 2] }, { key: 'c.d', values: [1] }], combine: 'list' })[0]).toMatch(/pairs values one to one: a.b has 2, c.d 1/);
    expect(issues({ settings: [{ key: 'a.b', values: Array.from({ length: 50 }, (_, i) => i) }], seeds: Array.from({ length: 11 }, (_, i) => i) })).toEqual(['550 runs is more than 500; sweep fewer values or seeds']);
    expect(issues({ settings: [{ key: 'a.b', values: [1] }, { key: 'a.b', values: [2] }] })).toEqual(['a.b is swept twice']);
  });

  it('reads what a user types', () => {
    expect(parseSweepValue(' 1e-3 ')).toBe(0.001);
    expect(parseSweepValue('true')).toBe(true);
    expect(parseSweepValue('sgd')).toBe('sgd');
    expect(parseSweepSetting('hyper.chunkSize=500,1000,2000')).toEqual({ key: 'hyper.chunkSize', values: [500, 1000, 2000] });
    expect(parseSweepSetting('optimizer=adam,sgd')).toEqual({ key: 'optimizer', values: ['adam', 'sgd'] });
    expect(parseSweepSetting('chunkSize')).toMatchObject({ problem: expect.stringMatching(/key=v1,v2/) });
    expect(parseSweepSetting('learningRate=0.1,,0.2')).toMatchObject({ problem: expect.stringMatching(/empty value/) });
    expect(parseSweepSetting('chunk=1,2')).toMatchObject({ problem: expect.stringMatching(/^"chunk=1,2": chunk is neither/) });
  });

  it("summarises each configuration's done runs as mean ± sample sd", () => {
    const s = spec({ settings: [{ key: 'learningRate', values: [0.001, 0.01] }], seeds: [1, 2, 3] });
    const runs = expandSweep(s).map((r, i) => ({
      id: `run-${i}`,
      status: i === 5 ? 'diverged' : 'done',
      metrics: { accuracy: [0.9, 0.92, 0.94, 0.5, 0.7, Number.NaN][i] },
      group: { id: 'g', kind: 'sweep', name: sweepName(s), config: r.config, index: r.index, of: 2 },
    })) as unknown as RunSummary[];
    const results = sweepResults([...runs, { ...runs[0], id: 'other', group: { ...runs[0].group!, id: 'h' } }], 'g');
    expect(results.map((r) => [r.config, r.done, r.runs.length])).toEqual([
      [{ learningRate: 0.001 }, 3, 3],
      [{ learningRate: 0.01 }, 2, 3],
    ]);
    expect(results[0].metrics.accuracy.mean).toBeCloseTo(0.92, 12);
    expect(results[0].metrics.accuracy.sd).toBeCloseTo(0.02, 12);
    expect(results[1].metrics.accuracy).toMatchObject({ n: 2 });
    expect(formatSpread(results[0].metrics.accuracy)).toBe('0.920 ± 0.020');
    expect(formatSpread({ mean: 0.5, sd: null, n: 1 })).toBe('0.500');
  });
});
