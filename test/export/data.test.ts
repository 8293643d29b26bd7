/**
 * The exported data is the engine's, bit for bit: the ported generator (rng.py) reproduces the engine's
 * streams, and the exported Dataset (data.py, and data.ts of the TypeScript export) draws the same training
 * batches from the same generator state and returns exactly the engine's evaluation batches, of the test set
 * and of the validation split. Covered: the sinusoid family (regenerated), pool datasets (written splits:
 * spirals, the Gaussian mixture), and the image sets stored once as bytes with row indices per split (MNIST,
 * Split MNIST, Permuted MNIST with a permutation per task, MNIST images to reconstruct, Fashion-MNIST).
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, type Batch } from '../../src/main/engine/data';
import { exportProgram } from '../../src/main/export/export';
import type { Program } from '../../src/shared/compiler/ir';
import { Rng } from '../../src/shared/util/rng';
import { buildDoc, loadDoc, python, removeDir, requireTorch, root, runOk, tempDir, TIMEOUT } from './helpers';
import { compileOk } from '../helpers/templates';

const require = createRequire(import.meta.url);
let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('data');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

describe('rng.py', () => {
  it('reproduces the engine generator: next, int, uniform, normal, permutation, fork, and the vectorised draws', () => {
    const seeds = [0, 1, 12345, 2 ** 31 - 1, 0xdeadbeef];
    const js = seeds.map((seed) => {
      const r = new Rng(seed);
      const next = Array.from({ length: 200 }, () => r.next());
      const ints = Array.from({ length: 50 }, () => r.int(7));
      const normals = Array.from({ length: 50 }, () => r.normal());
      const perm = Array.from(r.permutation(30));
      const forked = r.fork('hyper.out.weight').fork('init0');
      return { next, ints, normals, perm, forked: [forked.state, forked.next()], state: r.state };
    });
    const script = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
from rng import Rng
out = []
for seed in json.loads(sys.argv[2]):
    r = Rng(seed)
    nxt = [r.next() for _ in range(100)] + r.next_array(100).tolist()
    ints = [r.int(7) for _ in range(25)] + r.int_array(25, 7).tolist()
    normals = [r.normal() for _ in range(25)] + r.normal_array(25).tolist()
    perm = r.permutation(30).tolist()
    f = r.fork("hyper.out.weight").fork("init0")
    out.append({"next": nxt, "ints": ints, "normals": normals, "perm": perm, "forked": [f.state, f.next()], "state": r.state})
print(json.dumps(out))
`;
    const project = join(dir, 'rng');
    exportProgram(compileOk(loadDoc(join(root, 'templates', 'sinusoid-family.hnet.json'))), 'pytorch', project, { withoutData: true });
    writeFileSync(join(dir, 'rng_check.py'), script);
    const py = JSON.parse(python([join(dir, 'rng_check.py'), project, JSON.stringify(seeds)]).stdout) as typeof js;
    py.forEach((p, i) => {
      expect(p.next).toEqual(js[i].next);
      expect(p.ints).toEqual(js[i].ints);
      expect(p.perm).toEqual(js[i].perm);
      expect(p.forked).toEqual(js[i].forked);
      expect(p.state).toBe(js[i].state);
      // Box-Muller in float64 through libm and V8's fdlibm: equal to the last bits in practice, and once rounded to float32 exactly.
      expect(Float32Array.from(p.normals)).toEqual(Float32Array.from(js[i].normals));
    });
  });
});

/** The engine's batches (3 training batches from the run's batch stream, then the evaluation batches) per task. */
function engineBatches(program: Program, tasks: number[]): Batch[] {
  const data = openDataset(program.data.type, program.data.params, { seed: program.training.seed, node: program.data.node });
  return tasks.flatMap((task) => {
    const rng = new Rng(program.training.seed).fork('batches');
    const train = [0, 1, 2].map(() => data.trainBatch(task, 16, rng));
    const { evalBatchSize, maxEvalSamples } = program.evaluation;
    return [...train, ...data.evalBatches(task, evalBatchSize, maxEvalSamples, 'test'), ...data.evalBatches(task, evalBatchSize, maxEvalSamples, 'val')];
  });
}

const PY_DUMP = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from data import Dataset
from rng import Rng
seed, tasks, out = int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
data = Dataset()
batches = []
for task in tasks:
    rng = Rng(seed).fork("batches")
    batches += [data.train_batch(task, 16, rng) for _ in range(3)] + data.eval_batches(task) + data.eval_batches(task, "val")
meta = []
with open(out, "wb") as f:
    for b in batches:
        f.write(np.ascontiguousarray(b.x, dtype="<f4").tobytes())
        f.write(np.ascontiguousarray(b.y, dtype="<i4" if b.y.dtype.kind in "iu" else "<f4").tobytes())
        if b.context is not None:
            f.write(np.ascontiguousarray(b.context, dtype="<f4").tobytes())
        meta.append({"n": int(b.n), "task": b.task, "context": b.context is not None})
