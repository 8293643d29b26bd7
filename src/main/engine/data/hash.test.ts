import { describe, expect, it } from 'vitest';
import { MnistData } from '../../../shared/nodes/data/mnist';
import { SinusoidData } from '../../../shared/nodes/data/sinusoid';
import { SplitMnistData } from '../../../shared/nodes/data/splitMnist';
import type { NodeType } from '../../../shared/nodes/types';
import { datasetHash } from './hash';
import { openDataset } from './index';

const open = (node: NodeType, params: Record<string, unknown>, seed = 1) =>
  openDataset(node.id, node.params.parse(params) as Record<string, unknown>, { seed, node: 'd1' });

describe('the data hash of a run', () => {
  it('is the same for the same data and differs when the samples, the split or the labels differ', () => {
    const a = datasetHash(open(SinusoidData, {}, 1), 100, 1000);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(datasetHash(open(SinusoidData, {}, 1), 100, 1000)).toBe(a);
    // Waves drawn from another seed are other data.
    expect(datasetHash(open(SinusoidData, {}, 2), 100, 1000)).not.toBe(a);

    const mnist = datasetHash(open(MnistData, {}), 256, 2000);
    expect(datasetHash(open(MnistData, {}), 256, 2000)).toBe(mnist);
    // The same images split into tasks with relabelled classes hash apart.
    expect(datasetHash(open(SplitMnistData, {}), 256, 2000)).not.toBe(mnist);
  }, 60_000);
});
