/**
 * The browser mode's workspace through the app service (the browser shell, as `hnet serve` builds it): listing
 * documents and subfolders, saving a new document by name, and refusing names and paths that would leave the
 * workspace (`..`, separators, control characters, absolute paths, symlinks pointing outside).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentFileName, documentNameProblem, workspacePathProblem } from '../src/shared/api/workspace';
import { AppError } from '../src/main/app/errors';
import { createAppService } from '../src/main/app/service';
import { browserShell } from '../src/main/server/browserShell';
import { rejection } from './helpers/errors';

const templatesDir = resolve(import.meta.dirname, '..', 'templates');
const doc = (name: string) => `${JSON.stringify({ format: 'hypernet-studio', version: 1, metadata: { name }, nodes: [] })}\n`;

let dir: string;
let ws: string;
let outside: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-workspace-'));
  ws = join(dir, 'models');
  outside = join(dir, 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function service(options: { file?: string; workspace?: string | null } = {}) {
  return createAppService(
    browserShell({ templatesDir, draftsDir: join(dir, 'home', 'drafts'), runsDir: join(dir, 'home', 'runs'), file: options.file, workspace: options.workspace === null ? undefined : (options.workspace ?? ws) }),
  );
}

describe('document names', () => {
  it('accepts ordinary names and adds .hnet.json once', () => {
    for (const name of ['mnist', 'my model v2', 'Über-Netz (final)', 'a.b', 'done.hnet.json']) expect(documentNameProblem(name), name).toBeNull();
    expect(documentFileName('mnist')).toBe('mnist.hnet.json');
    expect(documentFileName('done.hnet.json')).toBe('done.hnet.json');
  });

  it('refuses separators, "..", control characters and names file systems refuse, saying why', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['../escape', /"\/" or "\\"/],
      ['a/b', /"\/" or "\\"/],
      ['a\\b', /"\/" or "\\"/],
      ['..', /".."/],
      ['x..y', /".."/],
      ['line\nbreak', /control character/],
      ['bell\u0007', /control character/],
      ['esc\u001b[2J', /control character/],
      ['.hidden', /start with "."/],
      ['trailing.', /end with "."/],
      ['what?', /: \* \?/],
      ['CON', /reserved device name/],
      ['x'.repeat(121), /longer than 120/],
    ];
    for (const [name, why] of cases) expect(documentNameProblem(name), JSON.stringify(name)).toMatch(why);
  });

  it('workspace paths are relative, "/"-separated, without "." or ".." parts', () => {
    expect(workspacePathProblem('a/b.hnet.json')).toBeNull();
    for (const p of ['/etc/passwd', 'C:/x.hnet.json', '../x.hnet.json', 'a/../../x', 'a//b', './a', 'a\\b', 'a\u0000b', '']) expect(workspacePathProblem(p), p).not.toBeNull();
  });
});

describe('workspace.list', () => {
  it('lists the documents of the workspace and its subfolders, not hidden folders, run records or other files', async () => {
    writeFileSync(join(ws, 'b.hnet.json'), doc('b'));
    writeFileSync(join(ws, 'notes.txt'), 'x');
    mkdirSync(join(ws, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(ws, 'sub', 'a.hnet.json'), doc('a'));
    writeFileSync(join(ws, 'sub', 'deeper', 'c.hnet.json'), doc('c'));
    mkdirSync(join(ws, '.git'));
    writeFileSync(join(ws, '.git', 'x.hnet.json'), doc('x'));
    mkdirSync(join(ws, 'b.runs'));
    writeFileSync(join(ws, 'b.runs', 'y.hnet.json'), doc('y'));
    writeFileSync(join(ws, '.b.hnet.json.0123456789ab.tmp'), 'torn');
    const listing = await service().invoke('workspace.list', {}, undefined);
    expect(listing).toEqual({
      name: 'models',
      truncated: false,
      documents: [
        { path: 'b.hnet.json', name: 'b.hnet.json', folder: '' },
        { path: 'sub/a.hnet.json', name: 'a.hnet.json', folder: 'sub' },
        { path: 'sub/deeper/c.hnet.json', name: 'c.hnet.json', folder: 'sub/deeper' },
      ],
    });
  });

  it('follows links only while they stay inside the workspace', async () => {
    writeFileSync(join(outside, 'secret.hnet.json'), doc('secret'));
    writeFileSync(join(ws, 'real.hnet.json'), doc('real'));
    symlinkSync(outside, join(ws, 'out-dir'));
    symlinkSync(join(outside, 'secret.hnet.json'), join(ws, 'leak.hnet.json'));
    symlinkSync(join(ws, 'real.hnet.json'), join(ws, 'alias.hnet.json'));
    symlinkSync(ws, join(ws, 'loop')); // a cycle back to the workspace itself
    const listing = await service().invoke('workspace.list', {}, undefined);
    expect(listing?.documents.map((d) => d.path)).toEqual(['alias.hnet.json', 'real.hnet.json']);
  });

  it('is null without a workspace (Electron asks with its dialogs)', async () => {
    expect(await service({ workspace: null }).invoke('workspace.list', {}, undefined)).toBeNull();
  });
});

describe('workspace.open', () => {
  it('opens a listed document and hands out a handle that saves back to it', async () => {
    mkdirSync(join(ws, 'sub'));
    writeFileSync(join(ws, 'sub', 'a.hnet.json'), doc('a'));
    const s = service();
    const opened = await s.invoke('workspace.open', { path: 'sub/a.hnet.json' }, undefined);
    expect(opened).toMatchObject({ name: 'a.hnet.json', path: 'sub/a.hnet.json', text: doc('a') });
    await s.invoke('document.save', { handle: opened.handle!, text: doc('edited') }, undefined);
    expect(readFileSync(join(ws, 'sub', 'a.hnet.json'), 'utf8')).toBe(doc('edited'));
  });

  it('refuses paths that leave the workspace, by name or through a link', async () => {
    writeFileSync(join(outside, 'secret.hnet.json'), doc('secret'));
    symlinkSync(join(outside, 'secret.hnet.json'), join(ws, 'leak.hnet.json'));
    symlinkSync(outside, join(ws, 'out-dir'));
    const s = service();
    for (const path of ['../outside/secret.hnet.json', join(outside, 'secret.hnet.json'), 'a/../../outside/secret.hnet.json']) {
      const e = await rejection(s.call('workspace.open', { path }, undefined), AppError);
      expect(e.code, path).toBe('invalid_request');
      expect(e.message).toMatch(/path: /);
    }
    for (const path of ['leak.hnet.json', 'out-dir/secret.hnet.json']) {
      const e = await rejection(s.call('workspace.open', { path }, undefined), AppError);
      expect(e.code, path).toBe('forbidden');
      expect(e.message).toMatch(/leads outside the workspace/);
      expect(e.message).not.toContain('secret"');
    }
  });
});

describe('workspace.saveNew', () => {
  it('writes NAME.hnet.json into the workspace and returns a handle that later saves write again', async () => {
    const s = service();
    const r = await s.invoke('workspace.saveNew', { name: 'my model', text: doc('one') }, undefined);
    expect(r).toMatchObject({ kind: 'saved', name: 'my model.hnet.json', path: 'my model.hnet.json' });
    expect(readFileSync(join(ws, 'my model.hnet.json'), 'utf8')).toBe(doc('one'));
    if (r.kind !== 'saved') throw new Error('not saved');
    await s.invoke('document.save', { handle: r.handle, text: doc('two') }, undefined);
    expect(readFileSync(join(ws, 'my model.hnet.json'), 'utf8')).toBe(doc('two'));
    // No temporary files left beside it.
    expect(readdirSync(ws)).toEqual(['my model.hnet.json']);
  });

  it('served without FILE, the first saved document becomes the one a new page opens', async () => {
    const s = service();
    expect(await s.invoke('document.initial', {}, undefined)).toBeNull();
    await s.invoke('workspace.saveNew', { name: 'first', text: doc('first') }, undefined);
    expect(await s.invoke('document.initial', {}, undefined)).toMatchObject({ name: 'first.hnet.json', text: doc('first') });
  });

  it('asks before replacing a document, and replaces it when told to', async () => {
    writeFileSync(join(ws, 'taken.hnet.json'), doc('old'));
    const s = service();
    expect(await s.invoke('workspace.saveNew', { name: 'taken', text: doc('new') }, undefined)).toEqual({ kind: 'exists', path: 'taken.hnet.json' });
    expect(readFileSync(join(ws, 'taken.hnet.json'), 'utf8')).toBe(doc('old'));
    expect(await s.invoke('workspace.saveNew', { name: 'taken', text: doc('new'), overwrite: true }, undefined)).toMatchObject({ kind: 'saved' });
    expect(readFileSync(join(ws, 'taken.hnet.json'), 'utf8')).toBe(doc('new'));
  });

  it('refuses bad names with an error naming the field, and writes nothing', async () => {
    const s = service();
    for (const name of ['../outside/x', '/tmp/x', 'a/b', 'two\nlines', '..']) {
      const e = await rejection(s.call('workspace.saveNew', { name, text: doc('x') }, undefined), AppError);
      expect(e.code, JSON.stringify(name)).toBe('invalid_request');
      expect(e.message).toMatch(/name: /);
    }
    expect(readdirSync(ws)).toEqual([]);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('never writes through a link that leads outside the workspace, nor over a folder', async () => {
    writeFileSync(join(outside, 'victim.hnet.json'), doc('victim'));
    symlinkSync(join(outside, 'victim.hnet.json'), join(ws, 'victim.hnet.json'));
    symlinkSync(join(outside, 'missing.hnet.json'), join(ws, 'dangling.hnet.json'));
    mkdirSync(join(ws, 'folder.hnet.json'));
    const s = service();
    const e1 = await rejection(s.call('workspace.saveNew', { name: 'victim', text: doc('x'), overwrite: true }, undefined), AppError);
    expect(e1.code).toBe('forbidden');
    expect(readFileSync(join(outside, 'victim.hnet.json'), 'utf8')).toBe(doc('victim'));
    const e2 = await rejection(s.call('workspace.saveNew', { name: 'dangling', text: doc('x') }, undefined), AppError);
    expect(e2.code).toBe('forbidden');
    expect(readdirSync(outside)).toEqual(['victim.hnet.json']);
    const e3 = await rejection(s.call('workspace.saveNew', { name: 'folder', text: doc('x'), overwrite: true }, undefined), AppError);
    expect(e3).toMatchObject({ code: 'io', message: expect.stringMatching(/folder\.hnet\.json: a folder of that name/) });
  });

  it('is refused without a workspace', async () => {
    const e = await rejection(service({ workspace: null }).call('workspace.saveNew', { name: 'x', text: doc('x') }, undefined), AppError);
    expect(e.code).toBe('forbidden');
  });
});
