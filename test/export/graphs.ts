/**
 * Small graphs built in code that between them use every op kind the IR has, for the parity tests (their data
 * nodes only fix shapes; the tests feed random batches). Odd image sizes make TensorFlow's asymmetric 'same'
 * padding matter.
 */
import type { Op, Program } from '../../src/shared/compiler/ir';
import { buildDoc, type NodeSpec } from './helpers';
import { compileOk } from '../helpers/templates';

/** Convolutions (same/valid, strides 1 and 2, generated and owned kernels), pools, conv encoder, FiLM, concat. */
export function imagesGraph(): Program {
  const nodes: NodeSpec[] = [
    { id: 'images', type: 'data.idx', params: { trainImages: 'unused.idx', trainLabels: 'unused.idx', height: 9, width: 9, classes: 4, layout: 'image' } },
    { id: 'z', type: 'context.learned_vector', params: { dim: 6 } },
    { id: 'ha', type: 'head.ha_static', params: { innerDim: 5 } },
    { id: 'conv_1', type: 'target.conv2d', params: { filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' } },
    { id: 'pool_max', type: 'target.pool', params: { kind: 'max', size: 2, strides: 2, padding: 'same' } },
    { id: 'code', type: 'context.learned_vector', params: { dim: 3 } },
    { id: 'kernel_head', type: 'head.mlp', params: { hidden: [] } },
    { id: 'conv_2', type: 'target.conv2d', params: { filters: 3, kernelSize: 2, strides: 2, padding: 'valid', activation: 'leaky_relu' } },
    { id: 'pool_end', type: 'target.pool', params: { kind: 'max', size: 2, strides: 1, padding: 'valid' } },
    { id: 'flat_b', type: 'target.flatten' },
    { id: 'pool_avg', type: 'target.pool', params: { kind: 'avg', size: 3, strides: 2, padding: 'same' } },
    { id: 'conv_3', type: 'target.conv2d', params: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' } },
    { id: 'pool_avg_valid', type: 'target.pool', params: { kind: 'avg', size: 2, strides: 1, padding: 'valid' } },
    { id: 'flat_a', type: 'target.flatten' },
    { id: 'join', type: 'target.concat' },
    { id: 'enc', type: 'context.conv_encoder', params: { channels: [3], kernelSize: 3, outDim: 5 } },
    { id: 'film_head', type: 'head.film', params: { hidden: [4] } },
    { id: 'film_1', type: 'target.film' },
    { id: 'logits', type: 'target.dense', params: { units: 4 } },
    { id: 'loss', type: 'objective.cross_entropy' },
    { id: 'acc', type: 'metric.accuracy' },
  ];
  const edges = [
    'z.z -> ha.z',
    'ha.weights -> conv_1.kernel',
    'images.x -> conv_1.x',
    'conv_1.y -> pool_max.x',
    'code.z -> kernel_head.context',
    'kernel_head.weights -> conv_2.kernel',
    'kernel_head.weights -> conv_2.bias',
    'pool_max.y -> conv_2.x',
    'conv_2.y -> pool_end.x',
    'pool_end.y -> flat_b.x',
    'conv_1.y -> pool_avg.x',
    'pool_avg.y -> conv_3.x',
    'conv_3.y -> pool_avg_valid.x',
    'pool_avg_valid.y -> flat_a.x',
    'flat_a.y -> join.a',
    'flat_b.y -> join.b',
    'images.x -> enc.x',
    'enc.context -> film_head.context',
    'film_head.scale -> film_1.scale',
    'film_head.shift -> film_1.shift',
    'join.y -> film_1.x',
    'film_1.y -> logits.x',
    'logits.y -> loss.logits',
    'images.y -> loss.labels',
    'logits.y -> acc.logits',
    'images.y -> acc.labels',
  ];
  return compileOk(buildDoc(nodes, edges));
}

/**
 * Vectors: per-sample low-rank weights with a learned base (batched matmul with a transpose), per-sample layer
 * norm scales from a FiLM head, GELU, dropout, sin with w0, a chunked head on a task embedding, softplus,
 * reshape, noise, a linear head on a constant, L2 on generated weights and the output regulariser.
 */
export function vectorsGraph(): Program {
  const nodes: NodeSpec[] = [
    { id: 'rows', type: 'data.csv', params: { path: 'unused.csv', features: 6, classes: 0, tasks: 3, taskColumn: 'task' } },
    { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [8], activation: 'tanh', outDim: 5 } },
    { id: 'low_rank', type: 'head.low_rank', params: { rank: 2, hidden: [6], learnedBase: true } },
    { id: 'dense_1', type: 'target.dense', params: { units: 8, activation: 'gelu' } },
    { id: 'norm_head', type: 'head.film', params: { hidden: [] } },
    { id: 'norm', type: 'target.layer_norm', params: { epsilon: 0.001 } },
    { id: 'drop', type: 'target.dropout', params: { rate: 0.4 } },
    { id: 'wave', type: 'target.activation', params: { fn: 'sin', w0: 3 } },
    { id: 'task_emb', type: 'context.task_embedding', params: { dim: 3 } },
    { id: 'chunks', type: 'head.chunked', params: { chunkSize: 7, chunkEmbeddingDim: 2, hidden: [5] } },
    { id: 'dense_2', type: 'target.dense', params: { units: 4, activation: 'softplus' } },
    { id: 'square', type: 'target.reshape', params: { shape: [2, 2] } },
    { id: 'flat', type: 'target.flatten' },
    { id: 'jitter', type: 'context.noise', params: { dim: 4, std: 0.5 } },
    { id: 'sum', type: 'target.add' },
    { id: 'fixed', type: 'context.constant', params: { values: [0.5, -1, 2] } },
    { id: 'lin', type: 'head.linear' },
    { id: 'out', type: 'target.dense', params: { units: 1 } },
    { id: 'loss', type: 'objective.mse' },
    { id: 'l2', type: 'objective.l2_weights', params: { weight: 0.01 } },
    { id: 'error', type: 'metric.mse' },
    { id: 'hold', type: 'objective.output_regularizer', params: { beta: 0.1 } },
  ];
  const edges = [
    'rows.x -> enc.x',
    'enc.context -> low_rank.context',
    'low_rank.weights -> dense_1.kernel',
    'low_rank.weights -> dense_1.bias',
    'rows.x -> dense_1.x',
    'enc.context -> norm_head.context',
    'norm_head.scale -> norm.gamma',
    'norm_head.shift -> norm.beta',
    'dense_1.y -> norm.x',
    'norm.y -> drop.x',
    'drop.y -> wave.x',
    'rows.task -> task_emb.task',
    'task_emb.embedding -> chunks.context',
    'chunks.weights -> dense_2.kernel',
    'chunks.weights -> dense_2.bias',
    'chunks.weights -> l2.weights',
    'wave.y -> dense_2.x',
    'dense_2.y -> square.x',
    'square.y -> flat.x',
    'rows.x -> jitter.like',
    'flat.y -> sum.a',
    'jitter.noise -> sum.b',
    'fixed.value -> lin.context',
    'lin.weights -> out.kernel',
    'sum.y -> out.x',
    'out.y -> loss.prediction',
    'rows.y -> loss.target',
    'out.y -> error.prediction',
    'rows.y -> error.target',
  ];
  return compileOk(buildDoc(nodes, edges));
}

/**
 * Binary classification: a learned vector broadcast over the batch and concatenated, sigmoid, per-sample linear
 * head weights (linear perSample), BCE with logits and binary accuracy. Plus hand-added sub and mul ops (no
 * node emits them today, but the IR has them) feeding an extra metric.
 */
export function binaryGraph(): Program {
  const nodes: NodeSpec[] = [
    { id: 'rows', type: 'data.csv', params: { path: 'unused.csv', features: 3, classes: 2 } },
    { id: 'hidden', type: 'target.dense', params: { units: 5, activation: 'sigmoid' } },
    { id: 'code', type: 'context.learned_vector', params: { dim: 3 } },
    { id: 'both', type: 'target.concat' },
    { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [], outDim: 4 } },
    { id: 'per_sample', type: 'head.linear' },
    { id: 'logit', type: 'target.dense', params: { units: 1 } },
    { id: 'loss', type: 'objective.bce' },
    { id: 'acc', type: 'metric.accuracy' },
  ];
  const edges = [
    'rows.x -> hidden.x',
    'code.z -> both.a',
    'hidden.y -> both.b',
    'rows.x -> enc.x',
    'enc.context -> per_sample.context',
    'per_sample.weights -> logit.kernel',
    'both.y -> logit.x',
    'logit.y -> loss.logits',
    'rows.y -> loss.target',
    'logit.y -> acc.logits',
    'rows.y -> acc.labels',
  ];
  const program = compileOk(buildDoc(nodes, edges));
  // extra = mean(((logit - 0.25) * logit)^2): sub and mul, as a metric.
  const logit = program.prediction!;
  const shape = program.ops.find((o) => o.id === logit)!.shape;
  const op = (o: Omit<Op, 'node' | 'dataDependent' | 'dtype' | 'trainable'> & Partial<Op>): Op => ({ node: 'extra', dataDependent: true, trainable: true, dtype: 'float32', ...o }) as Op;
  program.ops.push(
    op({ op: 'constant', value: [0.25], id: 'extra.quarter', inputs: [], shape: [1, 1], dataDependent: false, trainable: false }),
    op({ op: 'sub', id: 'extra.shifted', inputs: [logit, 'extra.quarter'], shape }),
    op({ op: 'mul', id: 'extra.product', inputs: ['extra.shifted', logit], shape }),
    op({ op: 'meanSquare', id: 'extra.value', inputs: ['extra.product'], shape: [] }),
  );
  program.metrics.push({ node: 'extra', value: 'extra.value', name: 'extra', kind: 'mse' });
  return program;
}

/**
 * A coordinate network (implicit neural representation): per-sample SIREN weights from a learned-base MLP head
 * over the image's pixel grid (per-sample linear over points [B, P, in]), a layer with an owned kernel and a
 * per-sample bias from a second head (shared linear over points, bias broadcast over them), an owned output
 * layer, MSE and PSNR.
 */
export function pointsGraph(): Program {
  const nodes: NodeSpec[] = [
    { id: 'digits', type: 'data.mnist_inr' },
    { id: 'enc', type: 'context.mlp_encoder', params: { hidden: [8], outDim: 5 } },
    { id: 'siren_head', type: 'head.mlp', params: { hidden: [6], activation: 'tanh', learnedBase: true } },
    { id: 'siren_1', type: 'target.dense', params: { units: 6, activation: 'sin', w0: 15, init: 'siren_first' } },
    { id: 'bias_head', type: 'head.linear' },
    { id: 'siren_2', type: 'target.dense', params: { units: 5, activation: 'sin', w0: 2, init: 'siren' } },
    { id: 'pixel', type: 'target.dense', params: { units: 1, init: 'siren', w0: 30 } },
    { id: 'loss', type: 'objective.mse' },
    { id: 'psnr', type: 'metric.psnr', params: { peak: 2 } },
  ];
  const edges = [
    'digits.x -> enc.x',
    'enc.context -> siren_head.context',
    'siren_head.weights -> siren_1.kernel',
    'siren_head.weights -> siren_1.bias',
    'digits.coords -> siren_1.x',
    'enc.context -> bias_head.context',
    'bias_head.weights -> siren_2.bias',
    'siren_1.y -> siren_2.x',
    'siren_2.y -> pixel.x',
    'pixel.y -> loss.prediction',
    'digits.y -> loss.target',
    'pixel.y -> psnr.prediction',
    'digits.y -> psnr.target',
  ];
  return compileOk(buildDoc(nodes, edges));
}

/** Op kinds a list of programs uses. */
export const opKinds = (programs: Program[]): Set<string> => new Set(programs.flatMap((p) => p.ops.map((o) => o.op)));
