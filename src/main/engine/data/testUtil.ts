/** Helpers shared by the dataset tests. */
import type { z } from 'zod';
import type { InferContext, NodeType, ValueInfo } from '../../../shared/nodes/types';
import type { Batch, Dataset } from './types';

/** Run a node type's shape inference with its params alone (data nodes have no inputs). */
export function inferNode(node: NodeType, params: Record<string, unknown> = {}): Record<string, ValueInfo> {
  const p = node.params.parse(params) as z.output<z.ZodObject>;
  const ctx: InferContext<typeof p> = {
    id: 'test',
    params: p,
    input: () => undefined,
    tensor: () => {
      throw new Error('data nodes have no inputs');
    },
    routes: () => [],
    fail: (code, message) => {
      throw new Error(`${message} (${code})`);
    },
    warn: () => {},
  };
  return node.infer(ctx);
}

/** The dataset's shapes as the node's outputs would carry them. */
export function datasetInfo(d: Dataset): Record<string, ValueInfo> {
  const out: Record<string, ValueInfo> = {
    x: { kind: 'tensor', shape: ['B', ...d.xShape], dtype: 'float32' },
    y: { kind: 'tensor', shape: ['B', ...d.yShape], dtype: d.yDtype },
    task: { kind: 'task', count: d.tasks } as ValueInfo,
  };
  if (d.contextShape) out.context = { kind: 'tensor', shape: [1, ...d.contextShape], dtype: 'float32' };
  return out;
}

/** A batch as plain arrays, for toEqual. */
export const plain = (b: Batch) => ({ n: b.n, task: b.task, x: Array.from(b.x), y: Array.from(b.y), context: b.context && Array.from(b.context) });

/** Checks every dataset must pass: sizes of a batch agree with its shapes. */
export function checkBatch(d: Dataset, b: Batch, task: number): void {
  const xs = d.xShape.reduce((a, c) => a * c, 1);
  const ys = d.yShape.reduce((a, c) => a * c, 1);
  if (b.task !== task) throw new Error(`batch of task ${b.task}, expected ${task}`);
  if (b.x.length !== b.n * xs) throw new Error(`x holds ${b.x.length} values for ${b.n} samples of ${xs}`);
  if (b.y.length !== b.n * ys) throw new Error(`y holds ${b.y.length} values for ${b.n} samples of ${ys}`);
  if ((d.yDtype === 'int32') !== b.y instanceof Int32Array) throw new Error(`y is not ${d.yDtype}`);
  if (!b.x.every(Number.isFinite)) throw new Error('x holds a non-finite value');
  if (d.contextShape && b.context?.length !== d.contextShape.reduce((a, c) => a * c, 1)) throw new Error('context size');
}
