import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/util/rng';
import { openDataset } from './index';

describe('sinusoid', () => {
  it('each training batch is one wave y = A sin(x + phi) whose (A, phi) is the context', () => {
    const d = openDataset('data.sinusoid', { evalFunctions: 5, pointsPerFunction: 20, noise: 0 }, { seed: 1, node: 's' });
    const rng = new Rng(42);
    const contexts = new Set<string>();
    for (let k = 0; k < 10; k++) {
      const b = d.trainBatch(0, 25, rng);
      expect(b.n).toBe(25);
      const [A, phi] = b.context!;
      expect(A).toBeGreaterThanOrEqual(0.1);
      expect(A).toBeLessThanOrEqual(5);
      expect(phi).toBeGreaterThanOrEqual(0);
      expect(phi).toBeLessThanOrEqual(Math.PI);
      for (let i = 0; i < b.n; i++) {
        expect(Math.abs(b.x[i])).toBeLessThanOrEqual(5);
        expect(b.y[i]).toBeCloseTo(A * Math.sin(b.x[i] + phi), 4);
      }
      contexts.add(`${A},${phi}`);
    }
    expect(contexts.size).toBe(10);
  });

  it('evaluation: one batch per fixed wave, on an even grid, the same on every call and for every train rng', () => {
    const d = openDataset('data.sinusoid', { evalFunctions: 4, pointsPerFunction: 11, noise: 0.5 }, { seed: 7, node: 's' });
    const e = d.evalBatches(0, 3, 1000);
    expect(e.length).toBe(4);
    d.trainBatch(0, 10, new Rng(1));
    expect(d.evalBatches(0, 999, 1000)).toEqual(e);
    for (const b of e) {
      expect(b.n).toBe(11);
      expect(b.x[0]).toBe(-5);
      expect(b.x[10]).toBe(5);
      const [A, phi] = b.context!;
      for (let i = 0; i < b.n; i++) expect(b.y[i]).toBeCloseTo(A * Math.sin(b.x[i] + phi), 4);
    }
    // maxSamples caps the number of waves, keeping at least one.
    expect(d.evalBatches(0, 3, 22).length).toBe(2);
    expect(d.evalBatches(0, 3, 1).length).toBe(1);
  });

  it('label noise perturbs training targets', () => {
    const d = openDataset('data.sinusoid', { noise: 0.5 }, { seed: 1, node: 's' });
    const b = d.trainBatch(0, 50, new Rng(3));
    const [A, phi] = b.context!;
    let err = 0;
    for (let i = 0; i < b.n; i++) err += (b.y[i] - A * Math.sin(b.x[i] + phi)) ** 2;
    expect(Math.sqrt(err / b.n)).toBeGreaterThan(0.2);
  });
});
