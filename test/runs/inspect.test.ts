/**
 * The generated-weights inspector over the app service: matrices of the right shapes from the live model during
 * a run, interpolation between task embeddings that ends exactly on each task's weights and moves continuously
 * in between, prediction curves for the sinusoid family, classified samples and a confusion matrix for a
 * classifier with per-sample weights, and answers from the last checkpoint once a run has ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectResult } from '../../src/shared/api/runs';
import { CONFUSION_MAX_SAMPLES, heatmap } from '../../src/main/engine/inspect';
import { ended, harness, streamedSteps, type Harness } from './helpers';
import { rejects } from '../helpers/errors';
import { maxAbsDiff } from '../helpers/numbers';
import { editedTemplate, templateText } from '../helpers/templates';
import { until } from '../helpers/wait';

let dir: string;
let h: Harness;
const caller = 'w';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-inspect-'));
  h = harness(dir);
});
afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

const flat = (r: InspectResult) => r.weights.flatMap((w) => w.values);

describe('heatmap (pure)', () => {
  it('keeps small matrices as they are and averages big ones down in blocks', () => {
    const rows = 10;
    const cols = 600;
    const values = Float32Array.from({ length: rows * cols }, (_, i) => i);
    const small = heatmap(values.subarray(0, 30), [3, 10], 256);
    expect(small).toMatchObject({ rows: 3, cols: 10, stride: [1, 1] });
    expect(small.values).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const big = heatmap(values, [rows, cols], 256);
    expect(big).toMatchObject({ rows: 10, cols: 200, stride: [1, 3] });
    // Block (r, c) holds row r's columns 3c..3c+2: their mean, computed directly.
    for (const [r, c] of [
      [0, 0],
      [4, 17],
      [9, 199],
    ])
      expect(big.values[r * 200 + c]).toBeCloseTo((r * cols + 3 * c + r * cols + 3 * c + 1 + r * cols + 3 * c + 2) / 3, 6);
    const vector = heatmap(new Float32Array(5), [5], 256);
    expect(vector).toMatchObject({ rows: 1, cols: 5 });
  });
});

describe('a task-embedding hypernetwork (toy continual regression)', () => {
  let runId: string;

  beforeAll(async () => {
    ({ runId } = await h.service.invoke('run.start', { documentText: templateText('toy-continual-regression'), handle: null, overrides: { steps: 100_000, evalEvery: 0 } }, caller));
    await until(() => streamedSteps(h.events(runId)).length > 0, 'the first steps');
  });

  it('answers during the run with the matrices the head generates, shaped as the routes', async () => {
    const detail = await h.service.invoke('run.get', { runId }, caller);
    const outline = detail.outline;
    expect(outline.interpolation).toBe('task');
    expect(outline.contexts.task).toBe(true);
    const r = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { task: 1 } }, caller);
    expect(r.source).toBe('live');
    expect(r.context).toMatchObject({ task: 1, description: 'task 1' });
    const routes = outline.heads.find((x) => x.head === 'hyper')!.routes;
    expect(r.weights.map((w) => w.target)).toEqual(routes.map((x) => x.target));
    for (const w of r.weights) {
      const route = routes.find((x) => x.target === w.target)!;
      expect(w.shape).toEqual(route.shape);
      const cols = w.shape[w.shape.length - 1];
      expect([w.rows, w.cols]).toEqual([w.shape.reduce((a, b) => a * b, 1) / cols, cols]);
      expect(w.values.length).toBe(w.rows * w.cols);
      expect(w.stats.norm).toBeCloseTo(Math.sqrt(w.values.reduce((a, v) => a + v * v, 0)), 4);
    }
    expect(r.weights.find((w) => w.target === 'dense_2.kernel')?.shape.length).toBe(2);
    const one = await h.service.invoke('run.inspect', { runId, head: 'hyper', target: 'dense_1.bias', context: { task: 0 } }, caller);
    expect(one.weights.map((w) => w.target)).toEqual(['dense_1.bias']);
  });

  it('interpolates between two task embeddings: exact at the ends, continuous in between', async () => {
    // Paused, the model holds still, so every answer comes from the same weights.
    await h.service.invoke('run.pause', { runId }, caller);
    const at = (context: Parameters<typeof h.service.invoke<'run.inspect'>>[1]['context']) =>
      h.service.invoke('run.inspect', { runId, head: 'hyper', context, predictions: true }, caller);
    const a = await at({ task: 0 });
    const b = await at({ task: 2 });
    const path: InspectResult[] = [];
    for (let i = 0; i <= 10; i++) path.push(await at({ interpolate: { from: 0, to: 2, t: i / 10 } }));
    expect(new Set([a, b, ...path].map((r) => r.step)).size).toBe(1);
    expect(flat(path[0])).toEqual(flat(a));
    expect(flat(path[10])).toEqual(flat(b));
    const span = maxAbsDiff(flat(a), flat(b));
    expect(span).toBeGreaterThan(0);
    for (let i = 1; i <= 10; i++) expect(maxAbsDiff(flat(path[i]), flat(path[i - 1]))).toBeLessThan(0.5 * span);
    expect(path[5].context.description).toMatch(/0\.5 x task 0 \+ 0\.5 x task 2/);
    // The target network's predictions follow the slider too.
    expect(path[0].predictions?.kind).toBe('curve');
    const curve = (r: InspectResult) => (r.predictions?.kind === 'curve' ? r.predictions.predicted : []);
    expect(curve(path[0]).length).toBe(128);
    expect(maxAbsDiff(curve(path[0]), curve(path[10]))).toBeGreaterThan(0);
    expect(path[5].predictions?.kind === 'curve' && path[5].predictions.truth.map((t) => t.label)).toEqual(['task 0', 'task 2']);
    await h.service.invoke('run.resume', { runId }, caller);
  });

  it('refuses contexts and heads that do not exist', async () => {
    await rejects(h.service.invoke('run.inspect', { runId, head: 'nope', context: { task: 0 } }, caller), 'not_found', /heads: hyper/);
    await rejects(h.service.invoke('run.inspect', { runId, head: 'hyper', context: { task: 7 } }, caller), 'not_found', /task 7 does not exist/);
    await rejects(h.service.invoke('run.inspect', { runId, head: 'hyper', target: 'dense_9.kernel', context: { task: 0 } }, caller), 'not_found');
    await rejects(h.service.invoke('run.inspect', { runId, context: { interpolate: { from: 0, to: 1, t: 2 } } } as never, caller), 'invalid_request');
  });

  it('after the run, answers from its last checkpoint', async () => {
    expect((await h.service.invoke('run.stop', { runId }, caller)).status).toBe('stopped');
    const summary = (await h.service.invoke('run.get', { runId }, caller)).summary;
    const r = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { task: 2 } }, caller);
    expect(r.source).toBe('checkpoint');
    expect(r.step).toBe(summary.step);
    expect(r.weights.length).toBe(6);
  });
});

describe('prediction views', () => {
  it('sinusoid: predicted and true curves for several waves; the slider mixes their amplitude and phase', async () => {
    const { runId } = await h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle: null, overrides: { steps: 30, evalEvery: 0 } }, caller);
    expect((await ended(h.service, runId)).status).toBe('done');
    const detail = await h.service.invoke('run.get', { runId }, caller);
    expect(detail.outline).toMatchObject({ contextVector: true, interpolation: 'sample', kind: 'regression' });
    const vectors: number[][] = [];
    for (const sample of [0, 1, 2]) {
      const r = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { sample }, predictions: true }, caller);
      expect(r.predictions?.kind).toBe('curve');
      if (r.predictions?.kind !== 'curve') return;
      expect(r.predictions.x.length).toBe(128);
      expect(r.predictions.predicted.length).toBe(128);
      expect(r.predictions.predicted.every(Number.isFinite)).toBe(true);
      const truth = r.predictions.truth[0];
      expect(truth.x.length).toBeGreaterThan(10);
      expect([...truth.x].sort((p, q) => p - q)).toEqual(truth.x);
      expect(r.predictions.x[0]).toBeCloseTo(truth.x[0], 5);
      expect(r.context.vector?.length).toBe(2);
      vectors.push(r.context.vector!);
    }
    expect(vectors[0]).not.toEqual(vectors[1]);
    const mid = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { interpolate: { from: 0, to: 1, t: 0.25 } }, predictions: true }, caller);
    mid.context.vector!.forEach((v, i) => expect(v).toBeCloseTo(0.75 * vectors[0][i] + 0.25 * vectors[1][i], 5));
    expect(mid.predictions?.kind === 'curve' && mid.predictions.truth.length).toBe(2);
    await rejects(h.service.invoke('run.inspect', { runId, context: { sample: 10_000 } }, caller), 'not_found', /sample 10000 does not exist/);
    await rejects(h.service.invoke('run.inspect', { runId, context: { interpolate: { from: 0, to: 1, t: 0.5, over: 'task' } } }, caller), 'invalid_request', /no task embedding/);
  });

  it('per-sample classifier (spirals): per-sample weights, classified samples and a confusion matrix', async () => {
    const { runId } = await h.service.invoke('run.start', { documentText: templateText('spirals-per-sample'), handle: null, overrides: { steps: 40, evalEvery: 0 } }, caller);
    expect((await ended(h.service, runId)).status).toBe('done');
    const { outline } = await h.service.invoke('run.get', { runId }, caller);
    expect(outline).toMatchObject({ kind: 'classification', classes: 3, interpolation: 'sample' });
    const r = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { sample: 5 }, predictions: true, confusion: true }, caller);
    const kernel = r.weights.find((w) => w.target === 'dense_1.kernel')!;
    expect(kernel.perSample).toBe(true);
    expect(kernel.shape).toEqual([2, 16]);
    expect(r.context).toMatchObject({ task: 0, sample: 5 });
    // Another sample generates other weights.
    const other = await h.service.invoke('run.inspect', { runId, head: 'hyper', context: { sample: 6 } }, caller);
    expect(other.weights[0].values).not.toEqual(r.weights[0].values);

    expect(r.predictions?.kind).toBe('classes');
    if (r.predictions?.kind === 'classes') {
      expect(r.predictions.classes).toBe(3);
      expect(r.predictions.image).toBeNull();
      expect(r.predictions.samples[0].index).toBe(5);
      for (const s of r.predictions.samples) {
        expect(s.x.length).toBe(2);
        expect(s.logits.length).toBe(3);
        expect(s.predicted).toBe(s.logits.indexOf(Math.max(...s.logits)));
      }
    }
    // The shown samples are classified in one batch; sample 5 on its own gets the same logits.
    const alone = await h.service.invoke('run.inspect', { runId, context: { interpolate: { from: 5, to: 5, t: 0, over: 'sample' } }, weights: false, predictions: true }, caller);
    expect(alone.predictions?.kind === 'classes' && alone.predictions.samples.map((s) => s.index)).toEqual([5]);
    if (alone.predictions?.kind === 'classes' && r.predictions?.kind === 'classes')
      alone.predictions.samples[0].logits.forEach((v, j) => expect(v).toBeCloseTo((r.predictions as { samples: { logits: number[] }[] }).samples[0].logits[j], 4));
    const c = r.confusion!;
    expect(c.classes).toBe(3);
    expect(c.matrix.length).toBe(3);
    const total = c.matrix.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(c.samples);
    expect(c.accuracy).toBeCloseTo((c.matrix[0][0] + c.matrix[1][1] + c.matrix[2][2]) / total, 10);
    // Row sums are the true class counts of the evaluation set.
    const perClass = c.matrix.map((row) => row.reduce((a, b) => a + b, 0));
    expect(perClass.every((n) => n > 0)).toBe(true);
  });

  it('MNIST classifier: 28×28 sample images with labels, and a confusion matrix that agrees with the accuracy metric', async () => {
    // 300 evaluation samples, all of them counted (below the confusion matrix's cap).
    const text = editedTemplate('chunked-compression', (doc) => {
      doc.data = { maxEvalSamples: 300, evalBatchSize: 100 };
    });
    const { runId } = await h.service.invoke('run.start', { documentText: text, handle: null, overrides: { steps: 30, evalEvery: 0 } }, caller);
    const summary = await ended(h.service, runId);
    expect(summary.status).toBe('done');
    const { outline } = await h.service.invoke('run.get', { runId }, caller);
    expect(outline).toMatchObject({ kind: 'classification', classes: 10 });
    const r = await h.service.invoke('run.inspect', { runId, context: { task: 0 }, weights: false, predictions: true, confusion: true }, caller);
    expect(r.source).toBe('checkpoint');
    expect(r.weights).toEqual([]);
    expect(r.predictions?.kind).toBe('classes');
    if (r.predictions?.kind === 'classes') {
      expect(r.predictions.image).toEqual([28, 28]);
      expect(r.predictions.samples.map((s) => s.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      for (const s of r.predictions.samples) {
        expect(s.x.length).toBe(784);
        expect(s.label).toBeGreaterThanOrEqual(0);
        expect(s.label).toBeLessThan(10);
        expect(s.predicted).toBe(s.logits.indexOf(Math.max(...s.logits)));
      }
    }
    const c = r.confusion!;
    expect(c).toMatchObject({ task: 0, classes: 10, samples: 300 });
    expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(300);
    // The same weights (the final checkpoint) and the same 300 test samples as the run's final evaluation, whose
    // accuracy the graph's own metric node computed.
    const diagonal = c.matrix.reduce((a, row, i) => a + row[i], 0);
    expect(c.accuracy).toBeCloseTo(diagonal / 300, 10);
    expect(c.accuracy).toBeCloseTo(summary.metrics.accuracy, 5);
  });

  it('permuted tasks (declared on the dataset node): past task 0, samples are said to be drawn scrambled', async () => {
    const text = editedTemplate('permuted-mnist-hnet', (doc) => {
      doc.nodes.find((n: { id: string }) => n.id === 'digits').params.tasks = 2;
      doc.data = { maxEvalSamples: 100, evalBatchSize: 100 };
      doc.training.continual.taskInference = false;
    });
    const { runId } = await h.service.invoke('run.start', { documentText: text, handle: null, overrides: { steps: 4, evalEvery: 0 } }, caller);
    expect((await ended(h.service, runId)).status).toBe('done');
    const notesOf = async (task: number) =>
      (await h.service.invoke('run.inspect', { runId, context: { task }, weights: false, predictions: true }, caller)).notes.join('\n');
    expect(await notesOf(0)).not.toMatch(/permutes the pixels/);
    expect(await notesOf(1)).toMatch(/^task 1 permutes the pixels, so its images are drawn as the model sees them \(scrambled\)$/m);
  });

  it('counts at most CONFUSION_MAX_SAMPLES evaluation samples, cutting inside a batch', async () => {
    const text = editedTemplate('chunked-compression', (doc) => {
      doc.data = { maxEvalSamples: CONFUSION_MAX_SAMPLES + 100, evalBatchSize: 700 };
    });
    const { runId } = await h.service.invoke('run.start', { documentText: text, handle: null, overrides: { steps: 1, evalEvery: 0 } }, caller);
    expect((await ended(h.service, runId)).status).toBe('done');
    const c = (await h.service.invoke('run.inspect', { runId, context: { task: 0 }, weights: false, confusion: true }, caller)).confusion!;
    expect(c.samples).toBe(CONFUSION_MAX_SAMPLES);
    expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(CONFUSION_MAX_SAMPLES);
  });
});
