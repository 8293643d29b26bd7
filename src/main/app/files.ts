/** Reading documents the user chose, and writing them so that a crash never leaves a half-written file. */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MAX_DOCUMENT_BYTES } from '../../shared/document/load';
import { AppError, ioReason } from './errors';

/** The text of a document file; an {@link AppError} (`io`) naming the file and the reason when it cannot be read. */
export function readDocumentText(path: string): string {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new AppError('io', `cannot read ${basename(path)}: it is a directory`);
    if (!st.isFile()) throw new AppError('io', `cannot read ${basename(path)}: it is not a regular file`);
    if (st.size > MAX_DOCUMENT_BYTES)
      throw new AppError('io', `cannot read ${basename(path)}: it is larger than ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB`);
    const text = readFileSync(path, 'utf8');
    try {
      removeStaleTempFiles(saveTarget(path));
    } catch {
      // best effort: the document was read, which is what was asked
    }
    return text;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('io', `cannot read ${basename(path)}: ${ioReason(e)}`);
  }
}

/** `.NAME.hnet-tmp-<pid>-<hex>`: the temporary file {@link writeFileAtomic} writes beside NAME. */
const TEMP_FILE = /^\.(.+)\.hnet-tmp-(\d+)-[0-9a-f]{12}$/;
/** The name earlier versions used (`.NAME.<hex>.tmp`), recognised so that their leftovers are cleaned up too. */
const LEGACY_TEMP_FILE = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** Whether `name` looks like one of the temporary files {@link writeFileAtomic} creates. */
export const isTempFileName = (name: string): boolean => TEMP_FILE.test(name) || LEGACY_TEMP_FILE.test(name);

/** A temporary file of ours older than this is left over from a crash, whoever wrote it (a save takes well under a second). */
export const STALE_TEMP_MS = 10 * 60 * 1000;

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temporary files a crashed save of `path` left beside it: ours by name (see {@link TEMP_FILE}), and
 * either written by a process that is gone or older than {@link STALE_TEMP_MS}. Best effort: a folder that
 * cannot be listed or a file that cannot be removed is left as it is. Returns the names removed.
 */
export function removeStaleTempFiles(path: string, now = Date.now()): string[] {
  const dir = dirname(path);
  const name = basename(path);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const m = TEMP_FILE.exec(entry);
    const legacy = m ? null : LEGACY_TEMP_FILE.exec(entry);
    if ((m?.[1] ?? legacy?.[1]) !== name) continue;
    const file = join(dir, entry);
    try {
      const st = lstatSync(file);
      if (!st.isFile()) continue; // never ours
      const old = now - st.mtimeMs > STALE_TEMP_MS;
      if (!old && (legacy || processIsAlive(Number(m![2])))) continue; // perhaps a save in progress
      unlinkSync(file);
      removed.push(entry);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/**
 * The file a save of `path` must replace: `path` itself, or, where it is a symbolic link, the file the chain of
 * links ends at, so that the link survives and its target gets the new text. A link whose target does not exist
 * yet creates that target (as `echo > link` would), provided the target's folder exists.
 */
export function saveTarget(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(current);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A new file (or the missing end of a dangling link): it goes into the real folder.
      return join(realpathSync(dirname(current)), basename(current));
    }
    if (!st.isSymbolicLink()) return join(realpathSync(dirname(current)), basename(current));
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' });
}

/**
 * Replace `path` with `text` so that readers (and a crash) see either the old file or the new one, never a mix:
 * write a temporary file in the same folder, flush it to disk, then rename it over the target (atomic on one
 * file system). The folder is flushed too where the platform allows, so the rename itself survives a power cut.
 * The target keeps its permission bits. Where `path` is a symbolic link, its target is replaced and the link
 * stays (see {@link saveTarget}). Temporary files an earlier crash left beside the target are removed.
 */
export function writeFileAtomic(path: string, text: string): void {
  let target: string;
  try {
    target = saveTarget(path);
  } catch (e) {
    throw new AppError('io', `cannot save ${basename(path)}: ${ioReason(e)}`);
  }
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.hnet-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let mode: number | undefined;
  try {
    mode = statSync(target).mode & 0o777;
  } catch {
    mode = undefined; // a new file
  }
  let fd: number | undefined;
  try {
    // 'wx': never follow or reuse something already at the temporary name.
    fd = openSync(temp, 'wx', mode ?? 0o644);
    const data = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
    if (mode !== undefined && (fstatSync(fd).mode & 0o777) !== mode) chmodSync(temp, mode);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // it was never created, or the rename already moved it
    }
    throw new AppError('io', `cannot save ${basename(path)}: ${ioReason(e)}`);
  }
  syncDir(dir);
  removeStaleTempFiles(target);
}

function syncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort: some file systems refuse fsync on a directory
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A file name to offer in a save dialog for a document called `name`: no folders, no characters that are
 * invalid on Windows or macOS, not a reserved device name, ending in `.hnet.json`.
 */
export function suggestedFileName(name: string): string {
  let base = name
    .replace(/\.hnet\.json$/i, '')
    // eslint-disable-next-line no-control-regex -- control characters are invalid in file names: matching them is the point
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[. ]+$/, '')
    .slice(0, 120);
  if (!base || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(base)) base = 'Untitled';
  return `${base}.hnet.json`;
}
