import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../document/load';
import type { HnetDocument } from '../document/schema';
import { compile } from './compile';
import { formatProblem } from './errors';

function sinusoid(): HnetDocument {
  const r = parseDocument(readFileSync(join(__dirname, '..', '..', '..', 'templates', 'sinusoid-family.hnet.json'), 'utf8'));
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('; '));
  return r.doc;
}
const setBypass = (doc: HnetDocument, id: string, on = true): HnetDocument => ({ ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, bypass: on } : n)) });

describe('bypass', () => {
  it('a bypassed layer is left out: the program is the one of the graph wired around it', () => {
    const doc = sinusoid();
    const by = compile(setBypass(doc, 'dense_2'));
    expect(by.problems).toEqual([]);
    // The same graph by hand: dense_2 removed, dense_1.y wired to dense_3.x.
    const manual: HnetDocument = {
      ...doc,
      nodes: doc.nodes.filter((n) => n.id !== 'dense_2'),
      edges: doc.edges
        .filter((e) => e.target !== 'dense_2')
        .map((e) => (e.source === 'dense_2' ? { ...e, source: 'dense_1', sourcePort: 'y' } : e)),
    };
    const ref = compile(manual);
    expect(ref.problems).toEqual([]);
    expect(by.program).toEqual(ref.program);
    expect(by.budget!.generated).toBeLessThan(compile(doc).budget!.generated);
    // Turned off again, the document compiles as before.
    expect(compile(setBypass(doc, 'dense_2', false)).program).toEqual(compile(doc).program);
  });

  it('two bypassed layers in a row pass through both', () => {
    const doc = sinusoid();
    const r = compile(setBypass(setBypass(doc, 'dense_1'), 'dense_2'));
    // dense_3 now reads the data's x directly: its kernel becomes [1, 1].
    expect(r.problems).toEqual([]);
    expect(r.inference?.weights.get('dense_3')?.find((w) => w.port === 'kernel')?.shape).toEqual([1, 1]);
  });

  it('a node that cannot pass a tensor through is refused by name; an unwired bypassed layer says so', () => {
    const doc = sinusoid();
    expect(formatProblem(compile(setBypass(doc, 'hyper')).problems.find((p) => p.code === 'HN074')!)).toMatch(/^hyper: is bypassed, but a .* node has no tensor input and output/);
    const cut = { ...setBypass(doc, 'dense_2'), edges: doc.edges.filter((e) => !(e.target === 'dense_2' && e.targetPort === 'x')) };
    expect(compile(cut).problems.find((p) => p.node === 'dense_2')?.message).toMatch(/bypassed, but its input "x" is not wired/);
  });
});
