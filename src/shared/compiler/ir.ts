/**
 * The program IR: what the compiler produces from a document, as plain JSON-able data. Every op kind below is
 * implemented once for TypeScript (src/runtime/ts/ops.ts: the engine's interpreter runs it and the TypeScript
 * export ships it, each through a table keyed by OpKind) and once for Python (EMIT_PY in codegen/pytorch/emit.ts,
 * whose expressions call torch and src/runtime/py/ops.py), and nowhere else: a kind missing from a table does not
 * compile.
 *
 * Values are named `<node>.<what>`; parameters are named `<node>.<param>`, the canonical names shared by
 * checkpoints, exported weights and generated code.
 */
import type { Optimizer, Training } from '../document/schema';
import type { Shape } from './shape';

export type DType = 'float32' | 'int32';
export type ValueId = string;

/** How a parameter starts. `hyperfan` is resolved by the runtime from the measured input of a head's last layer. */
export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; limit: number }
  /**
   * Final layer of a hypernetwork head, weight matrix [fanIn, columns]: column block j is drawn from
   * N(0, variance_j / (fanIn * E[h^2])), where h is the value `input` measured on the training data at
   * initialisation (Chang, Sacramento & Zhang 2020). variance 0 makes the block zero.
   * A `product` block is one factor of a product of two such blocks (a low-rank head's U and V of W = U·Vᵀ):
   * since both factors scale with ‖h‖, it is drawn from N(0, variance / sqrt(E[‖h‖⁴])) instead (‖h‖² summed
   * over `input`'s last axis, per row), so that the product's entries get the variance aimed for.
   */
  | {
      kind: 'hyperfan';
      input: ValueId;
      fanIn: number;
      blocks: InitBlock[];
      /**
       * A chunked head's shared last layer (hypnettorch's apply_chunked_hyperfan_init, solved numerically): `input`
       * is [batch, chunks, fanIn], and element (c, j) of the output should start with variance
       * `blocks[j].variance · chunks.blocks[c].variance` (column factors of mean 1, chunk variances). Chunk c's
       * part comes from scaling row c of the parameter `embeddings` (drawn N(0, 1) first): a few multiplicative
       * fixed-point steps on the measured E‖h_c‖², all chunks at once; see the consumers' initHyperfan.
       */
      chunks?: { embeddings: string; blocks: InitBlock[] };
    };

/** A run of columns (or chunks) of a hyperfan-initialised layer that aim for one variance. */
export interface InitBlock {
  size: number;
  variance: number;
  product?: boolean;
}

export type ParamRole = 'hyper' | 'embedding' | 'target';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  node: string;
  role: ParamRole;
}

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'sin' | 'elu' | 'leaky_relu' | 'softplus' | 'linear';

