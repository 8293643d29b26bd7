/** What target layers share: their tensor input rules and the optional activation after a layer. */
import { z } from 'zod';
import type { Activation, ValueId } from '../../compiler/ir';
import type { Shape } from '../../compiler/shape';
import { ActivationName } from '../common';
import type { InferContext, LowerContext, PortDecl, ValueInfo, WeightDecl } from '../types';

export const xInput: PortDecl = { name: 'x', kind: 'tensor', doc: 'Input activations.' };
export const yOutput: PortDecl = { name: 'y', kind: 'tensor', doc: 'Output activations.' };

export const LayerActivation = ActivationName.default('linear').meta({ ui: { label: 'activation' } });

export function weightPort(name: string, doc: string): PortDecl {
  return { name, kind: 'weights', doc, optional: true };
}

/** The layer's activation after `value` (`w0` is the frequency of `sin`). */
export function activate<P>(ctx: LowerContext<P>, value: ValueId, shape: Shape, fn: z.infer<typeof ActivationName>, w0 = 1): ValueId {
  return fn === 'linear' ? value : ctx.op({ op: 'activation', fn: fn as Activation, w0 }, [value], shape, 'y');
}

/** The tensor on `x`, which must have the given rank. */
export function inputOfRank<P>(ctx: InferContext<P>, rank: number, what: string, port = 'x'): Shape {
  const t = ctx.tensor(port);
  if (t.shape.length !== rank) ctx.fail('HN030', `expects ${what}, got [${t.shape.join(', ')}]`, port);
  return t.shape;
}

/** Generated weights with one set per sample need activations with one row per sample. */
export function requireBatchFor<P>(ctx: LowerContext<P>, perSample: boolean, x: Shape, port: string): void {
  if (perSample && x[0] !== 'B')
    ctx.fail('HN033', `gets one weight set per sample on \`${port}\` but its input has batch 1; condition the head on a per-task context or feed a batched input`, port);
}

/**
 * Layers modulating channels with a scale (starting at 1) and a shift (starting at 0), each [C] on the last
 * axis: their parameter declarations, shape rule and the weights they get at lowering.
 */
export const channelModulation = (scale: string, shift: string) => ({
  weights<P>(_p: P, ctx: InferContext<P>): WeightDecl[] {
    const { shape } = ctx.tensor('x');
    const c = shape[shape.length - 1] as number;
    return [
      { port: scale, shape: [c], init: 'ones', fanIn: c, fanOut: c },
      { port: shift, shape: [c], init: 'zeros', fanIn: c, fanOut: c },
    ];
  },
  infer<P>(ctx: InferContext<P>): Record<string, ValueInfo> {
    const t = ctx.tensor('x');
    if (t.shape.length < 2) ctx.fail('HN030', `expects [N, ..., C], got [${t.shape.join(', ')}]`, 'x');
    return { y: { kind: 'tensor', shape: t.shape, dtype: 'float32' } };
  },
  /** The input's shape and the two weights, checked against the input's batch. */
  lowerInputs<P>(ctx: LowerContext<P>) {
    const info = ctx.info('x');
    const shape = info.kind === 'tensor' ? info.shape : [];
    const s = ctx.weight(scale);
    const b = ctx.weight(shift);
    requireBatchFor(ctx, s.perSample, shape, scale);
    requireBatchFor(ctx, b.perSample, shape, shift);
    return { shape, scale: s.value, shift: b.value };
  },
});
