import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '../../../shared/document/load';
import { Training } from '../../../shared/document/schema';
import { continualSummary, formForBudget, formFromTraining, formProblems, HYPERCL_CONTINUAL, overridesOf, readRegularizedTasks, readTasks, type ContinualForm, type RunForm } from './form';
import { OPTIMIZER_LABELS, OPTIMIZERS } from './lists';

const noContinual: ContinualForm = { optimizerPerTask: false, currentEmbeddingOnly: false, fixedEmbeddings: false, lookAhead: false, taskInference: false, regularizedTasksPerStep: '' };

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
  continual: noContinual,
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
      continual: noContinual,
    });
  });

  it("reads a document's own settings", () => {
    const tr = Training.parse({
      optimizer: { type: 'rmsprop', learningRate: 0.02 },
      batchSize: 128,
      steps: 3000,
      seed: 42,
      backend: 'wasm',
      schedule: 'interleaved',
      tasks: [2, 0, 1],
      continual: { optimizerPerTask: true, lookAhead: true, regularizedTasksPerStep: 4 },
    });
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
      continual: { ...noContinual, optimizerPerTask: true, lookAhead: true, regularizedTasksPerStep: '4' },
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

describe('the continual-learning settings', () => {
  const hypercl: ContinualForm = { ...noContinual, ...HYPERCL_CONTINUAL, regularizedTasksPerStep: '3' };

  it('are sent, every switch, for a sequential schedule over several tasks, and only then', () => {
    const f = form({ continual: hypercl });
    expect(overridesOf(f, { ...none, taskCount: 5 }).continual).toEqual({
      optimizerPerTask: true,
      currentEmbeddingOnly: true,
      fixedEmbeddings: true,
      lookAhead: true,
      taskInference: false,
      regularizedTasksPerStep: 3,
    });
    expect(overridesOf(f, none)).not.toHaveProperty('continual');
    expect(overridesOf(form({ continual: hypercl, schedule: 'interleaved' }), { ...none, taskCount: 5 })).not.toHaveProperty('continual');
  });

  it('send an empty count as null (every earlier task), and leave a refused one out', () => {
    expect(overridesOf(form(), { ...none, taskCount: 2 }).continual).toMatchObject({ regularizedTasksPerStep: null });
    expect(overridesOf(form({ continual: { ...noContinual, regularizedTasksPerStep: '0' } }), { ...none, taskCount: 2 }).continual).not.toHaveProperty('regularizedTasksPerStep');
  });

  it('refuse a count that is not a whole number of at least 1, naming the field', () => {
    expect(readRegularizedTasks(' ')).toEqual({ value: null });
    expect(readRegularizedTasks('2')).toEqual({ value: 2 });
    expect(readRegularizedTasks('0').error).toBe('Earlier tasks per step must be at least 1');
    expect(readRegularizedTasks('1.5').error).toBe('Earlier tasks per step must be a whole number');
    expect(readRegularizedTasks('x').error).toBe('Earlier tasks per step must be a number, not "x"');
    expect(formProblems(form({ continual: { ...noContinual, regularizedTasksPerStep: '0' } }), 3).continual).toBe('Earlier tasks per step must be at least 1');
    expect(formProblems(form({ optimizer: 'rmsprop', continual: { ...noContinual, lookAhead: true } }), 3).continual).toMatch(/^The look-ahead regulariser needs the step of Adam or SGD/);
    expect(formProblems(form({ optimizer: 'sgd', continual: { ...noContinual, lookAhead: true } }), 3)).toEqual({});
    // Not shown for one task or an interleaved schedule, so not checked there.
    expect(formProblems(form({ continual: { ...noContinual, regularizedTasksPerStep: '0' } }), 1)).toEqual({});
    expect(formProblems(form({ schedule: 'interleaved', continual: { ...noContinual, regularizedTasksPerStep: '0' } }), 3)).toEqual({});
  });

  it('are summed up in a line while the section is closed', () => {
    expect(continualSummary(noContinual)).toBe('one optimizer through all tasks, every parameter trained');
    expect(continualSummary({ ...noContinual, lookAhead: true, optimizerPerTask: true })).toBe('fresh optimizer per task, look-ahead regulariser');
    expect(continualSummary({ ...hypercl, taskInference: true })).toBe("hypercl's settings, task inference at the end (HNET+ENT), 3 earlier tasks regularised per step");
    expect(continualSummary(hypercl)).toBe("hypercl's settings, 3 earlier tasks regularised per step");
    expect(continualSummary({ ...hypercl, regularizedTasksPerStep: '' })).toBe("hypercl's settings");
  });
});

describe('ticking the full budget', () => {
  const doc = parseDocument(readFileSync(join(__dirname, '../../../../templates/permuted-mnist-hnet.hnet.json'), 'utf8'));
  if (!doc.ok) throw new Error(doc.problems[0].message);

  it("fills the form with the full budget's training, and unticking brings the document's back; the backend stays", () => {
    const start = { ...formFromTraining(doc.doc.training), backend: 'pytorch' as const };
    const full = formForBudget(start, doc.doc, true);
    expect(full).toMatchObject({ fullBudget: true, backend: 'pytorch', steps: '5000', batchSize: '128', learningRate: '0.0001' });
    expect(full.continual).toMatchObject({ fixedEmbeddings: true, lookAhead: true, optimizerPerTask: true });
    // What is sent is the full budget's, so the server's budget is not overridden by the default one.
    expect(overridesOf(full, { hasFullBudget: true, taskCount: 10 })).toMatchObject({ budget: 'full', steps: 5000, batchSize: 128, learningRate: 0.0001, continual: { fixedEmbeddings: true } });
    const back = formForBudget(full, doc.doc, false);
    expect(back).toEqual({ ...start, fullBudget: false });
    expect(back.steps).toBe(String(doc.doc.training.steps));
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
