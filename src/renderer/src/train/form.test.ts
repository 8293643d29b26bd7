import { describe, expect, it } from 'vitest';
import { Training } from '../../../shared/document/schema';
import { formFromTraining, formProblems, overridesOf, readTasks, type RunForm } from './form';
import { OPTIMIZER_LABELS, OPTIMIZERS } from './lists';

const form = (patch: Partial<RunForm> = {}): RunForm => ({
  optimizer: 'sgd',
  learningRate: '0.05',
  batchSize: '64',
  steps: '500',
  seed: '7',
  backend: 'cpu',
  fullBudget: false,
  schedule: 'sequential',
  tasks: '',
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
      schedule: 'sequential',
      tasks: '',
    });
  });

  it("reads a document's own settings", () => {
    const tr = Training.parse({ optimizer: { type: 'rmsprop', learningRate: 0.02 }, batchSize: 128, steps: 3000, seed: 42, backend: 'wasm', schedule: 'interleaved', tasks: [2, 0, 1] });
    expect(formFromTraining(tr)).toEqual({
      optimizer: 'rmsprop',
      learningRate: '0.02',
      batchSize: '128',
      steps: '3000',
      seed: '42',
      backend: 'wasm',
      fullBudget: false,
      schedule: 'interleaved',
      tasks: '2, 0, 1',
    });
  });

  it('falls back to Adam for an optimizer type the form does not list', () => {
    const tr = { ...Training.parse({}), optimizer: { type: 'lion', learningRate: 0.5 } } as unknown as Training;
    expect(formFromTraining(tr)).toMatchObject({ optimizer: 'adam', learningRate: '0.5' });
  });
});

const none = { hasFullBudget: false };
const full = { hasFullBudget: true };

describe('overridesOf', () => {
  it('sends every field that reads as a valid value', () => {
    expect(overridesOf(form(), none)).toEqual({ optimizer: 'sgd', backend: 'cpu', learningRate: 0.05, batchSize: 64, steps: 500, seed: 7 });
  });

  it("leaves out empty and invalid fields, so the document's own setting applies", () => {
    const bad = form({ learningRate: '-1', batchSize: '0', steps: '2.5', seed: 'x' });
    expect(overridesOf(form({ learningRate: '20' }), none).learningRate).toBeUndefined();
    expect(overridesOf(bad, none)).toEqual({ optimizer: 'sgd', backend: 'cpu' });
    const empty = form({ learningRate: ' ', batchSize: '', steps: '', seed: '' });
    expect(overridesOf(empty, none)).toEqual({ optimizer: 'sgd', backend: 'cpu' });
  });

  it('keeps zero steps and seed zero', () => {
    expect(overridesOf(form({ steps: '0', seed: '0' }), none)).toMatchObject({ steps: 0, seed: 0 });
  });

  it('asks for the full budget only when it is ticked and the document has one', () => {
    expect(overridesOf(form({ fullBudget: true }), full).budget).toBe('full');
    expect(overridesOf(form({ fullBudget: true }), none).budget).toBeUndefined();
    expect(overridesOf(form({ fullBudget: false }), full).budget).toBeUndefined();
  });

  it('round-trips a document: its own settings come back as the overrides', () => {
    const tr = Training.parse({ optimizer: { type: 'sgd', learningRate: 0.01 }, batchSize: 16, steps: 100, seed: 3, backend: 'cpu' });
    expect(overridesOf(formFromTraining(tr), none)).toEqual({ optimizer: 'sgd', backend: 'cpu', learningRate: 0.01, batchSize: 16, steps: 100, seed: 3 });
  });
});

describe('the schedule and the task order', () => {
  it('are sent only when the dataset has several tasks', () => {
    const f = form({ schedule: 'interleaved', tasks: '2, 0 1' });
    expect(overridesOf(f, none)).not.toHaveProperty('schedule');
    expect(overridesOf(f, none)).not.toHaveProperty('tasks');
    expect(overridesOf(f, { ...none, taskCount: 3 })).toMatchObject({ schedule: 'interleaved', tasks: [2, 0, 1] });
  });

  it('an empty order is all tasks in order: nothing sent, unless the document names its own order', () => {
    expect(overridesOf(form(), { ...none, taskCount: 3 })).not.toHaveProperty('tasks');
    expect(overridesOf(form(), { ...none, taskCount: 3, documentTasks: true }).tasks).toEqual([0, 1, 2]);
  });

  it('refuses a task the dataset does not have, a task twice and a non-number, naming the field', () => {
    expect(readTasks('0, 5', 5).error).toBe('Task order: task 5 does not exist; the dataset has 5 tasks (0 to 4)');
    expect(readTasks('1,2,1', 5).error).toBe('Task order lists task 1 twice');
    expect(readTasks('1, x', 5).error).toMatch(/^Task order: "x" is not a task number/);
    expect(readTasks('-1', 5).error).toMatch(/^Task order: "-1" is not a task number/);
    expect(readTasks('  ', 5)).toEqual({});
    expect(readTasks('4 3', 5)).toEqual({ value: [4, 3] });
    expect(overridesOf(form({ tasks: '0, 9' }), { ...none, taskCount: 3, documentTasks: true })).not.toHaveProperty('tasks');
  });
});

describe('formProblems', () => {
  it('says each refused field by its label and its limit, in plain words', () => {
    expect(formProblems(form({ learningRate: '20', batchSize: '0', steps: '2.5', seed: 'x' }), 1)).toEqual({
      learningRate: 'Learning rate must be at most 10',
      batchSize: 'Batch size must be at least 1',
      steps: 'Steps must be a whole number',
      seed: 'Seed must be a number, not "x"',
    });
    expect(formProblems(form({ learningRate: '0' }), 1).learningRate).toBe('Learning rate must be greater than 0');
  });

  it('checks the task order only where the form shows it', () => {
    expect(formProblems(form({ tasks: '7' }), 1)).toEqual({});
    expect(formProblems(form({ tasks: '7' }), 3)).toEqual({ tasks: 'Task order: task 7 does not exist; the dataset has 3 tasks (0 to 2)' });
  });

  it('has nothing to say about a valid form, empty fields included', () => {
    expect(formProblems(form(), 3)).toEqual({});
    expect(formProblems(form({ learningRate: '', batchSize: ' ', steps: '', seed: '' }), 3)).toEqual({});
  });
});

describe('the lists', () => {
  it('label every optimizer the schema declares', () => {
    for (const o of OPTIMIZERS) expect(OPTIMIZER_LABELS[o]).toMatch(/\S/);
  });
});
