/** What every dataset node shares: outputs x, y and task (and context when the data has one) and their lowering. */
import type { DType, ValueId } from '../../compiler/ir';
import type { LowerContext, PortDecl, ValueInfo } from '../types';

export interface DataShapes {
  x: number[];
  /** [] for integer class labels, else the target's shape. */
  y: number[];
  yDtype: DType;
  context?: number[];
  tasks: number;
}

export function dataOutputs(hasContext: boolean): PortDecl[] {
  const ports: PortDecl[] = [
    { name: 'x', kind: 'tensor', doc: 'Inputs of a batch, [B, ...].' },
    { name: 'y', kind: 'tensor', doc: 'Targets of a batch: class ids [B] or values [B, ...].' },
    { name: 'task', kind: 'task', doc: 'Id of the task the batch belongs to (every batch holds one task).' },
  ];
  if (hasContext) ports.push({ name: 'context', kind: 'tensor', doc: 'The batch\'s task descriptor, [1, d].' });
  return ports;
}

export function inferData(s: DataShapes): Record<string, ValueInfo> {
  const out: Record<string, ValueInfo> = {
    x: { kind: 'tensor', shape: ['B', ...s.x], dtype: 'float32' },
    y: { kind: 'tensor', shape: ['B', ...s.y], dtype: s.yDtype },
    task: { kind: 'task', count: s.tasks },
  };
  if (s.context) out.context = { kind: 'tensor', shape: [1, ...s.context], dtype: 'float32' };
  return out;
}

export function lowerData<P extends Record<string, unknown>>(
  ctx: LowerContext<P>,
  type: string,
  s: DataShapes,
): Record<string, ValueId> {
  ctx.dataset({ type, params: ctx.params, x: s.x, y: s.y, yDtype: s.yDtype, context: s.context, tasks: s.tasks });
  const out: Record<string, ValueId> = {
    x: ctx.op({ op: 'input', name: 'x' }, [], ['B', ...s.x], 'x'),
    y: ctx.op({ op: 'input', name: 'y' }, [], ['B', ...s.y], 'y', s.yDtype),
    task: ctx.op({ op: 'input', name: 'task' }, [], [1], 'task', 'int32'),
  };
  if (s.context) out.context = ctx.op({ op: 'input', name: 'context' }, [], [1, ...s.context], 'context');
  return out;
}
