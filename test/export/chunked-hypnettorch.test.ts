/**
 * The chunked head against an independent PyTorch ChunkedHMLP written here with hypnettorch's semantics
 * (hnets/chunked_mlp_hnet.py): one MLP shared by all chunks maps [conditional input, chunk embedding] to a chunk
 * of `chunk_size` numbers; the chunks are concatenated, cut to the number of target parameters, split into the
 * target tensors in order, and each is reshaped to the shape PyTorch's module holds it in (nn.Linear's weight
 * [out, in]). Loaded with the engine's parameters for a one-task chunked hypernetwork driving a 2-layer MLP, the
 * generated weights and the predictions on a batch equal the engine's (max |difference| <= 1e-5).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/main/engine/backend';
import { Model } from '../../src/main/engine/runtime';
import { Rng } from '../../src/shared/util/rng';
import { disposeFeeds, jitterParams, paramValues, programOf, randomFeeds, valuesOf } from '../numeric/helpers';
import { python, removeDir, requireTorch, tempDir, TIMEOUT } from './helpers';
import { maxAbsDiff, transposed } from '../helpers/numbers';

let dir: string;
beforeAll(async () => {
  requireTorch();
  await useBackend('cpu');
  dir = tempDir('hypnettorch');
});
afterAll(() => removeDir(dir));

/** hypnettorch's ChunkedHMLP and the target MLP, in plain PyTorch (float64), from the engine's numbers. */
const REFERENCE_PY = String.raw`
import json, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
c = json.load(open(sys.argv[1]))
P = {k: torch.tensor(v["values"]).reshape(v["shape"]) for k, v in c["params"].items()}


class ChunkedHMLP(nn.Module):
    """hypnettorch's ChunkedHMLP: a shared MLP over [cond, chunk embedding] -> chunk_size outputs per chunk."""

    def __init__(self, target_shapes, chunk_size, chunk_emb_size, cond_size, layers):
        super().__init__()
        self.target_shapes = target_shapes
        self.num_outputs = sum(int(torch.tensor(s).prod()) for s in target_shapes)
        self.num_chunks = -(-self.num_outputs // chunk_size)
        self.chunk_embs = nn.Parameter(torch.zeros(self.num_chunks, chunk_emb_size))
        sizes = [cond_size + chunk_emb_size] + layers + [chunk_size]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, cond):
        # cond: [batch, cond_size]; every chunk embedding is paired with each conditional input.
        n = cond.shape[0]
        h = torch.cat([cond[:, None, :].expand(n, self.num_chunks, cond.shape[1]), self.chunk_embs[None].expand(n, -1, -1)], dim=2)
        for i, lin in enumerate(self.linears):
            h = lin(h)
            if i < len(self.linears) - 1:
                h = F.relu(h)
        flat = h.reshape(n, -1)[:, : self.num_outputs]
        out, offset = [], 0
        for s in self.target_shapes:
            size = int(torch.tensor(s).prod())
            out.append(flat[:, offset : offset + size].reshape(n, *s))
            offset += size
        return out


IN, H, OUT = c["dims"]
hnet = ChunkedHMLP([[H, IN], [H], [OUT, H], [OUT]], c["chunkSize"], c["chunkEmb"], c["condSize"], c["hidden"])
with torch.no_grad():
    hnet.chunk_embs.copy_(P["head.chunk_embeddings"])
    names = ["head.hidden%d" % i for i in range(len(c["hidden"]))] + ["head.out"]
    for lin, name in zip(hnet.linears, names):
        # The engine holds a linear layer's weight as [in, out]; nn.Linear as [out, in].
        lin.weight.copy_(P[name + ".weight"].T)
        lin.bias.copy_(P[name + ".bias"])
    w1, b1, w2, b2 = [t[0] for t in hnet(P["emb.table"][c["task"] : c["task"] + 1])]
    x = torch.tensor(c["x"]).reshape(-1, IN)
    y = F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)
print(json.dumps({"w1": w1.reshape(-1).tolist(), "b1": b1.tolist(), "w2": w2.reshape(-1).tolist(), "b2": b2.tolist(), "y": y.reshape(-1).tolist()}))
`;

