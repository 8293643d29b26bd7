/** The resource estimate against numbers worked out by hand for a small graph, and the refusal's message. */
import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import { DEFAULT_RESOURCE_LIMITS, checkResources, estimateResources } from './estimate';
import { testDoc } from './testDoc';

// Sinusoid x [B, 1] -> MLP encoder (1 -> 4) -> linear head (4 -> 16) generating d1's kernel per sample, then
// d1 (1 -> 16, relu, own bias) -> d2 (16 -> 1) -> MSE. Adam.
const doc = testDoc(
  [
    ['data', 'data.sinusoid'],
    ['enc', 'context.mlp_encoder', { hidden: [], outDim: 4 }],
    ['h', 'head.linear'],
    ['d1', 'target.dense', { units: 16, activation: 'relu' }],
    ['d2', 'target.dense', { units: 1 }],
    ['loss', 'objective.mse'],
  ],
  ['data.x -> enc.x', 'enc.context -> h.context', 'data.x -> d1.x', 'd1.y -> d2.x', 'h.weights -> d1.kernel', 'd2.y -> loss.prediction', 'data.y -> loss.target'],
  { batchSize: 8 },
);

describe('estimateResources', () => {
  const program = compile(doc).program!;

  it('matches the hand count for a small per-sample graph', () => {
    const B = 8;
    const e = estimateResources(program, B);
    // Parameters: enc 1*4+4, head 4*16+16, d1 bias 16, d2 16*1+1 = 121; Adam keeps weight, gradient, m and v.
    const params = 1 * 4 + 4 + (4 * 16 + 16) + 16 + (16 + 1);
    expect(e.parameterBytes).toBe(params * 4 * 4);
    // Activations: x, y [B,1]; task [1]; context [1,2]; enc [B,4]; head out, its slice, the kernel as generated
    // ([B,16,1], PyTorch's [out, in]) and transposed to [B,1,16] (per sample: B weight sets), d1 linear and relu
    // [B,16]; d2 [B,1]; the loss (one value).
    const acts = B + B + 1 + 2 + 4 * B + 6 * 16 * B + B + 1;
    expect(e.activationBytes).toBe(acts * 4 * 2);
    // Forward FLOPs: enc 2*B*4*1, head 2*B*16*4, slice B*16, transpose B*16, d1 2*B*16*1, relu B*16,
    // d2 2*B*1*16, mse B; the step is forward + backward (twice the forward).
    const forward = 2 * B * 4 + 2 * B * 16 * 4 + B * 16 + B * 16 + 2 * B * 16 + B * 16 + 2 * B * 16 + B;
    expect(e.flopsPerStep).toBe(3 * forward);
    expect(e.totalBytes).toBe(e.parameterBytes + e.activationBytes);
  });

  it('counts generated per-sample weights once per sample: activations grow with the batch', () => {
    // Only task, context and the loss (4 values) do not scale with the batch.
    const small = estimateResources(program, 8);
    const large = estimateResources(program, 80);
    expect(large.parameterBytes).toBe(small.parameterBytes);
    expect(large.activationBytes - 4 * 4 * 2).toBe(10 * (small.activationBytes - 4 * 4 * 2));
  });

  it('refuses over a limit with the estimate and how to raise it', () => {
    const e = estimateResources(program, 8);
    expect(checkResources(e, DEFAULT_RESOURCE_LIMITS, 'raise it')).toBeNull();
    const p = checkResources(e, { maxBytes: 1000, maxFlops: 1e12 }, 'raise the limit with --max-memory GB');
    expect(p?.code).toBe('HN046');
    expect(p?.message).toMatch(/memory 8\.6 kB over the limit of 1\.0 kB/);
    expect(p?.message).toMatch(/batch size 8/);
    expect(p?.message).toMatch(/--max-memory GB$/);
    const f = checkResources(e, { maxBytes: 1e12, maxFlops: 100 }, 'raise it');
    expect(f?.message).toMatch(/compute 0\.00 GFLOPs a step over the limit/);
  });
});
