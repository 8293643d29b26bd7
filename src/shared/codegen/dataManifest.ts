/**
 * The data folder of an exported project (`data/manifest.json` plus gzip-compressed little-endian arrays).
 * The exporter writes it from the engine's own dataset loaders; the generated Python and TypeScript read it.
 * Finite datasets are written out as arrays (each task's training split in order, and exactly the engine's
 * evaluation batches); the sinusoid family, which draws a fresh wave for every training batch, is
 * regenerated bit for bit from the engine's seeded generator.
 */

export interface ArrayRef {
  /** File name inside the data folder, gzip-compressed raw little-endian values. */
  file: string;
  dtype: 'float32' | 'int32';
  shape: number[];
}

export interface TrainSplit {
  /** Rows of the task's training split, in the engine's order (batches draw rows by index). */
  x: ArrayRef;
  y: ArrayRef;
  /** Pixel permutation applied to every row of x (Permuted MNIST: value j of a row is value perm[j] of the stored row). */
  permutation?: ArrayRef;
}

export interface EvalSet {
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
  version: 1;
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
  eval: EvalSet[];
  evalBatchSize: number;
  maxEvalSamples: number;
  generator?: SinusoidGenerator;
}

export const DATA_FORMAT = 'hnet-data';
