import { describe, expect, it } from 'vitest';
import { Training } from '../../../shared/document/schema';
import { applyOverrides } from './settings';

describe('applyOverrides', () => {
  it('refuses a setting the document schema does not allow, in the Train tab\'s words', () => {
    const base = Training.parse({});
    expect(() => applyOverrides(base, { batchSize: 65_536, tasks: [0], steps: 1 })).not.toThrow();
    expect(() => applyOverrides({ ...base, batchSize: 0 }, {})).toThrow(/^run settings: Batch size must be at least 1$/);
    expect(() => applyOverrides({ ...base, optimizer: { ...base.optimizer, learningRate: -1 } }, {})).toThrow(/^run settings: Learning rate must be greater than 0$/);
  });
});
