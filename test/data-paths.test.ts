/**
 * The data path policy end to end (issue 10, item 5): a document's data file is read only from the document's
 * folder or a folder the user granted (`hnet train/export --allow-data DIR`, the app service's grants, which
 * `hnet serve --data DIR` and the Electron Open dialog feed), and no error, on the terminal or in a run's
 * record, carries the file's contents.
 */
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ended, harness, type Harness } from './runs/helpers';
import { hnet } from './helpers/cli';
import { editedTemplate } from './helpers/templates';

const TIMEOUT = 120_000;
const SECRET = 'hunter2-SECRET-7f3a';

let dir: string;
let docDir: string;
let outside: string;

/** The spirals template reading its points from a CSV at `path` (x, y, label). */
const csvDoc = (path: string) =>
  editedTemplate('spirals-per-sample', (doc) => {
    const data = doc.nodes.find((n: { id: string }) => n.id === 'spirals');
    data.type = 'data.csv';
    data.params = { path, features: 2, classes: 3, labelColumn: 'label' };
    doc.training.steps = 5;
  });

const points = (header = 'x,y,label') => [header, ...Array.from({ length: 30 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 3}`)].join('\n') + '\n';

/** Every file under `d`, as text. */
function allText(d: string): string {
  return readdirSync(d, { recursive: true, encoding: 'utf8' })
    .map((f) => join(d, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-datapaths-'));
  docDir = join(dir, 'project');
  outside = join(dir, 'outside');
  mkdirSync(docDir);
  mkdirSync(outside);
  writeFileSync(join(outside, 'points.csv'), points());
  // A file that is not data: a header line that is a secret, then a row whose cell is the secret.
  writeFileSync(join(docDir, 'bad.csv'), `x,y,label\n1,2,0\n${SECRET},3,1\n`);
  writeFileSync(join(docDir, 'outside.hnet.json'), csvDoc('../outside/points.csv'));
  writeFileSync(join(docDir, 'bad.hnet.json'), csvDoc('bad.csv'));
  writeFileSync(join(docDir, 'environ.hnet.json'), csvDoc('/proc/self/environ'));
  // A 2 MiB file with nothing written (sparse), for --max-data-mb 1.
  const fd = openSync(join(docDir, 'big.csv'), 'w');
  ftruncateSync(fd, 2 * 1024 * 1024);
  closeSync(fd);
  writeFileSync(join(docDir, 'big.hnet.json'), csvDoc('big.csv'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runs started through the app service (the editor, hnet serve)', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.service.close();
  });

  async function runOf(service: Harness['service'], file: string) {
    const { handle } = service.openPath(join(docDir, file));
    const { runId } = await service.invoke('run.start', { documentText: readFileSync(join(docDir, file), 'utf8'), handle }, 'w');
    return { runId, summary: await ended(service, runId) };
  }

  it('a path outside the document folder fails the run with HN054 and how to grant; nothing of the file is recorded', async () => {
    h = harness(join(dir, 'app-1'));
    const { summary } = await runOf(h.service, 'outside.hnet.json');
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatchObject({ code: 'HN054', node: 'spirals' });
    expect(summary.error!.message).toMatch(/path: \.\.\/outside\/points\.csv is outside the document's folder.*hnet serve --data /);
    const env = await runOf(h.service, 'environ.hnet.json');
    expect(env.summary.error).toMatchObject({ code: 'HN054' });
    const recorded = allText(join(docDir, 'environ.runs'));
    for (const [name, value] of Object.entries(process.env)) if (name.length > 3 && value && value.length > 8) expect(recorded).not.toContain(`${name}=${value}`);
  }, TIMEOUT);

  it("a file's contents appear in no error and no run record", async () => {
    h ??= harness(join(dir, 'app-1'));
    const { summary } = await runOf(h.service, 'bad.hnet.json');
    expect(summary.error).toMatchObject({ code: 'HN051' });
    expect(summary.error!.message).toMatch(/bad\.csv line 3, column 1: expected a plain decimal number/);
    expect(allText(join(docDir, 'bad.runs'))).not.toContain(SECRET);
  }, TIMEOUT);

  it('a granted folder is read (what hnet serve --data DIR and the Open dialog grant)', async () => {
    const granted = harness(join(dir, 'app-2'), { dataAccess: () => ({ dataGrants: [outside] }) });
    try {
      const { summary } = await runOf(granted.service, 'outside.hnet.json');
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('done');
    } finally {
      await granted.service.close();
    }
  }, TIMEOUT);
});

describe('the command line', () => {
  it('hnet train refuses a path outside the folder, naming --allow-data; with it, trains', () => {
    const refused = hnet(['train', join(docDir, 'outside.hnet.json'), '--json'], { cwd: dir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/spirals: path: \.\.\/outside\/points\.csv is outside the document's folder.*--allow-data .*outside.*\(HN054\)/);
    const allowed = hnet(['train', join(docDir, 'outside.hnet.json'), '--json', '--allow-data', outside], { cwd: dir });
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout.trim().split('\n').at(-1)).toMatch(/^\{"event":"done"/);
  }, TIMEOUT);

  it('hnet train: no file contents in errors; --max-data-mb; a grant that is not a folder is a usage error', () => {
    const bad = hnet(['train', join(docDir, 'bad.hnet.json')], { cwd: dir });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/line 3, column 1: expected a plain decimal number/);
    expect(bad.stdout + bad.stderr).not.toContain(SECRET);
    const big = hnet(['train', join(docDir, 'big.hnet.json'), '--max-data-mb', '1'], { cwd: dir });
    expect(big.status).toBe(1);
    expect(big.stderr).toMatch(/path: big\.csv is 2 MiB, larger than the data file limit of 1 MiB: raise it with --max-data-mb.*\(HN055\)/);
    const notDir = hnet(['train', join(docDir, 'outside.hnet.json'), '--allow-data', join(dir, 'nope')], { cwd: dir });
    expect(notDir.status).toBe(2);
    expect(notDir.stderr).toMatch(/--allow-data .*nope: no such folder/);
    expect(hnet(['train', join(docDir, 'big.hnet.json'), '--max-data-mb', '0'], { cwd: dir }).status).toBe(2);
  }, TIMEOUT);

  it('hnet export reads data under the same policy', () => {
    const out = join(dir, 'export-out');
    const refused = hnet(['export', join(docDir, 'outside.hnet.json'), '--to', 'pytorch', '--out', out], { cwd: dir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is outside the document's folder.*\(HN054\)/);
    const allowed = hnet(['export', join(docDir, 'outside.hnet.json'), '--to', 'pytorch', '--out', out, '--allow-data', outside], { cwd: dir });
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
    expect(statSync(join(out, 'data', 'manifest.json')).isFile()).toBe(true);
  }, TIMEOUT);

  it('hnet serve --data: a grant that is not a folder is refused before anything starts', () => {
    const r = hnet(['serve', '--no-open', '--data', join(dir, 'nope')], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--data .*nope: no such folder/);
  }, TIMEOUT);
});
