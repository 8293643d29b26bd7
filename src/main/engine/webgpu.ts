/**
 * WebGPU in Node for tfjs: Dawn's Node bindings (the optional npm package `webgpu`) put in place as the
 * browser globals that @tensorflow/tfjs-backend-webgpu looks for when it is imported (it registers itself only
 * if `navigator.gpu` exists by then). A user needs a Vulkan, Metal or Direct3D 12 driver, and no CUDA or cuDNN.
 *
 * `auto` asks probeWebgpu first, which looks at the adapter from a child process: a driver that crashes or
 * prints warnings while it is asked (Mesa's lavapipe does both on some machines) stays out of the run. A run
 * on webgpu then opens it in its own process (and each worker thread, whose globals are its own) once.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

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

// Run by probeWebgpu in a child Node: the adapter's info as one JSON line (null when there is none).
const PROBE = `const { create } = await import(process.argv[1]);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
const i = a?.info ?? {};
console.log(JSON.stringify(a ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter ?? a.isFallbackAdapter } : null));
process.exit(0);`;

let probed: Promise<Opened> | null = null;

/** The adapter WebGPU would give this process, asked in a child process (once per process). */
export function probeWebgpu(): Promise<Opened> {
  probed ??= new Promise((resolve) => {
    const path = webgpuPath();
    if (!path) return resolve({ error: NOT_INSTALLED });
    // Under Electron, execPath is the app's binary: ELECTRON_RUN_AS_NODE makes it a plain Node.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    execFile(process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(path).href], { env, timeout: 30_000 }, (err, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const info = JSON.parse(line) as AdapterInfo | null;
        resolve(info ? { adapter: describeAdapter(info) } : { error: NO_ADAPTER });
      } catch {
        resolve({ error: `WebGPU could not be asked for an adapter here${err ? `: ${err.message.split('\n')[0]}` : ''}` });
      }
    });
  });
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
