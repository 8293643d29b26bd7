/**
 * The safetensors export of a trained run (`run.exportWeights` with `format: 'safetensors'`), read in PyTorch with
 * a parser written here (8-byte header length, JSON header, raw little-endian data; not the safetensors package and
 * not the writer's code) and compared with the engine: the hypernetwork's parameters with the run's weights.json +
 * weights.bin export of the same checkpoint, each task's generated weights with what the inspector generates for
 * that task, and the metadata with the run's record.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeights } from '../../src/main/engine/checkpoint';
import { encodeSafetensors } from '../../src/main/engine/safetensors';
import { hnet, root } from '../helpers/cli';
import { rejects } from '../helpers/errors';
import { PYTHON, requireTorch } from '../helpers/python';
import { templateText } from '../helpers/templates';
import { ended, harness, type Harness } from './helpers';

/** Reads a .safetensors file with torch: prints {metadata, tensors: {name: {shape, dtype, values}}} as JSON. */
const READER = `
import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n].decode('utf-8'))
meta = header.pop('__metadata__', {})
data = raw[8 + n:]
out = {}
end = 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
    b, e = info['data_offsets']
    assert b == end, 'gap or overlap before ' + name
    end = e
    assert info['dtype'] == 'F32'
    t = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(info['shape'])
    out[name] = {'shape': list(t.shape), 'values': t.flatten().tolist()}
assert end == len(data), 'trailing bytes'
assert (8 + n) % 8 == 0, 'header not padded to 8'
print(json.dumps({'metadata': meta, 'tensors': out, 'names': list(header.keys())}))
`;

interface Read {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; values: number[] }>;
  names: string[];
}
const readInTorch = (file: string): Read => JSON.parse(execFileSync(PYTHON, ['-c', READER, file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 })) as Read;

let dir: string;
let h: Harness;
let handle: string;
const caller = 'w';

beforeAll(() => {
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), 'hnet-safetensors-'));
  const docPath = join(dir, 'toy.hnet.json');
  writeFileSync(docPath, templateText('toy-continual-regression'));
  h = harness(dir);
  handle = h.service.openPath(docPath).handle!;
});
afterAll(async () => {
  await h?.service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('safetensors export', () => {
  it('holds the hypernetwork and the weights it generates per task, as the engine has them, read in PyTorch', async () => {
    const documentText = templateText('toy-continual-regression');
    const { runId } = await h.service.invoke('run.start', { documentText, handle, overrides: { steps: 30, seed: 5 } }, caller);
    const summary = await ended(h.service, runId);
    expect(summary.status).toBe('done');

    const hnetFormat = await h.service.invoke('run.exportWeights', { runId }, caller);
    const st = await h.service.invoke('run.exportWeights', { runId, format: 'safetensors' }, caller);
    expect(st.files).toEqual(['model.safetensors']);
    const read = readInTorch(join(st.dir, 'model.safetensors'));
    expect(read.names).toEqual([...read.names].sort());

    // The hypernetwork's parameters: the same values as the run's own weights export.
    const own = readWeights(hnetFormat.dir);
    expect(own.size).toBeGreaterThan(0);
    for (const [name, p] of own) {
      expect(read.tensors[name].shape).toEqual(p.shape);
      expect(read.tensors[name].values).toEqual(Array.from(p.values));
    }

    // Each trained task's generated weights: what the inspector generates for the task.
    const tasks = summary.settings.tasks ?? [0, 1, 2];
    const generated = read.names.filter((n) => n.startsWith('generated/'));
    expect(generated.length).toBe(tasks.length * (await h.service.invoke('run.get', { runId }, caller)).outline.heads.flatMap((x) => x.routes).length);
    for (const task of tasks) {
      const inspected = await h.service.invoke('run.inspect', { runId, context: { task } }, caller);
      for (const w of inspected.weights) {
        const t = read.tensors[`generated/task${task}/${w.target}`];
        expect(t.shape).toEqual(w.shape);
        expect(w.stride).toEqual([1, 1]);
        expect(t.values.length).toBe(w.values.length);
        t.values.forEach((v, i) => expect(v).toBeCloseTo(w.values[i], 6));
      }
    }
    // Tasks differ: their generated weights do too.
    const kernel = (task: number) => read.tensors[generated.find((n) => n.startsWith(`generated/task${task}/`))!].values;
    expect(kernel(0)).not.toEqual(kernel(1));

    expect(read.metadata).toMatchObject({
      format: 'hypernet-studio-weights',
      run: runId,
      seed: '5',
      step: String(summary.step),
      document: documentText,
      document_sha256: summary.provenance!.documentHash,
      data_sha256: summary.provenance!.dataHash!,
      generated_for_tasks: JSON.stringify(tasks),
    });
    expect(JSON.parse(read.metadata.metrics)).toEqual(summary.metrics);

    // Chosen tasks only; a task the data does not have is refused by name.
    const one = await h.service.invoke('run.exportWeights', { runId, format: 'safetensors', tasks: [2] }, caller);
    expect(readInTorch(join(one.dir, 'model.safetensors')).names.filter((n) => n.startsWith('generated/')).every((n) => n.startsWith('generated/task2/'))).toBe(true);
    await rejects(h.service.invoke('run.exportWeights', { runId, format: 'safetensors', tasks: [7] }, caller), 'invalid_request', /task 7 does not exist/);
  }, 180_000);

  it('hnet train --save-safetensors writes the same, beside the --save export of the same run', () => {
    const out = join(dir, 'cli.safetensors');
    const r = hnet(['train', join(root, 'templates', 'toy-continual-regression.hnet.json'), '--steps', '15', '--seed', '3', '--save', join(dir, 'cli-weights'), '--save-safetensors', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`wrote ${out} (the hypernetwork and its weights generated for 3 tasks)`);
    const read = readInTorch(out);
    for (const [name, p] of readWeights(join(dir, 'cli-weights'))) expect(read.tensors[name].values).toEqual(Array.from(p.values));
    expect(read.names.filter((n) => n.startsWith('generated/task1/'))).toEqual([
      'generated/task1/dense_1.bias',
      'generated/task1/dense_1.kernel',
      'generated/task1/dense_2.bias',
      'generated/task1/dense_2.kernel',
      'generated/task1/dense_3.bias',
      'generated/task1/dense_3.kernel',
    ]);
    expect(read.tensors['generated/task1/dense_2.kernel'].shape).toEqual([10, 10]);
    expect(read.metadata).toMatchObject({ seed: '3', step: '45', generated_for_tasks: '[0,1,2]', document: templateText('toy-continual-regression') });
    expect(read.metadata.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    const twin = hnet(['train', join(root, 'templates', 'toy-continual-regression.hnet.json'), '--baseline', 'static', '--save-safetensors', out]);
    expect(twin.status).toBe(2);
    expect(twin.stderr).toMatch(/--save-safetensors, --checkpoint and --resume apply to one/);
  }, 120_000);

  it('lays the file out as the format says: sorted names, contiguous data, an 8-aligned header', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'b', shape: [2], values: [1.5, -2] },
        { name: 'a', shape: [1, 3], values: [0, 1, 2] },
      ],
      { k: 'v' },
    );
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header).toEqual({ a: { dtype: 'F32', shape: [1, 3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] }, __metadata__: { k: 'v' } });
    expect(bytes.length).toBe(8 + n + 20);
    expect(bytes.readFloatLE(8 + n + 12)).toBe(1.5);
    expect(() => encodeSafetensors([{ name: 'x', shape: [2, 2], values: [1] }])).toThrow(/shape \[2, 2\] holds 4 values, not 1/);
  });
});
