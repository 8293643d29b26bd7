/**
 * Shape-only tests of the coordinate-network (implicit neural representation) pieces: the image-reconstruction
 * dataset's outputs, Dense over points [B, P, in] with per-sample and owned weights, SIREN initialisation as
 * owned initialisers and as what heads aim for, learned-base heads, and the PSNR metric.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile';
import { formatProblem } from '../compiler/errors';
import type { Init, Program } from '../compiler/ir';
import { testDoc } from '../compiler/testDoc';

type NodeRow = [id: string, type: string, params?: Record<string, unknown>];

/** digits -> encoder -> head -> siren_1 (kernel, bias generated) -> siren_2 (owned) -> pixel (owned) -> MSE + PSNR. */
function inrDoc(opts: { head?: Record<string, unknown>; layout?: 'flat' | 'image'; siren2?: Record<string, unknown> } = {}) {
  const nodes: NodeRow[] = [
    ['digits', 'data.mnist_inr', { layout: opts.layout ?? 'flat' }],
    ['enc', opts.layout === 'image' ? 'context.conv_encoder' : 'context.mlp_encoder', { outDim: 8 }],
    ['head', 'head.linear', opts.head ?? {}],
    ['siren_1', 'target.dense', { units: 16, activation: 'sin', w0: 30, init: 'siren_first' }],
    ['siren_2', 'target.dense', { units: 16, activation: 'sin', w0: 30, init: 'siren', ...opts.siren2 }],
    ['pixel', 'target.dense', { units: 1 }],
    ['loss', 'objective.mse'],
    ['psnr', 'metric.psnr'],
  ];
  return testDoc(nodes, [
    'digits.x -> enc.x',
    'enc.context -> head.context',
    'head.weights -> siren_1.kernel',
    'head.weights -> siren_1.bias',
    'digits.coords -> siren_1.x',
    'siren_1.y -> siren_2.x',
    'siren_2.y -> pixel.x',
    'pixel.y -> loss.prediction',
    'digits.y -> loss.target',
    'pixel.y -> psnr.prediction',
    'digits.y -> psnr.target',
  ]);
}

function compiled(doc: ReturnType<typeof testDoc>): Program {
  const r = compile(doc);
  expect(r.problems.map(formatProblem)).toEqual([]);
  return r.program!;
}

const initOf = (p: Program, name: string): Init | undefined => p.params.find((x) => x.name === name)?.init;
const uniform = (limit: number) => ({ kind: 'uniform', limit: expect.closeTo(limit, 12) });

describe('data.mnist_inr', () => {
  it('gives the image, the pixel grid of every sample and the intensities at those pixels', () => {
    const r = compile(inrDoc());
    const v = r.inference!.values;
    expect(v.get('digits.x')).toMatchObject({ shape: ['B', 784] });
    expect(v.get('digits.coords')).toMatchObject({ kind: 'tensor', shape: ['B', 784, 2], dtype: 'float32' });
    expect(v.get('digits.y')).toMatchObject({ shape: ['B', 784, 1], dtype: 'float32' });
    const grid = r.program!.ops.find((o) => o.op === 'grid')!;
    expect(grid).toMatchObject({ height: 28, width: 28, shape: [1, 784, 2], dataDependent: false });
    expect(r.program!.data).toMatchObject({ type: 'data.mnist_inr', x: [784], y: [784, 1], yDtype: 'float32' });
  });

  it('has an image layout for convolutional encoders', () => {
    const r = compile(inrDoc({ layout: 'image' }));
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.inference!.values.get('digits.x')).toMatchObject({ shape: ['B', 28, 28, 1] });
  });
});

