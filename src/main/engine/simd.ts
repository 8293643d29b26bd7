/**
 * The engine's SIMD kernels (./simd.wat) on tfjs's wasm backend: a small WebAssembly module that imports the
 * backend's own memory, so that it reads and writes tensors where they lie (a pointer is a tensor's byte offset
 * there). Vectorised WebAssembly does what the JavaScript kernels of ./kernels.ts and ./adam.ts do, to the bit,
 * several times faster (JavaScript reads and writes wasm's memory at 1-5 ns an element); those stay as the
 * fallback where the module cannot load (no memory to import, no SIMD) and as the reference the tests hold the
 * module to.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SIMD_WASM } from './simd.generated';

/** The module's exports: pointers are byte offsets in the backend's memory (./simd.wat says what each does). */
export interface SimdKernels {
  adam(x: number, g: number, m: number, v: number, xo: number, mo: number, vo: number, n: number, b1: number, c1: number, b2: number, c2: number, d1: number, d2: number, eps: number, step: number): void;
  max_pool_grad(x: number, dy: number, dx: number, batch: number, h: number, w: number, c: number, oh: number, ow: number, sh: number, sw: number, fh: number, fw: number, top: number, left: number): void;
  patch_rows(x: number, out: number, n: number, h: number, w: number, cin: number, kh: number, kw: number, s: number, top: number, left: number, ho: number, wo: number): void;
  relu_grad(dy: number, x: number, out: number, n: number): void;
  column_sums(x: number, out: number, rows: number, cols: number): void;
}

/** What this file needs of the WebAssembly global (this project's Node types do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The backend's Emscripten module: its memory (hnetMemory: set by ./wasm-threads.ts for the threaded build). */
interface BackendModule {
  hnetMemory?: WasmMemory;
  asm?: { memory?: WasmMemory };
}
interface WasmBackendLike {
  wasm: BackendModule;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
}

const loaded = new WeakMap<BackendModule, SimdKernels | null>();
let enabled = true;
/** Why the module did not load on the last backend it was asked for (null: it did, or it was not asked). */
let problem: string | null = null;

/**
 * Use the SIMD kernels where they load (on: true, the default) or the JavaScript ones (the tests compare the two,
 * the benchmarks measure both).
 */
export function useSimdKernels(on: boolean): void {
  enabled = on;
}

/** Why the SIMD kernels are not in use on the wasm backend, or null when they are (or wasm is not started). */
export function simdProblem(): string | null {
  return problem;
}

function instantiate(module: BackendModule): SimdKernels | null {
  const memory = module.hnetMemory ?? module.asm?.memory;
  if (!memory || !('buffer' in memory)) {
    problem = 'the wasm backend does not show its memory';
    return null;
  }
  const kind = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'private';
  try {
    const compiled = new webAssembly.Module(Buffer.from(SIMD_WASM[kind], 'base64'));
    problem = null;
    return new webAssembly.Instance(compiled, { env: { memory } }).exports as SimdKernels;
  } catch (e) {
    problem = `the SIMD kernels did not load (${e instanceof Error ? e.message : String(e)})`;
    return null;
  }
}

/** The SIMD kernels on this wasm backend, or null (not wasm, turned off, or the module did not load). */
export function simdOf(backend: object): SimdKernels | null {
  if (!enabled) return null;
  const module = (backend as unknown as Partial<WasmBackendLike>).wasm;
  if (!module) return null;
  if (!loaded.has(module)) loaded.set(module, instantiate(module));
  return loaded.get(module) ?? null;
}

/** A tensor's byte offset in the wasm backend's memory. */
export function pointer(backend: object, t: tf.TensorInfo): number {
  const entry = (backend as unknown as WasmBackendLike).dataIdMap.get(t.dataId);
  if (!entry) throw new Error('a tensor the wasm backend does not hold');
  return entry.memoryOffset;
}
