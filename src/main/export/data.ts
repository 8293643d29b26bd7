/**
 * The data folder of an export, written from the engine's own dataset loaders so the exported code sees the
 * same samples the engine does: each task's training split (rows in the engine's order) and exactly the
 * engine's evaluation batches. Permuted MNIST stores one copy of the digits and a permutation per task. The
 * sinusoid family draws fresh waves per training batch: the exported code regenerates them from the seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ArrayRef, DataManifest, EvalSet, TrainSplit } from '../../shared/codegen/dataManifest';
import type { Program } from '../../shared/compiler/ir';
import { SinusoidData } from '../../shared/nodes/data/sinusoid';
import type { Rng } from '../../shared/util/rng';
import { openDataset, type Batch, type Dataset } from '../engine/data';
import { dataAccessOf, type DataAccess } from '../engine/data/files';
import { mnistPermutation } from '../engine/data/mnist';
import { AMPLITUDE, PHASE, X_RANGE } from '../engine/data/sinusoid';

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
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, values: Float32Array | Int32Array, shape: number[]): ArrayRef => {
    const file = `${name}.${values instanceof Int32Array ? 'i32' : 'f32'}.gz`;
    // Typed arrays are little-endian on every platform Node runs on.
    writeFileSync(join(dir, file), gzipSync(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), { level: 6 }));
    files.push(file);
    return { file, dtype: values instanceof Int32Array ? 'int32' : 'float32', shape };
  };
  const yShape = (n: number) => [n, ...spec.y];
  const permuted = spec.type === 'data.permuted_mnist';
  const sinusoid = spec.type === 'data.sinusoid';

  const train: (TrainSplit | null)[] = [];
  const evals: EvalSet[] = [];
  const trainSize: number[] = [];
  for (let task = 0; task < data.tasks; task++) {
    trainSize.push(data.trainSize(task));
    const perm = permuted ? mnistPermutation(opts.seed, task) : undefined;
    const permutation = perm ? write(`permutation${task}`, perm, [perm.length]) : undefined;
    // Permuted MNIST: every task shows task 0's rows through its permutation.
    if (permuted && task > 0) {
      train.push({ ...train[0]!, permutation });
      evals.push({ ...evals[0], permutation });
      continue;
    }
    if (sinusoid) train.push(null);
    else {
      const n = data.trainSize(task);
      const b = data.trainBatch(task, n, sequentialRows());
      train.push({ x: write(`train${task}.x`, b.x, [n, ...spec.x]), y: write(`train${task}.y`, b.y, yShape(n)) });
    }
    const batches = data.evalBatches(task, program.evaluation.evalBatchSize, program.evaluation.maxEvalSamples);
    evals.push(evalSet(task, batches, spec.x, spec.y, write));
  }

  const manifest: DataManifest = {
    format: 'hnet-data',
    version: 1,
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
    evalBatchSize: program.evaluation.evalBatchSize,
    maxEvalSamples: program.evaluation.maxEvalSamples,
  };
  if (sinusoid) {
    const p = SinusoidData.params.parse(spec.params);
    manifest.generator = { kind: 'sinusoid', amplitude: [...AMPLITUDE], phase: [...PHASE], xRange: [...X_RANGE], noise: p.noise };
  }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('manifest.json');
  return { manifest, files };
}

function evalSet(
  task: number,
  batches: Batch[],
  x: number[],
  y: number[],
  write: (name: string, values: Float32Array | Int32Array, shape: number[]) => ArrayRef,
): EvalSet {
  const n = batches.reduce((a, b) => a + b.n, 0);
  const xs = new Float32Array(n * prod(x));
  const ys = batches[0]?.y instanceof Int32Array ? new Int32Array(n * prod(y)) : new Float32Array(n * prod(y));
  let row = 0;
  for (const b of batches) {
    xs.set(b.x, row * prod(x));
    ys.set(b.y, row * prod(y));
    row += b.n;
  }
  const set: EvalSet = { x: write(`eval${task}.x`, xs, [n, ...x]), y: write(`eval${task}.y`, ys, [n, ...y]), batches: batches.map((b) => b.n) };
  if (batches.length && batches[0].context) {
    const width = batches[0].context.length;
    const cs = new Float32Array(batches.length * width);
    batches.forEach((b, i) => cs.set(b.context!, i * width));
    set.context = write(`eval${task}.context`, cs, [batches.length, width]);
  }
  return set;
}