describe('Dense over points', () => {
  it('maps [B, P, in] to [B, P, units] with per-sample weights from a batched context, and with owned ones', () => {
    const p = compiled(inrDoc());
    expect(p.generated.map((g) => [g.target, g.targetPort, g.shape, g.perSample])).toEqual([
      ['siren_1', 'kernel', ['B', 2, 16], true],
      ['siren_1', 'bias', ['B', 16], true],
    ]);
    const linear = (node: string) => p.ops.find((o) => o.node === node && o.op === 'linear')!;
    expect(linear('siren_1')).toMatchObject({ perSample: true, shape: ['B', 784, 16] });
    expect(linear('siren_2')).toMatchObject({ perSample: false, shape: ['B', 784, 16] });
    expect(linear('pixel')).toMatchObject({ shape: ['B', 784, 1] });
    expect(p.ops.find((o) => o.node === 'siren_1' && o.op === 'activation')).toMatchObject({ fn: 'sin', w0: 30 });
  });

  it('still asks for a Flatten when an image arrives', () => {
    const doc = testDoc(
      [
        ['data', 'data.mnist', { layout: 'image' }],
        ['d', 'target.dense', { units: 10 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['data.x -> d.x', 'd.y -> loss.logits', 'data.y -> loss.labels'],
    );
    expect(compile(doc).problems.map(formatProblem).join('\n')).toMatch(/^d\.x: expects \[batch, features\]; add a Flatten first, got \[B, 28, 28, 1\] \(HN030\)$/m);
  });

  it('refuses per-sample weights over points of batch 1', () => {
    const doc = testDoc(
      [
        ['digits', 'data.mnist_inr'],
        ['enc', 'context.mlp_encoder', { outDim: 4 }],
        ['head', 'head.linear'],
        ['points', 'context.constant', { values: [0.5, -0.5] }],
        ['shape', 'target.reshape', { shape: [1, 2] }],
        ['d', 'target.dense', { units: 3 }],
        ['loss', 'objective.mse'],
      ],
      ['digits.x -> enc.x', 'enc.context -> head.context', 'head.weights -> d.kernel', 'points.value -> shape.x', 'shape.y -> d.x', 'd.y -> loss.prediction', 'd.y -> loss.target'],
    );
    expect(compile(doc).problems.map(formatProblem).join('\n')).toMatch(/^d\.kernel: gets one weight set per sample .* batch 1.*\(HN033\)$/m);
  });
});

describe('SIREN initialisation', () => {
  it('owned SIREN layers start from U(±1/in) (first) and U(±√(6/in)/ω₀), biases from U(±1/√in)', () => {
    const p = compiled(inrDoc({ siren2: { w0: 30 } }));
    expect(initOf(p, 'siren_2.kernel')).toEqual(uniform(Math.sqrt(6 / 16) / 30));
    expect(initOf(p, 'siren_2.bias')).toEqual(uniform(1 / Math.sqrt(16)));
    // A fan-in layer is unchanged: N(0, 1/in), zero bias.
    expect(initOf(p, 'pixel.kernel')).toEqual({ kind: 'normal', std: Math.sqrt(1 / 16) });
    expect(initOf(p, 'pixel.bias')).toEqual({ kind: 'zeros' });
  });

  it('hyperfan aims for the variance the layer prescribes (hyperfan-out included), not 1/fanIn', () => {
    for (const init of ['hyperfan_in', 'hyperfan_out']) {
      const p = compiled(inrDoc({ head: { init } }));
      const w = initOf(p, 'head.out.weight');
      expect(w).toMatchObject({ kind: 'hyperfan', fanIn: 8 });
      // siren_1 kernel [2, 16]: 1/(3·2²); its bias [16]: 1/(3·2).
      expect((w as Extract<Init, { kind: 'hyperfan' }>).blocks).toEqual([
        { size: 32, variance: expect.closeTo(1 / 12, 12) },
        { size: 16, variance: expect.closeTo(1 / 6, 12) },
      ]);
    }
  });

  it('a learned-base head generates W₀ + Δ: bases initialised as the layer would be, Δ from zero, no output bias', () => {
    const p = compiled(inrDoc({ head: { learnedBase: true } }));
    expect(initOf(p, 'head.out.weight')).toEqual({ kind: 'zeros' });
    expect(initOf(p, 'head.out.bias')).toBeUndefined();
    expect(p.params.filter((x) => x.node === 'head').map((x) => [x.name, x.shape])).toEqual([
      ['head.out.weight', [8, 48]],
      ['head.base0', [2, 16]],
      ['head.base1', [16]],
    ]);
    expect(initOf(p, 'head.base0')).toEqual(uniform(1 / 2));
    expect(initOf(p, 'head.base1')).toEqual(uniform(1 / Math.sqrt(2)));
    const kernel = p.generated.find((g) => g.targetPort === 'kernel')!;
    expect(p.ops.find((o) => o.id === kernel.value)).toMatchObject({ op: 'add', shape: ['B', 2, 16] });
  });
});

describe('metric.psnr', () => {
  it('is a metric of kind psnr over a prediction and real-valued targets of the same shape', () => {
    const p = compiled(inrDoc());
    expect(p.metrics).toEqual([{ node: 'psnr', value: 'psnr.psnr', name: 'psnr', kind: 'psnr' }]);
    expect(p.ops.find((o) => o.id === 'psnr.psnr')).toMatchObject({ op: 'psnr', peak: 1, shape: [] });
  });

  it('refuses class labels and mismatched shapes, naming the port', () => {
    const labels = testDoc(
      [
        ['data', 'data.mnist'],
        ['d', 'target.dense', { units: 10 }],
        ['loss', 'objective.cross_entropy'],
        ['psnr', 'metric.psnr'],
      ],
      ['data.x -> d.x', 'd.y -> loss.logits', 'data.y -> loss.labels', 'd.y -> psnr.prediction', 'data.y -> psnr.target'],
    );
    expect(compile(labels).problems.map(formatProblem).join('\n')).toMatch(/^psnr\.target: expects real-valued targets.*\(HN030\)$/m);
    const shapes = inrDoc();
    shapes.edges = shapes.edges.map((e) => (e.target === 'psnr' && e.targetPort === 'prediction' ? { ...e, source: 'siren_2' } : e));
    expect(compile(shapes).problems.map(formatProblem).join('\n')).toMatch(/^psnr\.target: prediction \[B, 784, 16\] and target \[B, 784, 1\] differ \(HN030\)$/m);
  });
});
