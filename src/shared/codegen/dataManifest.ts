/**
 * The data folder of an exported project (`data/manifest.json` plus gzip-compressed little-endian arrays).
 * The exporter writes it from the engine's own dataset loaders; the generated Python and TypeScript read it.
 * Finite datasets are written out as arrays (each task's training split in order, and exactly the engine's
 * evaluation batches). Image sets stored as bytes (MNIST, Fashion-MNIST, IDX files) are written once, as the
 * bytes they are, with each split's row indices into them; the sinusoid family, which draws a fresh wave for every training batch, is
 * regenerated bit for bit from the engine's seeded generator.
 */

export interface ArrayRef {
  /** File name inside the data folder, gzip-compressed raw little-endian values. */
  file: string;
  dtype: 'float32' | 'int32' | 'uint8';
  shape: number[];
  /** uint8 arrays: a value is read as byte · scale, computed in float64, then rounded to float32. */
  scale?: number;
}

/**
 * A split stored as row indices into shared arrays (the image sets' bytes, written once for every task and
 * split): row i of the split is row rows[i] of x (and of y when `yPooled`; otherwise y holds the split's own
 * labels, row by row).
 */
export interface PooledRows {
  rows?: ArrayRef;
  yPooled?: boolean;
}

export interface TrainSplit extends PooledRows {
  /** Rows of the task's training split, in the engine's order (batches draw rows by index). */
  x: ArrayRef;
  y: ArrayRef;
  /** Pixel permutation applied to every row of x (Permuted MNIST: value j of a row is value perm[j] of the stored row). */
  permutation?: ArrayRef;
}

export interface EvalSet extends PooledRows {
  /** The engine's evaluation batches of the task, back to back. */
  x: ArrayRef;
  y: ArrayRef;
  /** One context row per batch, when the dataset has a context. */
  context?: ArrayRef;
  /** Sizes of the batches, in order. */
  batches: number[];
  permutation?: ArrayRef;
}

export interface SinusoidGenerator {
  kind: 'sinusoid';
  amplitude: [number, number];
  phase: [number, number];
  xRange: [number, number];
  noise: number;
}

export interface DataManifest {
  format: 'hnet-data';
  /** 2: uint8 arrays and pooled rows. */
  version: 2;
  /** Dataset node type and id in the document. */
  type: string;
  node: string;
  /** The seed the splits and evaluation sets were made with. */
  seed: number;
  tasks: number;
  x: number[];
  y: number[];
  yDtype: 'float32' | 'int32';
  context: number[] | null;
  /** Training samples per task (what `epochs` counts). */
  trainSize: number[];
  /** Per task; null when batches are generated (see `generator`). */
  train: (TrainSplit | null)[];
  /** The test set's evaluation batches per task (what the final evaluation reports). */
  eval: EvalSet[];
  /** The validation split's, where the dataset holds one (what evaluations during training report). */
  val?: EvalSet[];
  evalBatchSize: number;
  maxEvalSamples: number;
  generator?: SinusoidGenerator;
}

export const DATA_FORMAT = 'hnet-data';
