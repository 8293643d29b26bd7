/**
 * Resource limits (issue 10, item 8): every template fits the default limits, an enormous valid chain compiles
 * and is refused at train start (CLI and app) with its estimate, and a worker out of memory is recorded on the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/shared/compiler/compile';
import { DEFAULT_RESOURCE_LIMITS, checkResources, estimateResources } from '../src/shared/compiler/estimate';
import { withFullBudget } from '../src/shared/compiler/variants';
import { parseDocument } from '../src/shared/document/load';
import { ended, harness } from './runs/helpers';
import { root } from './helpers/cli';
import { rejects } from './helpers/errors';
import { fixture, templateText } from './helpers/templates';

const LAYERS = 9990;
function chainText(): string {
  const nodes = [{ id: 'data', type: 'data.sinusoid', params: {}, position: { x: 0, y: 0 } }];
  const edges = [];
  let prev = 'data.x';
  for (let i = 0; i < LAYERS; i++) {
    nodes.push({ id: `d${i}`, type: 'target.dense', params: { units: i === LAYERS - 1 ? 1 : 80 } as never, position: { x: i, y: 0 } });
    edges.push({ source: prev.split('.')[0], sourcePort: prev.split('.')[1], target: `d${i}`, targetPort: 'x' });
    prev = `d${i}.y`;
  }
  nodes.push({ id: 'loss', type: 'objective.mse', params: {}, position: { x: 0, y: 0 } });
  edges.push({ source: prev.split('.')[0], sourcePort: 'y', target: 'loss', targetPort: 'prediction' });
  edges.push({ source: 'data', sourcePort: 'y', target: 'loss', targetPort: 'target' });
  return JSON.stringify({ format: 'hypernet-studio', version: 1, nodes, edges, training: {} });
}

const dir = mkdtempSync(join(tmpdir(), 'hnet-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resource limits', () => {
  it('every template, at its default and its full budget, fits the default limits', () => {
    for (const f of readdirSync(join(root, 'templates'))) {
      const parsed = parseDocument(readFileSync(join(root, 'templates', f), 'utf8'));
      expect(parsed.ok, f).toBe(true);
      if (!parsed.ok) continue;
      const docs = [parsed.doc];
      const full = withFullBudget(parsed.doc);
      if (full.ok) docs.push(full.doc);
      for (const doc of docs) {
        const program = compile(doc).program!;
        expect(checkResources(estimateResources(program, program.training.batchSize), DEFAULT_RESOURCE_LIMITS, 'x'), f).toBeNull();
      }
    }
  });

  it(`a valid ${LAYERS}-layer chain compiles and is refused at train start with its estimate`, { timeout: 120_000 }, async () => {
    const text = chainText();
    const heapBefore = process.memoryUsage().heapUsed;
    const parsed = parseDocument(text);
    expect(parsed.ok).toBe(true);
    const result = compile(parsed.ok ? parsed.doc : (null as never));
    expect(result.problems).toEqual([]);
    // Compiling holds the graph and its IR, not anything the size of the model (64 M parameters).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(500e6);
    const e = estimateResources(result.program!, 32);
    expect(e.parameterBytes).toBeGreaterThan(DEFAULT_RESOURCE_LIMITS.maxBytes);

    const file = join(dir, 'chain.hnet.json');
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'train', file, '--steps', '1'], { encoding: 'utf8', timeout: 110_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/this run is too large: memory \d+\.\d GB over the limit of 1\.0 GB/);
    expect(r.stderr).toMatch(/--max-memory GB and --max-gflops N \(HN046\)/);
    // The flags it names are there: a lower limit refuses a template that the default lets through.
    const lowered = spawnSync(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'train', join(root, 'templates', 'sinusoid-family.hnet.json'), '--steps', '1', '--max-memory', '0.0001'], { encoding: 'utf8', timeout: 110_000 });
    expect(lowered.stderr).toMatch(/over the limit of 100\.0 kB/);
    expect(lowered.status).toBe(1);
    const raised = spawnSync(process.execPath, [join(root, 'bin', 'hnet.mjs'), 'train', join(root, 'templates', 'sinusoid-family.hnet.json'), '--steps', '1', '--max-memory', '4', '--max-gflops', '100'], { encoding: 'utf8', timeout: 110_000 });
    expect(raised.stderr).not.toMatch(/unknown option/);
    expect(raised.status).toBe(0);

    const h = harness(dir);
    try {
      await rejects(h.service.invoke('run.start', { documentText: text, handle: null }, 'w'), 'invalid_document', /too large.*hnet serve --max-memory/s);
    } finally {
      await h.service.close();
    }
  });

  it('a worker out of memory ends its run crashed with HN061 recorded; the app carries on', { timeout: 120_000 }, async () => {
    const h = harness(dir, { worker: { workerUrl: fixture('worker-oom.mjs'), resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } } });
    try {
      const { runId } = await h.service.invoke('run.start', { documentText: templateText('sinusoid-family'), handle: null }, 'w');
      const summary = await ended(h.service, runId);
      expect(summary.status).toBe('crashed');
      expect(summary.error).toMatchObject({ code: 'HN061' });
      expect(summary.error?.message).toMatch(/ran out of memory/);
      const record = JSON.parse(readFileSync(join(dir, 'runs', runId, 'run.json'), 'utf8'));
      expect(record.error.code).toBe('HN061');
      expect((await h.service.invoke('templates.list', {}, 'w')).length).toBeGreaterThan(0);
    } finally {
      await h.service.close();
    }
  });
});
