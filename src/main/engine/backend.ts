/**
 * Backend choice, best first: webgpu on a real GPU, tfjs-node-gpu, tfjs-node (the native ones are optional
 * packages), wasm, cpu. The user can force one; forcing one that is not installed is an error that says how to
 * get it. A forced webgpu runs on any adapter, a CPU one (SwiftShader) too; `auto` never picks a CPU adapter.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { useWasmKernels } from './kernels';
import { useWebgpuKernels } from './kernels-webgpu';
import { useKernelFreeSaves } from './tape';
import { openWebgpu, probeWebgpu } from './webgpu';
import { MAX_WASM_THREADS, wasmThreadCount, wasmThreadsFor } from './threads';
import { registerWasm, wasmThreads } from './wasm-threads';
// The umbrella package registers the cpu backend and every op's gradient (tfjs-core alone has none).
import '@tensorflow/tfjs';
import type { Backend } from '../../shared/document/schema';
import { fail } from '../../shared/compiler/errors';

export { wasmThreadCount };

const requireModule = createRequire(import.meta.url);

// PROD drops tfjs's per-op debug checks and its console banner (which would corrupt `--json` output).
tf.env().set('PROD', true);

/** The tfjs backends ('pytorch' is a Python subprocess, ./pytorch.ts, not a tfjs backend). */
type Concrete = Exclude<Backend, 'auto' | 'pytorch'>;
const ORDER: Concrete[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const PACKAGE: Record<Concrete, string | null> = {
  webgpu: 'webgpu',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: null,
};

/** Why the last load of each backend failed, for the error of a forced one. */
const why = new Map<Concrete, string>();
const refuse = (b: Concrete, reason: string): false => {
  why.set(b, reason);
  return false;
};

/** Load a backend's package; false when it is not installed or cannot load on this machine. */
async function load(b: Concrete, auto: boolean): Promise<boolean> {
  if (b === 'webgpu') {
    // auto asks first away from the run (a child Node, or a worker thread under Electron), so that a driver
    // that is not a GPU's never loads into the run's thread.
    const probe = auto ? await probeWebgpu() : null;
    if (probe && 'error' in probe) return refuse(b, probe.error);
    if (probe && 'adapter' in probe && probe.adapter.software) return refuse(b, `its adapter is a CPU one (${probe.adapter.name})`);
    const opened = await openWebgpu();
    if ('error' in opened) return refuse(b, opened.error);
    label.set(b, `webgpu (${opened.adapter.name})`);
    return true;
  }
  const pkg = PACKAGE[b];
  if (!pkg) return true;
  try {
    requireModule.resolve(pkg);
    await import(pkg);
  } catch {
    return refuse(b, `install ${pkg} (npm install ${pkg})`);
  }
  return true;
}

/** Whether the wasm backend's start (and so its thread count) is settled in this process. */
let wasmRegistered = false;
const noteWasm = (reason: string) => why.set('wasm', reason);

/**
 * Restart the wasm backend on `threads` threads (the benchmarks compare thread counts in one process); its
 * tensors go with it. Returns the threads it got.
 */
export async function restartWasm(threads: number): Promise<number> {
  await load('wasm', false);
  await registerWasm(Math.min(Math.max(1, Math.floor(threads)), MAX_WASM_THREADS), noteWasm);
  wasmRegistered = true;
  active = null;
  await useBackend('wasm');
  return wasmThreads();
}

/** tfjs registers both native packages as 'tensorflow'; the GPU one is told apart by its package. */
const tfName = (b: Concrete) => (b === 'tensorflow-gpu' ? 'tensorflow' : b);

/** The tfjs backends that load here, as auto sees them (webgpu on a real GPU only; --backends webgpu forces it). */
export async function availableBackends(): Promise<Concrete[]> {
  const out: Concrete[] = [];
  for (const b of ORDER) if (await load(b, true)) out.push(b);
  return out;
}

/** What the app and the CLI call a backend: webgpu with its adapter's name. */
const label = new Map<Concrete, string>();
export const backendLabel = (b: Concrete): string => label.get(b) ?? b;

let active: Concrete | null = null;

/**
 * Make `choice` (or the best available one) the tfjs backend; returns its name. `work`, the estimated FLOPs of a
 * training step, picks wasm's threads where wasm first starts in this process (wasmThreadsFor, ./threads.ts).
 */
export async function useBackend(choice: Backend = 'auto', work?: { flopsPerStep: number }): Promise<Concrete> {
  if (choice === 'pytorch')
    return fail('HN052', 'backend "pytorch" is not a tfjs backend: it trains the PyTorch export in a Python subprocess (runTraining in engine/run.ts), not the tfjs engine', {
      path: 'training.backend',
    });
  if (active && (choice === 'auto' || choice === active)) return active;
  const candidates = choice === 'auto' ? ORDER : [choice];
  for (const b of candidates) {
    if (!(await load(b, choice === 'auto'))) continue;
    if (b === 'wasm' && !wasmRegistered) {
      // Outside the try: a malformed HNET_WASM_THREADS is an error of its own, naming it, not a reason to go on.
      await registerWasm(wasmThreadsFor(work?.flopsPerStep), noteWasm);
      wasmRegistered = true;
    }
    try {
      if (await tf.setBackend(tfName(b))) {
        await tf.ready();
        if (b === 'wasm') {
          useWasmKernels();
          const threads = await wasmThreads();
          label.set(b, threads > 1 ? `wasm (${threads} threads)` : 'wasm');
        }
        if (b === 'webgpu') useWebgpuKernels();
        useKernelFreeSaves();
        active = b;
        return b;
      }
      why.set(b, 'tfjs could not start it');
    } catch (e) {
      // Falls through to the next candidate, or to the error below when this one was forced.
      why.set(b, `tfjs could not start it: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return fail(
    'HN052',
    choice === 'auto' ? 'no tfjs backend could start' : `backend "${choice}" is not available here: ${why.get(choice) ?? 'it did not load'}; or use --backend auto`,
    { path: 'training.backend' },
  );
}
