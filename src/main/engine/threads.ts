/**
 * How many threads the wasm backend gets (./wasm-threads.ts starts them). Apart from the backend so that the run
 * manager, in the main process, can share the CPUs between runs without loading tfjs.
 */
import { availableParallelism } from 'node:os';
import { fail } from '../../shared/compiler/errors';

/** The most threads tfjs's wasm build has workers for (its cc/BUILD makes 8 at start). */
export const MAX_WASM_THREADS = 8;

/**
 * Threads for the wasm backend's products and convolutions: HNET_WASM_THREADS when set (1: tfjs's single-threaded
 * build), else every CPU Node may use; at most {@link MAX_WASM_THREADS}.
 */
export function wasmThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const asked = threadsIn(env, 'HNET_WASM_THREADS');
  if (asked !== null) return Math.min(asked, MAX_WASM_THREADS);
  return Math.min(availableParallelism(), MAX_WASM_THREADS, threadsIn(env, SHARE) ?? Infinity);
}

/**
 * Set by the run manager in each run's worker: the run's share of the CPUs when several runs may train at once.
 * A cap on the default, not a choice: HNET_WASM_THREADS still wins.
 */
export const SHARE = 'HNET_WASM_THREADS_SHARE';

function threadsIn(env: NodeJS.ProcessEnv, name: string): number | null {
  const asked = env[name];
  if (asked === undefined || asked === '') return null;
  const n = Number(asked);
  if (!Number.isInteger(n) || n < 1) return fail('HN052', `${name} must be a whole number of threads, 1 or more (got "${asked}")`, { path: 'training.backend' });
  return n;
}

/**
 * Below this many FLOPs a training step (the compiler's estimate) the default is one thread: XNNPACK hands every
 * product to its pool, and on small ones waking the threads costs more than they save (the sinusoid template,
 * 0.7 MFLOPs a step, trains at about half the steps per second on two threads than on one here; the Ha CNN,
 * 1.2 GFLOPs, 1.4-1.7x faster: docs/BENCHMARKS.md).
 */
export const THREADED_MIN_FLOPS = 50e6;

/**
 * The threads wasm starts with for a step of `flopsPerStep` (undefined: not known, as for inspection or a
 * benchmark): HNET_WASM_THREADS when set, else one below {@link THREADED_MIN_FLOPS}, else wasmThreadCount().
 */
export function wasmThreadsFor(flopsPerStep: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (threadsIn(env, 'HNET_WASM_THREADS') !== null) return wasmThreadCount(env);
  return flopsPerStep !== undefined && flopsPerStep < THREADED_MIN_FLOPS ? 1 : wasmThreadCount(env);
}
