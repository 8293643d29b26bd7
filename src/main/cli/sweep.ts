/**
 * `hnet sweep FILE --param hyper.chunkSize=500,1000,2000 --seeds 1,2,3`: one run per configuration and seed,
 * trained by the app's own run manager (at most `--parallel` at once, the others queued), recorded as ordinary runs
 * beside the document (`<name>.runs/`, where the editor's runs table shows them, grouped) and summarised as mean ±
 * sd of every metric per configuration. `hnet runs FILE` lists them later.
 */
import { basename, dirname, resolve } from 'node:path';
import type { RunOverrides, RunSummary } from '../../shared/api/runs';
import type { Backend } from '../../shared/document/schema';
import { SweepSpec, expandSweep, formatSpread, parseSweepSetting, sweepName, sweepResults, type SweepValue } from '../../shared/sweep';
import { AppError } from '../app/errors';
import { createRunManager } from '../app/runs/manager';
import { runsDirFor } from '../app/runs/store';
import type { StartRunOptions } from '../engine/session';
import { dataAccessFromFlags, type DataFlags } from './dataFlags';
import { resourceLimitsFromFlags, type LimitFlags } from './limitFlags';
import { EXIT, err, loadForCommand, out, readTextFile } from './io';

export interface SweepFlags extends DataFlags, LimitFlags {
  /** `key=v1,v2`, once or twice. */
  param?: string[];
  /** Pair the two settings' values one to one instead of every combination. */
  zip?: boolean;
  seeds?: number[];
  steps?: number;
  backend?: Backend;
  /** Runs trained at once (default 1; the others wait in the queue). */
  parallel?: number;
  /** The metric the summary leads with (default: the document's first). */
  metric?: string;
  json?: boolean;
}

/** Everything about the sweep a user might have typed wrong, said before anything trains. */
function specOf(flags: SweepFlags): SweepSpec | string {
  const settings: { key: string; values: SweepValue[] }[] = [];
  for (const p of flags.param ?? []) {
    const parsed = parseSweepSetting(p);
    if ('problem' in parsed) return `--param ${parsed.problem}`;
    settings.push(parsed);
  }
  if (settings.length > 2) return '--param: a sweep varies one or two settings (give --param at most twice)';
  const spec = SweepSpec.safeParse({ settings, combine: flags.zip ? 'list' : 'grid', seeds: flags.seeds ?? [] });
  if (!spec.success) return spec.error.issues.map((i) => i.message).join('; ');
  return spec.data;
}

export async function sweepCommand(file: string, flags: SweepFlags, start: StartRunOptions = {}): Promise<number> {
  const spec = specOf(flags);
  if (typeof spec === 'string') {
    err(`hnet: ${spec}`);
    return EXIT.usage;
  }
  const data = dataAccessFromFlags(flags, '--allow-data');
  if (typeof data === 'number') return data;
  const loaded = loadForCommand(file);
  if (typeof loaded === 'number') return loaded;
  const text = readTextFile(file);
  if (!text.ok) return EXIT.invalid;
  const path = resolve(file);
  const root = runsDirFor(path);
  const runs = createRunManager<void>({
    push: (_caller, m) => {
      if (m.type === 'engine' && m.event.event === 'status' && m.event.status !== 'running' && m.event.status !== 'queued') progress(m.runId, m.event.status);
    },
    defaultRoot: root,
    // The command's own queue: it ends with the command (an interrupted sweep's waiting runs read `interrupted`).
    queueFile: null,
    worker: start,
    maxRuns: flags.parallel ?? 1,
    dataAccess: () => data,
    resourceLimits: resourceLimitsFromFlags(flags),
  });
  const overrides: RunOverrides = { ...(flags.steps !== undefined ? { steps: flags.steps } : {}), ...(flags.backend ? { backend: flags.backend } : {}) };
  const planned = expandSweep(spec);
  const ended = new Set<string>();
  let ids: string[] = [];
  function progress(runId: string, status: string) {
    ended.add(runId);
    const i = ids.indexOf(runId);
    const run = planned[i];
    const what = run ? Object.entries(run.config).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') : runId;
    if (!flags.json) err(`hnet: [${ended.size}/${planned.length}] ${runId} ${what}${run?.seed !== null && run?.seed !== undefined ? ` seed ${run.seed}` : ''}: ${status}`);
  }
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    err('hnet: interrupted; stopping the sweep (finished runs are kept)');
    void runs.close();
  };
  process.once('SIGINT', onSignal);
  try {
    if (!flags.json) err(`hnet: ${sweepName(spec)}: ${planned.length} ${planned.length === 1 ? 'run' : 'runs'}, ${flags.parallel ?? 1} at a time, recorded in ${basename(dirname(root))}/${basename(root)}/`);
    let started: { groupId: string; runIds: string[] };
    try {
      started = await runs.sweep({ documentText: text.text, root, baseDir: dirname(path), name: basename(path), overrides, caller: undefined, spec });
    } catch (e) {
      err(`hnet: cannot start the sweep: ${e instanceof AppError ? e.message : String(e)}`);
      return EXIT.invalid;
    }
    ids = started.runIds;
    for (const id of ids) await runs.settled(id);
    const summaries = (await runs.list(root)).filter((r) => r.group?.id === started.groupId);
    report(spec, summaries, started.groupId, flags);
    if (interrupted) return EXIT.interrupted;
    return summaries.every((r) => r.status === 'done') ? EXIT.ok : summaries.some((r) => r.status === 'diverged') ? EXIT.diverged : EXIT.invalid;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await runs.close();
  }
}

function report(spec: SweepSpec, runs: RunSummary[], groupId: string, flags: SweepFlags): void {
  const results = sweepResults(runs, groupId);
  if (flags.json) {
    out(JSON.stringify({ event: 'sweep', groupId, name: sweepName(spec), configurations: results.map((r) => ({ config: r.config, runs: r.runs.map((x) => ({ runId: x.id, seed: x.settings.seed, status: x.status, metrics: x.metrics })), done: r.done, metrics: r.metrics })) }));
    return;
  }
  const metricKeys = [...new Set(results.flatMap((r) => Object.keys(r.metrics).filter((k) => !k.includes('/'))))];
  const lead = flags.metric && metricKeys.includes(flags.metric) ? [flags.metric, ...metricKeys.filter((k) => k !== flags.metric)] : metricKeys;
  if (flags.metric && !metricKeys.includes(flags.metric)) err(`hnet: no run reports "${flags.metric}"; the metrics are ${metricKeys.join(', ') || 'none'}`);
  const keys = spec.settings.map((s) => s.key);
  const header = [...keys, 'runs', ...lead];
  const rows = results.map((r) => [...keys.map((k) => JSON.stringify(r.config[k])), `${r.done}/${r.runs.length}`, ...lead.map((m) => formatSpread(r.metrics[m], 4))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  out(`${sweepName(spec)}: mean ± sample sd (n − 1) over each configuration's done runs`);
  out(header.map((h, i) => h.padEnd(widths[i])).join('  ').trimEnd());
  for (const row of rows) out(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}
