import { closeSync, mkdirSync, mkdtempSync, openSync, ftruncateSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HnetError } from '../../../shared/compiler/errors';
import { CsvData } from '../../../shared/nodes/data/csv';
import { IdxData } from '../../../shared/nodes/data/idx';
import { formatBytes, readDataFile, resolveDataPath, type DataAccess } from './files';
import { encodeIdx } from './idx';
import { openDataset } from './index';

const SECRET = 'hunter2-SECRET-7f3a';

// root/doc     the document's folder, with data.csv and a link to ../outside/secret.csv
// root/outside a folder the document has no business reading, unless granted
const root = mkdtempSync(join(tmpdir(), 'hnet-datapaths-'));
const doc = join(root, 'doc');
const outside = join(root, 'outside');
mkdirSync(doc);
mkdirSync(outside);
mkdirSync(join(doc, 'sub'));
const rows = ['x,label', ...Array.from({ length: 10 }, (_, i) => `${i},${i % 2}`)].join('\n') + '\n';
writeFileSync(join(doc, 'data.csv'), rows);
writeFileSync(join(doc, 'sub', 'more.csv'), rows);
writeFileSync(join(outside, 'secret.csv'), rows.replace('x,label', `${SECRET},label`));
symlinkSync(join(outside, 'secret.csv'), join(doc, 'link.csv'));
symlinkSync(outside, join(doc, 'linked-folder'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const where = { node: 'csv_1', field: 'path' };

/** The HnetError a call throws (failing the test if it throws nothing else). */
function thrown(f: () => unknown): HnetError {
  try {
    f();
  } catch (e) {
    if (e instanceof HnetError) return e;
    throw e;
  }
  throw new Error('expected an HnetError');
}

const openCsv = (path: string, access: DataAccess) =>
  openDataset('data.csv', CsvData.params.parse({ path, features: 1 }) as Record<string, unknown>, { seed: 1, node: 'csv_1', ...access });

describe('resolveDataPath', () => {
  it('resolves relative paths against the document folder, subfolders included', () => {
    expect(resolveDataPath('data.csv', { baseDir: doc }, where)).toMatch(/doc[/\\]data\.csv$/);
    expect(resolveDataPath('sub/../sub/more.csv', { baseDir: doc }, where)).toMatch(/sub[/\\]more\.csv$/);
    expect(resolveDataPath(join(doc, 'data.csv'), { baseDir: doc }, where)).toMatch(/data\.csv$/);
  });

  const refused: [string, string][] = [
    ['a .. escape', '../outside/secret.csv'],
    ['an absolute path', join(outside, 'secret.csv')],
    ['/proc/self/environ', '/proc/self/environ'],
    ['/etc/passwd', '/etc/passwd'],
    ['a link to a file outside', 'link.csv'],
    ['a path through a linked folder', 'linked-folder/secret.csv'],
    ['a missing file outside (its existence is not told)', '../outside/nope.csv'],
  ];
  it.each(refused)('refuses %s, naming the node and field and how to grant', (_, path) => {
    const e = thrown(() => resolveDataPath(path, { baseDir: doc }, where));
    expect(e.problem.code).toBe('HN054');
    expect(e.problem.node).toBe('csv_1');
    expect(e.problem.message).toMatch(/^path: .* is outside the document's folder/);
    expect(e.problem.message).toMatch(/hnet train --allow-data \S+.*hnet serve --data \S+.*File › Open/);
    expect(e.problem.message).not.toMatch(/not found/);
  });

  it('says when the file is a link, and suggests the folder it really is in', () => {
    const e = thrown(() => resolveDataPath('link.csv', { baseDir: doc }, where));
    expect(e.problem.message).toMatch(/link to a file elsewhere/);
    expect(e.problem.message).toContain(`--allow-data ${outside}`);
  });

  it('reads from a granted folder, by .. path, absolute path or link', () => {
    const access = { baseDir: doc, dataGrants: [outside] };
    for (const p of ['../outside/secret.csv', join(outside, 'secret.csv'), 'link.csv', 'linked-folder/secret.csv'])
      expect(resolveDataPath(p, access, where)).toMatch(/outside[/\\]secret\.csv$/);
    // A grant is that folder and below, not its siblings.
    expect(thrown(() => resolveDataPath('../doc2/x.csv', { baseDir: doc, dataGrants: [join(root, 'doc2')] }, where)).problem.code).toBe('HN051');
    expect(thrown(() => resolveDataPath(join(root, 'outside-2', 'x.csv'), access, where)).problem.code).toBe('HN054');
  });

  it('a missing file inside the folder is "not found"', () => {
    const e = thrown(() => resolveDataPath('nope.csv', { baseDir: doc }, where));
    expect(e.problem.code).toBe('HN051');
    expect(e.problem.message).toMatch(/path: file not found: .*nope\.csv/);
  });

  it('an unsaved document (no folder): relative paths refused, absolute ones only into a grant', () => {
    const e = thrown(() => resolveDataPath('data.csv', {}, where));
    expect(e.problem.code).toBe('HN054');
    expect(e.problem.message).toMatch(/not saved yet.*save the document beside its data/);
    expect(thrown(() => resolveDataPath(join(doc, 'data.csv'), {}, where)).problem.message).toMatch(/outside the folders you granted/);
    expect(resolveDataPath(join(doc, 'data.csv'), { dataGrants: [doc] }, where)).toMatch(/data\.csv$/);
  });
});

describe('readDataFile', () => {
  it('refuses a file over the size limit before reading it, giving the size and the limit', () => {
    const e = thrown(() => readDataFile('csv_1', 'path', 'data.csv', { baseDir: doc, maxDataBytes: 16 }));
    expect(e.problem.code).toBe('HN055');
    expect(e.problem.message).toMatch(/^path: data\.csv is \d+ bytes, larger than the data file limit of 16 bytes: raise it with --max-data-mb/);
    expect(readDataFile('csv_1', 'path', 'data.csv', { baseDir: doc }).toString()).toBe(rows);
  });

  it('a 1.5 GiB file (sparse: nothing is written) is refused by the default 1 GiB limit, not a V8 error', () => {
    const big = join(doc, 'huge.csv');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 1.5 * 1024 ** 3);
    closeSync(fd);
    try {
      const e = thrown(() => openCsv('huge.csv', { baseDir: doc }));
      expect(e.problem.code).toBe('HN055');
      expect(e.problem.message).toMatch(/huge\.csv is 1\.5 GiB, larger than the data file limit of 1 GiB/);
    } finally {
      rmSync(big);
    }
  });

  it('a CSV must also fit in one string: a clear message under a raised limit', () => {
    const big = join(doc, 'long.csv');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 1.25 * 1024 ** 3);
    closeSync(fd);
    try {
      const e = thrown(() => openCsv('long.csv', { baseDir: doc, maxDataBytes: 4 * 1024 ** 3 }));
      expect(e.problem.code).toBe('HN055');
      expect(e.problem.message).toMatch(/long\.csv is 1\.3 GiB, larger than \d+(\.\d)? MiB, the most a CSV file can hold here/);
    } finally {
      rmSync(big);
    }
  });

  it('a folder is not a file', () => {
    expect(thrown(() => readDataFile('csv_1', 'path', 'sub', { baseDir: doc })).problem.message).toMatch(/path: sub is not a file/);
  });

  it('formats sizes', () => {
    expect([1, 800, 2048, 1536 * 1024, 1024 ** 3, 1.5 * 1024 ** 3].map(formatBytes)).toEqual(['1 byte', '800 bytes', '2 KiB', '1.5 MiB', '1 GiB', '1.5 GiB']);
  });
});

describe('every file-reading dataset goes through the policy', () => {
  it('data.csv', () => {
    expect(thrown(() => openCsv('../outside/secret.csv', { baseDir: doc })).problem.code).toBe('HN054');
    expect(thrown(() => openCsv('/proc/self/environ', { baseDir: doc })).problem.code).toBe('HN054');
    expect(openCsv('../outside/secret.csv', { baseDir: doc, dataGrants: [outside] }).tasks).toBe(1);
  });

  it('data.idx, each of its four files', () => {
    writeFileSync(join(doc, 'img.idx'), encodeIdx([4, 2, 2], new Uint8Array(16)));
    writeFileSync(join(doc, 'lab.idx'), encodeIdx([4], [0, 1, 0, 1]));
    writeFileSync(join(outside, 'img.idx'), encodeIdx([4, 2, 2], new Uint8Array(16)));
    const base = { height: 2, width: 2, classes: 2, trainImages: 'img.idx', trainLabels: 'lab.idx' };
    const open = (params: Record<string, unknown>, access: DataAccess = { baseDir: doc }) =>
      openDataset('data.idx', IdxData.params.parse({ ...base, ...params }) as Record<string, unknown>, { seed: 1, node: 'idx_1', ...access });
    expect(open({}).tasks).toBe(1);
    for (const field of ['trainImages', 'trainLabels', 'testImages', 'testLabels']) {
      const params = { testImages: 'img.idx', testLabels: 'lab.idx', [field]: '../outside/img.idx' };
      const e = thrown(() => open(params));
      expect(e.problem).toMatchObject({ code: 'HN054', node: 'idx_1' });
      expect(e.problem.message).toMatch(new RegExp(`^${field}: \\.\\./outside/img\\.idx is outside`));
    }
    expect(thrown(() => open({}, { baseDir: doc, maxDataBytes: 10 })).problem.code).toBe('HN055');
  });
});
