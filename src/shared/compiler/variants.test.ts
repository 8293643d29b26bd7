/** The static twin and the full budget, on hand-built graphs and on every template. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../document/load';
import type { HnetDocument } from '../document/schema';
import { compile } from './compile';
import { testDoc } from './testDoc';
import { staticTwin, withFullBudget } from './variants';

const TEMPLATES = join(__dirname, '..', '..', '..', 'templates');

function template(file: string): HnetDocument {
  const parsed = parseDocument(readFileSync(join(TEMPLATES, file), 'utf8'));
  if (!parsed.ok) throw new Error(`${file} does not load`);
  return parsed.doc;
}

const taskConditioned = () =>
  testDoc(
    [
      ['data', 'data.toy_regression_cl'],
      ['emb', 'context.task_embedding', { dim: 4 }],
      ['h', 'head.mlp', { hidden: [8] }],
      ['d1', 'target.dense', { units: 8, activation: 'relu' }],
      ['d2', 'target.dense', { units: 1 }],
      ['loss', 'objective.mse'],
      ['reg', 'objective.output_regularizer', { beta: 1 }],
      ['l2', 'objective.l2_weights'],
      ['peek', 'probe'],
      ['peek_y', 'probe'],
    ],
    [
      'data.task -> emb.task',
      'emb.embedding -> h.context',
      'h.weights -> d1.kernel',
      'h.weights -> d1.bias',
      'h.weights -> l2.weights',
      'h.weights -> peek.value',
      'data.x -> d1.x',
      'd1.y -> d2.x',
      'd2.y -> loss.prediction',
      'd2.y -> peek_y.value',
      'data.y -> loss.target',
    ],
    { steps: 10, seed: 7 },
  );

describe('staticTwin', () => {
  it('trains every generated weight directly and drops what only served generation', () => {
    const doc = taskConditioned();
    const twin = staticTwin(doc);
    if (!twin.ok) throw new Error(twin.problems[0].message);
    expect(twin.replaced).toEqual([
      { node: 'd1', port: 'kernel', head: 'h' },
      { node: 'd1', port: 'bias', head: 'h' },
    ]);
    expect(new Set(twin.removed)).toEqual(new Set(['h', 'emb', 'reg', 'l2', 'peek']));
    expect(twin.doc.nodes.map((n) => n.id)).toEqual(['data', 'd1', 'd2', 'loss', 'peek_y']);
    expect(twin.doc.training).toEqual(doc.training);
    expect(doc.nodes).toHaveLength(10); // the original is untouched

    const before = compile(doc);
    const after = compile(twin.doc);
    expect(after.problems).toEqual([]);
    // The target network is the same size; its weights are now all ordinary.
    expect(after.budget).toEqual({ hyper: 0, generated: 0, ordinary: before.budget!.generated + before.budget!.ordinary, compression: null });
  });

  it('turns task inference off (the twin has no task embedding to try) and keeps the other continual settings', () => {
    const doc = taskConditioned();
    doc.training = { ...doc.training, continual: { optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true, fixedEmbeddings: true, taskInference: true } };
    const twin = staticTwin(doc);
    if (!twin.ok) throw new Error(twin.problems[0].message);
    expect(twin.doc.training.continual).toEqual({ optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true, fixedEmbeddings: true, taskInference: false });
    expect(twin.summary).toMatch(/task inference off \(no task embedding\)$/);
    expect(doc.training.continual?.taskInference).toBe(true);
  });

  it('refuses a graph that generates nothing, and one that does not validate', () => {
    const plain = testDoc(
      [
        ['data', 'data.sinusoid'],
        ['d', 'target.dense', { units: 1 }],
        ['loss', 'objective.mse'],
      ],
      ['data.x -> d.x', 'd.y -> loss.prediction', 'data.y -> loss.target'],
    );
    const none = staticTwin(plain);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.problems[0].code).toBe('HN044');
    const broken = staticTwin({ ...plain, nodes: [...plain.nodes, { id: 'x', type: 'target.nope', params: {}, position: { x: 0, y: 0 } }] });
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.problems[0].code).toBe('HN011');
  });

  it.each(readdirSync(TEMPLATES).filter((f) => f.endsWith('.hnet.json')))('makes a trainable twin of %s with the same target network', (file) => {
    const doc = template(file);
    const twin = staticTwin(doc);
    if (!twin.ok) throw new Error(twin.problems.map((p) => p.message).join('; '));
    const before = compile(doc);
    const after = compile(twin.doc);
    expect(after.problems).toEqual([]);
    expect(after.budget!.hyper).toBe(0);
    expect(after.budget!.ordinary).toBe(before.budget!.generated + before.budget!.ordinary);
    expect(after.program!.generated).toEqual([]);
  });
});

describe('withFullBudget', () => {
  it('replaces training and data fields and merges node parameters', () => {
    const doc: HnetDocument = {
      ...taskConditioned(),
      fullBudget: { note: 'as in the paper', training: { steps: 5000, batchSize: 64 }, data: { maxEvalSamples: 10_000 }, params: { d1: { units: 32 } } },
    };
    const full = withFullBudget(doc);
    if (!full.ok) throw new Error(full.problems[0].message);
    expect(full.doc.training.steps).toBe(5000);
    expect(full.doc.training.batchSize).toBe(64);
    expect(full.doc.training.seed).toBe(7);
    expect(full.doc.data).toEqual({ ...doc.data, maxEvalSamples: 10_000 });
    expect(compile(full.doc).program!.evaluation.maxEvalSamples).toBe(10_000);
    expect(full.summary).toContain('maxEvalSamples');
    expect(full.doc.nodes.find((n) => n.id === 'd1')!.params).toEqual({ units: 32, activation: 'relu' });
    expect(full.summary).toContain('as in the paper');
    expect(compile(full.doc).ok).toBe(true);
  });

  it('names the field or node it cannot apply', () => {
    const none = withFullBudget(taskConditioned());
    expect(!none.ok && none.problems[0].code).toBe('HN045');
    const bad = withFullBudget({ ...taskConditioned(), fullBudget: { note: '', training: { batchSize: -3 }, data: { maxEvalSamples: 0 }, params: { ghost: { units: 2 } } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.path)).toEqual(['fullBudget.training.batchSize', 'fullBudget.data.maxEvalSamples', 'fullBudget.params.ghost']);
  });
});
