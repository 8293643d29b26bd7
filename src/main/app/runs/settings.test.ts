import { describe, expect, it } from 'vitest';
import { ContinualOverrides, RunOverrides } from '../../../shared/api/runs';
import { Continual, Training } from '../../../shared/document/schema';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOverrides, prepareRun } from './settings';

const template = (name: string) => readFileSync(join(__dirname, '../../../../templates', `${name}.hnet.json`), 'utf8');

describe('applyOverrides', () => {
  it('refuses a setting the document schema does not allow, in the Train tab\'s words', () => {
    const base = Training.parse({});
    expect(() => applyOverrides(base, { batchSize: 65_536, tasks: [0], steps: 1 })).not.toThrow();
    expect(() => applyOverrides({ ...base, batchSize: 0 }, {})).toThrow(/^run settings: Batch size must be at least 1$/);
    expect(() => applyOverrides({ ...base, optimizer: { ...base.optimizer, learningRate: -1 } }, {})).toThrow(/^run settings: Learning rate must be greater than 0$/);
  });
});

describe('applyOverrides: training.continual', () => {
  it('changes only the fields given, over the document\'s own (absent: the defaults)', () => {
    const doc = Training.parse({ continual: { optimizerPerTask: true, lookAhead: true, regularizedTasksPerStep: 4 } });
    const next = applyOverrides(doc, { continual: { fixedEmbeddings: true } });
    expect(next.continual).toEqual({ optimizerPerTask: true, currentEmbeddingOnly: false, fixedEmbeddings: true, lookAhead: true, regularizedTasksPerStep: 4, taskInference: false });
    expect(doc.continual?.fixedEmbeddings).toBe(false);
    expect(applyOverrides(Training.parse({}), { continual: { taskInference: true } }).continual).toMatchObject({ optimizerPerTask: false, taskInference: true });
  });

  it('null regularises every earlier task again; a count replaces the document\'s', () => {
    const doc = Training.parse({ continual: { regularizedTasksPerStep: 4 } });
    expect(applyOverrides(doc, { continual: { regularizedTasksPerStep: null } }).continual).not.toHaveProperty('regularizedTasksPerStep');
    expect(applyOverrides(doc, { continual: { regularizedTasksPerStep: 2 } }).continual?.regularizedTasksPerStep).toBe(2);
    expect(applyOverrides(doc, { continual: {} }).continual?.regularizedTasksPerStep).toBe(4);
  });

  it('takes exactly the fields of the document\'s continual section', () => {
    expect(Object.keys(ContinualOverrides.shape).sort()).toEqual(Object.keys(Continual.shape).sort());
    expect(RunOverrides.safeParse({ continual: { lookahead: true } }).success).toBe(false);
    expect(RunOverrides.safeParse({ continual: { regularizedTasksPerStep: 0 } }).success).toBe(false);
  });
});

describe('prepareRun records the continual-learning settings the run used', () => {
  it('over several tasks in sequence: the document\'s, with the run\'s overrides, defaults filled in', () => {
    const text = template('split-mnist-hnet');
    const own = prepareRun(text).settings.continual;
    expect(own).toMatchObject({ optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true, fixedEmbeddings: false });
    expect(prepareRun(text, { continual: { fixedEmbeddings: true, regularizedTasksPerStep: 2 } }).settings.continual).toEqual({ ...own, fixedEmbeddings: true, regularizedTasksPerStep: 2 });
    // The full budget's own continual section, unless the run says otherwise.
    expect(prepareRun(template('permuted-mnist-hnet'), { budget: 'full' }).settings.continual).toMatchObject({ fixedEmbeddings: true });
  });

  it('none for an interleaved schedule or a one-task dataset, where they do not apply', () => {
    expect(prepareRun(template('split-mnist-hnet'), { schedule: 'interleaved' }).settings.continual).toBeNull();
    expect(prepareRun(template('spirals-per-sample')).settings.continual).toBeNull();
  });
});
