/**
 * What one training step costs, estimated from the program IR before anything is allocated, so a graph that
 * would exhaust the machine is refused with the numbers instead of growing until the process dies.
 *
 * FLOPs: 2·m·k·n per matrix product (linear, matmul, conv2d), one per output element for everything else; the
 * backward pass is counted as twice the forward. Memory: float32 parameters with their gradients and optimizer
 * slots, plus every op's output kept for the backward pass and its gradient (so weights generated per sample
 * count B times, since their values are [B, ...]).
 */
import { problem, type HnetProblem } from './errors';
import type { Op, OpKind, Program } from './ir';
import type { Shape } from './shape';

export interface ResourceEstimate {
  batchSize: number;
  /** Forward + backward FLOPs of one training step. */
  flopsPerStep: number;
  /** Parameters, their gradients and the optimizer's slots, in bytes. */
  parameterBytes: number;
  /** Op outputs kept for the backward pass plus their gradients, in bytes, at `batchSize`. */
  activationBytes: number;
  totalBytes: number;
}

export interface ResourceLimits {
  /** Bytes one training step may need. */
  maxBytes: number;
  /** FLOPs one training step may need. */
  maxFlops: number;
}

/**
 * 1 GB and 20 GFLOPs a step. The largest template (Permuted MNIST at its full budget) estimates 80 MB and 2.1 GFLOPs,
 * so every template passes with room to spare (test/limits.test.ts checks them all).
 */
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxBytes: 1e9, maxFlops: 20e9 };

const BYTES = 4;

/** Forward FLOPs of one op: `out` its output's elements, `input(i)` input i's shape, `b` the batch size. */
type Work<K extends OpKind> = (op: Extract<Op, { op: K }>, out: number, input: (i: number) => Shape | undefined, b: number) => number;
/** Matrix products: 2 per multiply-add, over the input's last axis. */
const product = (_: Op, out: number, input: (i: number) => Shape | undefined, b: number) => 2 * out * lastDim(input(0), b);
/** Everything else: one per element of the output or of the first input, whichever is larger. */
const elementwise = (_: Op, out: number, input: (i: number) => Shape | undefined, b: number) => Math.max(out, input(0) ? elements(input(0)!, b) : 0);
const none = () => 0;

/** Each op kind's forward FLOPs (a kind without an entry does not compile). */
const WORK: { [K in OpKind]: Work<K> } = {
  input: none,
  param: none,
  reshape: none,
  constant: none,
  linear: product,
  fusedLinear: product,
  matmul: product,
  conv2d: (_, out, input, b) => {
    const k = input(1);
    return 2 * out * (k ? elements(k.slice(0, 3), b) : 1);
  },
  pool: (op, out) => out * op.size * op.size,
  add: elementwise,
  sub: elementwise,
  mul: elementwise,
  scale: elementwise,
  activation: elementwise,
  transpose: elementwise,
  slice: elementwise,
  concat: elementwise,
  broadcastBatch: elementwise,
  pairRows: elementwise,
  layerNorm: elementwise,
  film: elementwise,
  dropout: elementwise,
  embedding: elementwise,
  noise: elementwise,
  grid: elementwise,
  crossEntropy: elementwise,
  mse: elementwise,
  bce: elementwise,
  meanSquare: elementwise,
  accuracy: elementwise,
  binaryAccuracy: elementwise,
  psnr: elementwise,
};

const elements = (s: Shape, b: number): number => s.reduce<number>((n, d) => n * (d === 'B' ? b : d), 1);
const lastDim = (s: Shape | undefined, b: number): number => {
  const d = s?.[s.length - 1];
  return d === undefined ? 1 : d === 'B' ? b : d;
};

/**
 * @example
 * const e = estimateResources(program, program.training.batchSize);
 * const refusal = checkResources(e, DEFAULT_RESOURCE_LIMITS, 'raise it with --max-memory GB');
 */
export function estimateResources(program: Pick<Program, 'ops' | 'params' | 'training'>, batchSize: number): ResourceEstimate {
  const shapes = new Map<string, Shape>();
  for (const op of program.ops) shapes.set(op.id, op.shape);
  let forward = 0;
  let activations = 0;
  for (const op of program.ops) {
    const out = elements(op.shape, batchSize);
    if (op.op !== 'param') activations += out;
    const input = (i: number) => (op.inputs[i] ? shapes.get(op.inputs[i]!) : undefined);
    forward += (WORK[op.op] as Work<OpKind>)(op, out, input, batchSize);
  }
  const opt = program.training.optimizer;
  const slots = opt.type === 'adam' ? 2 : 'momentum' in opt && opt.momentum > 0 ? 1 : 0;
  const rmsSlots = opt.type === 'rmsprop' ? 1 : 0;
  const params = program.params.reduce((n, p) => n + p.shape.reduce((m, d) => m * d, 1), 0);
  const parameterBytes = params * BYTES * (2 + slots + rmsSlots);
  const activationBytes = activations * BYTES * 2;
  return { batchSize, flopsPerStep: forward * 3, parameterBytes, activationBytes, totalBytes: parameterBytes + activationBytes };
}

export const formatBytes = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
export const formatGflops = (n: number): string => `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 2)} GFLOPs`;

/**
 * A refusal (HN046) when the estimate is over a limit, with the estimate and `howToRaise` (the CLI names its
 * flags, the app its setting); null when the run fits.
 */
export function checkResources(e: ResourceEstimate, limits: ResourceLimits, howToRaise: string): HnetProblem | null {
  const over: string[] = [];
  if (e.totalBytes > limits.maxBytes) over.push(`memory ${formatBytes(e.totalBytes)} over the limit of ${formatBytes(limits.maxBytes)}`);
  if (e.flopsPerStep > limits.maxFlops) over.push(`compute ${formatGflops(e.flopsPerStep)} a step over the limit of ${formatGflops(limits.maxFlops)}`);
  if (!over.length) return null;
  return problem(
    'HN046',
    `this run is too large: ${over.join(', and ')} (estimated at batch size ${e.batchSize}: parameters and optimizer state ${formatBytes(e.parameterBytes)}, activations ${formatBytes(e.activationBytes)}, ${formatGflops(e.flopsPerStep)} a step); make the model or the batch smaller, or ${howToRaise}`,
    { path: 'training' },
  );
}
