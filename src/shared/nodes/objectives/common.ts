import { z } from 'zod';
import { formatShape, sameShape } from '../../compiler/shape';
import type { InferContext } from '../types';

export const LossWeight = z.number().min(0).max(1e6).default(1).meta({ ui: { label: 'weight', help: 'This loss enters the training objective multiplied by its weight (a weighted sum of all objectives).' } });

/** Logits [N, K] against integer labels [N]. */
export function checkClassification<P>(ctx: InferContext<P>, logitsPort: string, labelsPort: string): void {
  const logits = ctx.tensor(logitsPort);
  const labels = ctx.tensor(labelsPort);
  if (logits.shape.length !== 2) ctx.fail('HN030', `expects logits [N, classes], got ${formatShape(logits.shape)}`, logitsPort);
  if (labels.dtype !== 'int32' || labels.shape.length !== 1)
    ctx.fail('HN030', `expects integer class labels [N], got ${labels.dtype} ${formatShape(labels.shape)} (use MSE for real-valued targets)`, labelsPort);
}

/** Prediction and target of one shape (a batch of 1 broadcasts). */
export function checkSameShape<P>(ctx: InferContext<P>, a: string, b: string): void {
  const sa = ctx.tensor(a).shape;
  const tb = ctx.tensor(b);
  if (tb.dtype !== 'float32') ctx.fail('HN030', `expects real-valued targets, got integer labels (use cross-entropy for classes)`, b);
  if (!sameShape(sa.slice(1), tb.shape.slice(1))) ctx.fail('HN030', `prediction ${formatShape(sa)} and target ${formatShape(tb.shape)} differ`, b);
}

export const scalar = { kind: 'tensor' as const, shape: [] as never[], dtype: 'float32' as const };
