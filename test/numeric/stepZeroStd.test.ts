/**
 * Step 0, per generated tensor: after the engine's hyperfan initialisation on real batches (as train() measures
 * them), the std of every tensor a head generates is within 20 % of what its target layer's own initialisation
 * gives. The reference is read from the static twin of the graph (the same layers owning their weights, so it
 * comes from the target's declaration and not from any head code): N(0, σ²) gives σ, U(±l) gives l/√3, and a
 * constant (a zero bias, a FiLM scale of 1) gives 0, which non-chunked heads must meet exactly.
 * A chunked head's last layer is shared by all chunks, so a bias that shares a chunk with kernel entries cannot
 * start at exactly zero: there the reference is PyTorch's default bias variance 1/(3·fanIn), as hypnettorch's
 * apply_chunked_hyperfan_init uses.
 *
 * Every template (read at test time), and small graphs for head kinds and variants no template uses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { openDataset, type Batch } from '../../src/main/engine/data';
import { Model } from '../../src/main/engine/runtime';
import { withFeeds } from '../../src/main/engine/train';
import { compile } from '../../src/shared/compiler/compile';
import { formatProblem } from '../../src/shared/compiler/errors';
import type { Init, Program } from '../../src/shared/compiler/ir';
import { staticTwin } from '../../src/shared/compiler/variants';
import { parseDocument } from '../../src/shared/document/load';
import type { HnetDocument } from '../../src/shared/document/schema';
import { Rng } from '../../src/shared/util/rng';
import { buildDoc, type NodeSpec } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const templates = readdirSync(join(root, 'templates'))
  .filter((f) => f.endsWith('.hnet.json'))
  .sort();

function programOf(doc: HnetDocument): Program {
  const r = compile(doc);
  if (!r.ok || !r.program) throw new Error(`does not compile:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.program;
}

function loadTemplate(file: string): HnetDocument {
  const r = parseDocument(readFileSync(join(root, 'templates', file), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not load:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.doc;
}

/** std of an owned initialiser, from its declaration alone. */
function initStd(init: Init): number {
  if (init.kind === 'normal') return init.std;
  if (init.kind === 'uniform') return init.limit / Math.sqrt(3);
  if (init.kind === 'zeros' || init.kind === 'ones') return 0;
  throw new Error(`a target layer's own weight cannot start as ${init.kind}`);
}

interface Row {
  tensor: string;
  head: string;
  std: number;
  mean: number;
  reference: number;
  /** The constant a non-chunked head must generate exactly when the reference is 0. */
  constant?: number;
  why: string;
}

/** Seeds pooled per document: enough that the smallest tensor's std is about the initialisation, not one draw. */
const seedsFor = (program: Program) => {
  const smallest = Math.min(...program.generated.map((g) => g.shape.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1)));
  // Per-sample tensors come B at a time (correlated within a seed, as they share the head): fewer seeds.
  return Math.min(program.generated.some((g) => g.perSample) ? 8 : 24, Math.max(3, Math.ceil(3000 / smallest)));
};

/**
 * The engine's initialisation for a seed: the batches train() measures hyperfan on (one per task of up to 32
 * tasks, at least 4), then each generated tensor evaluated on those same batches, pooled over seeds.
 */
async function stepZero(doc: HnetDocument, seeds?: number): Promise<Row[]> {
  const program = programOf(doc);
  const twin = staticTwin(doc);
  if (!twin.ok) throw new Error('no static twin');
  const owned = new Map(programOf(twin.doc).params.map((p) => [p.name, p]));
  const headType = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const sums = program.generated.map(() => ({ n: 0, s: 0, s2: 0 }));
  const count = seeds ?? seedsFor(program);
  for (let k = 0; k < count; k++) {
    const seed = program.training.seed + k;
    const data = openDataset(program.data.type, program.data.params, { seed, node: program.data.node });
    const tasks = (program.training.tasks ?? Array.from({ length: data.tasks }, (_, i) => i)).slice(0, 32);
    const perTask = Math.max(1, Math.ceil(4 / tasks.length));
    const batches: Batch[] = tasks.flatMap((task) => {
      const r = new Rng(seed).fork(`init${task}`);
      return Array.from({ length: perTask }, () => data.trainBatch(task, program.training.batchSize, r));
    });
    const model = new Model(program, seed);
    try {
      await withFeeds(program, batches, async (feeds) => {
        await model.initHyperfan(feeds);
        for (const f of feeds)
          tf.tidy(() => {
            const got = model.evaluate(f, program.generated.map((g) => g.value), { training: false, step: 0 });
            program.generated.forEach((g, i) => {
              for (const x of got.get(g.value)!.dataSync()) {
                sums[i].n++;
                sums[i].s += x;
                sums[i].s2 += x * x;
              }
            });
          });
      });
    } finally {
      model.dispose();
    }
  }
  return program.generated.map((g, i) => {
    const { n, s, s2 } = sums[i];
    const mean = s / n;
    const std = Math.sqrt(Math.max(0, s2 / n - mean * mean));
    const decl = owned.get(`${g.target}.${g.targetPort}`);
    if (!decl) throw new Error(`the static twin has no ${g.target}.${g.targetPort}`);
    const head = headType.get(g.head)!;
    const tensor = `${g.target}.${g.targetPort}`;
    const reference = initStd(decl.init);
    if (reference > 0) return { tensor, head, std, mean, reference, why: decl.init.kind === 'normal' ? 'fan-in normal' : 'uniform' };
    const constant = decl.init.kind === 'ones' ? 1 : 0;
    if (head !== 'head.chunked') return { tensor, head, std: s2 / n - 2 * constant * mean + constant * constant, mean, reference: 0, constant, why: `constant ${constant}` };
    // PyTorch's default bias init, U(±1/√fanIn): variance 1/(3·fanIn), fanIn that of the layer's kernel.
    const kernel = owned.get(`${g.target}.kernel`);
    const fanIn = kernel ? kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1) : (g.shape[g.shape.length - 1] as number);
    return { tensor, head, std, mean: mean - constant, reference: Math.sqrt(1 / (3 * fanIn)), why: `chunked: 1/(3·fanIn), fanIn ${fanIn}` };
  });
}

