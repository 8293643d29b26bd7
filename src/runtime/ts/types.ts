/**
 * What an exported model (the generated src/model.ts) declares and what the runtime around it (init.ts,
 * trainer.ts) reads: its parameters with their initialisers, its training settings and its forward function.
 * The engine holds a program's parameters in the same shapes (see src/main/engine/runtime.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';

export type OptimizerSettings =
  | { type: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number }
  | { type: 'sgd'; learningRate: number; momentum: number }
  | { type: 'rmsprop'; learningRate: number; decay: number; momentum: number; epsilon: number };

/** Continual-learning semantics (Hypernet Studio's training.continual). */
export interface ContinualSettings {
  optimizerPerTask: boolean;
  currentEmbeddingOnly: boolean;
  /** Task embeddings keep their initial values (absent in programs exported before it existed: trained). */
  fixedEmbeddings?: boolean;
  lookAhead: boolean;
  regularizedTasksPerStep?: number;
  taskInference: boolean;
}

export interface TrainingSettings {
  optimizer: OptimizerSettings;
  batchSize: number;
  /** Steps per task; null: from epochs, or 1000. */
  steps: number | null;
  epochs: number | null;
  seed: number;
  evalEvery: number;
  /** Tasks in training order; null: all tasks of the data. */
  tasks: number[] | null;
  schedule: 'sequential' | 'interleaved';
  continual: ContinualSettings;
}

/**
 * A parameter's initialiser. hyperfan: a head's last layer [fanIn, columns], blocks [columns, target variance,
 * 1 for a low-rank factor block else 0]; a chunked head's shared last layer also has chunks, and its blocks are
 * then column factors while chunks.blocks holds [chunks, variance] (see init.ts).
 */
export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; limit: number }
  | { kind: 'hyperfan'; input: string; fanIn: number; blocks: [number, number, number][]; chunks?: { embeddings: string; blocks: [number, number][] } };

export interface ParamSpec {
  name: string;
  shape: number[];
  /** hyper: the hypernetwork's own weights; embedding: a task-embedding table [T, d]; target: the target network's own. */
  role: 'hyper' | 'embedding' | 'target';
  init: Init;
}

/** Parameters by canonical name ("<node>.<param>"). */
export type Params = Record<string, tf.Variable>;

export interface Inputs {
  x: tf.Tensor;
  y: tf.Tensor;
  task: tf.Tensor;
  context?: tf.Tensor;
}

export interface Outputs {
  /** Weighted sum of the losses. */
  loss: tf.Scalar;
  losses: Record<string, tf.Scalar>;
  metrics: Record<string, tf.Scalar>;
  prediction: tf.Tensor | null;
  /** Generated weights, keyed "<layer>.<port>". */
  weights: Record<string, tf.Tensor>;
  /** What hyperfan initialisation measures. */
  features: Record<string, tf.Tensor>;
}

/** Training flag plus what seeds dropout and noise, so a step is repeatable from (seed, step). */
export interface RunOptions {
  training: boolean;
  seed: number;
  step: number;
}

/** The parameter counts of the graph (Hypernet Studio's budget). */
export interface Budget {
  /** Trainable parameters of hypernetworks, context encoders and embeddings. */
  hyper: number;
  /** Target parameters produced by heads (one weight set). */
  generated: number;
  /** Target parameters trained as ordinary weights. */
  ordinary: number;
  /** hyper / generated; below 1 the hypernetwork is smaller than what it generates. Null when nothing is generated. */
  compression: number | null;
}

/** What the generated src/model.ts exports, as the trainer reads it. */
export interface ExportedModel {
  METADATA: { name: string; description: string; citation: string };
  TRAINING: TrainingSettings;
  BUDGET: Budget;
  /** The metric of the continual-learning accuracy matrix. */
  MAIN_METRIC: string | null;
  OUTPUT_REGULARIZER: { beta: number } | null;
  PARAMETERS: ParamSpec[];
  GENERATED: Record<string, { head: string; shape: (number | 'B')[]; perSample: boolean }>;
  /** The parameters as the engine initialises them for a seed (hyperfan layers at zero until initHyperfan). */
  createParams(seed: number): Params;
  /** Hyperfan initialisation of the heads' last layers, measured on batches of training data. */
  initHyperfan(params: Params, seed: number, batches: Inputs[]): Promise<void>;
  forward(params: Params, inputs: Inputs, opts: RunOptions): Outputs;
  /** The weights generated from the task alone (what the output regulariser holds). */
  taskWeights(params: Params, task: tf.Tensor): Record<string, tf.Tensor>;
}
