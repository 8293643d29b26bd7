/**
 * Where a training step's time goes on a tfjs backend, kernel by kernel, and how fast its matrix products and
 * convolutions run against the machine's single-thread sgemm limit.
 *
 * The profile: one training run of a template (evalEvery 0) with every kernel of the backend wrapped by a clock
 * (synchronous backends only: wasm and cpu compute inside the kernel call). Steps WARM+1.. are counted; a
 * kernel called from inside another (the engine's kernels call tfjs's) counts in the outer one. What the step
 * spends outside kernels (op dispatch, the autodiff tape, the optimizer's bookkeeping, garbage collection, the
 * batch) is the step's wall time less the kernels'. Matrix products and convolutions also report their
 * arithmetic rate from their shapes (2·m·n·k floating-point operations a product).
 *
 * The limit: a 1024 x 1024 x 1024 product (a) on the backend, through tf.matMul, and (b) in PyTorch with one
 * thread (torch.mm on OpenBLAS or MKL: what the PyTorch export computes with), each the best of 30 runs taken in
 * alternating rounds.
 *
 *   npx tsx bench/profile.ts [--models a,b] [--profile-steps 60]
 */
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { restartWasm, useBackend, wasmThreadCount } from '../src/main/engine/backend';
import { findTorch } from '../src/main/engine/pytorch';
import { train } from '../src/main/engine/train';
import type { Program } from '../src/shared/compiler/ir';
import { TEMPLATES, compileFile, flag, fmt, heading, isMain, numFlag, table } from './common';

/** Steps before the profile starts (warm-up: allocation, XNNPACK's packed operands, the JIT). */
const WARM = 20;
const SGEMM_N = 1024;

export interface KernelRow {
  kernel: string;
  /** Milliseconds a step, and calls a step. */
  ms: number;
  calls: number;
  /** Floating-point operations a step, for products and convolutions (else 0). */
  flops: number;
}

export interface StepProfile {
  file: string;
  backend: string;
  steps: number;
  /** Wall milliseconds a step, and of that in kernels. */
  stepMs: number;
  kernelMs: number;
  kernelCalls: number;
  rows: KernelRow[];
}

export interface SgemmLimit {
  n: number;
  /** GFLOP/s of one n³ product on the tfjs backend, and in PyTorch on one thread (null without torch). */
  backend: number;
  torch: number | null;
  torchProblem: string | null;
}

type Info = { shape: number[] };
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Floating-point operations of one kernel call, from its inputs' and output's shapes (0: not counted). */
export function kernelFlops(name: string, inputs: Record<string, Info | undefined>, attrs: Record<string, unknown> | undefined, out: Info | undefined): number {
  const a = inputs.a?.shape;
  const b = inputs.b?.shape;
  if ((name === 'BatchMatMul' || name === '_FusedMatMul') && a && b) {
    const ta = attrs?.transposeA === true;
    const tb = attrs?.transposeB === true;
    const m = ta ? a[a.length - 1] : a[a.length - 2];
    const k = ta ? a[a.length - 2] : a[a.length - 1];
    const n = tb ? b[b.length - 2] : b[b.length - 1];
    const batch = Math.max(size(a.slice(0, -2)), size(b.slice(0, -2)));
    return 2 * batch * m * n * k;
  }
  const filter = inputs.filter?.shape;
  if (name === 'Conv2D' && filter && out) return 2 * size(out.shape) * filter[0] * filter[1] * filter[2];
  if (name === 'Conv2DBackpropInput' && filter && inputs.dy) return 2 * size(inputs.dy.shape) * filter[0] * filter[1] * filter[2];
  const fs = attrs?.filterShape as number[] | undefined;
  if (name === 'Conv2DBackpropFilter' && fs && inputs.dy) return 2 * size(inputs.dy.shape) * fs[0] * fs[1] * fs[2];
  return 0;
}

