import { describe, expect, it } from 'vitest';
import { MnistData } from '../../../shared/nodes/data/mnist';
import { MnistInrData } from '../../../shared/nodes/data/mnistInr';
import { MoonsData } from '../../../shared/nodes/data/moons';
import { PermutedMnistData } from '../../../shared/nodes/data/permutedMnist';
import { SinusoidData } from '../../../shared/nodes/data/sinusoid';
import { SpiralsData } from '../../../shared/nodes/data/spirals';
import { SplitMnistData } from '../../../shared/nodes/data/splitMnist';
import { ToyRegressionClData } from '../../../shared/nodes/data/toyRegressionCl';
import { dataNodes } from '../../../shared/nodes/data/index';
import type { NodeType } from '../../../shared/nodes/types';
import { HnetError } from '../../../shared/compiler/errors';
import { Rng } from '../../../shared/util/rng';
import { datasetTypes, openDataset } from './index';
import { checkBatch, datasetInfo, inferNode, plain } from './testUtil';

/** The datasets that need no file, with a few parameter settings each. */
const cases: [string, NodeType, Record<string, unknown>][] = (
  [
    [SinusoidData, {}],
    [SinusoidData, { evalFunctions: 3, pointsPerFunction: 7, noise: 0.3 }],
    [ToyRegressionClData, {}],
    [ToyRegressionClData, { trainSamples: 5, testSamples: 3, noise: 0 }],
    [SpiralsData, {}],
    [SpiralsData, { classes: 5, samples: 203, noise: 0 }],
    [MoonsData, { samples: 101 }],
    [MnistData, {}],
    [MnistData, { layout: 'image', trainFraction: 0.5 }],
    [SplitMnistData, { layout: 'image' }],
    [PermutedMnistData, { tasks: 3 }],
    [MnistInrData, {}],
    [MnistInrData, { layout: 'image' }],
  ] as [NodeType, Record<string, unknown>][]
).map(([node, params]) => [`${node.id} ${JSON.stringify(params)}`, node, params]);

const open = (node: NodeType, params: Record<string, unknown>, seed = 1) =>
  openDataset(node.id, node.params.parse(params) as Record<string, unknown>, { seed, node: 'd1' });

describe.each(cases)('%s', (name, node, params) => {
  it(`${name}: shapes match the node's inferred outputs`, () => {
    const d = open(node, params);
    // Pixel coordinates (images to reconstruct) are computed by the program, one per value of y, not fed.
    const { coords, ...fed } = inferNode(node, params);
    expect(datasetInfo(d)).toEqual(fed);
    if (coords) expect(coords).toEqual({ kind: 'tensor', shape: ['B', d.yShape[0], 2], dtype: 'float32' });
  });

  it(`${name}: batches hold one task with consistent sizes and labels in range`, () => {
    const d = open(node, params);
    const rng = new Rng(3);
    for (let t = 0; t < d.tasks; t++) {
      expect(d.trainSize(t)).toBeGreaterThan(0);
      const b = d.trainBatch(t, 17, rng);
      expect(b.n).toBe(17);
      checkBatch(d, b, t);
      const evals = d.evalBatches(t, 64, 300);
      expect(evals.length).toBeGreaterThan(0);
      for (const e of evals) {
        checkBatch(d, e, t);
        if (d.yDtype === 'int32') {
          expect(d.classes).toBeGreaterThanOrEqual(2);
          for (const v of e.y) expect(v >= 0 && v < d.classes!).toBe(true);
        } else expect(e.y.every(Number.isFinite)).toBe(true);
      }
      for (const v of b.y) if (d.yDtype === 'int32') expect(v >= 0 && v < d.classes!).toBe(true);
    }
  });

  it(`${name}: deterministic given the seed`, () => {
    const a = open(node, params, 5);
    const b = open(node, params, 5);
    for (let t = 0; t < a.tasks; t++) {
      expect(a.evalBatches(t, 50, 200).map(plain)).toEqual(b.evalBatches(t, 50, 200).map(plain));
      const ra = new Rng(11);
      const rb = new Rng(11);
      for (let i = 0; i < 3; i++) expect(plain(a.trainBatch(t, 8, ra))).toEqual(plain(b.trainBatch(t, 8, rb)));
      expect(ra.state).toBe(rb.state);
      // Evaluation batches are the same on every call.
      expect(a.evalBatches(t, 50, 200).map(plain)).toEqual(b.evalBatches(t, 50, 200).map(plain));
    }
    // Another seed gives other data (sinusoid training waves come from the caller's rng only).
    const c = open(node, params, 6);
    const differs =
      node === SinusoidData
        ? JSON.stringify(c.evalBatches(0, 50, 200).map(plain)) !== JSON.stringify(a.evalBatches(0, 50, 200).map(plain))
        : JSON.stringify(plain(c.trainBatch(0, 32, new Rng(1)))) !== JSON.stringify(plain(a.trainBatch(0, 32, new Rng(1))));
    expect(differs).toBe(true);
  });

  it(`${name}: evaluation honours batchSize and maxSamples`, () => {
    const d = open(node, params);
    const evals = d.evalBatches(0, 40, 100);
    const total = evals.reduce((s, b) => s + b.n, 0);
    if (node === SinusoidData) {
      const p = SinusoidData.params.parse(params);
      expect(evals.every((b) => b.n === p.pointsPerFunction)).toBe(true);
    } else {
      expect(total).toBeLessThanOrEqual(100);
      expect(evals.slice(0, -1).every((b) => b.n === 40)).toBe(true);
    }
  });
});

