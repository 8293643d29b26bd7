/**
 * What every dataset node shares: outputs x, y and task (and context when the data has one, pixel coordinates
 * when its samples are images to reconstruct) and their lowering.
 */
import type { DType, ValueId } from '../../compiler/ir';
import type { LowerContext, PortDecl, ValueInfo } from '../types';

export interface DataShapes {
  x: number[];
  /** [] for integer class labels, else the target's shape. */
  y: number[];
  yDtype: DType;
  context?: number[];
  /**
   * Images to represent as functions of their pixel coordinates: the `coords` output holds each sample's
   * (row, column) grid, [height·width, 2] in [-1, 1], in the order of the pixels of y. Computed in the program
   * (the same for every sample), not fed.
   */
  coords?: { height: number; width: number };
  tasks: number;
}

export function dataOutputs(hasContext: boolean, hasCoords = false): PortDecl[] {
  const ports: PortDecl[] = [
    { name: 'x', kind: 'tensor', doc: 'Inputs of a batch, [B, ...].' },
    { name: 'y', kind: 'tensor', doc: 'Targets of a batch: class ids [B] or values [B, ...].' },
    { name: 'task', kind: 'task', doc: 'Id of the task the batch belongs to (every batch holds one task).' },
  ];
  if (hasContext) ports.push({ name: 'context', kind: 'tensor', doc: 'The batch\'s task descriptor, [1, d].' });
  if (hasCoords)
    ports.push({ name: 'coords', kind: 'tensor', doc: 'Pixel coordinates of each sample, [B, pixels, 2]: (row, column) in [-1, 1], in the order of y.' });
  return ports;
}

export function inferData(s: DataShapes): Record<string, ValueInfo> {
  const out: Record<string, ValueInfo> = {
    x: { kind: 'tensor', shape: ['B', ...s.x], dtype: 'float32' },
    y: { kind: 'tensor', shape: ['B', ...s.y], dtype: s.yDtype },
    task: { kind: 'task', count: s.tasks },
  };
  if (s.context) out.context = { kind: 'tensor', shape: [1, ...s.context], dtype: 'float32' };
  if (s.coords) out.coords = { kind: 'tensor', shape: ['B', s.coords.height * s.coords.width, 2], dtype: 'float32' };
  return out;
}

export function lowerData<P extends Record<string, unknown>>(ctx: LowerContext<P>, s: DataShapes): Record<string, ValueId> {
  ctx.dataset({ params: ctx.params, x: s.x, y: s.y, yDtype: s.yDtype, context: s.context, ...(s.coords ? { coords: s.coords } : {}), tasks: s.tasks });
  const out: Record<string, ValueId> = {
    x: ctx.op({ op: 'input', name: 'x' }, [], ['B', ...s.x], 'x'),
    y: ctx.op({ op: 'input', name: 'y' }, [], ['B', ...s.y], 'y', s.yDtype),
    task: ctx.op({ op: 'input', name: 'task' }, [], [1], 'task', 'int32'),
  };
  if (s.context) out.context = ctx.op({ op: 'input', name: 'context' }, [], [1, ...s.context], 'context');
  if (s.coords) {
    const { height, width } = s.coords;
    const grid = ctx.op({ op: 'grid', height, width }, [], [1, height * width, 2], 'grid');
    // One grid per sample, so a coordinate network's points line up with the batch of generated weights.
    out.coords = ctx.op({ op: 'broadcastBatch' }, [grid, out.x], ['B', height * width, 2], 'coords');
  }
  return out;
}
