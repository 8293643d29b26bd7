/**
 * The app service shared by the Electron shell and the browser mode, under plain Node with a stub shell:
 * templates, document handles, atomic saves, autosave drafts, links, and validation of every request.
 */
import { chmodSync, symlinkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Methods } from '../src/shared/api/contract';
import { AppError } from '../src/main/app/errors';
import { suggestedFileName, writeFileAtomic } from '../src/main/app/files';
import { isAllowedExternalUrl } from '../src/main/app/links';
import { createRecentStore, MAX_RECENT } from '../src/main/app/recent';
import { createAppService, type Shell } from '../src/main/app/service';
import { resolveStaticFile } from '../src/main/app/static';
import { rejects } from './helpers/errors';

const root = resolve(import.meta.dirname, '..');
const templatesDir = join(root, 'templates');
const template = readFileSync(join(templatesDir, 'sinusoid-family.hnet.json'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-service-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Stub {
  shell: Shell<string>;
  opened: string[];
  dirty: Array<[string, boolean, string]>;
  saves: Array<[string, boolean]>;
  next: { open: string | null; save: string | null };
}

function stubShell(over: Partial<Shell<string>> = {}): Stub {
  const stub: Stub = {
    opened: [],
    dirty: [],
    saves: [],
    next: { open: null, save: null },
    shell: undefined as never,
  };
  stub.shell = {
    mode: 'electron',
    version: '1.2.3',
    platform: 'linux',
    templatesDir,
    draftsDir: join(dir, 'drafts'),
    initialFile: () => null,
    chooseFileToOpen: async () => stub.next.open,
    chooseFileToSave: async () => stub.next.save,
    recent: createRecentStore(join(dir, 'recent.json')),
    setDirty: (caller, dirty, title) => void stub.dirty.push([caller, dirty, title]),
    openExternal: async (url) => {
      stub.opened.push(url);
      return true;
    },
    saved: (caller, ok) => void stub.saves.push([caller, ok]),
    ...over,
  };
  return stub;
}

describe('requests', () => {
  it('answers app.info, validated against the contract', async () => {
    const { shell } = stubShell();
    const service = createAppService(shell);
    expect(await service.call('app.info', {}, 'w')).toEqual({ mode: 'electron', version: '1.2.3', platform: 'linux' });
    expect(await service.call('app.info', undefined, 'w')).toMatchObject({ mode: 'electron' });
  });

  it('refuses unknown methods and invalid params with codes', async () => {
    const service = createAppService(stubShell().shell);
    await rejects(service.call('fs.readFile', {}, 'w'), 'unknown_method', /unknown method "fs\.readFile"/);
    await rejects(service.call('__proto__', {}, 'w'), 'unknown_method');
    await rejects(service.call('constructor', {}, 'w'), 'unknown_method');
    await rejects(service.call('templates.read', { id: 5 }, 'w'), 'invalid_request', /templates\.read: invalid request/);
    await rejects(service.call('templates.read', 'sinusoid-family', 'w'), 'invalid_request');
    await rejects(service.call('document.save', { handle: 'h', text: 1 }, 'w'), 'invalid_request');
    await rejects(service.call('window.setDirty', { dirty: 'yes', title: '' }, 'w'), 'invalid_request');
  });

  it('refuses to return output the contract does not allow', async () => {
    const service = createAppService(stubShell({ version: 42 as unknown as string }).shell);
    await rejects(service.call('app.info', {}, 'w'), 'internal', /response the contract does not allow/);
  });

  it('implements every method of the contract', async () => {
    const service = createAppService(stubShell().shell);
    for (const method of Object.keys(Methods)) {
      const r = await service.call(method, {}, 'w').catch((e: unknown) => e);
      if (r instanceof AppError) expect(r.code).not.toBe('unknown_method');
    }
  });
});

describe('templates', () => {
  it('lists the shipped templates with their budgets', async () => {
    const service = createAppService(stubShell().shell);
    const list = (await service.call('templates.list', {}, 'w')) as Array<{ id: string; name: string; budget: { hyper: number } | null; citation?: string }>;
    const sinusoid = list.find((t) => t.id === 'sinusoid-family');
    expect(sinusoid).toBeDefined();
    expect(sinusoid!.name).toBe('Sinusoid family');
    expect(sinusoid!.citation).toMatch(/Finn/);
    expect(sinusoid!.budget!.hyper).toBeGreaterThan(0);
    expect(Methods['templates.list'].output.safeParse(list).success).toBe(true);
  });

  it('reads a template by id, and only by an id from the listing', async () => {
    const service = createAppService(stubShell().shell);
    expect(await service.call('templates.read', { id: 'sinusoid-family' }, 'w')).toEqual({ text: template });
    for (const id of ['../x', '../package', '../../package.json', 'sinusoid-family/../sinusoid-family', '..', '.', '', 'nope', 'sinusoid-family.hnet.json', '/etc/passwd', 'C:\\x', 'sinusoid-family\0'])
      await rejects(service.call('templates.read', { id }, 'w'), 'not_found');
    await rejects(service.call('templates.read', { id: 'x'.repeat(201) }, 'w'), 'invalid_request');
  });

  it('summarises a broken template without failing the listing, and skips odd file names', async () => {
    const tdir = join(dir, 'templates');
    mkdirSync(tdir);
    writeFileSync(join(tdir, 'good.hnet.json'), template);
    writeFileSync(join(tdir, 'broken.hnet.json'), '{ nope');
    writeFileSync(join(tdir, '.hidden.hnet.json'), template);
    writeFileSync(join(tdir, 'notes.txt'), 'hello');
    const uncompilable = JSON.parse(template) as { edges: unknown[] };
    uncompilable.edges = [];
    writeFileSync(join(tdir, 'unwired.hnet.json'), JSON.stringify(uncompilable));
    const service = createAppService(stubShell({ templatesDir: tdir }).shell);
    const list = (await service.call('templates.list', {}, 'w')) as Array<{ id: string; budget: unknown }>;
    expect(list.map((t) => t.id)).toEqual(['broken', 'good', 'unwired']);
    expect(list.find((t) => t.id === 'broken')!.budget).toBeNull();
    expect(list.find((t) => t.id === 'unwired')!.budget).toBeNull();
    expect(list.find((t) => t.id === 'good')!.budget).not.toBeNull();
    await rejects(service.call('templates.read', { id: '.hidden' }, 'w'), 'not_found');
  });
});

describe('documents', () => {
  it('opens the initial file with a handle and saves back to it', async () => {
    const file = join(dir, 'model.hnet.json');
    writeFileSync(file, template);
    const stub = stubShell({ initialFile: () => file });
    const service = createAppService(stub.shell);
    const doc = (await service.call('document.initial', {}, 'w1')) as { handle: string; name: string; text: string };
    expect(doc).toMatchObject({ name: 'model.hnet.json', text: template });
    expect(doc.handle).toMatch(/^h_[A-Za-z0-9_-]{20,}$/);
    expect(doc.handle).not.toContain(dir);
    const r = (await service.call('document.save', { handle: doc.handle, text: '{"saved":true}\n' }, 'w1')) as { savedAt: string };
    expect(Number.isNaN(Date.parse(r.savedAt))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('{"saved":true}\n');
    expect(readdirSync(dir).sort()).toEqual(['model.hnet.json']);
    expect(stub.saves).toEqual([['w1', true]]);
    // The same file keeps its handle.
    expect(((await service.call('document.initial', {}, 'w1')) as { handle: string }).handle).toBe(doc.handle);
  });

  it('returns null for document.initial without a file', async () => {
    expect(await createAppService(stubShell().shell).call('document.initial', {}, 'w')).toBeNull();
  });

  it('saves only to handles it handed out', async () => {
    const stub = stubShell();
    const service = createAppService(stub.shell);
    for (const handle of ['h_unknown', join(dir, 'x.hnet.json'), '../x', ''])
      await rejects(service.call('document.save', { handle, text: 'x' }, 'w'), 'unknown_handle', /Save As/);
    expect(readdirSync(dir)).toEqual([]);
    expect(stub.saves.every(([, ok]) => !ok)).toBe(true);
    // A handle from another service (an earlier launch) is unknown here.
    const file = join(dir, 'a.hnet.json');
    writeFileSync(file, template);
    const other = createAppService(stubShell({ initialFile: () => file }).shell);
    const { handle } = (await other.call('document.initial', {}, 'w')) as { handle: string };
    await rejects(service.call('document.save', { handle, text: 'x' }, 'w'), 'unknown_handle');
    expect(readFileSync(file, 'utf8')).toBe(template);
  });

  it('opens with the dialog, lists it as recent, and reopens it from the list', async () => {
    const file = join(dir, 'chosen.hnet.json');
    writeFileSync(file, template);
    const stub = stubShell();
    const service = createAppService(stub.shell);
    expect(await service.call('document.open', {}, 'w')).toBeNull(); // cancelled
    stub.next.open = file;
    const doc = (await service.call('document.open', {}, 'w')) as { handle: string; name: string };
    expect(doc.name).toBe('chosen.hnet.json');
    const recent = (await service.call('document.recent', {}, 'w')) as Array<{ handle: string; name: string; path: string }>;
    expect(recent).toEqual([{ handle: doc.handle, name: 'chosen.hnet.json', path: file }]);
    expect(await service.call('document.openRecent', { handle: recent[0].handle }, 'w')).toMatchObject({ text: template, handle: doc.handle });
    await rejects(service.call('document.openRecent', { handle: 'h_nope' }, 'w'), 'unknown_handle');
    // A recent file that disappeared: a clear error, and it leaves the list.
    rmSync(file);
    await rejects(service.call('document.openRecent', { handle: doc.handle }, 'w'), 'io', /chosen\.hnet\.json: no such file/);
    expect(await service.call('document.recent', {}, 'w')).toEqual([]);
  });

  it('saves as: writes the chosen path (adding .hnet.json), hands out its handle', async () => {
    const stub = stubShell();
    const service = createAppService(stub.shell);
    expect(await service.call('document.saveAs', { suggestedName: 'Model', text: 'a' }, 'w')).toBeNull();
    expect(stub.saves).toEqual([['w', false]]);
    stub.next.save = join(dir, 'mine');
    const r = (await service.call('document.saveAs', { suggestedName: 'Model', text: 'first\n' }, 'w')) as { handle: string; name: string };
    expect(r.name).toBe('mine.hnet.json');
    expect(readFileSync(join(dir, 'mine.hnet.json'), 'utf8')).toBe('first\n');
    await service.call('document.save', { handle: r.handle, text: 'second\n' }, 'w');
    expect(readFileSync(join(dir, 'mine.hnet.json'), 'utf8')).toBe('second\n');
    expect(((await service.call('document.recent', {}, 'w')) as Array<{ path: string }>)[0].path).toBe(join(dir, 'mine.hnet.json'));
  });

  it('keeps the old file and leaves no temporary file when a save fails', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const file = join(sub, 'doc.hnet.json');
    writeFileSync(file, template);
    const service = createAppService(stubShell({ initialFile: () => file }).shell);
    const { handle } = (await service.call('document.initial', {}, 'w')) as { handle: string };
    // Make the target a directory: the rename fails after the temporary file was written.
    rmSync(file);
    mkdirSync(file);
    writeFileSync(join(file, 'keep'), 'x');
    await rejects(service.call('document.save', { handle, text: 'new' }, 'w'), 'io', /cannot save doc\.hnet\.json/);
    expect(readdirSync(sub)).toEqual(['doc.hnet.json']);
    rmSync(file, { recursive: true });
    rmSync(sub, { recursive: true });
    await rejects(service.call('document.save', { handle, text: 'new' }, 'w'), 'io', /no such file/);
  });

  it('writes atomically: whole text, permissions kept, no temporary files left', () => {
    const file = join(dir, 'p.hnet.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    const big = 'x'.repeat(3_000_000) + 'é';
    writeFileAtomic(file, big);
    expect(readFileSync(file, 'utf8')).toBe(big);
    expect(readdirSync(dir)).toEqual(['p.hnet.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('autosave drafts', () => {
  it('writes, lists (newest first) and discards drafts', async () => {
    const service = createAppService(stubShell().shell);
    expect(await service.call('autosave.list', {}, 'w')).toEqual([]);
    await service.call('autosave.write', { id: 'win-1', name: 'Untitled', text: 'one' }, 'w');
    await new Promise((r) => setTimeout(r, 5));
    await service.call('autosave.write', { id: 'win_2', name: 'Model', text: 'two' }, 'w');
    await service.call('autosave.write', { id: 'win-1', name: 'Untitled', text: 'one, later' }, 'w');
    const list = (await service.call('autosave.list', {}, 'w')) as Array<{ id: string; name: string; text: string; savedAt: string }>;
    expect(list.map((d) => [d.id, d.text])).toEqual([
      ['win-1', 'one, later'],
      ['win_2', 'two'],
    ]);
    expect(readdirSync(join(dir, 'drafts')).sort()).toEqual(['win-1.draft.json', 'win_2.draft.json']);
    await service.call('autosave.discard', { id: 'win-1' }, 'w');
    await service.call('autosave.discard', { id: 'never-written' }, 'w');
    expect(((await service.call('autosave.list', {}, 'w')) as Array<{ id: string }>).map((d) => d.id)).toEqual(['win_2']);
  });

  it('rejects hostile draft ids before touching the file system', async () => {
    const service = createAppService(stubShell().shell);
    writeFileSync(join(dir, 'victim.draft.json'), 'keep');
    for (const id of ['../victim', '..', '.', '', 'a/b', 'a\\b', 'a.b', '%2e%2e', 'x\0', ' ', 'é', '../../etc/passwd']) {
      await rejects(service.call('autosave.write', { id, name: 'n', text: 't' }, 'w'), 'invalid_request');
      await rejects(service.call('autosave.discard', { id }, 'w'), 'invalid_request');
    }
    await rejects(service.call('autosave.write', { id: 'x'.repeat(101), name: 'n', text: 't' }, 'w'), 'invalid_request');
    expect(readFileSync(join(dir, 'victim.draft.json'), 'utf8')).toBe('keep');
    expect(readdirSync(dir).sort()).toEqual(['victim.draft.json']);
  });

  it('skips files in the drafts folder it did not write', async () => {
    const service = createAppService(stubShell().shell);
    await service.call('autosave.write', { id: 'ok', name: 'n', text: 't' }, 'w');
    const drafts = join(dir, 'drafts');
    writeFileSync(join(drafts, 'garbage.draft.json'), '{ not json');
    writeFileSync(join(drafts, 'liar.draft.json'), JSON.stringify({ id: 'other', name: 'n', savedAt: 'x', text: 't' }));
    writeFileSync(join(drafts, 'wrong.draft.json'), JSON.stringify({ id: 'wrong', text: 5 }));
    writeFileSync(join(drafts, '.ok.draft.json.0123456789ab.tmp'), 'partial');
    expect(((await service.call('autosave.list', {}, 'w')) as Array<{ id: string }>).map((d) => d.id)).toEqual(['ok']);
  });
});

describe('shell concerns', () => {
  it('passes window.setDirty to the shell with the caller', async () => {
    const stub = stubShell();
    await createAppService(stub.shell).call('window.setDirty', { dirty: true, title: 'Model' }, 'w7');
    expect(stub.dirty).toEqual([['w7', true, 'Model']]);
  });

  it('opens only allowlisted https links', async () => {
    const stub = stubShell();
    const service = createAppService(stub.shell);
    expect(await service.call('shell.openExternal', { url: 'https://arxiv.org/abs/1609.09106' }, 'w')).toEqual({ opened: true });
    for (const url of [
      'http://github.com/x',
      'https://github.com.evil.example/x',
      'https://evil.example/?https://github.com',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://raw.githubusercontent.com/x',
    ])
      expect(await service.call('shell.openExternal', { url }, 'w').catch(() => ({ opened: false }))).toEqual({ opened: false });
    expect(stub.opened).toEqual(['https://arxiv.org/abs/1609.09106']);
    expect(isAllowedExternalUrl('https://JS.TensorFlow.org/api/latest/')).toBe(true);
    expect(isAllowedExternalUrl('https://doi.org/10.1000/1')).toBe(true);
  });

  it('keeps at most ten recent files, most recent first', () => {
    const store = createRecentStore(join(dir, 'r', 'recent.json'));
    for (let i = 0; i < 12; i++) store.add(join(dir, `f${i}.hnet.json`));
    store.add(join(dir, 'f5.hnet.json'));
    const again = createRecentStore(join(dir, 'r', 'recent.json')).list();
    expect(again).toHaveLength(MAX_RECENT);
    expect(again[0]).toBe(join(dir, 'f5.hnet.json'));
    expect(again[1]).toBe(join(dir, 'f11.hnet.json'));
    writeFileSync(join(dir, 'r', 'recent.json'), '{"files": ["relative/path", 3, null]}');
    expect(createRecentStore(join(dir, 'r', 'recent.json')).list()).toEqual([]);
  });

  it('suggests safe file names for the save dialog', () => {
    expect(suggestedFileName('Sinusoid family')).toBe('Sinusoid family.hnet.json');
    expect(suggestedFileName('../../etc/passwd')).toBe('etc passwd.hnet.json');
    expect(suggestedFileName('a:b*c?.hnet.json')).toBe('a b c.hnet.json');
    expect(suggestedFileName('')).toBe('Untitled.hnet.json');
    expect(suggestedFileName('CON')).toBe('Untitled.hnet.json');
    expect(suggestedFileName('...')).toBe('Untitled.hnet.json');
  });
});

describe('static files', () => {
  it('resolves only files inside the folder', () => {
    const r = join(dir, 'renderer');
    mkdirSync(join(r, 'assets'), { recursive: true });
    writeFileSync(join(r, 'index.html'), '<!doctype html>');
    writeFileSync(join(r, 'assets', 'a.js'), '1');
    writeFileSync(join(r, '.env'), 'SECRET');
    writeFileSync(join(dir, 'outside.txt'), 'no');
    symlinkSync(dir, join(r, 'link'));
    expect(resolveStaticFile(r, '/')).toMatchObject({ kind: 'file' });
    expect(resolveStaticFile(r, '/assets/a.js')).toMatchObject({ kind: 'file' });
    expect(resolveStaticFile(r, '/assets/%61.js')).toMatchObject({ kind: 'file' });
    expect(resolveStaticFile(r, '/assets')).toEqual({ kind: 'not_found' });
    expect(resolveStaticFile(r, '/missing.js')).toEqual({ kind: 'not_found' });
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt', '/..%2foutside.txt', '/..%5coutside.txt', '/.env', '/%2eenv', '/a%00', '/%E0%A4%A', '/etc/passwd', '/link/outside.txt', '/C:/x'])
      expect(resolveStaticFile(r, p).kind, p).not.toBe('file');
  });
});