describe('openDataset', () => {
  it('opens every declared dataset node', () => {
    expect(new Set(datasetTypes())).toEqual(new Set(dataNodes.map((n) => n.id)));
    for (const n of dataNodes) expect(n.category).toBe('data');
  });

  it('fails on unknown types, bad params and tasks out of range', () => {
    expect(() => openDataset('data.nope', {}, { seed: 0, node: 'x' })).toThrow(/HN011/);
    expect(() => openDataset('data.spirals', { classes: 1 }, { seed: 0, node: 'x' })).toThrow(/HN012/);
    const d = openDataset('data.moons', {}, { seed: 0, node: 'm1' });
    expect(() => d.trainBatch(1, 4, new Rng(0))).toThrow(HnetError);
    expect(() => d.evalBatches(-1, 4, 10)).toThrow(/m1: task -1 does not exist/);
  });

  it('every node has defaults for every param', () => {
    for (const n of dataNodes) expect(() => n.params.parse({})).not.toThrow();
  });
});

describe('toy regression', () => {
  it('keeps each task on its own interval', () => {
    const d = openDataset('data.toy_regression_cl', { trainSamples: 50, testSamples: 20, noise: 0 }, { seed: 2, node: 't' });
    const ranges = [[-4, -2], [-1, 1], [2, 4]];
    const fs = [(x: number) => x + 3, (x: number) => 2 * x * x - 1, (x: number) => (x - 3) ** 3];
    for (let t = 0; t < 3; t++) {
      expect(d.trainSize(t)).toBe(50);
      const b = d.trainBatch(t, 100, new Rng(t));
      for (let i = 0; i < b.n; i++) {
        expect(b.x[i]).toBeGreaterThanOrEqual(ranges[t][0]);
        expect(b.x[i]).toBeLessThanOrEqual(ranges[t][1]);
        expect(b.y[i]).toBeCloseTo(fs[t](b.x[i]), 4);
      }
      const [e] = d.evalBatches(t, 100, 1000);
      expect(e.n).toBe(20);
      expect(e.x[0]).toBeCloseTo(ranges[t][0]);
      expect(e.x[19]).toBeCloseTo(ranges[t][1]);
    }
  });
});

describe('2-D toys', () => {
  it('spirals have balanced classes and points near the unit disc', () => {
    const d = openDataset('data.spirals', { classes: 3, samples: 300, noise: 0 }, { seed: 4, node: 's' });
    expect(d.classes).toBe(3);
    expect(d.trainSize(0)).toBe(240);
    const counts = [0, 0, 0];
    for (const b of d.evalBatches(0, 1000, 1000)) {
      for (const v of b.y) counts[v]++;
      for (let i = 0; i < b.n; i++) expect(Math.hypot(b.x[2 * i], b.x[2 * i + 1])).toBeLessThanOrEqual(1);
    }
    expect(counts).toEqual([20, 20, 20]);
  });
});
