/**
 * WebGPU in Node for tfjs: Dawn's Node bindings (the optional npm package `webgpu`) put in place as the
 * browser globals that @tensorflow/tfjs-backend-webgpu looks for when it is imported (it registers itself only
 * if `navigator.gpu` exists by then). A user needs a Vulkan, Metal or Direct3D 12 driver, and no CUDA or cuDNN.
 *
 * `auto` asks probeWebgpu first, which looks at the adapter away from the run: under plain Node (the CLI,
 * `hnet serve`) from a child Node, so that what a driver prints straight to the terminal while it is asked
 * (Mesa's lavapipe warns on machines without a GPU) is not seen; under Electron from a short-lived worker
 * thread (its packaged binary cannot be started as a plain Node: the runAsNode fuse is off, and a GUI app's
 * stderr is seen by no one). The answer is kept for the process. A run on webgpu then opens it in its own
 * thread (each worker thread's globals are its own) once.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const requireModule = createRequire(import.meta.url);

export interface Adapter {
  /** What the app shows: the driver's description, else the vendor and architecture. */
  name: string;
  /** A CPU implementation (SwiftShader, llvmpipe/lavapipe, WARP): correct, but slower than the CPU backends. */
  software: boolean;
}

/** What an adapter says about itself (GPUAdapterInfo, and the adapter's own isFallbackAdapter where given). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export function describeAdapter(info: AdapterInfo): Adapter {
  const words = [info.vendor, info.architecture, info.device, info.description].filter((w): w is string => !!w);
  const name = info.description?.trim() || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  return { name, software: info.isFallbackAdapter === true || words.some((w) => SOFTWARE.test(w)) };
}

/** The little of WebGPU's API used here (the package's own types come with it, and it is optional). */
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null>;
}
interface GpuAdapter {
  info?: AdapterInfo;
  isFallbackAdapter?: boolean;
}

export type Opened = { adapter: Adapter } | { error: string };

const NOT_INSTALLED = 'the optional package webgpu is not installed (npm install webgpu)';
const NO_ADAPTER = 'WebGPU found no adapter: it needs a Vulkan, Metal or Direct3D 12 driver (on Linux also the Vulkan loader, libvulkan1)';

function webgpuPath(): string | null {
  try {
    return requireModule.resolve('webgpu');
  } catch {
    return null;
  }
}

const infoOf = (adapter: GpuAdapter): AdapterInfo => {
  const i = adapter.info ?? {};
  return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter ?? adapter.isFallbackAdapter };
};

// Run by probeWebgpu in a child Node (as a module) or a worker thread (as a script): the adapter's info, or
// null, or why Dawn could not load, handed to `answer`.
const ASK = `const { create } = await import(url);
  const a = await create([]).requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  const i = a?.info ?? {};
  answer(a ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter ?? a.isFallbackAdapter } : null);`;
const IN_CHILD = `const url = process.argv[1];
const answer = (a) => { console.log(JSON.stringify(a)); process.exit(0); };
try { ${ASK} } catch (e) { answer({ error: String(e?.message ?? e) }); }`;
const IN_THREAD = `const { parentPort, workerData: url } = require('node:worker_threads');
const answer = (a) => parentPort.postMessage(a);
(async () => { ${ASK} })().catch((e) => answer({ error: String(e?.message ?? e) }));`;

type Answer = (AdapterInfo & { error?: string }) | null;

const toOpened = (info: Answer): Opened =>
  info?.error !== undefined ? { error: `Dawn's WebGPU could not load here: ${info.error}` } : info ? { adapter: describeAdapter(info) } : { error: NO_ADAPTER };
const unasked = (why: string): Opened => ({ error: `WebGPU could not be asked for an adapter here: ${why}` });
const PROBE_MS = 30_000;

function askInChild(url: string): Promise<Opened> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', IN_CHILD, url], { timeout: PROBE_MS }, (err, stdout) => {
      try {
        resolve(toOpened(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Answer));
      } catch {
        resolve(unasked(err ? err.message.split('\n')[0] : 'the probe gave no answer'));
      }
    });
  });
}

function askInThread(url: string): Promise<Opened> {
  return new Promise((resolve) => {
    const worker = new Worker(IN_THREAD, { eval: true, workerData: url, stdout: true, stderr: true });
    let done = false;
    const finish = (answer: Opened): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
      // Dawn's instance would keep the thread alive; it has said what it knows.
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(unasked(`no answer within ${PROBE_MS / 1000} s`)), PROBE_MS);
    timer.unref();
    worker.on('message', (info: Answer) => finish(toOpened(info)));
    worker.on('error', (e) => finish(unasked(e.message.split('\n')[0])));
    worker.on('exit', () => finish(unasked('the probe stopped without an answer')));
  });
}

let probed: Promise<Opened> | null = null;

/** The adapter WebGPU would give this process, asked from a child Node or a worker thread (each time). */
export function askWebgpu(where: 'child' | 'thread'): Promise<Opened> {
  const path = webgpuPath();
  if (!path) return Promise.resolve({ error: NOT_INSTALLED });
  return where === 'child' ? askInChild(pathToFileURL(path).href) : askInThread(pathToFileURL(path).href);
}

/** The adapter WebGPU would give this process, asked away from it once: from a worker thread under Electron. */
export function probeWebgpu(): Promise<Opened> {
  probed ??= askWebgpu('electron' in process.versions ? 'thread' : 'child');
  return probed;
}

let opened: Promise<Opened> | null = null;

/**
 * Set up WebGPU in this process and register tfjs's webgpu backend; the adapter tfjs will train on, or why
 * there is none (the package missing, no driver, no adapter). Called again, returns the first answer.
 */
export function openWebgpu(): Promise<Opened> {
  opened ??= open();
  return opened;
}

async function open(): Promise<Opened> {
  const path = webgpuPath();
  if (!path) return { error: NOT_INSTALLED };
  let gpu: Gpu;
  try {
    const { create, globals } = (await import(pathToFileURL(path).href)) as { create: (options: string[]) => Gpu; globals: Record<string, unknown> };
    // GPUBufferUsage, GPUShaderStage and the other names tfjs reads as globals; none of Node's own is replaced.
    for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
    gpu = create([]);
  } catch (e) {
    return { error: `Dawn's WebGPU could not load here: ${e instanceof Error ? e.message : String(e)}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { error: NO_ADAPTER };
  // Node 21+ (Electron's) has a navigator of its own, without gpu; Node 20 has none.
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: Gpu };
  if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  return { adapter: describeAdapter(infoOf(adapter)) };
}
