/**
 * Determinism: the sinusoid template trained twice with the same seed on the same backend gives the same loss
 * at every step, bit for bit; another seed gives another sequence.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/shared/document/schema';
import { record } from './helpers';
import { templateProgram } from '../helpers/templates';

const STEPS = 40;

describe.each(['wasm', 'cpu'] as Backend[])('sinusoid template, %s backend', (backend) => {
  it(`same seed: identical losses over ${STEPS} steps and identical final metrics; other seed: different`, async () => {
    const program = templateProgram('sinusoid-family');
    const a = await record(program, { steps: STEPS, seed: 5, backend });
    const b = await record(program, { steps: STEPS, seed: 5, backend });
    const c = await record(program, { steps: STEPS, seed: 6, backend });
    expect(a.losses).toHaveLength(STEPS);
    expect(a.steps.map((s) => s.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(a.losses.every(Number.isFinite)).toBe(true);
    expect(b.losses).toEqual(a.losses);
    expect(b.done.metrics).toEqual(a.done.metrics);
    expect(c.losses).toHaveLength(STEPS);
    expect(c.losses).not.toEqual(a.losses);
    // Not one early difference that then vanishes: most steps differ.
    expect(c.losses.filter((l, i) => l !== a.losses[i]).length).toBeGreaterThan(STEPS * 0.9);
  });
});
