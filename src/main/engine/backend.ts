/**
 * Backend choice, best first: tfjs-node-gpu, tfjs-node (both optional native packages), wasm, cpu.
 * The user can force one; forcing one that is not installed is an error that says how to get it.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { useWasmKernels } from './kernels';
// The umbrella package registers the cpu backend and every op's gradient (tfjs-core alone has none).
import '@tensorflow/tfjs';
import type { Backend } from '../../shared/document/schema';
import { fail } from '../../shared/compiler/errors';

const requireModule = createRequire(import.meta.url);

// PROD drops tfjs's per-op debug checks and its console banner (which would corrupt `--json` output).
tf.env().set('PROD', true);

/** The tfjs backends ('pytorch' is a Python subprocess, ./pytorch.ts, not a tfjs backend). */
type Concrete = Exclude<Backend, 'auto' | 'pytorch'>;
const ORDER: Concrete[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const PACKAGE: Record<Concrete, string | null> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: null,
};

/** Load a backend's package; false when it is not installed or cannot load on this machine. */
async function load(b: Concrete): Promise<boolean> {
  const pkg = PACKAGE[b];
  if (!pkg) return true;
  try {
    requireModule.resolve(pkg);
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

/** tfjs registers both native packages as 'tensorflow'; the GPU one is told apart by its package. */
const tfName = (b: Concrete) => (b === 'tensorflow-gpu' ? 'tensorflow' : b);

export async function availableBackends(): Promise<Concrete[]> {
  const out: Concrete[] = [];
  for (const b of ORDER) if (await load(b)) out.push(b);
  return out;
}

let active: Concrete | null = null;

/** Make `choice` (or the best available one) the tfjs backend; returns its name. */
export async function useBackend(choice: Backend = 'auto'): Promise<Concrete> {
  if (choice === 'pytorch')
    return fail('HN052', 'backend "pytorch" is not a tfjs backend: it trains the PyTorch export in a Python subprocess (runTraining in engine/run.ts), not the tfjs engine', {
      path: 'training.backend',
    });
  if (active && (choice === 'auto' || choice === active)) return active;
  const candidates = choice === 'auto' ? ORDER : [choice];
  for (const b of candidates) {
    if (!(await load(b))) continue;
    try {
      if (await tf.setBackend(tfName(b))) {
        await tf.ready();
        if (b === 'wasm') useWasmKernels();
        active = b;
        return b;
      }
    } catch {
      // Falls through to the next candidate, or to the error below when this one was forced.
    }
  }
  return fail(
    'HN052',
    choice === 'auto'
      ? 'no tfjs backend could start'
      : `backend "${choice}" is not available here; install ${PACKAGE[choice as Concrete] ?? 'it'} (npm install ${PACKAGE[choice as Concrete]}) or use --backend auto`,
    { path: 'training.backend' },
  );
}
