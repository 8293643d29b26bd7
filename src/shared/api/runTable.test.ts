import { describe, expect, it } from 'vitest';
import { formatSeconds, runsTable, runsTableText, sortRuns } from './runTable';
import { Continual } from '../document/schema';
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

  it('shows the schedule and the task order where runs differ in them (no order: all tasks)', () => {
    const runs = [run('run-a', {}), run('run-b', {}, { schedule: 'interleaved', tasks: [2, 0, 1] })];
    const { columns } = runsTable(runs);
    const shown = columns.filter((c) => c.kind === 'setting');
    expect(shown.map((c) => [c.label, c.text(runs[0]), c.text(runs[1])])).toEqual([
      ['schedule', 'sequential', 'interleaved'],
      ['tasks', 'all', '2,0,1'],
    ]);
    expect(runsTable([run('run-a', {}), run('run-b', {})]).columns.some((c) => c.key === 'setting:tasks')).toBe(false);
  });

  it('shows the continual-learning settings where runs differ in them (a run recorded before runs kept them: –)', () => {
    const hypercl = Continual.parse({ optimizerPerTask: true, fixedEmbeddings: true, lookAhead: true, regularizedTasksPerStep: 1 });
    const runs = [run('run-a', {}, { continual: Continual.parse({}) }), run('run-b', {}, { continual: hypercl }), run('run-c', {}, { continual: null })];
    const column = runsTable(runs).columns.find((c) => c.key === 'setting:continual')!;
    expect(runs.map((r) => column.text(r))).toEqual([
      'none',
      'optimizer per task, fixed embeddings, look-ahead, 1 earlier/step',
      '–',
    ]);
    expect(runsTable([runs[1], run('run-d', {}, { continual: hypercl })]).columns.some((c) => c.key === 'setting:continual')).toBe(false);
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

describe('the runs table as a file', () => {
  it('writes CSV (quoted as RFC 4180) and Markdown with each run’s id and provenance', () => {
    const provenance = { appVersion: '0.1.0', documentHash: 'a'.repeat(64), graphHash: 'b'.repeat(64), dataHash: 'c'.repeat(64), seed: 1 };
    const runs = [run('run-20261203-150000-aaaaaa', { label: 'with, comma "quoted"', provenance }), run('run-20261203-150000-bbbbbb', { provenance: null }, { seed: 2 })];
    const csv = runsTableText(runs, 'csv', Date.parse('2026-12-03T16:00:00Z')).split('\r\n');
    expect(csv[0]).toBe('name,status,started,backend,graph,accuracy,time,id,app version,document sha256,graph sha256,data sha256,seed');
    expect(csv[1]).toMatch(/^"with, comma ""quoted""",done,2026-12-03 \d\d:00,wasm,bbbbbbb,0.9,1 min 30 s,run-20261203-150000-aaaaaa,0.1.0,a{64},b{64},c{64},1$/);
    expect(csv[2]).toMatch(/,run-20261203-150000-bbbbbb,,,,,2$/);
    expect(csv[3]).toBe('');
    const md = runsTableText(runs, 'markdown').split('\n');
    expect(md[0]).toBe('| name | status | started | backend | graph | accuracy | time | id | app version | document sha256 | graph sha256 | data sha256 | seed |');
    expect(md[1]).toBe(`|${' --- |'.repeat(13)}`);
    expect(md).toHaveLength(5);
  });
});
