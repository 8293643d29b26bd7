/**
 * Reading the user's data files, with errors that name the node, the parameter and the file.
 *
 * A document is not trusted to name any file on the machine: a data path resolves against the document's folder
 * and is read only when the file (symlinks resolved) lies inside that folder or inside a folder the user granted
 * (`hnet train --allow-data DIR`, `hnet serve --data DIR`, a file picked in the app's Open dialog). Files are
 * checked against a size limit before they are read. Errors name the path as the document wrote it, never the
 * file's contents.
 *
 * @example
 * const full = resolveDataPath('../shared/rows.csv', { baseDir: '/home/me/project', dataGrants: ['/home/me/shared'] }, { node: 'csv_1', field: 'path' });
 */
import { closeSync, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fail } from '../../../shared/compiler/errors';

/** What a dataset may read: the document's folder, the folders the user granted, and how large a file may be. */
export interface DataAccess {
  /** The document's folder: relative paths resolve against it, and its files may be read. None for an unsaved document. */
  baseDir?: string;
  /** Folders the user granted besides the document's (absolute paths). */
  dataGrants?: string[];
  /** The largest data file read, in bytes (default {@link DEFAULT_MAX_DATA_BYTES}). */
  maxDataBytes?: number;
}

/** 1 GiB. */
export const DEFAULT_MAX_DATA_BYTES = 1024 ** 3;

/** The data-access fields of a larger options object, without the unset ones (for spreading into OpenOptions). */
export function dataAccessOf(o: DataAccess): DataAccess {
  return {
    ...(o.baseDir !== undefined ? { baseDir: o.baseDir } : {}),
    ...(o.dataGrants !== undefined ? { dataGrants: o.dataGrants } : {}),
    ...(o.maxDataBytes !== undefined ? { maxDataBytes: o.maxDataBytes } : {}),
  };
}

interface Where {
  node: string;
  /** The node's parameter that holds the path (`path`, `trainImages`, ...). */
  field: string;
}

/** `1.5 GiB`, `300 MiB`, `12 KiB`, `800 bytes` */
export function formatBytes(n: number): string {
  const units = ['GiB', 'MiB', 'KiB'] as const;
  for (let k = 0; k < units.length; k++) {
    const size = 1024 ** (units.length - k);
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${units[k]}`;
    }
  }
  return `${n} byte${n === 1 ? '' : 's'}`;
}

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The real path of an existing folder, or undefined (a grant of a folder that is gone grants nothing). */
function realFolder(dir: string): string | undefined {
  try {
    return realpathSync(resolve(dir));
  } catch {
    return undefined;
  }
}

/**
 * The absolute real path of the file a data path names, or an HN054 error when it lies outside the document's
 * folder and every granted folder. Relative paths resolve against the document's folder; an unsaved document has
 * none, so only absolute paths into a granted folder work for it. Symlinks are resolved before the check, so a
 * link inside the folder to a file outside it is refused too. A path that does not exist is refused the same way
 * when it is outside (the refusal does not tell whether a file outside exists), and is HN051 "not found" inside.
 */
export function resolveDataPath(path: string, access: DataAccess, where: Where): string {
  const { node, field } = where;
  const written = path.trim();
  if (!isAbsolute(written) && access.baseDir === undefined)
    fail('HN054', `${field}: ${written} is a relative path, but the document is not saved yet, so it has no folder to resolve it against: save the document beside its data, or give an absolute path in a folder you granted (${howToGrant('its folder')})`, { node });
  const full = isAbsolute(written) ? resolve(written) : resolve(access.baseDir!, written);
  const dirs = [access.baseDir, ...(access.dataGrants ?? [])].filter((d): d is string => d !== undefined);
  const realRoots = dirs.flatMap((d) => realFolder(d) ?? []);
  let real: string | undefined;
  try {
    real = realpathSync(full);
  } catch {
    real = undefined;
  }
  // A missing file is judged by where its path points; an existing one by where it really is.
  const allowed = real !== undefined ? realRoots.some((r) => inside(r, real)) : [...dirs.map((d) => resolve(d)), ...realRoots].some((r) => inside(r, full));
  if (!allowed) {
    const link = real !== undefined && real !== full && dirs.some((d) => inside(resolve(d), full));
    fail(
      'HN054',
      `${field}: ${written} is outside ${access.baseDir !== undefined ? "the document's folder" : 'the folders you granted'}` +
        `${link ? ' (it is a link to a file elsewhere)' : ''}; data is read only from the document's folder and folders you grant: ` +
        howToGrant(dirname(real ?? full)),
      { node },
    );
  }
  if (real === undefined) fail('HN051', `${field}: file not found: ${full}`, { node });
  return real;
}

/** How a user grants a folder, in each of the app's faces. */
export function howToGrant(folder: string): string {
  return `hnet train --allow-data ${folder} (or hnet export --allow-data), hnet serve --data ${folder}, or in the app open a document from that folder with File › Open`;
}

/**
 * The bytes of the file a path parameter names: resolved and checked by {@link resolveDataPath}, then refused
 * (HN055) if larger than the limit, checked on the open file before anything is read.
 */
export function readDataFile(node: string, field: string, path: string | undefined, access: DataAccess = {}, limit?: { bytes: number; why: string }): Buffer {
  if (!path || path.trim() === '') fail('HN051', `${field}: no file set`, { node });
  const full = resolveDataPath(path, access, { node, field });
  const written = path.trim();
  let fd: number;
  try {
    fd = openSync(full, 'r');
  } catch (e) {
    fail('HN051', `${field}: cannot read ${written}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { node });
  }
  try {
    let size: number;
    let isFile: boolean;
    try {
      const st = fstatSync(fd);
      size = st.size;
      isFile = st.isFile();
    } catch (e) {
      fail('HN051', `${field}: cannot read ${written}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { node });
    }
    if (!isFile) fail('HN051', `${field}: ${written} is not a file`, { node });
    const max = access.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    if (size > max)
      fail('HN055', `${field}: ${written} is ${formatBytes(size)}, larger than the data file limit of ${formatBytes(max)}: raise it with --max-data-mb (hnet train, hnet export, hnet serve), or use a smaller file`, { node });
    if (limit && size > limit.bytes)
      fail('HN055', `${field}: ${written} is ${formatBytes(size)}, larger than ${formatBytes(limit.bytes)}, the most ${limit.why}`, { node });
    try {
      return readFileSync(fd);
    } catch (e) {
      fail('HN051', `${field}: cannot read ${written}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { node });
    }
  } finally {
    closeSync(fd);
  }
}
