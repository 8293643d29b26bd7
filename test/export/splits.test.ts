/**
 * Evaluation splits in the exports: the exported PyTorch and TypeScript training loops evaluate during training on
 * the validation split and at the end of each task on the test set, naming the split in their eval events, with
 * the engine's figures (they train step for step as the engine does: test/export/training.test.ts).
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, hnet, python, removeDir, requireTorch, root, runOk, tempDir, TIMEOUT } from './helpers';

const require = createRequire(import.meta.url);
let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('splits');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

/** Two Split MNIST tasks, 8 steps each, an evaluation every 4: steps 4 (val), 8 (task end: test), 12 (val), 16 (test). */
const doc = {
  format: 'hypernet-studio',
  version: 1,
  nodes: [
    { id: 'digits', type: 'data.split_mnist', params: { validation: 5000 } },
    { id: 'emb', type: 'context.task_embedding', params: { dim: 4 } },
    { id: 'head', type: 'head.mlp', params: { hidden: [8] } },
    { id: 'dense', type: 'target.dense', params: { units: 2 } },
    { id: 'loss', type: 'objective.cross_entropy' },
    { id: 'accuracy', type: 'metric.accuracy' },
  ],
  edges: [
    ['digits', 'task', 'emb', 'task'],
    ['emb', 'embedding', 'head', 'context'],
    ['head', 'weights', 'dense', 'kernel'],
    ['head', 'weights', 'dense', 'bias'],
    ['digits', 'x', 'dense', 'x'],
    ['dense', 'y', 'loss', 'logits'],
    ['digits', 'y', 'loss', 'labels'],
    ['dense', 'y', 'accuracy', 'logits'],
    ['digits', 'y', 'accuracy', 'labels'],
  ].map(([source, sourcePort, target, targetPort]) => ({ source, sourcePort, target, targetPort })),
  data: { maxEvalSamples: 300, evalBatchSize: 100 },
  training: { tasks: [0, 1], schedule: 'sequential', steps: 8, evalEvery: 4, batchSize: 16, seed: 4, optimizer: { type: 'adam', learningRate: 0.01 } },
};

type Eval = { event: 'eval'; step: number; split?: string; metrics: Record<string, number> };
const evals = (stdout: string) => events(stdout).filter((e): e is Eval => e.event === 'eval');

describe('exported evaluation splits', () => {
  it(
    'train.py and train.ts evaluate on the validation split during training and on the test set at task ends, as the engine',
    () => {
      const file = join(dir, 'split-mnist.hnet.json');
      writeFileSync(file, JSON.stringify(doc));
      const engine = hnet(['train', file, '--json']);
      expect(engine.status, engine.stderr).toBe(0);
      const want = evals(engine.stdout);
      expect(want.map((e) => [e.step, e.split])).toEqual([[4, 'val'], [8, 'test'], [12, 'val'], [16, 'test']]);

      const py = join(dir, 'py');
      expect(hnet(['export', file, '--to', 'pytorch', '--out', py]).status).toBe(0);
      const ts = join(dir, 'ts');
      expect(hnet(['export', file, '--to', 'tfjs', '--out', ts]).status).toBe(0);
      const runs = {
        PyTorch: python(['train.py'], { cwd: py }).stdout,
        TypeScript: runOk(process.execPath, [require.resolve('tsx/cli'), 'src/train.ts'], { cwd: ts }).stdout,
      };
      for (const [name, stdout] of Object.entries(runs)) {
        const got = evals(stdout);
        expect(got.map((e) => [e.step, e.split]), name).toEqual(want.map((e) => [e.step, e.split]));
        got.forEach((g, i) => {
          const w = want[i].metrics;
          expect(Math.abs(g.metrics.loss - w.loss), `${name} step ${g.step} (${g.split}): loss ${g.metrics.loss}, engine ${w.loss}`).toBeLessThanOrEqual(1e-3 * Math.max(1, w.loss));
          expect(Math.abs(g.metrics.accuracy - w.accuracy), `${name} step ${g.step}`).toBeLessThanOrEqual(0.01);
        });
      }
    },
    TIMEOUT,
  );
});