/** Every op kind with its attributes. `inputs` are ValueIds; optional inputs are `null`. */
export type OpBody =
  | { op: 'input'; name: 'x' | 'y' | 'task' | 'context' }
  | { op: 'param'; name: string }
  /**
   * y = x W + b over the last axis. Shared: W [in, out], x [..., in]. Per sample: W [B, in, out] and x [B, in]
   * (a batched matmul [B, 1, in] x [B, in, out]) or x [B, P, in] (P points per sample: [B, P, in] x [B, in, out]).
   * b is [out] or [B, out] (broadcast over the points).
   */
  | { op: 'linear'; perSample: boolean }
  /**
   * y = act(x W + b), a shared linear layer and its activation as one kernel (tf.fused.matMul): W [in, out],
   * x [..., in], b [out] a parameter or null. Only the activations whose gradient tfjs fuses (linear, relu); a
   * generated bias stays a `linear` op (wasm's fused kernel refuses a bias reshaped from a head's output).
   */
  | { op: 'fusedLinear'; activation: 'linear' | 'relu' }
  | { op: 'matmul'; transposeB: boolean }
  | { op: 'add' }
  | { op: 'sub' }
  | { op: 'mul' }
  | { op: 'scale'; factor: number; offset: number }
  | { op: 'activation'; fn: Activation; w0: number }
  /** To the op's own (output) shape; its batch dimension 'B' follows the input's batch. */
  | { op: 'reshape' }
  | { op: 'transpose'; perm: number[] }
  | { op: 'slice'; axis: number; begin: number; size: number }
  | { op: 'concat'; axis: number }
  /** Repeat a [1, ...] value along the batch dimension to match `like` (second input). */
  | { op: 'broadcastBatch' }
  /** Every row of a [N, d] beside every row of b [M, e]: [N, M, d+e] (chunked heads). */
  | { op: 'pairRows' }
  /** NHWC input, kernel [kh, kw, cin, cout] (shared only), optional bias [cout]. */
  | { op: 'conv2d'; strides: number; padding: 'same' | 'valid' }
  | { op: 'pool'; kind: 'max' | 'avg'; size: number; strides: number; padding: 'same' | 'valid' }
  /** Normalise over the last axis; gamma/beta are [C] or [B, C]. */
  | { op: 'layerNorm'; epsilon: number }
  /** x * scale + shift along the last axis; scale/shift are [C] or [B, C]. */
  | { op: 'film' }
  | { op: 'dropout'; rate: number }
  /** Row `task` of a table [T, d], as [1, d]. */
  | { op: 'embedding' }
  /** Gaussian noise of the op's shape (a batch dimension 'B' follows `like`); zeros at evaluation. */
  | { op: 'noise'; std: number }
  /** Values of the op's shape, row-major. */
  | { op: 'constant'; value: number[] }
  /**
   * The pixel grid of a height x width image, [1, height*width, 2]: (row, column) of every pixel in row-major
   * order, each mapped linearly onto [-1, 1] (the coordinates of an implicit neural representation).
   */
  | { op: 'grid'; height: number; width: number }
  /** Mean softmax cross-entropy of logits [B, K] against integer labels [B]. */
  | { op: 'crossEntropy' }
  | { op: 'mse' }
  | { op: 'bce' }
  /** Mean of squares over all elements (L2 penalty on generated weights). */
  | { op: 'meanSquare' }
  | { op: 'accuracy' }
  | { op: 'binaryAccuracy' }
  /** Mean over samples of 10 log10(peak^2 / MSE of the sample), the MSE floored at 1e-10 * peak^2 (100 dB). */
  | { op: 'psnr'; peak: number };

export type OpKind = OpBody['op'];

/** What a metric measures (accuracy ranks first as the continual-learning matrix's metric). */
export type MetricKind = 'accuracy' | 'mse' | 'psnr';

export type Op = OpBody & {
  /** The value this op defines. */
  id: ValueId;
  inputs: (ValueId | null)[];
  shape: Shape;
  dtype: DType;
  /** The document node whose lowering emitted this op (for errors such as the first NaN). */
  node: string;
  /** True when the value depends on the batch's x or y (false: depends only on parameters, task, context). */
  dataDependent: boolean;
  /** True when the value depends on a parameter, so training needs its gradient (false: data and constants only). */
  trainable: boolean;
};

export interface GeneratedRoute {
  head: string;
  headPort: string;
  target: string;
  targetPort: string;
  value: ValueId;
  shape: Shape;
  perSample: boolean;
}

export interface DatasetSpec {
  node: string;
  type: string;
  params: Record<string, unknown>;
  /** Shapes of one sample (no batch dim) of each output. */
  x: number[];
  y: number[];
  yDtype: DType;
  /** Per-batch context vector (e.g. the sinusoid's amplitude and phase), if the dataset has one. */
  context?: number[];
  /**
   * Samples are images to reconstruct from their pixel coordinates: y holds each pixel's values, row-major over a
   * `height` x `width` grid (the inspector draws a prediction as the image it reconstructs).
   */
  coords?: { height: number; width: number };
  tasks: number;
}

export interface Program {
  irVersion: 1;
  name: string;
  params: ParamSpec[];
  ops: Op[];
  losses: { node: string; value: ValueId; weight: number; name: string }[];
  metrics: { node: string; value: ValueId; name: string; kind: MetricKind }[];
  /** Model output (the value predictions are read from), for prediction views. */
  prediction?: ValueId;
  generated: GeneratedRoute[];
  probes: { node: string; value: ValueId; name: string }[];
  /** The continual-learning output regulariser (von Oswald et al. 2020), if the graph has one. */
  outputRegularizer?: { node: string; beta: number };
  data: DatasetSpec;
  training: Training & { optimizer: Optimizer };
  evaluation: { maxEvalSamples: number; evalBatchSize: number };
}
