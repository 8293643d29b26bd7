/**
 * Parity: for the same parameters and inputs, the tfjs runtime and the exported PyTorch code (run by real
 * PyTorch) give the same losses, metrics, prediction and generated weights (max |difference| <= 1e-4); so does
 * the exported TypeScript code, run with node.
 * Every template in templates/ (globbed at test time), fed the engine's own evaluation batches, and graphs built
 * here that between them use every op kind of the IR, fed random batches. Parameters are the runtime's initial
 * ones (hyperfan included) moved by random noise, so no path is trivially zero; they reach Python through
 * writeWeights, the same files `hnet train --save` writes.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { writeWeights } from '../../src/main/engine/checkpoint';
import { openDataset, type Batch } from '../../src/main/engine/data';
import type { Feeds } from '../../src/main/engine/runtime';
import { generatePytorch } from '../../src/shared/codegen/pytorch';
import { generateTypescript } from '../../src/shared/codegen/typescript';
import type { OpKind, Program } from '../../src/shared/compiler/ir';
import { binaryGraph, imagesGraph, opKinds, pointsGraph, vectorsGraph } from './graphs';
import {
  Model,
  Rng,
  compareValues,
  disposeFeeds,
  jitter,
  loadDoc,
  paramsOf,
  randomFeeds,
  removeDir,
  requireTorch,
  root,
  runDriver,
  runOk,
  runtimeTaskWeights,
  runtimeValues,
  templateFiles,
  tempDir,
  writeFeeds,
  writeFiles,
  type DriverCase,
  type Values,
} from './helpers';
import { compileOk } from '../helpers/templates';

/** Every op kind (a kind added to the IR and missing here does not compile). */
const ALL_OPS = Object.keys({
  input: 1, param: 1, linear: 1, fusedLinear: 1, matmul: 1, add: 1, sub: 1, mul: 1, scale: 1, activation: 1, reshape: 1,
  transpose: 1, slice: 1, concat: 1, broadcastBatch: 1, pairRows: 1, conv2d: 1, pool: 1, layerNorm: 1, film: 1, dropout: 1,
  embedding: 1, noise: 1, constant: 1, grid: 1, crossEntropy: 1, mse: 1, bce: 1, meanSquare: 1, accuracy: 1,
  binaryAccuracy: 1, psnr: 1,
} satisfies Record<OpKind, 1>) as OpKind[];

const require = createRequire(import.meta.url);

