/** Reading the user's data files, with errors that name the node, the parameter and the file. */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fail } from '../../../shared/compiler/errors';

/** A path as written in the document: absolute, or relative to the document's folder (else the working directory). */
export function resolveDataPath(path: string, baseDir?: string): string {
  return isAbsolute(path) ? path : resolve(baseDir ?? process.cwd(), path);
}

/** The bytes of the file a path parameter names, or an HN051 error naming the node and the parameter. */
export function readDataFile(node: string, field: string, path: string | undefined, baseDir?: string): Buffer {
  if (!path || path.trim() === '') fail('HN051', `${field}: no file set`, { node });
  const full = resolveDataPath(path.trim(), baseDir);
  let isFile: boolean;
  try {
    isFile = statSync(full).isFile();
  } catch {
    fail('HN051', `${field}: file not found: ${full}`, { node });
  }
  if (!isFile) fail('HN051', `${field}: ${full} is not a file`, { node });
  try {
    return readFileSync(full);
  } catch (e) {
    fail('HN051', `${field}: cannot read ${full}: ${(e as Error).message}`, { node });
  }
}
