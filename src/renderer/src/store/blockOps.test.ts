import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../shared/compiler/compile';
import { formatProblem } from '../../../shared/compiler/errors';
import { readBlockFile } from '../../../shared/document/blocks';
import { parseDocument } from '../../../shared/document/load';
import type { HnetDocument } from '../../../shared/document/schema';
import { levelOf } from '../canvas/level';
import { addBlockPort, blockToFile, makeBlock, portNameProblem, removeBlockPort, renameBlockPort, togglePromoted, unexposedPorts } from './blockOps';
import { connect, connectionProblem, copyFragment, pasteFragment, removeElements } from './docOps';

const root = join(__dirname, '..', '..', '..', '..');
function template(name: string): HnetDocument {
  const r = parseDocument(readFileSync(join(root, 'templates', `${name}.hnet.json`), 'utf8'));
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('; '));
  return r.doc;
}
function blocked() {
  const r = makeBlock(template('split-mnist-hnet'), new Set(['task_emb', 'hyper']), undefined, 'Generator');
  if (!r) throw new Error('no block');
  return r;
}

describe('block edits', () => {
  it('the top level shows the block with its wires on its ports; its inside shows the boundary', () => {
    const { doc, id } = blocked();
    const top = levelOf(doc, undefined);
    expect(top.nodes.map((n) => n.id)).not.toContain('hyper');
    expect(top.nodes.map((n) => n.id)).toContain(id);
    expect(top.edges.filter((e) => e.source === id).map((e) => `${e.sourceHandle}->${e.target}.${e.targetHandle}`)).toContain('weights->dense_1.kernel');
    expect(top.edges.find((e) => e.target === id)).toMatchObject({ source: 'digits', sourceHandle: 'task', targetHandle: 'task' });
    const inside = levelOf(doc, id);
    expect(inside.nodes.map((n) => n.id)).toEqual(['task_emb', 'hyper']);
    expect(inside.edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}.${e.targetHandle}`)).toEqual(
      expect.arrayContaining(['__block_inputs.task->task_emb.task', 'task_emb.embedding->hyper.context', 'hyper.weights->__block_outputs.weights']),
    );
  });

  it('wiring to a block port joins the inner port; the checks see the real ports', () => {
    const { doc, id } = blocked();
    const cut = { ...doc, edges: doc.edges.filter((e) => !(e.target === 'dense_3' && e.targetPort === 'bias')) };
    const c = { source: id, sourceHandle: 'weights', target: 'dense_3', targetHandle: 'bias' };
    expect(connectionProblem(cut, c)).toBeNull();
    const wired = connect(cut, c);
    expect(wired.edges[wired.edges.length - 1]).toEqual({ source: 'hyper', sourcePort: 'weights', target: 'dense_3', targetPort: 'bias' });
    expect(connectionProblem(wired, c)).toMatch(/already wired from hyper\.weights/);
    expect(connectionProblem(cut, { source: id, sourceHandle: 'nope', target: 'dense_3', targetHandle: 'bias' })).toMatch(/stands for no port/);
  });

  it('adds, renames and removes ports (wires through a removed port go with it)', () => {
    const { doc, id } = blocked();
    expect(unexposedPorts(doc, id, 'outputs', (n) => (n.id === 'task_emb' ? ['embedding'] : ['weights']))).toEqual([{ node: 'task_emb', port: 'embedding' }]);
    const added = addBlockPort(doc, id, 'outputs', { node: 'task_emb', port: 'embedding' });
    expect(added.nodes.find((n) => n.id === id)?.block?.outputs.map((p) => p.name)).toEqual(['weights', 'embedding']);
    expect(portNameProblem(added, id, 'outputs', 'embedding', 'weights')).toMatch(/already has an output named "weights"/);
    expect(portNameProblem(added, id, 'outputs', 'embedding', '9x')).toMatch(/starts with a letter/);
    const renamed = renameBlockPort(added, id, 'outputs', 'weights', 'w');
    expect(renamed.nodes.find((n) => n.id === id)?.block?.outputs.map((p) => p.name)).toEqual(['w', 'embedding']);
    expect(compile(renamed).problems).toEqual([]);
    const removed = removeBlockPort(renamed, id, 'outputs', 'w');
    expect(removed.edges.some((e) => e.source === 'hyper')).toBe(false);
    expect(removed.edges.some((e) => e.source === 'task_emb' && e.target === 'hyper')).toBe(true);
    expect(compile(removed).problems.map((p) => p.code)).not.toContain('HN072');
  });

  it('deleting a block deletes what is inside it; copying it copies the inside with fresh ids and references', () => {
    const { doc, id } = blocked();
    const gone = removeElements(doc, new Set([id]), new Set());
    expect(gone.nodes.map((n) => n.id)).not.toEqual(expect.arrayContaining(['hyper']));
    expect(gone.nodes.some((n) => n.id === 'task_emb' || n.id === id)).toBe(false);
    const promoted = togglePromoted(doc, id, 'hyper', 'chunkSize');
    const frag = copyFragment(promoted, new Set([id]))!;
    expect(frag.nodes.map((n) => n.id).sort()).toEqual([id, 'hyper', 'task_emb'].sort());
    const pasted = pasteFragment(promoted, frag, { x: 40, y: 40 });
    expect(pasted.ids).toHaveLength(1);
    const copy = pasted.doc.nodes.find((n) => n.id === pasted.ids[0])!;
    expect(copy.block?.outputs[0].node).not.toBe('hyper');
    expect(copy.block?.promoted[0].node).toBe(copy.block?.outputs[0].node);
    const inner = pasted.doc.nodes.filter((n) => n.parent === copy.id).map((n) => n.id);
    expect(inner).toHaveLength(2);
    expect(inner).toContain(copy.block?.outputs[0].node);
    expect(pasted.doc.edges.some((e) => inner.includes(e.source) && inner.includes(e.target))).toBe(true);
  });

  it('a block saved as a library file reads back and inserts beside its original with renamed nodes', () => {
    const { doc, id } = blocked();
    const file = blockToFile(doc, id)!;
    const read = readBlockFile(JSON.stringify(file));
    if (!read.ok) throw new Error(read.message);
    expect(read.file.nodes[0].parent).toBeUndefined();
    expect(read.file.edges).toEqual([{ source: 'task_emb', sourcePort: 'embedding', target: 'hyper', targetPort: 'context' }]);
    const ins = pasteFragment(doc, { nodes: read.file.nodes, edges: read.file.edges }, { x: 0, y: 300 });
    expect(new Set(ins.doc.nodes.map((n) => n.id)).size).toBe(ins.doc.nodes.length);
    expect(compile(ins.doc).problems.filter((p) => p.code.startsWith('HN07'))).toEqual([]);
    expect(readBlockFile('{"format":"hypernet-studio-block","version":2,"nodes":[{"id":"a","type":"target.dense"}]}')).toMatchObject({ ok: false, message: expect.stringMatching(/not a block/) });
    expect(readBlockFile('nope')).toMatchObject({ ok: false });
  });

  it('every shipped block reads, and the task-conditioned generator replaces Split MNIST’s own and trains the same program', () => {
    const dir = join(root, 'blocks');
    const files = readdirSync(dir).filter((f) => f.endsWith('.hnet-block.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(readBlockFile(readFileSync(join(dir, f), 'utf8')).ok, f).toBe(true);
    const gen = readBlockFile(readFileSync(join(dir, 'task-conditioned-chunked-generator.hnet-block.json'), 'utf8'));
    if (!gen.ok) throw new Error(gen.message);
    const flat = template('split-mnist-hnet');
    const without = removeElements(flat, new Set(['task_emb', 'hyper']), new Set());
    const ins = pasteFragment(without, { nodes: gen.file.nodes, edges: gen.file.edges }, { x: 300, y: 0 });
    let d = ins.doc;
    const block = ins.ids[0];
    d = connect(d, { source: 'digits', sourceHandle: 'task', target: block, targetHandle: 'task' });
    for (const t of ['dense_1', 'dense_2', 'dense_3'])
      for (const port of ['kernel', 'bias']) d = connect(d, { source: block, sourceHandle: 'weights', target: t, targetHandle: port });
    const r = compile(d);
    expect(r.problems).toEqual([]);
    expect(r.budget).toEqual(compile(flat).budget);
  });
});
