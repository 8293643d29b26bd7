/**
 * The data folder of an export, written from the engine's own dataset loaders so the exported code sees the
 * same samples the engine does: each task's training split (rows in the engine's order) and exactly the
 * engine's evaluation batches (of the test set, and of the validation split where the dataset holds one).
 * Datasets whose images are bytes (MNIST, Fashion-MNIST, IDX files) store those bytes once, as they are, and
 * each split as row indices into them: the full MNIST export is about 10 MB, not 200. Permuted MNIST adds a
 * permutation per task. The sinusoid family draws fresh waves per training batch: the exported code
 * regenerates them from the seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ArrayRef, DataManifest, EvalSet, TrainSplit } from '../../shared/codegen/dataManifest';
import type { Program } from '../../shared/compiler/ir';
import { getNodeType } from '../../shared/nodes';
import type { Rng } from '../../shared/util/rng';
import { loaderOf, openDataset, type Batch, type Dataset, type EvalSplit } from '../engine/data';
import type { PoolRows } from '../engine/data/types';
import { dataAccessOf, type DataAccess } from '../engine/data/files';

/** `baseDir`, `dataGrants`, `maxDataBytes`: what the data files may be (engine/data/files.ts). */
export interface DataOptions extends DataAccess {
  /** The seed that fixes splits and evaluation sets (the document's, as `hnet train` uses by default). */
  seed: number;
}

/**
 * A stand-in generator whose `int(n)` counts 0, 1, 2, ...: a training batch as large as the split drawn with
 * it is the split itself, row by row, through the dataset's public interface.
 */
function sequentialRows(): Rng {
  let i = 0;
  const fake = { int: (n: number) => i++ % n };
  return fake as unknown as Rng;
}

const prod = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Write the data folder; returns the manifest (also written as manifest.json) and the files written. */
export function writeDataFolder(program: Program, dir: string, opts: DataOptions): { manifest: DataManifest; files: string[] } {
  const spec = program.data;
  const data: Dataset = openDataset(spec.type, spec.params, { seed: opts.seed, node: spec.node, ...dataAccessOf(opts) });
  // What the dataset's declaration says its samples are; its loader implements each fact (a test checks both agree).
  const { permutedTasks: permuted, generatedTrainBatches: generated } = getNodeType(spec.type)?.dataset ?? {};
  const loader = loaderOf(spec.type, spec.node);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, values: Float32Array | Int32Array | Uint8Array, shape: number[], scale?: number): ArrayRef => {
    const dtype = values instanceof Int32Array ? 'int32' : values instanceof Uint8Array ? 'uint8' : 'float32';
    const file = `${name}.${{ int32: 'i32', uint8: 'u8', float32: 'f32' }[dtype]}.gz`;
    // Typed arrays are little-endian on every platform Node runs on.
    writeFileSync(join(dir, file), gzipSync(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), { level: 6 }));
    files.push(file);
    return { file, dtype, shape, ...(scale !== undefined ? { scale } : {}) };
  };
  const yShape = (n: number) => [n, ...spec.y];
  // Bytes are written once with row indices per split; float pools (generated toys) as each split's rows.
  const pool = data.pool && data.pool.x instanceof Uint8Array ? data.pool : undefined;
  const pooled = pool ? pooledWriter(pool, spec.x, spec.y, write) : undefined;
  const { evalBatchSize, maxEvalSamples } = program.evaluation;

  const train: (TrainSplit | null)[] = [];
  const evals: EvalSet[] = [];
  const vals: EvalSet[] = [];
  const trainSize: number[] = [];
  for (let task = 0; task < data.tasks; task++) {
    trainSize.push(data.trainSize(task));
    const perm = permuted ? loader.permutation!(opts.seed, task) : undefined;
    const permutation = perm ? write(`permutation${task}`, perm, [perm.length]) : undefined;
    // Permuted tasks (Permuted MNIST) show task 0's rows through their own permutation.
    if (permuted && task > 0) {
      train.push({ ...train[0]!, permutation });
      evals.push({ ...evals[0], permutation });
      if (data.hasValidation) vals.push({ ...vals[0], permutation });
      continue;
    }
    const evalOf = (split: EvalSplit, name: string) => {
      const batches = data.evalBatches(task, evalBatchSize, maxEvalSamples, split);
      return pooled ? pooled.evalSet(task, split, name, batches, maxEvalSamples) : evalSet(name, batches, spec.x, spec.y, write);
    };
    if (generated) train.push(null);
    else if (pooled) train.push(pooled.train(task));
    else {
      const n = data.trainSize(task);
      const b = data.trainBatch(task, n, sequentialRows());
      train.push({ x: write(`train${task}.x`, b.x, [n, ...spec.x]), y: write(`train${task}.y`, b.y, yShape(n)) });
    }
    evals.push(evalOf('test', `eval${task}`));
    if (data.hasValidation) vals.push(evalOf('val', `val${task}`));
  }

  const manifest: DataManifest = {
    format: 'hnet-data',
    version: 2,
    type: spec.type,
    node: spec.node,
    seed: opts.seed,
    tasks: data.tasks,
    x: spec.x,
    y: spec.y,
    yDtype: spec.yDtype,
    context: spec.context ?? null,
    trainSize,
    train,
    eval: evals,
    ...(data.hasValidation ? { val: vals } : {}),
    evalBatchSize: program.evaluation.evalBatchSize,
    maxEvalSamples: program.evaluation.maxEvalSamples,
  };
  if (generated) manifest.generator = loader.generator!(spec.params);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('manifest.json');
  return { manifest, files };
}