/** Every kernel of `backend` timed while `run` runs: `mark()` restarts the count, `freeze()` ends it. */
async function withKernelClocks<T>(backend: string, run: (clock: { mark: () => void; freeze: () => void }) => Promise<T>): Promise<{ result: T; rows: Map<string, KernelRow> }> {
  let rows = new Map<string, KernelRow>();
  let recording = true;
  let depth = 0;
  const restore: [tf.KernelConfig, tf.KernelFunc][] = [];
  for (const k of tf.getKernelsForBackend(backend)) {
    const inner = k.kernelFunc;
    restore.push([k, inner]);
    // The registry hands back its own objects: tfjs looks the function up on every call.
    (k as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      if (depth > 0 || !recording) return inner(args);
      depth++;
      const t = performance.now();
      try {
        const out = inner(args);
        const row = rows.get(k.kernelName) ?? { kernel: k.kernelName, ms: 0, calls: 0, flops: 0 };
        row.ms += performance.now() - t;
        row.calls++;
        const first = (Array.isArray(out) ? out[0] : out) as Info | undefined;
        row.flops += kernelFlops(k.kernelName, args.inputs as Record<string, Info | undefined>, args.attrs as Record<string, unknown>, first);
        rows.set(k.kernelName, row);
        return out;
      } finally {
        depth--;
      }
    };
  }
  try {
    const result = await run({ mark: () => (rows = new Map()), freeze: () => (recording = false) });
    return { result, rows };
  } finally {
    for (const [k, f] of restore) (k as { kernelFunc: tf.KernelFunc }).kernelFunc = f;
  }
}

/** The kernels of steps WARM+1..WARM+n of a template's training run. */
export async function profileSteps(file: string, backend = 'wasm', n = 60): Promise<StepProfile> {
  const { program: compiled } = compileFile(file);
  const program: Program = { ...compiled, training: { ...compiled.training, evalEvery: 0 } };
  await useBackend(backend as never);
  let t0 = 0;
  let t1 = 0;
  const { rows } = await withKernelClocks(backend, (clock) =>
    train(program, { backend: backend as never, steps: WARM + n, seed: program.training.seed, stepEventEvery: 1 }, (e) => {
      if (e.event !== 'step') return;
      if (e.step === WARM) {
        clock.mark();
        t0 = performance.now();
      } else if (e.step === WARM + n) {
        // The final evaluation comes after this event: not the step's.
        clock.freeze();
        t1 = performance.now();
      }
    }),
  );
  if (!t0 || !t1) throw new Error(`${basename(file)}: the run did not report steps ${WARM} and ${WARM + n}`);
  const per = [...rows.values()].map((r) => ({ ...r, ms: r.ms / n, calls: r.calls / n, flops: r.flops / n })).sort((a, b) => b.ms - a.ms);
  return {
    file: basename(file),
    backend,
    steps: n,
    stepMs: (t1 - t0) / n,
    kernelMs: per.reduce((a, r) => a + r.ms, 0),
    kernelCalls: per.reduce((a, r) => a + r.calls, 0),
    rows: per,
  };
}

/** The best of `reps` timed n³ products on the tfjs backend, in milliseconds (after one untimed). */
async function bestTfjsProduct(n: number, reps: number): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2) as tf.Tensor2D;
  let best = Infinity;
  for (let i = 0; i <= reps; i++) {
    const t = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    if (i > 0) best = Math.min(best, performance.now() - t);
    c.dispose();
  }
  tf.dispose([a, b]);
  return best;
}

/** The best of `reps` n³ products in PyTorch on one thread, in milliseconds. */
function bestTorchProduct(python: string, n: number, reps: number): number | string {
  const code = [
    'import time, torch',
    'torch.set_num_threads(1)',
    `a = torch.randn(${n}, ${n}); b = torch.randn(${n}, ${n}); torch.mm(a, b)`,
    'def once():',
    '    t = time.perf_counter(); torch.mm(a, b); return time.perf_counter() - t',
    `print(min(once() for _ in range(${reps})) * 1000)`,
  ].join('\n');
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
  const ms = Number(r.stdout.trim());
  return r.status === 0 && ms > 0 ? ms : ((r.stderr || r.stdout).trim().split('\n').pop() ?? 'torch.mm failed');
}

/**
 * The best GFLOP/s of an n³ product on the backend and in PyTorch on one thread: three alternating rounds of
 * ten products each, the best of all, so that a burst of load from elsewhere on the machine skews neither.
 */
export async function sgemmLimit(backend = 'wasm', n = SGEMM_N): Promise<SgemmLimit> {
  await useBackend(backend as never);
  let python: string | null = null;
  let torchProblem: string | null = null;
  try {
    python = (await findTorch()).python;
  } catch (e) {
    torchProblem = e instanceof Error ? e.message : String(e);
  }
  let tfjsMs = Infinity;
  let torchMs = Infinity;
  for (let round = 0; round < 3; round++) {
    tfjsMs = Math.min(tfjsMs, await bestTfjsProduct(n, 10));
    if (python) {
      const r = bestTorchProduct(python, n, 10);
      if (typeof r === 'string') {
        torchProblem = r;
        python = null;
      } else torchMs = Math.min(torchMs, r);
    }
  }
  const gflops = (ms: number) => (2 * n ** 3) / (ms / 1000) / 1e9;
  return { n, backend: gflops(tfjsMs), torch: Number.isFinite(torchMs) ? gflops(torchMs) : null, torchProblem: Number.isFinite(torchMs) ? null : torchProblem };
}

