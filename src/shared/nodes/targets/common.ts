/** What target layers share: their tensor input rules and the optional activation after a layer. */
import { z } from 'zod';
import type { Activation, ValueId } from '../../compiler/ir';
import type { Shape } from '../../compiler/shape';
import { ActivationName } from '../common';
import type { InferContext, LowerContext, PortDecl } from '../types';

export const xInput: PortDecl = { name: 'x', kind: 'tensor', doc: 'Input activations.' };
export const yOutput: PortDecl = { name: 'y', kind: 'tensor', doc: 'Output activations.' };

export const LayerActivation = ActivationName.default('linear').meta({ ui: { label: 'activation' } });

export function weightPort(name: string, doc: string): PortDecl {
  return { name, kind: 'weights', doc, optional: true };
}

export function activate<P>(ctx: LowerContext<P>, value: ValueId, shape: Shape, fn: z.infer<typeof ActivationName>): ValueId {
  return fn === 'linear' ? value : ctx.op({ op: 'activation', fn: fn as Activation, w0: 1 }, [value], shape, 'y');
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
