/**
 * The wasm backend on several threads (src/main/engine/wasm-threads.ts) trains exactly as on one: XNNPACK splits
 * products and convolutions over output tiles, so the losses of every step and the trained parameters agree to
 * the bit between tfjs's single-threaded build and the threaded one. The thread count is asked of XNNPACK's
 * pool itself, so a threaded start that silently fell back to one thread fails here.
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { backendLabel, restartWasm, useBackend, wasmThreadCount } from '../../src/main/engine/backend';
import { SHARE, THREADED_MIN_FLOPS, wasmThreadsFor } from '../../src/main/engine/threads';
import { sharedThreads } from '../../src/main/app/runs/manager';
import type { DoneEvent } from '../../src/shared/api/events';
import { templateProgram } from '../helpers/templates';
import { record } from './helpers';

/** Step losses and the final metrics of a short run on wasm with `threads` threads. */
async function run(name: string, steps: number, threads: number): Promise<{ threads: number; losses: number[]; done: DoneEvent; label: string }> {
  const got = await restartWasm(threads);
  const program = templateProgram(name, (doc) => {
    doc.training.evalEvery = 0;
  });
  const r = await record(program, { steps, backend: 'wasm' });
  return { threads: got, losses: r.losses, done: r.done, label: backendLabel('wasm') };
}

describe('wasm on several threads', () => {
  afterAll(async () => {
    await restartWasm(wasmThreadCount());
  });

  it('starts XNNPACK with the threads asked for and names them', async () => {
    expect(await restartWasm(2)).toBe(2);
    expect(backendLabel('wasm')).toBe('wasm (2 threads)');
    expect(tf.getBackend()).toBe('wasm');
    expect(await restartWasm(1)).toBe(1);
    expect(backendLabel('wasm')).toBe('wasm');
  });

  // A convolutional template (Conv2D and its filter gradient, max-pool) and a chunked MLP hypernetwork.
  it.each([
    ['ha-static-mnist-cnn', 6],
    ['split-mnist-hnet', 12],
  ])('%s: the same losses and metrics to the bit on 1 and 3 threads', async (name, steps) => {
    const one = await run(name, steps, 1);
    const three = await run(name, steps, 3);
    expect(one.threads).toBe(1);
    expect(three.threads).toBe(3);
    expect(three.label).toBe('wasm (3 threads)');
    expect(one.losses.length).toBeGreaterThanOrEqual(steps);
    expect(one.losses.every(Number.isFinite)).toBe(true);
    expect(three.losses).toEqual(one.losses);
    expect(three.done.metrics).toEqual(one.done.metrics);
  });

  it('takes one thread for a small step, the CPUs (or the run manager\'s share of them) for a large one, HNET_WASM_THREADS over both', () => {
    const cpus = wasmThreadCount({});
    expect(wasmThreadsFor(THREADED_MIN_FLOPS / 100, {})).toBe(1);
    expect(wasmThreadsFor(THREADED_MIN_FLOPS * 10, {})).toBe(cpus);
    expect(wasmThreadsFor(undefined, {})).toBe(cpus);
    expect(wasmThreadsFor(THREADED_MIN_FLOPS * 10, { [SHARE]: '1' })).toBe(1);
    expect(wasmThreadsFor(THREADED_MIN_FLOPS / 100, { HNET_WASM_THREADS: '4' })).toBe(4);
    expect(wasmThreadsFor(THREADED_MIN_FLOPS * 10, { HNET_WASM_THREADS: '4', [SHARE]: '1' })).toBe(4);
    // Two runs at once on 8 CPUs: 4 each; never below one.
    expect(sharedThreads(2, { HNET_WASM_THREADS: '8' })).toBe(4);
    expect(sharedThreads(3, { HNET_WASM_THREADS: '2' })).toBe(1);
    expect(sharedThreads(2, { HNET_WASM_THREADS: 'x' })).toBeUndefined();
  });

  it('refuses a malformed HNET_WASM_THREADS, naming it', () => {
    expect(wasmThreadCount({ HNET_WASM_THREADS: '3' })).toBe(3);
    expect(wasmThreadCount({ HNET_WASM_THREADS: '64' })).toBe(8);
    expect(wasmThreadCount({})).toBeGreaterThanOrEqual(1);
    expect(() => wasmThreadCount({ HNET_WASM_THREADS: 'two' })).toThrow(/HNET_WASM_THREADS/);
    expect(() => wasmThreadCount({ HNET_WASM_THREADS: '0' })).toThrow(/HNET_WASM_THREADS/);
    expect(() => wasmThreadCount({ [SHARE]: '1.5' })).toThrow(new RegExp(SHARE));
  });

  it('the CLI: one thread for a small template, the threads asked for on a large one, a clear error for a bad setting', () => {
    const hnet = (template: string, env: Record<string, string>) =>
      spawnSync(process.execPath, ['bin/hnet.mjs', 'train', `templates/${template}.hnet.json`, '--steps', '2'], { encoding: 'utf8', env: { ...process.env, HNET_WASM_THREADS: '', ...env } });
    const small = hnet('sinusoid-family', {});
    expect(small.status, small.stderr).toBe(0);
    expect(small.stdout + small.stderr).toMatch(/training on wasm: /);
    const large = hnet('ha-static-mnist-cnn', { HNET_WASM_THREADS: '2' });
    expect(large.status, large.stderr).toBe(0);
    expect(large.stdout + large.stderr).toMatch(/training on wasm \(2 threads\): /);
    const bad = hnet('sinusoid-family', { HNET_WASM_THREADS: 'zz' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('HNET_WASM_THREADS must be a whole number of threads, 1 or more (got "zz")');
  });

  it('keeps using the backend after a restart: no tensors of the old one are left', async () => {
    await useBackend('wasm');
    await restartWasm(2);
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.matMul(tf.ones([64, 100]), tf.ones([100, 10])).sum());
    expect((await y.data())[0]).toBe(64 * 10 * 100);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
