import { describe, expect, it } from 'vitest';
import { Training } from '../../../shared/document/schema';
import { formFromTraining, overridesOf, type RunForm } from './form';
import { OPTIMIZER_LABELS, OPTIMIZERS } from './lists';

const form = (patch: Partial<RunForm> = {}): RunForm => ({
  optimizer: 'sgd',
  learningRate: '0.05',
  batchSize: '64',
  steps: '500',
  seed: '7',
  backend: 'cpu',
  fullBudget: false,
  ...patch,
});

describe('formFromTraining', () => {
  it("reads the schema's defaults: Adam at 0.001, batch 32, seed 0, no steps (epochs apply), auto backend", () => {
    expect(formFromTraining(Training.parse({}))).toEqual({
      optimizer: 'adam',
      learningRate: '0.001',
      batchSize: '32',
      steps: '',
      seed: '0',
      backend: 'auto',
      fullBudget: false,
    });
  });

  it("reads a document's own settings", () => {
    const tr = Training.parse({ optimizer: { type: 'rmsprop', learningRate: 0.02 }, batchSize: 128, steps: 3000, seed: 42, backend: 'wasm' });
    expect(formFromTraining(tr)).toEqual({
      optimizer: 'rmsprop',
      learningRate: '0.02',
      batchSize: '128',
      steps: '3000',
      seed: '42',
      backend: 'wasm',
      fullBudget: false,
    });
  });

  it('falls back to Adam for an optimizer type the form does not list', () => {
    const tr = { ...Training.parse({}), optimizer: { type: 'lion', learningRate: 0.5 } } as unknown as Training;
    expect(formFromTraining(tr)).toMatchObject({ optimizer: 'adam', learningRate: '0.5' });
  });
});

describe('overridesOf', () => {
  it('sends every field that reads as a valid value', () => {
    expect(overridesOf(form(), false)).toEqual({ optimizer: 'sgd', backend: 'cpu', learningRate: 0.05, batchSize: 64, steps: 500, seed: 7 });
  });

  it("leaves out empty and invalid fields, so the document's own setting applies", () => {
    const bad = form({ learningRate: '-1', batchSize: '0', steps: '2.5', seed: 'x' });
    expect(overridesOf(bad, false)).toEqual({ optimizer: 'sgd', backend: 'cpu' });
    const empty = form({ learningRate: ' ', batchSize: '', steps: '', seed: '' });
    expect(overridesOf(empty, false)).toEqual({ optimizer: 'sgd', backend: 'cpu' });
  });

  it('keeps zero steps and seed zero', () => {
    expect(overridesOf(form({ steps: '0', seed: '0' }), false)).toMatchObject({ steps: 0, seed: 0 });
  });

  it('asks for the full budget only when it is ticked and the document has one', () => {
    expect(overridesOf(form({ fullBudget: true }), true).budget).toBe('full');
    expect(overridesOf(form({ fullBudget: true }), false).budget).toBeUndefined();
    expect(overridesOf(form({ fullBudget: false }), true).budget).toBeUndefined();
  });

  it('round-trips a document: its own settings come back as the overrides', () => {
    const tr = Training.parse({ optimizer: { type: 'sgd', learningRate: 0.01 }, batchSize: 16, steps: 100, seed: 3, backend: 'cpu' });
    expect(overridesOf(formFromTraining(tr), false)).toEqual({ optimizer: 'sgd', backend: 'cpu', learningRate: 0.01, batchSize: 16, steps: 100, seed: 3 });
  });
});

describe('the lists', () => {
  it('label every optimizer the schema declares', () => {
    for (const o of OPTIMIZERS) expect(OPTIMIZER_LABELS[o]).toMatch(/\S/);
  });
});