function expectRows(rows: Row[]): void {
  const report = rows.map((r) => `${r.tensor} (${r.head}): std ${r.std.toPrecision(3)}, reference ${r.reference.toPrecision(3)} (${r.why})`).join('\n');
  if (process.env.HNET_PRINT_STD) console.log(report);
  for (const r of rows) {
    if (r.reference === 0) {
      // std holds the mean square distance from the constant here: 0 only if every element is the constant.
      expect(r.std, `${r.tensor} should start at exactly ${r.constant}\n${report}`).toBe(0);
    } else {
      expect(r.std / r.reference, `${r.tensor}\n${report}`).toBeGreaterThan(0.8);
      expect(r.std / r.reference, `${r.tensor}\n${report}`).toBeLessThan(1.2);
    }
  }
}

describe('step 0: every generated tensor of every template has the std of its layer’s own initialisation (±20 %; chunked-head biases: 1/(3·fanIn))', () => {
  it.each(templates)('%s', async (file) => {
    expectRows(await stepZero(loadTemplate(file)));
  }, 120_000);
});

/** A 2-feature toy task (moons, 512 samples) into target layers a head drives; per-sample when enc drives it. */
function toyDoc(head: NodeSpec, opts: { perSample?: boolean; film?: boolean; bias?: boolean } = {}): HnetDocument {
  const ctx = opts.perSample ? { id: 'enc', type: 'context.mlp_encoder' } : { id: 'emb', type: 'context.task_embedding', params: { dim: 8 } };
  const ctxWire = opts.perSample ? ['data.x -> enc.x', 'enc.context -> head.context'] : ['data.task -> emb.task', 'emb.embedding -> head.context'];
  if (opts.film)
    return buildDoc(
      [{ id: 'data', type: 'data.moons' }, ctx, head, { id: 'dense_1', type: 'target.dense', params: { units: 24 } }, { id: 'film', type: 'target.film' }, { id: 'out', type: 'target.dense', params: { units: 2 } }, { id: 'loss', type: 'objective.cross_entropy' }],
      [...ctxWire, 'data.x -> dense_1.x', 'dense_1.y -> film.x', 'head.scale -> film.scale', 'head.shift -> film.shift', 'film.y -> out.x', 'out.y -> loss.logits', 'data.y -> loss.labels'],
    );
  return buildDoc(
    [
      { id: 'data', type: 'data.moons' },
      ctx,
      head,
      { id: 'dense_0', type: 'target.dense', params: { units: 48, activation: 'relu' } },
      { id: 'dense_1', type: 'target.dense', params: { units: 40, activation: 'relu' } },
      { id: 'dense_2', type: 'target.dense', params: { units: 2 } },
      { id: 'loss', type: 'objective.cross_entropy' },
    ],
    [
      ...ctxWire,
      'data.x -> dense_0.x',
      `head.weights -> dense_0.kernel`,
      ...(opts.bias === false ? [] : [`head.weights -> dense_0.bias`]),
      'dense_0.y -> dense_1.x',
      `head.weights -> dense_1.kernel`,
      `head.weights -> dense_1.bias`,
      'dense_1.y -> dense_2.x',
      `head.weights -> dense_2.kernel`,
      `head.weights -> dense_2.bias`,
      'dense_2.y -> loss.logits',
      'data.y -> loss.labels',
    ],
    { batchSize: 64, seed: 3 },
  );
}

const graphs: [string, HnetDocument][] = [
  ['head.linear', toyDoc({ id: 'head', type: 'head.linear' })],
  ['head.linear, per sample', toyDoc({ id: 'head', type: 'head.linear' }, { perSample: true })],
  ['head.mlp, learned base', toyDoc({ id: 'head', type: 'head.mlp', params: { learnedBase: true } })],
  ['head.mlp tanh, hyperfan-in', toyDoc({ id: 'head', type: 'head.mlp', params: { hidden: [32], activation: 'tanh' } })],
  ['head.low_rank, per sample', toyDoc({ id: 'head', type: 'head.low_rank', params: { rank: 4 } }, { perSample: true })],
  ['head.low_rank, learned base', toyDoc({ id: 'head', type: 'head.low_rank', params: { rank: 4, learnedBase: true } })],
  ['head.chunked (chunks of 300 mixing kernels and biases)', toyDoc({ id: 'head', type: 'head.chunked', params: { chunkSize: 300, hidden: [32] } })],
  ['head.chunked, per sample', toyDoc({ id: 'head', type: 'head.chunked', params: { chunkSize: 128, hidden: [32] } }, { perSample: true })],
  ['head.chunked tanh, no hidden layer', toyDoc({ id: 'head', type: 'head.chunked', params: { chunkSize: 200, hidden: [], activation: 'tanh' } })],
  ['head.film', toyDoc({ id: 'head', type: 'head.film', params: { hidden: [16] } }, { film: true })],
  ['head.film, per sample', toyDoc({ id: 'head', type: 'head.film', params: { hidden: [16] } }, { film: true, perSample: true })],
];

describe('step 0: head kinds and variants no template uses (±20 %; chunked-head biases: 1/(3·fanIn))', () => {
  it.each(graphs)('%s', async (_name, doc) => {
    expectRows(await stepZero(doc));
  }, 60_000);
});