export const PROFILE_HEADER = ['kernel', 'ms / step', 'share', 'calls / step', 'GFLOP/s', 'of the sgemm limit'];

/** The profile as table rows: the `top` slowest kernels, the rest together, and the time outside kernels. */
export function profileRows(p: StepProfile, limit: SgemmLimit, top = 8): string[][] {
  const ref = limit.torch ?? limit.backend;
  const rate = (r: KernelRow) => (r.flops > 0 ? r.flops / (r.ms / 1000) / 1e9 : NaN);
  const line = (name: string, ms: number, calls: number, gflops: number) => [
    name,
    fmt(ms, 3),
    `${fmt((100 * ms) / p.stepMs, 1)} %`,
    fmt(calls, 1),
    Number.isFinite(gflops) ? fmt(gflops, 1) : '–',
    Number.isFinite(gflops) ? `${fmt((100 * gflops) / ref, 1)} %` : '–',
  ];
  const shown = p.rows.slice(0, top);
  const rest = p.rows.slice(top);
  const restMs = rest.reduce((a, r) => a + r.ms, 0);
  return [
    ...shown.map((r) => line(r.kernel, r.ms, r.calls, rate(r))),
    ...(rest.length ? [line(`${rest.length} other kernels`, restMs, rest.reduce((a, r) => a + r.calls, 0), NaN)] : []),
    line('outside kernels', Math.max(0, p.stepMs - p.kernelMs), 0, NaN).map((c, i) => (i === 3 ? '–' : c)),
  ];
}

/** Products and convolutions together: their share of the step and their rate against the limit. */
export function arithmetic(p: StepProfile): { ms: number; flops: number } {
  const r = p.rows.filter((x) => x.flops > 0);
  return { ms: r.reduce((a, x) => a + x.ms, 0), flops: r.reduce((a, x) => a + x.flops, 0) };
}

export function limitLine(l: SgemmLimit): string {
  return `sgemm limit (${l.n}³ product, best of 30 in 3 alternating rounds): tfjs backend ${fmt(l.backend, 1)} GFLOP/s; PyTorch 1 thread ${l.torch === null ? `not measured (${l.torchProblem})` : `${fmt(l.torch, 1)} GFLOP/s`}`;
}

export function printProfiles(profiles: StepProfile[], limit: SgemmLimit): void {
  heading('Where a training step goes, kernel by kernel');
  console.log(limitLine(limit));
  for (const p of profiles) {
    const a = arithmetic(p);
    console.log(
      `\n${p.file} on ${p.backend}: ${fmt(p.stepMs, 2)} ms a step (${fmt(1000 / p.stepMs, 1)} steps/s under the clocks), ${fmt(p.kernelCalls, 0)} kernels, products and convolutions ${fmt((100 * a.ms) / p.stepMs, 0)} % at ${fmt(a.flops / (a.ms / 1000) / 1e9, 1)} GFLOP/s`,
    );
    console.log(table(PROFILE_HEADER, profileRows(p, limit)));
  }
}

export const PROFILE_MODELS = ['sinusoid-family', 'split-mnist-hnet', 'ha-static-mnist-cnn'].map((t) => join(TEMPLATES, `${t}.hnet.json`));

export async function runProfileBench(backend = 'wasm'): Promise<{ profiles: StepProfile[]; limit: SgemmLimit }> {
  console.log('\nProfiling training steps kernel by kernel...');
  // On one thread, as the sgemm limit it is compared with (wasm goes back to its default threads after).
  if (backend === 'wasm') await restartWasm(1);
  try {
    const limit = await sgemmLimit(backend);
    const files = flag('models')?.split(',').map((t) => join(TEMPLATES, t.endsWith('.json') ? t : `${t}.hnet.json`)) ?? PROFILE_MODELS;
    const profiles: StepProfile[] = [];
    for (const f of files) profiles.push(await profileSteps(f, backend, numFlag('profile-steps', 60)));
    printProfiles(profiles, limit);
    return { profiles, limit };
  } finally {
    if (backend === 'wasm') await restartWasm(wasmThreadCount());
  }
}

if (isMain(import.meta.url)) await runProfileBench();
