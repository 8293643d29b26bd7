import { describe, expect, it } from 'vitest';
import { runsTable, sortRuns, formatSeconds } from './runTable';
import { RunSummary, runDisplayName } from './runs';

const base = RunSummary.parse({
  id: 'run-20261203-150000-aaaaaa',
  name: 'model.hnet.json',
  startedAt: '2026-12-03T15:00:00.000Z',
  endedAt: '2026-12-03T15:01:30.000Z',
  status: 'done',
  step: 100,
  totalSteps: 100,
  metrics: { accuracy: 0.9, 'accuracy/task0': 0.9 },
  settings: { optimizer: { type: 'adam', learningRate: 0.001 }, batchSize: 32, steps: 100, epochs: null, seed: 1, backend: 'auto', evalEvery: 0, schedule: 'sequential', tasks: null, checkpointEvery: 500, stepEventEvery: 1 },
  backend: 'wasm',
  error: null,
  resumedFrom: null,
  nodeParams: { 'hyper.chunkSize': 500, 'hyper.hidden': [32] },
});
const run = (id: string, patch: Partial<RunSummary>, settings: Partial<RunSummary['settings']> = {}): RunSummary => ({ ...base, id, ...patch, settings: { ...base.settings, ...settings } });

describe('the runs table', () => {
  it('shows the settings and node parameters that differ, and every final mean metric', () => {
    const runs = [
      run('run-20261203-150000-aaaaaa', {}),
      run('run-20261203-150100-bbbbbb', { metrics: { accuracy: 0.95 }, nodeParams: { 'hyper.chunkSize': 1000, 'hyper.hidden': [32] }, label: 'big chunks' }, { seed: 2 }),
    ];
    const { columns } = runsTable(runs);
    expect(columns.map((c) => c.key)).toEqual(['name', 'status', 'started', 'backend', 'setting:seed', 'param:hyper.chunkSize', 'metric:accuracy', 'time']);
    expect(columns.map((c) => c.text(runs[1]))).toEqual(['big chunks', 'done', expect.stringMatching(/^2026-12-03 \d\d:00$/), 'wasm', '2', '1000', '0.95', '1 min 30 s']);
    expect(runDisplayName(runs[0])).toBe('run aaaaaa');
  });

  it('sorts by any column, both ways, missing values last', () => {
    const runs = [run('run-a', { metrics: { accuracy: 0.5 } }), run('run-b', { metrics: {} }), run('run-c', { metrics: { accuracy: 0.7 } })];
    const { columns } = runsTable(runs);
    expect(sortRuns(runs, columns, 'metric:accuracy', 'desc').map((r) => r.id)).toEqual(['run-c', 'run-a', 'run-b']);
    expect(sortRuns(runs, columns, 'metric:accuracy', 'asc').map((r) => r.id)).toEqual(['run-a', 'run-c', 'run-b']);
    expect(sortRuns(runs, columns, 'name', 'asc').map((r) => r.id)).toEqual(['run-a', 'run-b', 'run-c']);
  });

  it('words training time', () => {
    expect([formatSeconds(null), formatSeconds(4.21), formatSeconds(75), formatSeconds(7300)]).toEqual(['–', '4.2 s', '1 min 15 s', '2 h 2 min']);
  });
});
