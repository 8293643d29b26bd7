/** Shape-only tests of the compiler: inference, per-task vs per-sample generation, the budget, and errors. */
import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import { formatProblem } from './errors';
import { testDoc } from './testDoc';

const sinusoidMlp = (head: [string, string, Record<string, unknown>?], context: 'context' | 'x' = 'context') =>
  testDoc(
    [
      ['data', 'data.sinusoid'],
      ...(context === 'x' ? ([['enc', 'context.mlp_encoder', { hidden: [], outDim: 4 }]] as [string, string, Record<string, unknown>][]) : []),
      head,
      ['d1', 'target.dense', { units: 16, activation: 'relu' }],
      ['d2', 'target.dense', { units: 1 }],
      ['loss', 'objective.mse'],
    ],
    [
      ...(context === 'x' ? ['data.x -> enc.x', 'enc.context -> h.context'] : ['data.context -> h.context']),
      'data.x -> d1.x',
      'd1.y -> d2.x',
      'h.weights -> d1.kernel',
      'h.weights -> d1.bias',
      'h.weights -> d2.kernel',
      'd2.y -> loss.prediction',
      'data.y -> loss.target',
    ],
  );

describe('shape inference', () => {
  it('sizes a head from what it drives, split in wiring order', () => {
    const r = compile(sinusoidMlp(['h', 'head.linear']));
    expect(r.problems).toEqual([]);
    const g = r.program!.generated;
    expect(g.map((x) => [x.target, x.targetPort, x.shape, x.perSample])).toEqual([
      ['d1', 'kernel', [1, 16], false],
      ['d1', 'bias', [16], false],
      ['d2', 'kernel', [16, 1], false],
    ]);
    // Linear head: W [2, 16+16+16] and b [48]; d2's bias is owned.
    expect(r.budget).toEqual({ hyper: 2 * 48 + 48, generated: 48, ordinary: 1, compression: 144 / 48 });
  });

  it('generates one weight set per sample when the context has batch B', () => {
    const r = compile(sinusoidMlp(['h', 'head.linear'], 'x'));
    expect(r.problems).toEqual([]);
    const kernel = r.program!.generated.find((g) => g.target === 'd1' && g.targetPort === 'kernel')!;
    expect(kernel.perSample).toBe(true);
    expect(kernel.shape).toEqual(['B', 1, 16]);
    const d1 = r.program!.ops.find((o) => o.node === 'd1' && o.op === 'linear')!;
    expect(d1).toMatchObject({ op: 'linear', perSample: true });
    const labels = [...r.inference!.edgeLabels.values()];
    expect(labels).toContain('B × [1, 16]');
    expect(labels).toContain('[B, 4]');
  });

  it('labels per-task weights with the target parameter shape', () => {
    const r = compile(sinusoidMlp(['h', 'head.mlp', { hidden: [8] }]));
    const doc = sinusoidMlp(['h', 'head.mlp', { hidden: [8] }]);
    const i = doc.edges.findIndex((e) => e.targetPort === 'kernel' && e.target === 'd1');
    expect(r.inference!.edgeLabels.get(i)).toBe('[1, 16]');
  });

  it('gives a chunked head fewer parameters than it generates', () => {
    const doc = testDoc(
      [
        ['data', 'data.mnist'],
        ['z', 'context.learned_vector', { dim: 8 }],
        ['h', 'head.chunked', { chunkSize: 500, chunkEmbeddingDim: 8, hidden: [16] }],
        ['d1', 'target.dense', { units: 100, activation: 'relu' }],
        ['d2', 'target.dense', { units: 10 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['z.z -> h.context', 'data.x -> d1.x', 'd1.y -> d2.x', 'h.weights -> d1.kernel', 'h.weights -> d2.kernel', 'd2.y -> loss.logits', 'data.y -> loss.labels'],
    );
    const r = compile(doc);
    expect(r.problems).toEqual([]);
    expect(r.budget!.generated).toBe(784 * 100 + 100 * 10);
    expect(r.budget!.compression).toBeLessThan(1);
  });

  it('generates conv kernels with Ha\'s two-stage head', () => {
    const doc = testDoc(
      [
        ['data', 'data.mnist', { layout: 'image' }],
        ['z', 'context.learned_vector', { dim: 4 }],
        ['h', 'head.ha_static', { innerDim: 4 }],
        ['c1', 'target.conv2d', { filters: 8, kernelSize: 5, activation: 'relu' }],
        ['p', 'target.pool'],
        ['f', 'target.flatten'],
        ['d', 'target.dense', { units: 10 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['z.z -> h.z', 'data.x -> c1.x', 'h.weights -> c1.kernel', 'c1.y -> p.x', 'p.y -> f.x', 'f.y -> d.x', 'd.y -> loss.logits', 'data.y -> loss.labels'],
    );
    const r = compile(doc);
    expect(r.problems).toEqual([]);
    expect(r.program!.generated[0].shape).toEqual([5, 5, 1, 8]);
    expect(r.inference!.values.get('f.y')).toMatchObject({ shape: ['B', 14 * 14 * 8] });
  });
});

describe('errors name the node and port', () => {
  const messages = (doc: ReturnType<typeof testDoc>) => compile(doc).problems.map(formatProblem);

  it('unknown node type, with a suggestion', () => {
    const m = messages(testDoc([['data', 'data.sinusoid'], ['h', 'head.mpl']], []));
    expect(m.join('\n')).toMatch(/^h: unknown node type "head\.mpl"; did you mean "head\.mlp"/m);
  });

  it('duplicate ids, missing nodes and ports, wrong kinds, double wiring', () => {
    const doc = testDoc(
      [
        ['data', 'data.sinusoid'],
        ['d', 'target.dense'],
        ['d', 'target.dense'],
        ['e', 'target.dense'],
        ['loss', 'objective.mse'],
      ],
      ['data.x -> d.x', 'data.y -> e.x', 'data.x -> e.x', 'data.task -> loss.prediction', 'data.x -> ghost.x', 'data.nope -> loss.target'],
    );
    const m = messages(doc).join('\n');
    expect(m).toMatch(/^d: node id "d" is used more than once.*\(HN010\)$/m);
    expect(m).toMatch(/^e\.x: is already driven by data\.y.*\(HN023\)$/m);
    expect(m).toMatch(/^loss\.prediction: expects a tensor wire but data\.task carries task \(HN022\)$/m);
    expect(m).toMatch(/^data\.x: edge to missing node "ghost" \(HN020\)$/m);
    expect(m).toMatch(/^data\.nope: has no output "nope" \(outputs: x, y, task, context\)/m);
    expect(m).toMatch(/^loss\.target: input "target" is not wired/m);
  });

  it('cycles are named', () => {
    const doc = testDoc(
      [
        ['data', 'data.sinusoid'],
        ['a', 'target.add'],
        ['b', 'target.activation'],
        ['loss', 'objective.mse'],
      ],
      ['data.x -> a.a', 'b.y -> a.b', 'a.y -> b.x', 'b.y -> loss.prediction', 'data.y -> loss.target'],
    );
    expect(messages(doc).join('\n')).toMatch(/the graph has a cycle: (a → b → a|b → a → b) \(HN025\)/);
  });

  it('shape mismatches name the port and both shapes', () => {
    const doc = testDoc(
      [
        ['data', 'data.mnist', { layout: 'image' }],
        ['d', 'target.dense', { units: 10 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['data.x -> d.x', 'd.y -> loss.logits', 'data.y -> loss.labels'],
    );
    expect(messages(doc)).toEqual(['d.x: expects [batch, features]; add a Flatten first, got [B, 28, 28, 1] (HN030)']);
  });

  it('absurd sizes are refused before anything is allocated', () => {
    const doc = testDoc(
      [
        ['data', 'data.sinusoid'],
        ['d', 'target.dense', { units: 1e9 }],
        ['loss', 'objective.mse'],
      ],
      ['data.x -> d.x', 'd.y -> loss.prediction', 'data.y -> loss.target'],
    );
    expect(messages(doc).join('\n')).toMatch(/^d\.units: Units must be at most 1000000 \(HN013\)$/m);
  });

  it('large products of valid sizes are refused too', () => {
    const doc = testDoc(
      [
        ['data', 'data.mnist'],
        ['d1', 'target.dense', { units: 1_000_000 }],
        ['d2', 'target.dense', { units: 1_000_000 }],
        ['loss', 'objective.mse'],
      ],
      ['data.x -> d1.x', 'd1.y -> d2.x', 'd2.y -> loss.prediction', 'data.y -> loss.target'],
    );
    expect(messages(doc).join('\n')).toMatch(/^d1\.kernel: kernel would have \[784, 1000000\].*\(HN013\)$/m);
  });

  it('wrong parameter types name the field', () => {
    const doc = testDoc([['data', 'data.sinusoid'], ['d', 'target.dense', { units: 'many' }]], []);
    expect(messages(doc).join('\n')).toMatch(/^d\.units: Units must be a number \(HN012\)$/m);
  });

  it('a head that drives nothing, and per-sample conv kernels', () => {
    const doc = testDoc(
      [
        ['data', 'data.mnist', { layout: 'image' }],
        ['enc', 'context.conv_encoder'],
        ['h', 'head.mlp'],
        ['h2', 'head.linear'],
        ['c', 'target.conv2d'],
        ['f', 'target.flatten'],
        ['d', 'target.dense', { units: 10 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['data.x -> enc.x', 'enc.context -> h.context', 'enc.context -> h2.context', 'data.x -> c.x', 'h.weights -> c.kernel', 'c.y -> f.x', 'f.y -> d.x', 'd.y -> loss.logits', 'data.y -> loss.labels'],
    );
    const m = messages(doc).join('\n');
    expect(m).toMatch(/^h2\.weights: drives no weights port.*\(HN032\)$/m);
    const withoutIdle = { ...doc, nodes: doc.nodes.filter((n) => n.id !== 'h2'), edges: doc.edges.filter((e) => e.target !== 'h2') };
    expect(messages(withoutIdle).join('\n')).toMatch(/^c\.kernel: per-sample convolution weights are not supported.*\(HN033\)$/m);
  });

  it('no dataset, no objective', () => {
    const m = messages(testDoc([['d', 'target.dense']], []));
    expect(m.join('\n')).toMatch(/no dataset.*\(HN040\)/);
    expect(m.join('\n')).toMatch(/no objective.*\(HN042\)/);
  });

  it('an unknown data or objective type is reported as unknown, not also as a missing dataset or objective', () => {
    const m = messages(testDoc([['data', 'data.mnsit'], ['d', 'target.dense'], ['loss', 'objective.cross_entropyy']], [])).join('\n');
    expect(m).toMatch(/data\.mnsit/);
    expect(m).toMatch(/objective\.cross_entropyy/);
    expect(m).not.toMatch(/HN040|HN042/);
  });
});

describe('warnings', () => {
  const embeddingOn = (data: string) =>
    testDoc(
      [
        ['data', data],
        ['emb', 'context.task_embedding', { dim: 4 }],
        ['h', 'head.linear'],
        ['d', 'target.dense', { units: 2 }],
        ['loss', 'objective.cross_entropy'],
      ],
      ['data.task -> emb.task', 'emb.embedding -> h.context', 'data.x -> d.x', 'h.weights -> d.kernel', 'd.y -> loss.logits', 'data.y -> loss.labels'],
    );

  it('a task embedding on single-task data compiles, with a warning on the node that its context is constant', () => {
    const r = compile(embeddingOn('data.spirals'));
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'HN034', node: 'emb', port: 'task', severity: 'warning' })]);
    expect(formatProblem(r.warnings[0])).toMatch(/^emb\.task: this context is constant: the dataset has one task, .*same generated weights.* \(HN034\)$/);
  });

  it('a task embedding on several tasks has none', () => {
    const r = compile(embeddingOn('data.split_mnist'));
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('are reported when the graph has errors too', () => {
    const doc = embeddingOn('data.spirals');
    doc.nodes.push({ ...doc.nodes.find((n) => n.id === 'd')!, id: 'unwired' });
    const r = compile(doc);
    expect(r.ok).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['HN034']);
  });
});