let dir: string;
beforeAll(async () => {
  requireTorch();
  await useBackend('cpu');
  dir = tempDir('parity');
  // The TypeScript projects below resolve @tensorflow/tfjs from here, as after `npm install`.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

interface Prepared {
  program: Program;
  feeds: Feeds[];
  want: (Values & { taskWeights?: Record<string, number[]> })[];
  driverCase: DriverCase;
  /** The TypeScript export of the same program. */
  ts: string;
}

/** Parameters, reference values and files for one program: the runtime's side of the comparison. */
async function prepare(name: string, program: Program, feeds: Feeds[], seed: number): Promise<Prepared> {
  const caseDir = join(dir, name);
  const model = new Model(program, 0);
  try {
    await model.initHyperfan(feeds);
    jitter(model, new Rng(seed));
    writeWeights(join(caseDir, 'weights'), paramsOf(model));
    const regularized = program.outputRegularizer !== undefined;
    const want = feeds.map((f) => ({
      ...runtimeValues(model, f),
      ...(regularized ? { taskWeights: runtimeTaskWeights(model, f.task.dataSync()[0]) } : {}),
    }));
    writeFiles(join(caseDir, 'code'), generatePytorch(program).files);
    writeFiles(join(caseDir, 'ts'), generateTypescript(program).files);
    const inputs = feeds.map((f, i) => writeFeeds(join(caseDir, 'inputs'), `batch${i}`, f));
    return { program, feeds, want, driverCase: { code: join(caseDir, 'code'), weights: join(caseDir, 'weights'), inputs, taskWeights: regularized }, ts: join(caseDir, 'ts') };
  } finally {
    model.dispose();
  }
}

function check(name: string, prepared: Prepared, got: Values[]): void {
  expect(got).toHaveLength(prepared.want.length);
  prepared.want.forEach((want, i) => {
    const bad = compareValues(want, got[i]);
    expect(bad, `${name}, batch ${i}`).toEqual([]);
  });
}

/** The exported TypeScript model's values for the same weights and inputs (a small driver run with tsx). */
const TS_DRIVER = String.raw`
import { readFileSync } from 'node:fs';
import { argv } from 'node:process';
import * as tf from '@tensorflow/tfjs';
import { PARAMETERS, createParams, forward, taskWeights } from './model.ts';
import { readWeights } from './weights.ts';
tf.env().set('PROD', true);
const c = JSON.parse(readFileSync(argv[2], 'utf8'));
const params = createParams(0);
const stored = readWeights(c.weights);
for (const p of PARAMETERS) params[p.name].assign(tf.tensor(stored.get(p.name)!.values, p.shape));
const bin = (file: string, int: boolean) => {
  const b = new Uint8Array(readFileSync(file));
  return int ? new Int32Array(b.buffer) : new Float32Array(b.buffer);
};
const flat = (t: tf.Tensor) => Array.from(t.dataSync());
const results = c.inputs.map((i: any) => {
  const inputs = {
    x: tf.tensor(bin(i.x, false), i.xShape),
    y: tf.tensor(bin(i.y, i.yInt), i.yShape, i.yInt ? 'int32' : 'float32'),
    task: tf.tensor1d([i.task], 'int32'),
    ...(i.context ? { context: tf.tensor(bin(i.context, false), i.contextShape) } : {}),
  };
  const out = forward(params, inputs, { training: false, seed: 0, step: 0 });
  const map = (r: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, flat(v)]));
  return {
    loss: flat(out.loss)[0],
    losses: Object.fromEntries(Object.entries(out.losses).map(([k, v]) => [k, flat(v)[0]])),
    metrics: Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, flat(v)[0]])),
    prediction: out.prediction ? flat(out.prediction) : null,
    weights: map(out.weights),
    ...(c.taskWeights ? { taskWeights: map(taskWeights(params, inputs.task)) } : {}),
  };
});
console.log(JSON.stringify(results));
`;

function checkTypescript(name: string, prepared: Prepared): void {
  writeFileSync(join(prepared.ts, 'src', 'driver.ts'), TS_DRIVER);
  writeFileSync(join(prepared.ts, 'case.json'), JSON.stringify(prepared.driverCase));
  const r = runOk(process.execPath, [require.resolve('tsx/cli'), 'src/driver.ts', 'case.json'], { cwd: prepared.ts });
  check(`${name} (TypeScript)`, prepared, JSON.parse(r.stdout.trim().split('\n').pop()!) as Values[]);
}

/** An evaluation batch of the engine's dataset, as runtime feeds (at most `rows` samples). */
function feedsOf(program: Program, b: Batch, rows: number): Feeds {
  const n = Math.min(rows, b.n);
  const d = program.data;
  const xs = d.x.reduce((a, c) => a * c, 1);
  const ys = d.y.reduce((a, c) => a * c, 1);
  return {
    x: tf.tensor(b.x.subarray(0, n * xs), [n, ...d.x]),
    y: b.y instanceof Int32Array ? tf.tensor(b.y.subarray(0, n * ys), [n, ...d.y], 'int32') : tf.tensor(b.y.subarray(0, n * ys), [n, ...d.y]),
    task: tf.tensor1d([b.task], 'int32'),
    ...(b.context ? { context: tf.tensor(b.context, [1, b.context.length]) } : {}),
  };
}

describe('export parity with the tfjs runtime (PyTorch and TypeScript)', () => {
  const files = templateFiles();

  it('has templates to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [basename(f), f]))('template %s', async (name, file) => {
    const program = compileOk(loadDoc(file));
    const data = openDataset(program.data.type, program.data.params, { seed: program.training.seed, node: program.data.node, baseDir: dirname(file) });
    const tasks = [...new Set([0, data.tasks - 1])];
    const feeds = tasks.map((t) => feedsOf(program, data.evalBatches(t, program.evaluation.evalBatchSize, program.evaluation.maxEvalSamples)[0], 64));
    try {
      const prepared = await prepare(name.replace(/\W+/g, '_'), program, feeds, 17);
      const [got] = runDriver(join(dir, name.replace(/\W+/g, '_')), [prepared.driverCase]);
      check(name, prepared, got);
      checkTypescript(name, prepared);
    } finally {
      feeds.forEach(disposeFeeds);
    }
  });

  it('graphs covering every op kind (conv, pools, layer norm, FiLM, chunked/low-rank/Ha/FiLM heads, per-sample weights, points, noise, dropout)', async () => {
    const graphs: [string, Program, number][] = [
      ['images', imagesGraph(), 1],
      ['vectors', vectorsGraph(), 3],
      ['binary', binaryGraph(), 1],
      ['points', pointsGraph(), 1],
    ];
    expect([...opKinds(graphs.map((g) => g[1]))].sort()).toEqual([...ALL_OPS].sort());
    const rng = new Rng(2024);
    const prepared: { name: string; p: Prepared }[] = [];
    for (const [k, [name, program, tasks]] of graphs.entries()) {
      // An odd batch size, and the last task too when there are several.
      const feeds = [...new Set([0, tasks - 1])].map((task) => randomFeeds(program, 5, rng, task, program.data.y.length === 0 ? 4 : 2));
      if (name === 'binary') for (const f of feeds) f.y = tf.tensor1d(Int32Array.from({ length: 5 }, () => rng.int(2)), 'int32');
      prepared.push({ name, p: await prepare(name, program, feeds, 100 + k) });
    }
    try {
      const got = runDriver(dir, prepared.map((x) => x.p.driverCase));
      prepared.forEach((x, i) => check(x.name, x.p, got[i]));
      for (const x of prepared) checkTypescript(x.name, x.p);
    } finally {
      for (const x of prepared) x.p.feeds.forEach(disposeFeeds);
    }
  });
});
