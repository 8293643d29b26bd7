/**
 * May an export write into a folder? Yes when the folder is missing or empty, or holds an earlier export (its
 * `hnet-export.json` mark) whose files are as that export wrote them. Otherwise the export asks first: the
 * folder holds the user's own files, or files changed by hand since, that writing would replace.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { EXPORT_MARKER, contentHash, parseExportMarker } from '../../shared/codegen/exportMarker';
import { plainText } from '../../shared/codegen/plainText';

const LISTED = 5;

/** An export refused because it would write into a folder that holds files not of a clean earlier export. */
export class ExportFolderNotEmpty extends Error {
  constructor(
    readonly folder: string,
    /** Why, in words: what the folder holds. */
    readonly reason: string,
  ) {
    super(`${folder} ${reason}`);
    this.name = 'ExportFolderNotEmpty';
  }
}

const list = (names: string[]) =>
  names
    .slice(0, LISTED)
    .map((n) => plainText(n))
    .join(', ') + (names.length > LISTED ? `, and ${names.length - LISTED} more` : '');

/** Inside the folder, by a relative path a marker may name (never `..`, never absolute). */
const safeRelative = (path: string) => !isAbsolute(path) && !normalize(path).split(/[\\/]/).includes('..') && !normalize(path).startsWith(sep);

/** Null when writing into `folder` needs no confirmation; otherwise why it does (a phrase after the folder's name). */
export function exportFolderConflict(folder: string): string | null {
  if (!existsSync(folder)) return null;
  const entries = readdirSync(folder);
  if (entries.length === 0) return null;
  const markerPath = join(folder, EXPORT_MARKER);
  const marker = existsSync(markerPath) && statSync(markerPath).isFile() ? parseExportMarker(readFileSync(markerPath, 'utf8')) : null;
  if (!marker) return `is not empty and is not an earlier export of Hypernet Studio (it holds ${list(entries.sort())})`;
  const changed: string[] = [];
  for (const [path, hash] of Object.entries(marker.files)) {
    if (!safeRelative(path)) continue;
    const full = join(folder, path);
    if (!existsSync(full) || !statSync(full).isFile()) continue;
    if (contentHash(readFileSync(full)) !== hash) changed.push(path);
  }
  if (changed.length) return `holds an earlier export with ${changed.length === 1 ? 'a file' : `${changed.length} files`} changed since (${list(changed.sort())}) that exporting again would overwrite`;
  return null;
}
