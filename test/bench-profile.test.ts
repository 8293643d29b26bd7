/**
 * The kernel profile of bench/profile.ts: operation counts from shapes, against products counted by hand, and a
 * profiled run that accounts for its kernels and leaves the backend's kernels as they were.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelFlops, profileSteps } from '../bench/profile';
import { TEMPLATES } from '../bench/common';
import { useBackend } from '../src/main/engine/backend';

describe('bench/profile', () => {
  it('counts 2·m·n·k for products (transposes and batches too) and 2·outputs·kh·kw·cin for convolutions', () => {
    expect(kernelFlops('BatchMatMul', { a: { shape: [1, 45, 64] }, b: { shape: [1, 64, 2000] } }, {}, undefined)).toBe(2 * 45 * 64 * 2000);
    expect(kernelFlops('BatchMatMul', { a: { shape: [1, 64, 45] }, b: { shape: [1, 2000, 64] } }, { transposeA: true, transposeB: true }, undefined)).toBe(2 * 45 * 64 * 2000);
    expect(kernelFlops('_FusedMatMul', { a: { shape: [8, 3, 5] }, b: { shape: [1, 5, 7] } }, {}, undefined)).toBe(2 * 8 * 3 * 5 * 7);
    expect(kernelFlops('Conv2D', { x: { shape: [64, 14, 14, 16] }, filter: { shape: [7, 7, 16, 16] } }, {}, { shape: [64, 14, 14, 16] })).toBe(2 * 64 * 14 * 14 * 16 * 7 * 7 * 16);
    expect(kernelFlops('Conv2DBackpropFilter', { x: { shape: [2, 5, 5, 3] }, dy: { shape: [2, 5, 5, 4] } }, { filterShape: [3, 3, 3, 4] }, undefined)).toBe(2 * 2 * 5 * 5 * 4 * 3 * 3 * 3);
    expect(kernelFlops('Add', { a: { shape: [3] }, b: { shape: [3] } }, {}, undefined)).toBe(0);
  });

  it('profiles a template on wasm: its kernels within the step, its products counted, the kernels restored', async () => {
    await useBackend('wasm');
    const before = tf.getKernelsForBackend('wasm').map((k) => k.kernelFunc);
    const p = await profileSteps(join(TEMPLATES, 'sinusoid-family.hnet.json'), 'wasm', 5);
    expect(tf.getKernelsForBackend('wasm').map((k) => k.kernelFunc)).toEqual(before);
    expect(p.steps).toBe(5);
    expect(p.kernelMs).toBeGreaterThan(0);
    expect(p.kernelMs).toBeLessThanOrEqual(p.stepMs * 1.01);
    const mm = p.rows.find((r) => r.kernel === 'BatchMatMul');
    expect(mm?.flops).toBeGreaterThan(0);
    // Every step runs the same kernels: a whole number of calls a step.
    for (const r of p.rows) expect(Number.isInteger(r.calls), r.kernel).toBe(true);
  }, 60_000);
});
