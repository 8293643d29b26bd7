/**
 * The training and evaluation data, as the Hypernet Studio engine feeds it. data/manifest.json describes the
 * dataset: finite datasets are stored as arrays (each task's training split in the engine's order, and the
 * engine's evaluation batches exactly); the sinusoid family draws a fresh wave per training batch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Batch } from './batch.ts';
import type { Rng } from './rng.ts';

export type { Batch } from './batch.ts';

interface ArrayRef {
  file: string;
  /** uint8: a value is byte · scale (float64), rounded to float32, as the engine reads image bytes. */
  dtype: 'float32' | 'int32' | 'uint8';
  shape: number[];
  scale?: number;
}

/** A stored split; with rows, row i is row rows[i] of x (and of y when yPooled). */
interface Split {
  x: ArrayRef;
  y: ArrayRef;
  rows?: ArrayRef;
  yPooled?: boolean;
  permutation?: ArrayRef;
}

type EvalSet = Split & { context?: ArrayRef; batches: number[] };

interface Manifest {
  format: string;
  tasks: number;
  x: number[];
  y: number[];
  yDtype: 'float32' | 'int32';
  context: number[] | null;
  seed: number;
  trainSize: number[];
  train: (Split | null)[];
  /** Evaluation batches of the test set, and of the validation split where the dataset holds one. */
  eval: EvalSet[];
  val?: EvalSet[];
  generator?: { kind: 'sinusoid'; amplitude: [number, number]; phase: [number, number]; xRange: [number, number]; noise: number };
}

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

/** The data folder is missing or incomplete: train.ts prints the message as one line and exits 1. */
export class DataMissingError extends Error {
  override name = 'DataMissingError';
}

