import { describe, expect, it } from 'vitest';
import { FashionMnistData } from '../../../shared/nodes/data/fashionMnist';
import { GaussianMixtureData, gaussianMixtureMeans } from '../../../shared/nodes/data/gaussianMixture';
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
import { datasetTypes, loaderOf, openDataset } from './index';
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
    [MnistData, { layout: 'image', validation: 1000 }],
    [FashionMnistData, {}],
    [FashionMnistData, { layout: 'image', validation: 0 }],
    [GaussianMixtureData, {}],
    [GaussianMixtureData, { tasks: 5, modesPerTask: 3, trainPerMode: 4, testPerMode: 7 }],
    [SplitMnistData, { layout: 'image' }],
    [PermutedMnistData, { tasks: 3 }],
    [MnistInrData, {}],
    [MnistInrData, { layout: 'image' }],
  ] as [NodeType, Record<string, unknown>][]
).map(([node, params]) => [`${node.id} ${JSON.stringify(params)}`, node, params]);

/** Datasets on the official MNIST-style files: the same split for every seed. */
const OFFICIAL_SPLIT = new Set<NodeType>([MnistData, SplitMnistData, MnistInrData, FashionMnistData]);

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
    // Another seed gives other data (sinusoid training waves come from the caller's rng only), except on the
    // image sets, whose split is their files' own.
    const c = open(node, params, 6);
    if (OFFICIAL_SPLIT.has(node)) {
      expect(plain(c.trainBatch(0, 32, new Rng(1)))).toEqual(plain(a.trainBatch(0, 32, new Rng(1))));
      return;
    }
    const differs =
      node === SinusoidData
        ? JSON.stringify(c.evalBatches(0, 50, 200).map(plain)) !== JSON.stringify(a.evalBatches(0, 50, 200).map(plain))
        : // The last task: Permuted MNIST's task 0 is the identity, its other tasks' permutations come from the seed.
          JSON.stringify(plain(c.trainBatch(c.tasks - 1, 32, new Rng(1)))) !== JSON.stringify(plain(a.trainBatch(a.tasks - 1, 32, new Rng(1))));
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

  it('each loader implements exactly the facts its declaration states', () => {
    for (const n of dataNodes) {
      const loader = loaderOf(n.id, 'd1');
      expect(loader.permutation !== undefined, `${n.id} permutation`).toBe(n.dataset?.permutedTasks === true);
      expect(loader.generator !== undefined, `${n.id} generator`).toBe(n.dataset?.generatedTrainBatches === true);
    }
    expect(() => loaderOf('data.nope', 'x1')).toThrow(/x1.*"data\.nope" is not a dataset type.*HN011/);
  });

  it('the sinusoid\'s generator is the family of Finn et al.: A in [0.1, 5], phi in [0, pi], x in [-5, 5]', () => {
    const generator = loaderOf(SinusoidData.id, 'd1').generator!;
    expect(generator({ noise: 0.25 })).toEqual({ kind: 'sinusoid', amplitude: [0.1, 5], phase: [0, Math.PI], xRange: [-5, 5], noise: 0.25 });
    expect(generator({}).noise).toBe(0);
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

describe('gaussian mixture', () => {
  it('has posterior_replay_cl\'s task set by default: 3 tasks of 2 modes on a circle of radius 5, std 0.2, 10/100 points per mode', () => {
    const means = gaussianMixtureMeans(GaussianMixtureData.params.parse({}));
    // CHE_MEANS of posterior_replay_cl's data/special/gaussian_mixture_data.py, computed independently.
    const che = [0, 1, 2, 3, 4, 5].map((i) => [5 * Math.sin(((i + 0.5) / 6) * 2 * Math.PI), 5 * Math.cos(((i + 0.5) / 6) * 2 * Math.PI)]);
    expect(means.flat()).toEqual(che.flat());
    expect(means[0][0]).toBeCloseTo(2.5);
    expect(means[0][1]).toBeCloseTo(4.3301);
    const d = openDataset('data.gaussian_mixture', {}, { seed: 7, node: 'gmm' });
    expect([d.tasks, d.classes, d.xShape, d.yShape]).toEqual([3, 2, [2], []]);
    for (let t = 0; t < 3; t++) {
      expect(d.trainSize(t)).toBe(20);
      const test = d.evalBatches(t, 1000, Infinity);
      expect(test.reduce((s, b) => s + b.n, 0)).toBe(200);
      // Every point lies near the mean of its own mode (0.2 std: within 1.5 of it), labelled within its task.
      const train = d.trainBatch(t, 200, new Rng(t));
      for (const b of [train, ...test])
        for (let i = 0; i < b.n; i++) {
          const [mx, my] = means[2 * t + b.y[i]];
          expect(Math.hypot(b.x[2 * i] - mx, b.x[2 * i + 1] - my)).toBeLessThan(1.5);
        }
      // Empirical std of the test points of mode 0 near 0.2.
      const xs = test.flatMap((b) => Array.from({ length: b.n }, (_, i) => (b.y[i] === 0 ? b.x[2 * i] - means[2 * t][0] : NaN))).filter((v) => !Number.isNaN(v));
      expect(xs.length).toBe(100);
      const sd = Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / xs.length);
      expect(sd).toBeGreaterThan(0.14);
      expect(sd).toBeLessThan(0.26);
    }
  });

  it('draws each task from its own stream: its noise does not change with the number of tasks', () => {
    const offsets = (tasks: number, seed = 2) => {
      const p = GaussianMixtureData.params.parse({ tasks });
      const means = gaussianMixtureMeans(p);
      const [b] = openDataset('data.gaussian_mixture', p, { seed, node: 'g' }).evalBatches(1, 500, Infinity);
      return Array.from({ length: b.n }, (_, i) => [b.x[2 * i] - means[2 + b.y[i]][0], b.x[2 * i + 1] - means[2 + b.y[i]][1]].map((v) => v.toFixed(4))).flat();
    };
    expect(offsets(5)).toEqual(offsets(3));
    expect(offsets(3, 3)).not.toEqual(offsets(3));
  });
});
