/**
 * Saving a document: through a symbolic link the link survives and its target gets the text (also a link whose
 * target does not exist yet, and a chain of links); the temporary file is ours by name; the temporary files a
 * crashed save left beside a document are removed when it is opened or saved, and nobody else's files are.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_TEMP_MS, isTempFileName, readDocumentText, removeStaleTempFiles, saveTarget, writeFileAtomic } from '../src/main/app/files';

const posix = process.platform !== 'win32';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-save-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has ended (and, being just reaped, is not reused this instant). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe.runIf(posix)('saving through a symbolic link', () => {
  it('writes the link’s target and keeps the link', () => {
    mkdirSync(join(dir, 'real'));
    const target = join(dir, 'real', 'model.hnet.json');
    writeFileSync(target, 'old');
    const link = join(dir, 'model.hnet.json');
    symlinkSync('real/model.hnet.json', link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('real/model.hnet.json');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['model.hnet.json', 'real']);
    expect(readdirSync(join(dir, 'real'))).toEqual(['model.hnet.json']);
  });

  it('follows a chain of links, relative and absolute', () => {
    const target = join(dir, 'final.hnet.json');
    writeFileSync(target, 'old');
    symlinkSync(target, join(dir, 'b.hnet.json'));
    symlinkSync('b.hnet.json', join(dir, 'a.hnet.json'));
    expect(saveTarget(join(dir, 'a.hnet.json'))).toBe(join(saveTarget(dir), 'final.hnet.json'));
    writeFileAtomic(join(dir, 'a.hnet.json'), 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(lstatSync(join(dir, 'a.hnet.json')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'b.hnet.json')).isSymbolicLink()).toBe(true);
  });

  it('creates the target of a link that points at a file not there yet', () => {
    mkdirSync(join(dir, 'real'));
    const link = join(dir, 'new.hnet.json');
    symlinkSync('real/new.hnet.json', link);
    writeFileAtomic(link, 'first');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real', 'new.hnet.json'), 'utf8')).toBe('first');
  });

  it('refuses a link into a folder that does not exist, and a loop of links, naming the file', () => {
    symlinkSync('nowhere/x.hnet.json', join(dir, 'dangling.hnet.json'));
    expect(() => writeFileAtomic(join(dir, 'dangling.hnet.json'), 'x')).toThrow(/cannot save dangling\.hnet\.json: no such file/);
    symlinkSync('loop2.hnet.json', join(dir, 'loop1.hnet.json'));
    symlinkSync('loop1.hnet.json', join(dir, 'loop2.hnet.json'));
    expect(() => writeFileAtomic(join(dir, 'loop1.hnet.json'), 'x')).toThrow(/cannot save loop1\.hnet\.json: too many symbolic links/);
    expect(lstatSync(join(dir, 'dangling.hnet.json')).isSymbolicLink()).toBe(true);
  });
});

describe('temporary files', () => {
  it('are named .NAME.hnet-tmp-<pid>-<hex> and recognised, old-style ones too', () => {
    expect(isTempFileName(`.m.hnet.json.hnet-tmp-${process.pid}-0123456789ab`)).toBe(true);
    expect(isTempFileName('.m.hnet.json.0123456789ab.tmp')).toBe(true);
    expect(isTempFileName('m.hnet.json')).toBe(false);
    expect(isTempFileName('.m.hnet.json.hnet-tmp-12-xyz')).toBe(false);
  });

  it.runIf(posix)('a save that fails leaves none behind, and its name carries our pid', () => {
    const file = join(dir, 'm.hnet.json');
    mkdirSync(file); // the rename fails after the temporary file was written
    writeFileSync(join(file, 'keep'), 'x');
    expect(() => writeFileAtomic(file, 'new')).toThrow(/cannot save m\.hnet\.json: it is a directory/);
    expect(readdirSync(dir)).toEqual(['m.hnet.json']);
  });

  it('left by a dead process or long ago are removed when the document is saved or opened; others stay', () => {
    const file = join(dir, 'm.hnet.json');
    writeFileSync(file, 'doc');
    const dead = `.m.hnet.json.hnet-tmp-${deadPid()}-aaaaaaaaaaaa`;
    const live = `.m.hnet.json.hnet-tmp-${process.pid}-bbbbbbbbbbbb`;
    const oldLive = `.m.hnet.json.hnet-tmp-${process.pid}-cccccccccccc`;
    const legacyOld = '.m.hnet.json.dddddddddddd.tmp';
    const legacyNew = '.m.hnet.json.eeeeeeeeeeee.tmp';
    const otherDoc = `.other.hnet.json.hnet-tmp-${deadPid()}-ffffffffffff`;
    const notOurs = '.m.hnet.json.swp';
    for (const n of [dead, live, oldLive, legacyOld, legacyNew, otherDoc, notOurs]) writeFileSync(join(dir, n), 'partial');
    const longAgo = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    for (const n of [oldLive, legacyOld]) utimesSync(join(dir, n), longAgo, longAgo);

    writeFileAtomic(file, 'saved');
    expect(readFileSync(file, 'utf8')).toBe('saved');
    expect(readdirSync(dir).sort()).toEqual([legacyNew, live, otherDoc, notOurs, 'm.hnet.json'].sort());

    // Opening the other document cleans up after it.
    writeFileSync(join(dir, 'other.hnet.json'), 'o');
    expect(readDocumentText(join(dir, 'other.hnet.json'))).toBe('o');
    expect(readdirSync(dir)).not.toContain(otherDoc);
    expect(readdirSync(dir)).toContain(live);
  });

  it('age alone makes one stale, judged against the clock given', () => {
    const file = join(dir, 'm.hnet.json');
    writeFileSync(file, 'doc');
    const live = `.m.hnet.json.hnet-tmp-${process.pid}-bbbbbbbbbbbb`;
    writeFileSync(join(dir, live), 'partial');
    expect(removeStaleTempFiles(file)).toEqual([]);
    expect(removeStaleTempFiles(file, Date.now() + STALE_TEMP_MS + 60_000)).toEqual([live]);
  });

  it.runIf(posix)('beside a linked document are found beside its target', () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'm.hnet.json'), 'doc');
    symlinkSync('real/m.hnet.json', join(dir, 'm.hnet.json'));
    const dead = `.m.hnet.json.hnet-tmp-${deadPid()}-aaaaaaaaaaaa`;
    writeFileSync(join(dir, 'real', dead), 'partial');
    expect(readDocumentText(join(dir, 'm.hnet.json'))).toBe('doc');
    expect(readdirSync(join(dir, 'real'))).toEqual(['m.hnet.json']);
  });
});
