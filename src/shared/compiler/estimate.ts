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
import type { Op, Program } from './ir';
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
const NO_WORK = new Set<Op['op']>(['input', 'param', 'reshape', 'constant']);

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
    const a = op.inputs[0] ? shapes.get(op.inputs[0]) : undefined;
    if (op.op === 'linear' || op.op === 'fusedLinear' || op.op === 'matmul') forward += 2 * out * lastDim(a, batchSize);
    else if (op.op === 'conv2d') {
      const k = op.inputs[1] ? shapes.get(op.inputs[1]) : undefined;
      forward += 2 * out * (k ? elements(k.slice(0, 3), batchSize) : 1);
    } else if (op.op === 'pool') forward += out * op.size * op.size;
    else if (!NO_WORK.has(op.op)) forward += Math.max(out, a ? elements(a, batchSize) : 0);
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
