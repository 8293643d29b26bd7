/**
 * `export.toFolder` through the app service, under plain Node with stub shells: Electron asks for a folder,
 * browser mode writes beside the served document, and a document without a file (browser mode) gets null.
 * The files on disk are checked, data folder included.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentStem, exportFolderBeside } from '../src/main/app/exportCode';
import { createAppService, type AppService, type Shell } from '../src/main/app/service';
import { rejects } from './helpers/errors';

const root = resolve(import.meta.dirname, '..');
const templatesDir = join(root, 'templates');
const template = readFileSync(join(templatesDir, 'sinusoid-family.hnet.json'), 'utf8');

let dir: string;
const services: AppService<string>[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-export-service-'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

interface Options {
  /** The served document (browser mode) or the file the app was started with. */
  initial?: string | null;
  /** Electron: what the folder dialog answers. Absent: no dialog (browser mode). */
  folder?: () => string | null;
  /** Electron: what the confirmation before writing into a folder that holds other files answers. */
  confirm?: boolean;
}

function serviceWith(opts: Options): { service: AppService<string>; asked: Array<[string, string]>; confirmed: Array<[string, string, string]> } {
  const asked: Array<[string, string]> = [];
  const confirmed: Array<[string, string, string]> = [];
  const shell: Shell<string> = {
    mode: opts.folder ? 'electron' : 'browser',
    version: '1.2.3',
    platform: 'linux',
    templatesDir,
    draftsDir: join(dir, 'home', 'drafts'),
    initialFile: () => opts.initial ?? null,
    chooseFileToOpen: async () => null,
    chooseFileToSave: async () => null,
    recent: null,
    setDirty: () => {},
    openExternal: async () => false,
    ...(opts.folder
      ? {
          chooseFolder: async (caller: string, title: string) => {
            asked.push([caller, title]);
            return opts.folder!();
          },
          confirmOverwrite: async (caller: string, folder: string, reason: string) => {
            confirmed.push([caller, folder, reason]);
            return opts.confirm ?? false;
          },
        }
      : {}),
  };
  const service = createAppService(shell);
  services.push(service);
  return { service, asked, confirmed };
}

