/**
 * tfjs-backend-wasm on several threads under Node.
 *
 * tfjs ships a threaded build of its wasm backend (XNNPACK's thread pool on WebAssembly threads, 8 workers made
 * at start) but never uses it under Node (flags_wasm.ts: "Enable node support once this is resolved",
 * tfjs#3830): its loader hands Emscripten a Blob URL for the worker script and a Blob for the main script, which
 * Node's worker_threads cannot load. Emscripten's own Node support works when both are files: this module writes
 * them to a private folder of the temporary directory (from the package's own text, so it also works from inside
 * Electron's app.asar), instantiates the threaded build and hands the module to tfjs's own BackendWasm, so every
 * kernel, tfjs's and the engine's (./kernels.ts), runs on it unchanged.
 *
 * The thread count: tfjs's C side takes half of Emscripten's "logical cores" (it assumes two hardware threads a
 * core), at most 8, and under Node those are `os.cpus().length`; the import that reports them is replaced so the
 * pool gets `threads` exactly (./threads.ts picks it: one for a small step, else the CPUs Node may use, at most 8).
 * XNNPACK splits a product or a convolution over output tiles, never over the summed axis, so every thread count
 * computes the same values bit for bit (test/numeric/wasm-threads.test.ts checks it on training runs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const requireModule = createRequire(import.meta.url);

const SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';
const WORKER = 'tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';

type EmscriptenModule = {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: { unref?: () => void }[] };
  /** The module's shared memory, for the engine's SIMD kernels (./simd.ts), which import it. */
  hnetMemory?: unknown;
};
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
type Imports = { env: Record<string, unknown> };
/** The one WebAssembly call used here (Node's global; this project's Node types do not declare it). */
const webAssembly = (globalThis as unknown as {
  WebAssembly: { instantiate(binary: Uint8Array, imports: Imports): Promise<{ instance: unknown; module: unknown }> };
}).WebAssembly;

/**
 * The threaded build's scripts where Node's workers can load them, in a new private folder (mkdtemp: mode 0700,
 * an unguessable name, so no other user of the machine can put a script there): the main script (each worker
 * evaluates it for the module's factory) and the worker script, which the package stores as a JavaScript string
 * (its newlines escaped the way tfjs's loader escapes them for a Blob). The workers read both while the module
 * starts; the folder goes once it has.
 */
function scriptFiles(): { out: string; temp: string; script: string; worker: string } {
  const out = join(dirname(requireModule.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const temp = mkdtempSync(join(tmpdir(), 'hnet-wasm-'));
  const script = join(temp, SCRIPT);
  const worker = join(temp, WORKER);
  writeFileSync(script, readFileSync(join(out, SCRIPT), 'utf8'));
  const { wasmWorkerContents } = requireModule(join(out, WORKER)) as { wasmWorkerContents: string };
  writeFileSync(worker, wasmWorkerContents.replace(/\n/g, '\\n'));
  return { out, temp, script, worker };
}

/** Instantiate the threaded build with a pool of `threads` and wrap it as tfjs's loader does. */
async function instantiate(threads: number): Promise<EmscriptenModule> {
  const files = scriptFiles();
  try {
    return await start(files, threads);
  } finally {
    rmSync(files.temp, { recursive: true, force: true });
  }
}

async function start(files: ReturnType<typeof scriptFiles>, threads: number): Promise<EmscriptenModule> {
  const factory = requireModule(join(files.out, SCRIPT)) as Factory;
  const binary = readFileSync(join(files.out, BINARY));
  // Emscripten's ready promise never settles when instantiation fails: that failure rejects this one instead.
  let failed!: (e: unknown) => void;
  let memory: unknown;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const started = factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? files.worker : join(files.out, path)),
    mainScriptUrlOrBlob: files.script,
    instantiateWasm: (imports: Imports, receive: (instance: unknown, module: unknown) => void) => {
      // tfjs's C side uses half of these, capped at 8 (see the header).
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      memory = imports.env.memory;
      webAssembly.instantiate(binary, imports).then(
        ({ instance, module: compiled }) => receive(instance, compiled),
        failed,
      );
      return {};
    },
    onAbort: (what: unknown) => failed(new Error(String(what))),
  });
  const module = await Promise.race([started, failure]);
  module.hnetMemory = memory;
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

type WasmPackage = {
  BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
  setThreadsCount: (n: number) => void;
  getThreadsCount: () => number;
};
/** tfjs's own start of its wasm backend (single-threaded under Node), kept when it is replaced. */
let single: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null = null;

/**
 * Make tfjs's 'wasm' backend start on `threads` threads the next time it is set (1: tfjs's own single-threaded
 * build). A started wasm backend is removed first, with its tensors and its workers (BackendWasm.dispose ends
 * them). Where the threaded build cannot start (no shared WebAssembly memory, a binary that does not
 * instantiate), tfjs's own start runs instead and `why` says why.
 */
export async function registerWasm(threads: number, why: (reason: string) => void): Promise<void> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmPackage;
  single ??= tf.findBackendFactory('wasm');
  const own = single;
  if (!own) return;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      if (threads > 1) {
        try {
          wasm.setThreadsCount(threads);
          const module = await instantiate(threads);
          const backend = new wasm.BackendWasm(module);
          // The pool's threads (started by the constructor) wait idle between kernels; Emscripten holds them
          // referenced, which would keep a finished Node process alive.
          for (const worker of module.PThread?.runningWorkers ?? []) worker.unref?.();
          return backend;
        } catch (e) {
          why(`the threaded wasm build did not start (${e instanceof Error ? e.message : String(e)}); one thread`);
        }
      }
      wasm.setThreadsCount(1);
      return own();
    },
    2,
  );
}

/** Threads XNNPACK's pool has on the started wasm backend (1 on the single-threaded build). */
export async function wasmThreads(): Promise<number> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmPackage;
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}
