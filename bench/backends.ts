/**
 * Training steps per second of the same model at the same batch size on every training backend: the tfjs engine
 * (train() from train.ts) on each available tfjs backend, and the program's PyTorch export (train.py, run by the
 * `pytorch` backend, src/main/engine/pytorch.ts) on CPU, with PyTorch's default threads and with one thread
 * (the tfjs backends here compute on one). Measured side by side in one run, reported as ratios to wasm.
 *
 * Models: the sinusoid template (regression, a context-conditioned MLP head) and the spirals template
 * (classification, per-sample weights). Every variant runs the same program (evalEvery 0), seed and batches.
 *
 * How a variant is timed: one training run with a step event every step; the clock starts at the event of step
 * WARM (setup, hyperfan initialisation, kernel and allocator warm-up are excluded) and stops at the event of
 * step WARM + n (the final evaluation and, for PyTorch, Python's start-up and the export are excluded). Step
 * events cross a pipe from train.py as they do in `hnet train --backend pytorch`; both sides print one per step.
 * Each round runs every variant once, in an order rotated from round to round so a slow drift favours none; a
 * variant's ratio is the median over rounds of (its steps/s / wasm's steps/s in the same round). Wall time only:
 * PyTorch works in another process, so this process's CPU time would not count it.
 *
 *   npx tsx bench/backends.ts [--backend-rounds 3] [--backend-seconds 2] [--backends wasm,cpu] [--write-docs]
 *
 * --write-docs rewrites docs/BENCHMARKS.md from the results (never edit that table by hand).
 */