const howToAdd = (folder: string) =>
  'put the data folder of a Hypernet Studio export there (run: hnet export DOCUMENT.hnet.json --to tfjs --out ' +
  dirname(resolve(folder)) +
  ', or Export in the app from a saved document), or pass --data FOLDER';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export class Dataset {
  readonly tasks: number;
  readonly xShape: number[];
  readonly yShape: number[];
  readonly yDtype: 'float32' | 'int32';
  readonly contextShape: number[] | null;
  /** What evaluations during training read: the validation split where the dataset holds one. */
  readonly duringSplit: 'val' | 'test';
  private readonly manifest: Manifest;
  private readonly arrays = new Map<string, Float32Array | Int32Array | Uint8Array>();
  private readonly evalSets = new Map<string, Batch[]>();

  constructor(readonly folder: string = DATA_DIR) {
    const path = join(folder, 'manifest.json');
    if (!existsSync(path)) throw new DataMissingError('no training data: ' + path + ' does not exist (this project was exported without its data); ' + howToAdd(folder));
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    } catch (e) {
      throw new DataMissingError('cannot read ' + path + ' (' + (e instanceof Error ? e.message : String(e)) + '); ' + howToAdd(folder));
    }
    if (manifest === null || typeof manifest !== 'object' || manifest.format !== 'hnet-data')
      throw new DataMissingError(path + ' is not a Hypernet Studio data manifest; ' + howToAdd(folder));
    this.manifest = manifest;
    this.tasks = this.manifest.tasks;
    this.xShape = this.manifest.x;
    this.yShape = this.manifest.y;
    this.yDtype = this.manifest.yDtype;
    this.contextShape = this.manifest.context;
    this.duringSplit = this.manifest.val ? 'val' : 'test';
  }

  private array(ref: ArrayRef): Float32Array | Int32Array | Uint8Array {
    let a = this.arrays.get(ref.file);
    if (!a) {
      const path = join(this.folder, ref.file);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(gunzipSync(readFileSync(path)));
      } catch (e) {
        throw new DataMissingError('cannot read the data file ' + path + ' (' + (e instanceof Error ? e.message : String(e)) + '); ' + howToAdd(this.folder));
      }
      a = ref.dtype === 'int32' ? new Int32Array(bytes.buffer) : ref.dtype === 'uint8' ? bytes : new Float32Array(bytes.buffer);
      this.arrays.set(ref.file, a);
    }
    return a;
  }

  trainSize(task: number): number {
    return this.manifest.trainSize[task];
  }

  /** Samples at rows (indices into the split) of a stored split, x through the split's permutation. */
  private gather(split: Split, rows: ArrayLike<number>): { x: Float32Array; y: Float32Array | Int32Array } {
    const xs = this.array(split.x);
    const ys = this.array(split.y);
    const pool = split.rows ? this.array(split.rows) : undefined;
    const perm = split.permutation ? this.array(split.permutation) : undefined;
    const xScale = split.x.dtype === 'uint8' ? split.x.scale! : 1;
    const yScale = split.y.dtype === 'uint8' ? split.y.scale! : 1;
    const xSize = size(this.xShape);
    const ySize = size(this.yShape);
    const n = rows.length;
    const x = new Float32Array(n * xSize);
    const y = this.yDtype === 'int32' ? new Int32Array(n * ySize) : new Float32Array(n * ySize);
    for (let i = 0; i < n; i++) {
      const r = pool ? pool[rows[i]] : rows[i];
      const ry = pool && !split.yPooled ? rows[i] : r;
      for (let j = 0; j < xSize; j++) x[i * xSize + j] = xs[r * xSize + (perm ? perm[j] : j)] * xScale;
      for (let j = 0; j < ySize; j++) y[i * ySize + j] = ys[ry * ySize + j] * yScale;
    }
    return { x, y };
  }

  /** A training batch of task: rows drawn uniformly with replacement, one rng draw each (as the engine). */
  trainBatch(task: number, batchSize: number, rng: Rng): Batch {
    const split = this.manifest.train[task];
    if (!split) return this.wave(task, batchSize, rng);
    const count = (split.rows ?? split.x).shape[0];
    const rows = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) rows[i] = rng.int(count);
    return { ...this.gather(split, rows), n: batchSize, task };
  }

  /** One sine wave: amplitude, phase, then per point x and (with noise) one normal draw, as the engine. */
  private wave(task: number, n: number, rng: Rng): Batch {
    const g = this.manifest.generator;
    if (!g) throw new Error('task ' + task + ' has no training data');
    const amplitude = rng.uniform(g.amplitude[0], g.amplitude[1]);
    const phase = rng.uniform(g.phase[0], g.phase[1]);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const xi = rng.uniform(g.xRange[0], g.xRange[1]);
      x[i] = xi;
      y[i] = amplitude * Math.sin(xi + phase) + (g.noise > 0 ? g.noise * rng.normal() : 0);
    }
    return { x, y, n, task, context: Float32Array.of(amplitude, phase) };
  }

  /**
   * The engine's evaluation batches of task (the same on every call): of the test set, or of the validation
   * split (the test set where the dataset holds none).
   */
  evalBatches(task: number, split: 'val' | 'test' = 'test'): Batch[] {
    const which = split === 'val' && this.manifest.val ? 'val' : 'eval';
    const key = which + ':' + task;
    let batches = this.evalSets.get(key);
    if (!batches) {
      const e = this.manifest[which]![task];
      const all = this.gather(e, Array.from({ length: (e.rows ?? e.x).shape[0] }, (_, i) => i));
      const contexts = e.context ? this.array(e.context) : undefined;
      const xSize = size(this.xShape);
      const ySize = size(this.yShape);
      const width = this.contextShape ? size(this.contextShape) : 0;
      batches = [];
      let start = 0;
      e.batches.forEach((n, i) => {
        const x = all.x.slice(start * xSize, (start + n) * xSize);
        const y = all.y.slice(start * ySize, (start + n) * ySize);
        const context = contexts ? (contexts.slice(i * width, (i + 1) * width) as Float32Array) : undefined;
        batches!.push({ x, y, n, task, context });
        start += n;
      });
      this.evalSets.set(key, batches);
    }
    return batches.slice();
  }
}
