/**
 * `hnet validate` reads the files a data node names as a run would (the app's data.probe): a missing file or a
 * column the header lacks makes the document invalid, naming the node and the param; a good file passes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hnet } from './helpers/cli';
import { editedTemplate } from './helpers/templates';

const TIMEOUT = 120_000;
let dir: string;

/** The spirals template reading its points from a CSV (x, y, label). */
const csvDoc = (params: Record<string, unknown>) =>
  editedTemplate('spirals-per-sample', (doc) => {
    const data = doc.nodes.find((n: { id: string }) => n.id === 'spirals');
    data.type = 'data.csv';
    data.params = { features: 2, classes: 3, labelColumn: 'label', ...params };
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-validate-data-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'points.csv'), ['x,y,label', ...Array.from({ length: 30 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 3}`)].join('\n') + '\n');
  writeFileSync(join(dir, 'good.hnet.json'), csvDoc({ path: 'data/points.csv' }));
  writeFileSync(join(dir, 'missing.hnet.json'), csvDoc({ path: 'data/nope.csv' }));
  writeFileSync(join(dir, 'column.hnet.json'), csvDoc({ path: 'data/points.csv', labelColumn: 'class' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hnet validate reads the data files', () => {
  it('a document whose CSV is there and fits is ok', () => {
    const r = hnet(['validate', join(dir, 'good.hnet.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok /);
  }, TIMEOUT);

  it('a missing file and a missing column are problems naming the node and param', () => {
    const r = hnet(['validate', join(dir, 'missing.hnet.json'), join(dir, 'column.hnet.json')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/invalid .*missing\.hnet\.json\n\s+spirals\.path: file not found: .*nope\.csv \(HN051\)/);
    expect(r.stdout).toMatch(/invalid .*column\.hnet\.json\n\s+spirals\.labelColumn: no column named "class" in the header of data\/points\.csv/);
    const json = hnet(['validate', '--json', join(dir, 'missing.hnet.json')]);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ ok: false, problems: [{ code: 'HN051', node: 'spirals', port: 'path', path: 'params.path' }] });
  }, TIMEOUT);

  it('--no-check-data leaves the files unread', () => {
    const r = hnet(['validate', '--no-check-data', join(dir, 'missing.hnet.json')]);
    expect(r.status, r.stdout).toBe(0);
  }, TIMEOUT);
});
