/**
 * The webgpu backend (Dawn through the npm package `webgpu`, engine/webgpu.ts) trains every template as wasm
 * does: the same losses, step by step, within 1e-3 relative over 20 steps. Here it runs on Chromium's
 * SwiftShader Vulkan driver (a CPU implementation of Vulkan: correct, and slow), so each template trains at a
 * small batch with a short evaluation; the graph, the initialisation and the optimizer are the template's own.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, StepEvent } from '../src/shared/api/events';
import { backendLabel, useBackend } from '../src/main/engine/backend';
import { train } from '../src/main/engine/train';
import { askWebgpu, describeAdapter, openWebgpu } from '../src/main/engine/webgpu';
import { templateProgram, templatesDir } from './helpers/templates';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Before Dawn loads: the Vulkan loader reads it when the instance is made.
process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;

const templates = readdirSync(templatesDir)
  .filter((f) => f.endsWith('.hnet.json'))
  .map((f) => basename(f, '.hnet.json'))
  .sort();

/** A template made small enough for a CPU-emulated GPU: 2 tasks of 10 steps, batches of 8, 32 evaluation samples. */
function smallProgram(name: string) {
  return templateProgram(name, (doc) => {
    const t = doc.training;
    t.batchSize = Math.min(t.batchSize ?? 32, 8);
    t.evalEvery = 0;
    delete t.epochs;
    const tasks = t.tasks as number[] | undefined;
    if (tasks && tasks.length > 2) t.tasks = tasks.slice(0, 2);
    doc.evaluation = { ...(doc.evaluation ?? {}), maxEvalSamples: 32, evalBatchSize: 32 };
  });
}

async function steps(name: string, backend: 'wasm' | 'webgpu') {
  const program = smallProgram(name);
  // Continual templates: the first two tasks (the second one regularised by the first's weights).
  if (!program.training.tasks) program.training.tasks = [0, 1].slice(0, program.data.tasks);
  // Tasks in turn run `steps` each; an interleaved schedule runs `steps` in all (a random task each step).
  const perTask = program.training.schedule === 'interleaved' ? 20 : Math.ceil(20 / program.training.tasks.length);
  const events: EngineEvent[] = [];
  const done = await train(program, { backend, steps: perTask, stepEventEvery: 1 }, (e) => events.push(e));
  const start = events.find((e) => e.event === 'start');
  return { losses: events.filter((e): e is StepEvent => e.event === 'step').map((e) => e.loss), done, start };
}

describe('describeAdapter', () => {
  it('names the adapter by its driver and tells CPU implementations from GPUs', () => {
    expect(describeAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toEqual({ name: 'NVIDIA H200', software: false });
    expect(describeAdapter({ vendor: 'apple', architecture: 'metal-3', description: '' })).toEqual({ name: 'apple metal-3', software: false });
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }).software).toBe(true);
    expect(describeAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).software).toBe(true);
    expect(describeAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }).software).toBe(true);
    expect(describeAdapter({ vendor: 'intel', description: 'Intel(R) UHD Graphics 770', isFallbackAdapter: true }).software).toBe(true);
  });
});

describe('webgpu backend on SwiftShader', () => {
  beforeAll(async () => {
    const opened = await openWebgpu();
    expect(opened, 'webgpu must open here (npm install webgpu; apt-get install libvulkan1 chromium)').toHaveProperty('adapter');
  });

  it('is asked for its adapter from a child Node (the CLI) and from a worker thread (Electron) alike', async () => {
    for (const where of ['child', 'thread'] as const) expect(await askWebgpu(where), where).toEqual({ adapter: { name: 'SwiftShader driver 5.0.0', software: true } });
  });

  it('is named with its adapter, and auto never picks a CPU adapter', async () => {
    await useBackend('webgpu');
    expect(backendLabel('webgpu')).toBe('webgpu (SwiftShader driver 5.0.0)');
    // In a process of its own: `auto` probes the adapter, finds SwiftShader and goes on to wasm.
    const r = spawnSync(process.execPath, ['bin/hnet.mjs', 'train', 'templates/sinusoid-family.hnet.json', '--steps', '2', '--json'], { encoding: 'utf8', env: { ...process.env } });
    expect(r.status, r.stderr).toBe(0);
    const start = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EngineEvent).find((e) => e.event === 'start');
    expect(start && 'backend' in start && start.backend).toMatch(/^wasm( \(\d threads\))?$/);
  });

  it.each(templates)('%s: 20 steps agree with wasm (losses within 1e-3 relative)', async (name) => {
    const wasm = await steps(name, 'wasm');
    const gpu = await steps(name, 'webgpu');
    expect(gpu.start && 'backend' in gpu.start && gpu.start.backend).toMatch(/^webgpu \(/);
    expect(gpu.losses).toHaveLength(wasm.losses.length);
    expect(wasm.losses.length).toBeGreaterThanOrEqual(20);
    // Relative to the loss's scale in this run (its first step's), so a step whose loss is near zero is held to it too.
    const scale = Math.max(Math.abs(wasm.losses[0]), 1e-3);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - wasm.losses[i]), `step ${i + 1}: webgpu ${l}, wasm ${wasm.losses[i]}`).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(wasm.losses[i]), scale)));
    // The final evaluation's loss too (accuracies may differ by a sample whose two best classes tie to rounding).
    expect(Math.abs(gpu.done.metrics.loss - wasm.done.metrics.loss)).toBeLessThanOrEqual(1e-3 * Math.abs(wasm.done.metrics.loss));
  }, 600_000);
});