type Write = (name: string, values: Float32Array | Int32Array | Uint8Array, shape: number[], scale?: number) => ArrayRef;

/**
 * Splits of a byte pool: the pool's bytes once (as the IDX files hold them), then per split its row indices and
 * its labels (or, for images to reconstruct, y as the same bytes).
 */
function pooledWriter(pool: PoolRows, x: number[], y: number[], write: Write) {
  const rowsInPool = pool.x.length / pool.xSize;
  const images = write('images', pool.x, [rowsInPool, ...x], pool.xScale);
  const ys = (task: number, rows: Int32Array, name: string): Pick<TrainSplit, 'y' | 'yPooled'> =>
    pool.yIsX ? { y: { ...images, shape: [rowsInPool, ...y] }, yPooled: true } : { y: write(`${name}.y`, pool.labels(task, rows), [rows.length, ...y]) };
  return {
    train(task: number): TrainSplit {
      const rows = pool.rows(task, 'train');
      return { x: images, rows: write(`train${task}.rows`, rows, [rows.length]), ...ys(task, rows, `train${task}`) };
    },
    evalSet(task: number, split: EvalSplit, name: string, batches: Batch[], maxSamples: number): EvalSet {
      const rows = pool.rows(task, split, maxSamples);
      if (rows.length !== batches.reduce((a, b) => a + b.n, 0)) throw new Error(`${name}: ${rows.length} rows for ${batches.length} batches`);
      return { x: images, rows: write(`${name}.rows`, rows, [rows.length]), ...ys(task, rows, name), batches: batches.map((b) => b.n) };
    },
  };
}

function evalSet(name: string, batches: Batch[], x: number[], y: number[], write: Write): EvalSet {
  const n = batches.reduce((a, b) => a + b.n, 0);
  const xs = new Float32Array(n * prod(x));
  const ys = batches[0]?.y instanceof Int32Array ? new Int32Array(n * prod(y)) : new Float32Array(n * prod(y));
  let row = 0;
  for (const b of batches) {
    xs.set(b.x, row * prod(x));
    ys.set(b.y, row * prod(y));
    row += b.n;
  }
  const set: EvalSet = { x: write(`${name}.x`, xs, [n, ...x]), y: write(`${name}.y`, ys, [n, ...y]), batches: batches.map((b) => b.n) };
  if (batches.length && batches[0].context) {
    const width = batches[0].context.length;
    const cs = new Float32Array(batches.length * width);
    batches.forEach((b, i) => cs.set(b.context!, i * width));
    set.context = write(`${name}.context`, cs, [batches.length, width]);
  }
  return set;
}
