/**
 * The data's identity for a run's provenance: a sha256 over what the run trains and is evaluated on, so two runs
 * whose data hashes match read the same samples in the same splits.
 *
 * - Pool datasets (MNIST, Fashion-MNIST, IDX and CSV files): every stored row, and each task's train, validation
 *   and test rows with their labels (so a different split or a relabelling differs too).
 * - Generated datasets (sinusoid, toy 2-D and regression sets): their evaluation batches and a few training
 *   batches drawn with a fixed generator; they are functions of the node's parameters and the seed.
 *
 * Hashed once per dataset object (MNIST's 47 MB take about 0.1 s here).
 */
import { createHash, type Hash } from 'node:crypto';
import { Rng } from '../../../shared/util/rng';
import type { Batch, Dataset } from './types';

const cache = new WeakMap<Dataset, string>();

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function addBatch(h: Hash, b: Batch): void {
  h.update(`batch ${b.task} ${b.n}\n`);
  h.update(bytes(b.x));
  h.update(bytes(b.y));
  if (b.context) h.update(bytes(b.context));
}

/** Hex sha256 of `data` as a run with these evaluation settings reads it. */
export function datasetHash(data: Dataset, evalBatchSize: number, maxEvalSamples: number): string {
  const have = cache.get(data);
  if (have) return have;
  const h = createHash('sha256');
  h.update(JSON.stringify({ tasks: data.tasks, x: data.xShape, y: data.yShape, dtype: data.yDtype, classes: data.classes ?? null, context: data.contextShape ?? null }));
  const splits = data.hasValidation ? (['val', 'test'] as const) : (['test'] as const);
  if (data.pool) {
    const p = data.pool;
    h.update(`pool ${p.xSize} ${p.xScale} ${p.yIsX}\n`);
    h.update(bytes(p.x));
    for (let task = 0; task < data.tasks; task++)
      for (const split of ['train', ...splits] as const) {
        const rows = p.rows(task, split, split === 'train' ? Infinity : maxEvalSamples);
        h.update(`${split} ${task} ${rows.length}\n`);
        h.update(bytes(rows));
        if (!p.yIsX) h.update(bytes(p.labels(task, rows)));
      }
  } else {
    for (let task = 0; task < data.tasks; task++) {
      for (const split of splits) for (const b of data.evalBatches(task, evalBatchSize, maxEvalSamples, split)) addBatch(h, b);
      const rng = new Rng(0).fork(`hash${task}`);
      for (let i = 0; i < 4; i++) addBatch(h, data.trainBatch(task, 32, rng));
    }
  }
  const hex = h.digest('hex');
  cache.set(data, hex);
  return hex;
}
