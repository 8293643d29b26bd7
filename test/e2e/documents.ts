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