print(json.dumps(meta))
`;

const TS_DUMP = String.raw`
import { writeFileSync } from 'node:fs';
import { argv } from 'node:process';
import { Dataset } from './data.ts';
import { Rng } from './rng.ts';
const [seed, tasks, out] = [Number(argv[2]), JSON.parse(argv[3]) as number[], argv[4]];
const data = new Dataset();
const parts: Uint8Array[] = [];
const meta: { n: number; task: number; context: boolean }[] = [];
for (const task of tasks) {
  const rng = new Rng(seed).fork('batches');
  for (const b of [0, 1, 2].map(() => data.trainBatch(task, 16, rng)).concat(data.evalBatches(task), data.evalBatches(task, 'val'))) {
    for (const a of [b.x, b.y, ...(b.context ? [b.context] : [])]) parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    meta.push({ n: b.n, task: b.task, context: b.context !== undefined });
  }
}
const total = parts.reduce((s, p) => s + p.length, 0);
const all = new Uint8Array(total);
let at = 0;
for (const p of parts) { all.set(p, at); at += p.length; }
writeFileSync(out, all);
console.log(JSON.stringify(meta));
`;

/** Batches as the bytes the dumps write: x, y, context, batch after batch. */
function bytesOf(batches: Batch[]): Buffer {
  return Buffer.concat(
    batches.flatMap((b) => [b.x, b.y, ...(b.context ? [b.context] : [])].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
  );
}

const docs: [string, () => Program, number[]][] = [
  ['sinusoid family (regenerated waves)', () => compileOk(loadDoc(join(root, 'templates', 'sinusoid-family.hnet.json'))), [0]],
  ['spirals (written splits)', () => compileOk(loadDoc(join(root, 'test', 'export', 'fixtures', 'spirals-per-sample.hnet.json'))), [0]],
  ['permuted MNIST (the bytes once, a permutation per task)', () => classifier('data.permuted_mnist', { tasks: 3, validation: 1000 }), [0, 2]],
  ['MNIST (official split: train, val, test rows into the bytes)', () => classifier('data.mnist', {}), [0]],
  ['split MNIST (relabelled rows of each split)', () => classifier('data.split_mnist', { layout: 'image' }, 2), [1, 4]],
  ['Fashion-MNIST (Debian\'s files, no validation)', () => classifier('data.fashion_mnist', { validation: 0 }), [0]],
  ['MNIST images to reconstruct (y is the same bytes)', () => compileOk(loadDoc(join(root, 'templates', 'siren-inr.hnet.json'))), [0]],
  ['Gaussian mixture (written splits per task)', () => classifier('data.gaussian_mixture', {}, 2), [0, 2]],
];

/** A one-layer classifier on a dataset node: what its export writes is the dataset's alone. */
function classifier(type: string, params: Record<string, unknown>, classes = 10): Program {
  return compileOk(
    buildDoc(
      [
        { id: 'digits', type, params },
        ...(params.layout === 'image' ? [{ id: 'flat', type: 'target.flatten' }] : []),
        { id: 'dense', type: 'target.dense', params: { units: classes } },
        { id: 'loss', type: 'objective.cross_entropy' },
      ],
      [...(params.layout === 'image' ? ['digits.x -> flat.x', 'flat.y -> dense.x'] : ['digits.x -> dense.x']), 'dense.y -> loss.logits', 'digits.y -> loss.labels'],
      { training: { seed: 5 }, data: { maxEvalSamples: 300, evalBatchSize: 128 } },
    ),
  );
}

describe('exported data', () => {
  it.each(docs)(
    '%s: data.py and data.ts give the engine batches bit for bit',
    (name, programOf, tasks) => {
      const program = programOf();
      const slug = name.replace(/\W+/g, '_').slice(0, 40);
      const py = join(dir, `${slug}-py`);
      const tsProject = join(dir, `${slug}-ts`);
      exportProgram(program, 'pytorch', py, {});
      exportProgram(program, 'tfjs', tsProject, {});
      const want = engineBatches(program, tasks);
      const wantMeta = want.map((b) => ({ n: b.n, task: b.task, context: b.context !== undefined }));

      writeFileSync(join(dir, 'dump.py'), PY_DUMP);
      const pyOut = join(dir, `${slug}.py.bin`);
      const pyMeta = JSON.parse(python([join(dir, 'dump.py'), py, String(program.training.seed), JSON.stringify(tasks), pyOut], { cwd: py }).stdout);
      expect(pyMeta).toEqual(wantMeta);
      expect(readFileSync(pyOut).equals(bytesOf(want))).toBe(true);

      writeFileSync(join(tsProject, 'src', 'dump.ts'), TS_DUMP);
      const tsOut = join(dir, `${slug}.ts.bin`);
      const tsMeta = JSON.parse(
        runOk(process.execPath, [require.resolve('tsx/cli'), 'src/dump.ts', String(program.training.seed), JSON.stringify(tasks), tsOut], { cwd: tsProject }).stdout,
      );
      expect(tsMeta).toEqual(wantMeta);
      expect(readFileSync(tsOut).equals(bytesOf(want))).toBe(true);
    },
    TIMEOUT,
  );
});
