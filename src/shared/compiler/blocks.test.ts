import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBlock, ungroupBlock } from '../../renderer/src/store/blockOps';
import { generatePytorch } from '../codegen/pytorch';
import { generateTypescript } from '../codegen/typescript';
import { blockTree, endAt, resolvePort } from '../document/blocks';
import { parseDocument } from '../document/load';
import type { HnetDocument } from '../document/schema';
import { compile } from './compile';
import { formatProblem } from './errors';

const root = join(__dirname, '..', '..', '..');
function template(name: string): HnetDocument {
  const r = parseDocument(readFileSync(join(root, 'templates', `${name}.hnet.json`), 'utf8'));
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('; '));
  return r.doc;
}

/** Split MNIST with its task embedding and chunked head made into one block. */
function blocked(): { doc: HnetDocument; id: string; flat: HnetDocument } {
  const flat = template('split-mnist-hnet');
  const r = makeBlock(flat, new Set(['task_emb', 'hyper']), undefined, 'Generator');
  if (!r) throw new Error('no block');
  return { doc: r.doc, id: r.id, flat };
}

describe('blocks in the compiler', () => {
  it('a graph with a block compiles to exactly the program and the code of the same graph without it', () => {
    const { doc, flat } = blocked();
    const a = compile(doc);
    const b = compile(flat);
    expect(a.problems).toEqual([]);
    expect(a.program).toEqual(b.program);
    expect(a.budget).toEqual(b.budget);
    expect(generateTypescript(a.program!)).toEqual(generateTypescript(b.program!));
    expect(generatePytorch(a.program!)).toEqual(generatePytorch(b.program!));
  });

  it('gives the block the ports of the wires that cross its boundary, and draws them there', () => {
    const { doc, id } = blocked();
    const block = doc.nodes.find((n) => n.id === id)!;
    expect(block.block?.inputs).toEqual([{ name: 'task', node: 'task_emb', port: 'task' }]);
    expect(block.block?.outputs).toEqual([{ name: 'weights', node: 'hyper', port: 'weights' }]);
    const tree = blockTree(doc.nodes);
    expect(tree.scope('hyper')).toBe(id);
    expect(resolvePort(tree, id, 'outputs', 'weights')).toEqual({ node: 'hyper', port: 'weights' });
    expect(endAt(tree, undefined, 'outputs', { node: 'hyper', port: 'weights' })).toEqual({ node: id, port: 'weights' });
    expect(endAt(tree, id, 'outputs', { node: 'hyper', port: 'weights' })).toEqual({ node: 'hyper', port: 'weights' });
    expect(endAt(tree, id, 'inputs', { node: 'dense_1', port: 'kernel' })).toBeUndefined();
  });

  it('names a node inside a block by its block in problems (block/node.port)', () => {
    const { doc, id } = blocked();
    const bad = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'hyper' ? { ...n, params: { ...n.params, chunkSize: -3 } } : n)) };
    const r = compile(bad);
    expect(r.ok).toBe(false);
    const p = r.problems.find((q) => q.node === 'hyper');
    expect(p?.scope).toBe(id);
    expect(formatProblem(p!)).toMatch(new RegExp(`^${id}/hyper\\.chunkSize: `));
  });

  it('refuses a wire that crosses a block without a port, a port that names nothing and a parent that is not a block', () => {
    const { doc, id } = blocked();
    const noPort = { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, block: { ...n.block!, outputs: [] } } : n)) };
    const r1 = compile(noPort);
    expect(r1.problems.map((p) => p.code)).toContain('HN072');
    expect(formatProblem(r1.problems.find((p) => p.code === 'HN072')!)).toMatch(new RegExp(`${id}/hyper\\.weights: the wire hyper\\.weights → dense_1\\.kernel leaves block "${id}"`));

    const badPort = { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, block: { ...n.block!, inputs: [{ name: 'task', node: 'task_emb', port: 'nope' }] } } : n)) };
    expect(compile(badPort).problems.find((p) => p.code === 'HN071')?.message).toMatch(/task_emb has no input "nope"/);

    const notBlock = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'hyper' ? { ...n, parent: 'dense_1' } : n)) };
    expect(compile(notBlock).problems.find((p) => p.code === 'HN070')?.message).toMatch(/inside "dense_1", which is a target.dense node, not a block/);

    const loop = {
      ...doc,
      nodes: [...doc.nodes.map((n) => (n.id === id ? { ...n, parent: 'b2' } : n)), { id: 'b2', type: 'block', parent: id, params: {}, position: { x: 0, y: 0 } }],
    };
    expect(compile(loop).problems.some((p) => p.code === 'HN070' && /loop/.test(p.message))).toBe(true);

    const promoted = { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, block: { ...n.block!, promoted: [{ node: 'hyper', param: 'nope' }] } } : n)) };
    expect(compile(promoted).problems.find((p) => p.code === 'HN073')?.message).toMatch(/has no parameter "nope"/);
  });

  it('refuses a wire joined to the block node itself', () => {
    const { doc, id } = blocked();
    const wired = { ...doc, edges: [...doc.edges, { source: id, sourcePort: 'weights', target: 'dense_1', targetPort: 'x' }] };
    expect(compile(wired).problems.find((p) => p.code === 'HN021')?.message).toMatch(/which is a block/);
  });

  it('nests: a block made inside a block routes the outer ports through the inner one, and ungrouping both gives the flat graph back', () => {
    const { doc, id, flat } = blocked();
    const inner = makeBlock(doc, new Set(['hyper']), id, 'Head');
    if (!inner) throw new Error('no inner block');
    const outer = inner.doc.nodes.find((n) => n.id === id)!;
    expect(outer.block?.outputs).toEqual([{ name: 'weights', node: inner.id, port: 'weights' }]);
    const tree = blockTree(inner.doc.nodes);
    expect(resolvePort(tree, id, 'outputs', 'weights')).toEqual({ node: 'hyper', port: 'weights' });
    expect(tree.scope('hyper')).toBe(`${id}/${inner.id}`);
    const r = compile(inner.doc);
    expect(r.problems).toEqual([]);
    expect(r.program).toEqual(compile(flat).program);
    const back = ungroupBlock(ungroupBlock(inner.doc, inner.id), id);
    expect(back.nodes.map((n) => ({ ...n, parent: n.parent }))).toEqual(flat.nodes);
    expect(back.edges).toEqual(flat.edges);
  });
});
