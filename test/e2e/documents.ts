/**
 * The documents the tests edit, fixed here so that template changes (new results, retuned sizes) never change
 * what a test expects. Shaped like the sinusoid-family template: a head generates every weight of a 1-40-40-1
 * regressor.
 */
import type { DocJson } from './fixtures';

const weights = (layer: string) => [
  { source: 'hyper', sourcePort: 'weights', target: layer, targetPort: 'kernel' },
  { source: 'hyper', sourcePort: 'weights', target: layer, targetPort: 'bias' },
];

export const regressorDoc: DocJson = {
  metadata: { name: 'Sinusoid regressor', description: 'A head generates every weight of a 1-40-40-1 regressor.' },
  nodes: [
    { id: 'waves', type: 'data.sinusoid', params: {}, position: { x: 0, y: 200 } },
    { id: 'hyper', type: 'head.mlp', label: 'wave → weights', params: { hidden: [64, 64] }, position: { x: 260, y: 0 } },
    { id: 'dense_1', type: 'target.dense', params: { units: 40, activation: 'relu' }, position: { x: 560, y: 200 } },
    { id: 'dense_2', type: 'target.dense', params: { units: 40, activation: 'relu' }, position: { x: 820, y: 200 } },
    { id: 'dense_3', type: 'target.dense', params: { units: 1 }, position: { x: 1080, y: 200 } },
    { id: 'loss', type: 'objective.mse', params: {}, position: { x: 1340, y: 120 } },
    { id: 'error', type: 'metric.mse', params: {}, position: { x: 1340, y: 320 } },
  ],
  edges: [
    { source: 'waves', sourcePort: 'context', target: 'hyper', targetPort: 'context' },
    { source: 'waves', sourcePort: 'x', target: 'dense_1', targetPort: 'x' },
    { source: 'dense_1', sourcePort: 'y', target: 'dense_2', targetPort: 'x' },
    { source: 'dense_2', sourcePort: 'y', target: 'dense_3', targetPort: 'x' },
    ...weights('dense_1'),
    ...weights('dense_2'),
    ...weights('dense_3'),
    { source: 'dense_3', sourcePort: 'y', target: 'loss', targetPort: 'prediction' },
    { source: 'waves', sourcePort: 'y', target: 'loss', targetPort: 'target' },
    { source: 'dense_3', sourcePort: 'y', target: 'error', targetPort: 'prediction' },
    { source: 'waves', sourcePort: 'y', target: 'error', targetPort: 'target' },
  ],
  training: { optimizer: { type: 'adam', learningRate: 0.001 }, batchSize: 32, steps: 3000, seed: 1 },
};

const taskWeights = ['dense_1', 'dense_2', 'dense_3'].flatMap((layer) => [
  { source: 'hyper', sourcePort: 'weights', target: layer, targetPort: 'kernel' },
  { source: 'hyper', sourcePort: 'weights', target: layer, targetPort: 'bias' },
]);

/**
 * A run that fails on purpose, shaped like the continual-regression template: plain SGD at 0.01 with a strong
 * output regulariser (β = 100) learns task 0 (steps 1-100, checkpoints every 25 steps) and turns NaN a few
 * steps into task 1, when the regulariser starts pulling (`hnet train --json`: "the loss became NaN at step
 * 105 (task 1): first non-finite value at dense_3.y"). Resumed from the step-100 checkpoint with the
 * learning rate at 0.0001, it trains all three tasks to the end.
 */
export const divergingDoc: DocJson = {
  metadata: { name: 'Diverging continual regression', description: 'SGD at 0.01 with a strong output regulariser: NaN a few steps into task 1.' },
  nodes: [
    { id: 'tasks', type: 'data.toy_regression_cl', params: {}, position: { x: 0, y: 250 } },
    { id: 'task_emb', type: 'context.task_embedding', params: { dim: 2 }, position: { x: 250, y: 0 } },
    { id: 'hyper', type: 'head.mlp', label: 'task → weights', params: { hidden: [10, 10] }, position: { x: 500, y: 0 } },
    { id: 'dense_1', type: 'target.dense', params: { units: 10, activation: 'relu' }, position: { x: 750, y: 250 } },
    { id: 'dense_2', type: 'target.dense', params: { units: 10, activation: 'relu' }, position: { x: 1000, y: 250 } },
    { id: 'dense_3', type: 'target.dense', params: { units: 1 }, position: { x: 1250, y: 250 } },
    { id: 'loss', type: 'objective.mse', params: {}, position: { x: 1500, y: 100 } },
    { id: 'cl_reg', type: 'objective.output_regularizer', params: { beta: 100 }, position: { x: 1500, y: 250 } },
    { id: 'mse', type: 'metric.mse', params: {}, position: { x: 1500, y: 400 } },
  ],
  edges: [
    { source: 'tasks', sourcePort: 'task', target: 'task_emb', targetPort: 'task' },
    { source: 'task_emb', sourcePort: 'embedding', target: 'hyper', targetPort: 'context' },
    ...taskWeights,
    { source: 'tasks', sourcePort: 'x', target: 'dense_1', targetPort: 'x' },
    { source: 'dense_1', sourcePort: 'y', target: 'dense_2', targetPort: 'x' },
    { source: 'dense_2', sourcePort: 'y', target: 'dense_3', targetPort: 'x' },
    { source: 'dense_3', sourcePort: 'y', target: 'loss', targetPort: 'prediction' },
    { source: 'tasks', sourcePort: 'y', target: 'loss', targetPort: 'target' },
    { source: 'dense_3', sourcePort: 'y', target: 'mse', targetPort: 'prediction' },
    { source: 'tasks', sourcePort: 'y', target: 'mse', targetPort: 'target' },
  ],
  training: { optimizer: { type: 'sgd', learningRate: 0.01 }, batchSize: 32, steps: 100, seed: 1, evalEvery: 25, schedule: 'sequential' },
};
