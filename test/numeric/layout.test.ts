/**
 * The layout of generated weights: a head's flat output fills each target parameter in PyTorch's order
 * (nn.Linear's weight [out, in], nn.Conv2d's weight [out, in, kh, kw]), transposed into the parameter's own
 * shape. Checked element by element against the head's flat output, indexed by hand.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { Model, type Feeds } from '../../src/main/engine/runtime';
import type { Program } from '../../src/shared/compiler/ir';
import { Rng } from '../../src/shared/util/rng';
import { disposeFeeds, jitterParams, programOf, randomFeeds, valuesOf, type NodeSpec } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

const B = 3;
const IN = 5;
const UNITS = 4;

function run(program: Program, ids: string[]): Map<string, { data: Float32Array; shape: number[] }> {
  const model = new Model(program, 3);
  const rng = new Rng(11);
  const feeds: Feeds = randomFeeds(program, B, rng);
  cleanup.push(() => {
    disposeFeeds(feeds);
    model.dispose();
  });
  jitterParams(model, rng);
  return valuesOf(model, feeds, ids);
}

const generated = (program: Program, target: string, port: string) => program.generated.find((g) => g.target === target && g.targetPort === port)!.value;

/** data.x [B, IN] -> dense (kernel and bias from `head`) -> out (owned) -> MSE; the head's context is a learned vector or an encoder. */
function denseProgram(head: NodeSpec, perSample: boolean): Program {
  const context: NodeSpec = perSample
    ? { id: 'ctx', type: 'context.mlp_encoder', params: { hidden: [], outDim: 3 } }
    : { id: 'ctx', type: 'context.learned_vector', params: { dim: 3 } };
  return programOf(
    [
      { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: IN, classes: 0 } },
      context,
      head,
      { id: 'dense', type: 'target.dense', params: { units: UNITS } },
      { id: 'out', type: 'target.dense', params: { units: 1 } },
      { id: 'loss', type: 'objective.mse' },
    ],
    [
      ...(perSample ? ['data.x -> ctx.x', 'ctx.context -> head.context'] : ['ctx.z -> head.context']),
      'data.x -> dense.x',
      'head.weights -> dense.kernel',
      'head.weights -> dense.bias',
      'dense.y -> out.x',
      'out.y -> loss.prediction',
      'data.y -> loss.target',
    ],
  );
}