describe('chunked head against an independent PyTorch ChunkedHMLP (hypnettorch semantics)', () => {
  it(
    'one task, a 2-layer MLP target: generated weights and predictions agree within 1e-5',
    async () => {
      const [IN, H, OUT, B] = [6, 9, 4, 7];
      const chunk = { chunkSize: 16, chunkEmbeddingDim: 3, hidden: [10, 8], activation: 'relu' };
      // 6·9 + 9 + 9·4 + 4 = 103 outputs: 7 chunks of 16, the last cut, and chunks straddling tensors.
      const program = programOf(
        [
          { id: 'data', type: 'data.csv', params: { path: 'unused.csv', features: IN, classes: OUT } },
          { id: 'emb', type: 'context.task_embedding', params: { dim: 5 } },
          { id: 'head', type: 'head.chunked', params: chunk },
          { id: 'dense_1', type: 'target.dense', params: { units: H, activation: 'relu' } },
          { id: 'dense_2', type: 'target.dense', params: { units: OUT } },
          { id: 'loss', type: 'objective.cross_entropy' },
        ],
        [
          'data.task -> emb.task',
          'emb.embedding -> head.context',
          'data.x -> dense_1.x',
          'head.weights -> dense_1.kernel',
          'head.weights -> dense_1.bias',
          'dense_1.y -> dense_2.x',
          'head.weights -> dense_2.kernel',
          'head.weights -> dense_2.bias',
          'dense_2.y -> loss.logits',
          'data.y -> loss.labels',
        ],
      );
      const model = new Model(program, 9);
      const rng = new Rng(31);
      const feeds = randomFeeds(program, B, rng, { classes: OUT });
      try {
        await model.initHyperfan([feeds]);
        jitterParams(model, rng, 0.3);
        const id = (target: string, port: string) => program.generated.find((g) => g.target === target && g.targetPort === port)!.value;
        const ids = [id('dense_1', 'kernel'), id('dense_1', 'bias'), id('dense_2', 'kernel'), id('dense_2', 'bias'), 'dense_2.y'];
        const got = valuesOf(model, feeds, ids);
        const params = Object.fromEntries(program.params.map((p) => [p.name, { shape: p.shape, values: Array.from(paramValues(model, p.name)) }]));
        const file = join(dir, 'case.json');
        writeFileSync(
          file,
          JSON.stringify({ params, x: Array.from(feeds.x!.dataSync()), task: 0, dims: [IN, H, OUT], chunkSize: chunk.chunkSize, chunkEmb: chunk.chunkEmbeddingDim, condSize: 5, hidden: chunk.hidden }),
        );
        writeFileSync(join(dir, 'reference.py'), REFERENCE_PY);
        const ref = JSON.parse(python([join(dir, 'reference.py'), file]).stdout.trim().split('\n').pop()!) as Record<string, number[]>;
        // The engine's kernels are [in, out]; PyTorch's generated weights are [out, in].
        expect(maxAbsDiff(got.get(ids[0])!.data, transposed(ref.w1, H, IN))).toBeLessThan(1e-5);
        expect(maxAbsDiff(got.get(ids[1])!.data, ref.b1)).toBeLessThan(1e-5);
        expect(maxAbsDiff(got.get(ids[2])!.data, transposed(ref.w2, OUT, H))).toBeLessThan(1e-5);
        expect(maxAbsDiff(got.get(ids[3])!.data, ref.b2)).toBeLessThan(1e-5);
        expect(maxAbsDiff(got.get('dense_2.y')!.data, ref.y)).toBeLessThan(1e-5);
        // Not vacuous: the predictions vary.
        expect(Math.max(...ref.y) - Math.min(...ref.y)).toBeGreaterThan(1e-2);
      } finally {
        disposeFeeds(feeds);
        model.dispose();
      }
    },
    TIMEOUT,
  );
});
