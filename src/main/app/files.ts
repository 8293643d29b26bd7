/** Reading documents the user chose, and writing them so that a crash never leaves a half-written file. */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('io', `cannot read ${basename(path)}: ${ioReason(e)}`);
  }
}

/** Whether `name` looks like one of the temporary files {@link writeFileAtomic} creates. */
export const isTempFileName = (name: string): boolean => /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);

/**
 * Replace `path` with `text` so that readers (and a crash) see either the old file or the new one, never a mix:
 * write a temporary file in the same folder, flush it to disk, then rename it over the target (atomic on one
 * file system). The folder is flushed too where the platform allows, so the rename itself survives a power cut.
 * The target keeps its permission bits.
 */
export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o777;
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
    renameSync(temp, path);
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
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[. ]+$/, '')
    .slice(0, 120);
  if (!base || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(base)) base = 'Untitled';
  return `${base}.hnet.json`;
}