/** Every file under `folder`, relative, sorted. */
function filesUnder(folder: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(folder, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...filesUnder(join(folder, e.name), `${prefix}${e.name}/`));
    else out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

function servedDocument(name = 'my model.hnet.json'): string {
  const docDir = join(dir, 'docs');
  mkdirSync(docDir, { recursive: true });
  const path = join(docDir, name);
  writeFileSync(path, template);
  return path;
}

describe('export.toFolder in browser mode (no dialog)', () => {
  it('writes the PyTorch project beside the served document, data included', async () => {
    const path = servedDocument();
    const { service } = serviceWith({ initial: path });
    const opened = await service.invoke('document.initial', {}, 'page');
    expect(opened?.handle).toBeTruthy();
    const r = await service.invoke('export.toFolder', { documentText: template, to: 'pytorch', handle: opened!.handle }, 'page');
    const expected = join(dir, 'docs', 'my model-export-pytorch');
    expect(r).toEqual({ folder: expected, files: expect.any(Array) });
    const onDisk = filesUnder(expected);
    expect(onDisk).toEqual([...r!.files].sort());
    expect(onDisk).toEqual(expect.arrayContaining(['model.py', 'train.py', 'data.py', 'README.md', 'data/manifest.json']));
    // The generated code names layers after the graph's node ids.
    expect(readFileSync(join(expected, 'model.py'), 'utf8')).toMatch(/dense_1/);
    expect(JSON.parse(readFileSync(join(expected, 'data', 'manifest.json'), 'utf8'))).toMatchObject({ format: 'hnet-data' });
  });

  it('exports the text it is sent (the editor may have unsaved edits), not the file on disk', async () => {
    const path = servedDocument();
    const { service } = serviceWith({ initial: path });
    const opened = await service.invoke('document.initial', {}, 'page');
    const edited = template.replace(/"units":\s*40/, '"units": 57');
    expect(edited).not.toBe(template);
    const r = await service.invoke('export.toFolder', { documentText: edited, to: 'tfjs', handle: opened!.handle }, 'page');
    expect(r!.folder).toBe(join(dir, 'docs', 'my model-export-tfjs'));
    expect(r!.files).toEqual(expect.arrayContaining(['package.json', 'src/model.ts', 'src/train.ts', 'data/manifest.json']));
    // dense_1's kernel is [1, units]: the edited size, where the file on disk says [1, 40].
    expect(readFileSync(join(r!.folder, 'src', 'model.ts'), 'utf8')).toMatch(/"dense_1\.kernel": \{[^}]*shape: \[1, 57\]/);
  });

  it('exporting again overwrites the earlier export', async () => {
    const path = servedDocument();
    const { service } = serviceWith({ initial: path });
    const { handle } = (await service.invoke('document.initial', {}, 'page'))!;
    const first = await service.invoke('export.toFolder', { documentText: template, to: 'pytorch', handle }, 'page');
    const second = await service.invoke('export.toFolder', { documentText: template, to: 'pytorch', handle }, 'page');
    expect(second).toEqual(first);
  });

  it('asks before writing into a folder that holds files of the user\'s: notEmpty, nothing written; then overwrite', async () => {
    const path = servedDocument();
    const folder = exportFolderBeside(path, 'pytorch');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.md'), 'mine');
    const { service } = serviceWith({ initial: path });
    const { handle } = (await service.invoke('document.initial', {}, 'page'))!;
    const refused = await service.invoke('export.toFolder', { documentText: template, to: 'pytorch', handle }, 'page');
    expect(refused).toEqual({ folder, files: [], notEmpty: expect.stringMatching(/^is not empty and is not an earlier export .*notes\.md/) });
    expect(readdirSync(folder)).toEqual(['notes.md']);
    const written = await service.invoke('export.toFolder', { documentText: template, to: 'pytorch', handle, overwrite: true }, 'page');
    expect(written!.notEmpty).toBeUndefined();
    expect(written!.files).toEqual(expect.arrayContaining(['train.py', 'hnet-export.json']));
    expect(readFileSync(join(folder, 'notes.md'), 'utf8')).toBe('mine');
  });

  it('returns null for a document without a file, and writes nothing', async () => {
    const { service } = serviceWith({});
    expect(await service.invoke('export.toFolder', { documentText: template, to: 'pytorch', handle: null }, 'page')).toBeNull();
    expect(await service.invoke('export.toFolder', { documentText: template, to: 'tfjs' }, 'page')).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a handle it never handed out', async () => {
    const { service } = serviceWith({});
    await rejects(service.call('export.toFolder', { documentText: template, to: 'pytorch', handle: 'h_forged' }, 'page'), 'unknown_handle');
  });

  it('reports a folder in the way that is a file', async () => {
    const path = servedDocument('clash.hnet.json');
    writeFileSync(exportFolderBeside(path, 'pytorch'), 'not a folder');
    const { service } = serviceWith({ initial: path });
    const { handle } = (await service.invoke('document.initial', {}, 'page'))!;
    await rejects(service.call('export.toFolder', { documentText: template, to: 'pytorch', handle }, 'page'), 'io', /not a folder/);
  });
});

describe('export.toFolder in Electron (a folder dialog)', () => {
  it('writes where the user chose, asking the window that requested it', async () => {
    const chosen = join(dir, 'chosen');
    const { service, asked } = serviceWith({ folder: () => chosen });
    const r = await service.invoke('export.toFolder', { documentText: template, to: 'tfjs', handle: null }, 'window-1');
    expect(asked).toEqual([['window-1', expect.stringMatching(/TypeScript\/tfjs/)]]);
    expect(r!.folder).toBe(chosen);
    expect(filesUnder(chosen)).toEqual([...r!.files].sort());
    expect(r!.files).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'src/model.ts', 'data/manifest.json']));
  });

  it('a chosen folder that holds other files is written only once the native confirmation says so', async () => {
    const chosen = join(dir, 'documents');
    mkdirSync(chosen);
    writeFileSync(join(chosen, 'thesis.tex'), 'x');
    const no = serviceWith({ folder: () => chosen, confirm: false });
    expect(await no.service.invoke('export.toFolder', { documentText: template, to: 'tfjs' }, 'w1')).toBeNull();
    expect(no.confirmed).toEqual([['w1', chosen, expect.stringMatching(/thesis\.tex/)]]);
    expect(readdirSync(chosen)).toEqual(['thesis.tex']);
    const yes = serviceWith({ folder: () => chosen, confirm: true });
    const r = await yes.service.invoke('export.toFolder', { documentText: template, to: 'tfjs' }, 'w2');
    expect(r!.files).toEqual(expect.arrayContaining(['src/model.ts', 'hnet-export.json']));
    // Exporting again into its own export asks nothing.
    await yes.service.invoke('export.toFolder', { documentText: template, to: 'tfjs' }, 'w2');
    expect(yes.confirmed).toHaveLength(1);
  });

  it('returns null when the dialog is cancelled', async () => {
    const { service, asked } = serviceWith({ folder: () => null });
    expect(await service.invoke('export.toFolder', { documentText: template, to: 'pytorch' }, 'w')).toBeNull();
    expect(asked).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a relative path from the shell', async () => {
    const { service } = serviceWith({ folder: () => 'relative/folder' });
    await rejects(service.call('export.toFolder', { documentText: template, to: 'pytorch' }, 'w'), 'internal');
  });
});

describe('export.toFolder requests', () => {
  it('a document that does not compile is refused with its problems, before any dialog', async () => {
    const { service, asked } = serviceWith({ folder: () => join(dir, 'never') });
    const doc = JSON.parse(template) as { edges: unknown[] };
    doc.edges = [];
    const e = await rejects(service.call('export.toFolder', { documentText: JSON.stringify(doc), to: 'pytorch' }, 'w'), 'invalid_document');
    expect(e.message).toMatch(/cannot be exported/);
    expect(e.message).toMatch(/\(HN\d+\)/);
    await rejects(service.call('export.toFolder', { documentText: '{ not json', to: 'pytorch' }, 'w'), 'invalid_document');
    expect(asked).toEqual([]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('validates the target', async () => {
    const { service } = serviceWith({});
    await rejects(service.call('export.toFolder', { documentText: template, to: 'jax' }, 'page'), 'invalid_request', /export\.toFolder/);
    await rejects(service.call('export.toFolder', { to: 'pytorch' }, 'page'), 'invalid_request');
  });

  it('names the folder after the document file', () => {
    expect(documentStem('/a/b/model.hnet.json')).toBe('model');
    expect(documentStem('/a/b/Model.JSON')).toBe('Model');
    expect(exportFolderBeside('/a/b/model.hnet.json', 'tfjs')).toBe(join('/a/b', 'model-export-tfjs'));
  });
});