describe('generated weights are laid out in PyTorch order', () => {
  for (const perSample of [false, true]) {
    it(`MLP head -> Dense (${perSample ? 'per sample' : 'per task'}): kernel[i, o] = flat[o·in + i], the flat output read as [out, in] and transposed`, () => {
      const program = denseProgram({ id: 'head', type: 'head.mlp', params: { hidden: [6], activation: 'tanh' } }, perSample);
      const kid = generated(program, 'dense', 'kernel');
      const bid = generated(program, 'dense', 'bias');
      const got = run(program, ['head.out', kid, bid]);
      const flat = got.get('head.out')!.data;
      const kernel = got.get(kid)!;
      const rows = perSample ? B : 1;
      expect(kernel.shape).toEqual(perSample ? [B, IN, UNITS] : [IN, UNITS]);
      const per = IN * UNITS + UNITS;
      let worst = 0;
      for (let b = 0; b < rows; b++)
        for (let i = 0; i < IN; i++)
          for (let o = 0; o < UNITS; o++) {
            worst = Math.max(worst, Math.abs(kernel.data[(b * IN + i) * UNITS + o] - flat[b * per + o * IN + i]));
            // The bias follows the kernel in the flat output.
            if (i === 0) worst = Math.max(worst, Math.abs(got.get(bid)!.data[b * UNITS + o] - flat[b * per + IN * UNITS + o]));
          }
      expect(worst).toBe(0);
      // Not trivially equal: the old [in, out] reading gives a different kernel.
      expect(Math.abs(kernel.data[1] - flat[1])).toBeGreaterThan(1e-6);
    });
  }

  it('chunked head -> Dense: with a chunk of `in` weights, chunk u is unit u\'s input weights (kernel[:, u]), as in hypnettorch', () => {
    const program = denseProgram({ id: 'head', type: 'head.chunked', params: { chunkSize: IN, chunkEmbeddingDim: 2, hidden: [6] } }, false);
    const kid = generated(program, 'dense', 'kernel');
    const got = run(program, ['head.out', kid]);
    // head.out is [1, chunks, chunkSize].
    const chunks = got.get('head.out')!.data;
    const kernel = got.get(kid)!.data;
    let worst = 0;
    for (let u = 0; u < UNITS; u++) for (let i = 0; i < IN; i++) worst = Math.max(worst, Math.abs(kernel[i * UNITS + u] - chunks[u * IN + i]));
    expect(worst).toBe(0);
  });

  it('MLP head -> Conv2D: kernel[a, b, c, o] = flat[((o·cin + c)·k + a)·k + b], the flat output read as [out, in, kh, kw]', () => {
    const [H, W, CIN, COUT, K] = [4, 4, 2, 3, 3];
    const program = programOf(
      [
        { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: H * W * CIN, classes: 0 } },
        { id: 'img', type: 'target.reshape', params: { shape: [H, W, CIN] } },
        { id: 'z', type: 'context.learned_vector', params: { dim: 3 } },
        { id: 'head', type: 'head.mlp', params: { hidden: [5] } },
        { id: 'conv', type: 'target.conv2d', params: { filters: COUT, kernelSize: K, padding: 'valid' } },
        { id: 'flat', type: 'target.flatten' },
        { id: 'out', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
      ],
      ['data.x -> img.x', 'img.y -> conv.x', 'z.z -> head.context', 'head.weights -> conv.kernel', 'conv.y -> flat.x', 'flat.y -> out.x', 'out.y -> loss.prediction', 'data.y -> loss.target'],
    );
    const kid = generated(program, 'conv', 'kernel');
    const got = run(program, ['head.out', kid]);
    const flat = got.get('head.out')!.data;
    const kernel = got.get(kid)!;
    expect(kernel.shape).toEqual([K, K, CIN, COUT]);
    let worst = 0;
    for (let a = 0; a < K; a++)
      for (let b = 0; b < K; b++)
        for (let c = 0; c < CIN; c++)
          for (let o = 0; o < COUT; o++) worst = Math.max(worst, Math.abs(kernel.data[((a * K + b) * CIN + c) * COUT + o] - flat[((o * CIN + c) * K + a) * K + b]));
    expect(worst).toBe(0);
  });

  it('low-rank head -> Conv2D: the kernel as [out, in·kh·kw] is U·Vᵀ with U [out, r] and V [in·kh·kw, r] from the flat output', () => {
    const [H, W, CIN, COUT, K, R] = [4, 4, 2, 3, 3, 2];
    const program = programOf(
      [
        { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: H * W * CIN, classes: 0 } },
        { id: 'img', type: 'target.reshape', params: { shape: [H, W, CIN] } },
        { id: 'z', type: 'context.learned_vector', params: { dim: 3 } },
        { id: 'head', type: 'head.low_rank', params: { rank: R } },
        { id: 'conv', type: 'target.conv2d', params: { filters: COUT, kernelSize: K, padding: 'valid', useBias: false } },
        { id: 'flat', type: 'target.flatten' },
        { id: 'out', type: 'target.dense', params: { units: 1 } },
        { id: 'loss', type: 'objective.mse' },
      ],
      ['data.x -> img.x', 'img.y -> conv.x', 'z.z -> head.context', 'head.weights -> conv.kernel', 'conv.y -> flat.x', 'flat.y -> out.x', 'out.y -> loss.prediction', 'data.y -> loss.target'],
    );
    const kid = generated(program, 'conv', 'kernel');
    const got = run(program, ['head.out', kid]);
    const flat = got.get('head.out')!.data;
    const kernel = got.get(kid)!.data;
    const cols = CIN * K * K;
    expect(flat.length).toBe((COUT + cols) * R);
    let worst = 0;
    for (let o = 0; o < COUT; o++)
      for (let c = 0; c < CIN; c++)
        for (let a = 0; a < K; a++)
          for (let b = 0; b < K; b++) {
            const col = (c * K + a) * K + b;
            let w = 0;
            for (let j = 0; j < R; j++) w += flat[o * R + j] * flat[COUT * R + col * R + j];
            worst = Math.max(worst, Math.abs(kernel[((a * K + b) * CIN + c) * COUT + o] - w));
          }
    expect(worst).toBeLessThan(1e-5);
  });
});