import { writeFileSync } from 'node:fs';
import { cpus, platform, arch, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { availableBackends, useBackend } from '../src/main/engine/backend';
import { findTorch, trainWithPytorch, type TorchInfo } from '../src/main/engine/pytorch';
import { train } from '../src/main/engine/train';
import type { EngineEvent } from '../src/shared/api/events';
import type { Program } from '../src/shared/compiler/ir';
import { ROOT, TEMPLATES, compileFile, flag, fmt, heading, isMain, median, numFlag, table } from './common';

export const BACKEND_MODELS = [join(TEMPLATES, 'sinusoid-family.hnet.json'), join(TEMPLATES, 'spirals-per-sample.hnet.json')];
/** Steps before the clock starts. */
const WARM = 30;
const DOCS = join(ROOT, 'docs', 'BENCHMARKS.md');

interface Variant {
  name: string;
  kind: 'tfjs' | 'pytorch';
  /** tfjs backend name, or the PyTorch process's extra environment. */
  backend?: string;
  env?: Record<string, string>;
}

interface Timed {
  stepsPerSecond: number;
  steps: number;
  /** The loss at step WARM: the same model, seed and batches give the same value on every variant. */
  warmLoss: number;
}

export interface VariantResult {
  variant: string;
  /** steps/s per round. */
  perRound: number[];
  median: number;
  /** Median over rounds of steps/s / the reference's steps/s in the same round. */
  ratio: number;
  steps: number;
  warmLoss: number;
}

export interface ModelResult {
  file: string;
  batchSize: number;
  params: number;
  reference: string;
  variants: VariantResult[];
}

export interface BackendsReport {
  date: string;
  machine: string;
  software: string;
  torch: TorchInfo | null;
  torchProblem: string | null;
  rounds: number;
  blockSeconds: number;
  models: ModelResult[];
  seconds: number;
}

/** One run of `variant`, timed from the step event of WARM to that of WARM + n. */
async function timeRun(program: Program, v: Variant, n: number, seed: number): Promise<Timed> {
  let t0 = 0;
  let t1 = 0;
  let warmLoss = NaN;
  const emit = (e: EngineEvent) => {
    if (e.event !== 'step') return;
    if (e.step === WARM) {
      t0 = performance.now();
      warmLoss = e.loss;
    } else if (e.step === WARM + n) t1 = performance.now();
  };
  const opts = { steps: WARM + n, seed, stepEventEvery: 1 };
  if (v.kind === 'tfjs') await train(program, { ...opts, backend: v.backend as never }, emit);
  else await trainWithPytorch(program, { ...opts, backend: 'pytorch', device: 'cpu', env: v.env }, emit);
  if (!t0 || !t1) throw new Error(`${v.name}: the run did not report steps ${WARM} and ${WARM + n}`);
  return { stepsPerSecond: (n * 1000) / (t1 - t0), steps: n, warmLoss };
}

export interface BackendsOptions {
  rounds?: number;
  /** Timed seconds per variant per round (roughly). */
  blockSeconds?: number;
  backends?: string[];
  models?: string[];
  log?: (s: string) => void;
}

export async function benchBackends(o: BackendsOptions = {}): Promise<BackendsReport> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  const rounds = o.rounds ?? 3;
  const blockSeconds = o.blockSeconds ?? 2;
  const tfjsBackends = (o.backends ?? (await availableBackends())).filter((b) => b !== 'pytorch');
  let torch: TorchInfo | null = null;
  let torchProblem: string | null = null;
  try {
    torch = await findTorch();
  } catch (e) {
    torchProblem = e instanceof Error ? e.message : String(e);
    log(`  PyTorch left out: ${torchProblem}`);
  }
  const variants: Variant[] = [
    ...tfjsBackends.map((b): Variant => ({ name: `tfjs ${b}`, kind: 'tfjs', backend: b })),
    ...(torch
      ? [
          { name: `pytorch cpu (${torch.threads} thread${torch.threads === 1 ? '' : 's'})`, kind: 'pytorch' as const },
          ...(torch.threads > 1 ? [{ name: 'pytorch cpu (1 thread)', kind: 'pytorch' as const, env: { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } }] : []),
        ]
      : []),
  ];
  if (variants.length === 0) throw new Error('no backend to time');
  const reference = variants.find((v) => v.backend === 'wasm')?.name ?? variants[0].name;

  const models: ModelResult[] = [];
  for (const file of o.models ?? BACKEND_MODELS) {
    const { program: compiled } = compileFile(file);
    const program: Program = { ...compiled, training: { ...compiled.training, evalEvery: 0 } };
    const seed = program.training.seed;
    const params = program.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    // Calibrate: a short run per variant gives the steps for about blockSeconds of timed work.
    const steps = new Map<string, number>();
    for (const v of variants) {
      const probe = await timeRun(program, v, 30, seed);
      steps.set(v.name, Math.max(50, Math.min(20_000, Math.round(blockSeconds * probe.stepsPerSecond))));
    }
    log(`  ${basename(file)} (batch ${program.training.batchSize}): ${variants.map((v) => `${v.name} ${steps.get(v.name)} steps`).join(', ')} per round, ${rounds} rounds`);
    const perRound = new Map<string, Timed[]>(variants.map((v) => [v.name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      for (const v of order) perRound.get(v.name)!.push(await timeRun(program, v, steps.get(v.name)!, seed));
    }
    const ref = perRound.get(reference)!;
    models.push({
      file: basename(file),
      batchSize: program.training.batchSize,
      params,
      reference,
      variants: variants.map((v) => {
        const runs = perRound.get(v.name)!;
        return {
          variant: v.name,
          perRound: runs.map((t) => t.stepsPerSecond),
          median: median(runs.map((t) => t.stepsPerSecond)),
          ratio: median(runs.map((t, i) => t.stepsPerSecond / ref[i].stepsPerSecond)),
          steps: runs[0].steps,
          warmLoss: runs[0].warmLoss,
        };
      }),
    });
  }
  // Leave the process on its best tfjs backend for whatever runs next (bench/index.ts).
  if (tfjsBackends.length) await useBackend(tfjsBackends[0] as never);

  const c = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} logical CPUs, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, ${platform()} ${arch()}`,
    software: `Node ${process.version}, tfjs ${tf.version_core}${torch ? `, Python ${torch.pythonVersion}, PyTorch ${torch.torch} (${torch.python}, ${torch.threads} thread${torch.threads === 1 ? '' : 's'} by default${torch.cuda ? ', CUDA available but not used here' : ''})` : ', no PyTorch'}`,
    torch,
    torchProblem,
    rounds,
    blockSeconds,
    models,
    seconds: (performance.now() - started) / 1000,
  };
}

const ROW_HEADER = ['model', 'batch', 'variant', 'steps/s (median)', 'vs wasm', 'per round', `loss at step ${WARM}`];

function rows(report: BackendsReport): string[][] {
  return report.models.flatMap((m) =>
    m.variants.map((v) => [
      m.file.replace(/\.hnet\.json$/, ''),
      String(m.batchSize),
      v.variant,
      fmt(v.median, 1),
      `${fmt(v.ratio, 2)}x`,
      v.perRound.map((x) => fmt(x, 0)).join(' / '),
      fmt(v.warmLoss, 4),
    ]),
  );
}

export function printBackends(report: BackendsReport): void {
  heading('Steps per second by backend: tfjs engine vs the PyTorch export (same model, same batch size)');
  console.log(`${report.machine}\n${report.software}`);
  if (report.torchProblem) console.log(`PyTorch left out: ${report.torchProblem}`);
  const header = [...ROW_HEADER];
  header[4] = `vs ${report.models[0]?.reference.replace(/^tfjs /, '') ?? 'wasm'}`;
  console.log(table(header, rows(report)));
  console.log(
    [
      '',
      `Each variant: steps ${WARM + 1}.. of a run with evalEvery 0, timed between its own step events (setup, init,`,
      `start-up and final evaluation excluded); ${report.rounds} rounds, order rotated; "vs" = median of per-round ratios.`,
      `"loss at step ${WARM}" is the same model with the same seed and batches: equal values mean the same computation.`,
      `${fmt(report.seconds, 1)} s.`,
    ].join('\n'),
  );
}

/** docs/BENCHMARKS.md, written from a report. */
export function benchmarksDoc(report: BackendsReport): string {
  const md = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = [...ROW_HEADER];
  header[4] = `vs ${report.models[0]?.reference.replace(/^tfjs /, '') ?? 'wasm'}`;
  const numeric = new Set([1, 3, 4, 6]);
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench -- --write-docs` (bench/backends.ts). Do not edit by hand: rerun it. -->',
    '',
    '## Training steps per second by backend',
    '',
    `Measured ${report.date} on ${report.machine}.`,
    `${report.software}.`,
    '',
    'The same model at the same batch size, trained by the tfjs engine (`hnet train --backend <tfjs backend>`) and by',
    'the program\'s PyTorch export on CPU (`hnet train --backend pytorch`, which runs the `train.py` of',
    '`hnet export --to pytorch`). Every variant starts from the same initial values and draws the same batches, so',
    `the loss at step ${WARM} agrees across them; ratios are steps per second relative to wasm, measured side by side`,
    'in one run.',
    '',
    md(header),
    md(header.map((_, i) => (numeric.has(i) ? '---:' : '---'))),
    ...rows(report).map(md),
    '',
    `How it is measured: each variant trains the template with periodic evaluation off and a step event every step;`,
    `the clock runs from the event of step ${WARM} to that of the last step, so setup, hyperfan initialisation, warm-up,`,
    'Python\'s start-up, the export and the final evaluation are left out. Each round runs every variant once (about',
    `${report.blockSeconds} s each), in an order rotated between rounds; "${header[4]}" is the median over ${report.rounds} rounds of the`,
    'per-round ratio, "per round" the steps per second of each round. These are wall-clock times: PyTorch computes',
    `in another process, with torch's default number of CPU threads (${report.torch ? `${report.torch.threads} on this machine` : 'not measured here'})${
      report.torch && report.torch.threads > 1 ? ' and again with one (`OMP_NUM_THREADS=1`)' : ''
    }.`,
    'Absolute numbers depend on the machine and on what else runs on it (rounds that disagree show load from other',
    'processes); the ratios are the result.',
    '',
    '## Reproducing',
    '',
    '```sh',
    'npm run bench                        # every benchmark, this table included (printed, not written)',
    'npm run bench -- --write-docs        # the same, and rewrite this file from the results',
    'npx tsx bench/backends.ts --write-docs --backend-rounds 5 --backend-seconds 3   # this table alone, longer',
    '```',
    '',
    'PyTorch comes from `HNET_PYTHON` if set, else the first of `/usr/bin/python3` and `python3` that imports `torch`',
    '(Debian/Ubuntu: `apt-get install python3-torch`; or `pip install torch`); without it the PyTorch rows are left',
    'out. `--backends wasm,cpu` limits the tfjs backends; `tensorflow` and `tensorflow-gpu` appear when',
    '`@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu` is installed.',
    '',
  ].join('\n');
}

/** Run, print, and with --write-docs rewrite docs/BENCHMARKS.md: what `npm run bench` calls. */
export async function runBackendsBench(): Promise<BackendsReport> {
  console.log('\nTiming training steps per backend (tfjs engine and the PyTorch export)...');
  const report = await benchBackends({
    rounds: numFlag('backend-rounds', 3),
    blockSeconds: numFlag('backend-seconds', 2),
    backends: flag('backends')?.split(','),
    log: (s) => console.log(s),
  });
  printBackends(report);
  if (process.argv.includes('--write-docs')) {
    writeFileSync(DOCS, benchmarksDoc(report));
    console.log(`wrote ${DOCS}`);
  }
  return report;
}

if (isMain(import.meta.url)) await runBackendsBench();
