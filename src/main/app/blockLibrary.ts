/**
 * The block library: blocks shipped with the app (`blocks/*.hnet-block.json` next to package.json) and the
 * user's own (a `blocks` folder beside the drafts: Electron userData/blocks, browser mode
 * ~/.hypernet-studio/blocks). A block is saved only under a name made safe for a file name, into the user's
 * folder, so a request can never name another file.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LibraryBlock } from '../../shared/api/contract';
import { readBlockFile, specOf } from '../../shared/document/blocks';
import { BLOCK_FILE_SUFFIX } from '../../shared/document/schema';
import { AppError } from './errors';
import { writeFileAtomic } from './files';

/** Library files larger than this are left out (a block is a few kB). */
const MAX_BLOCK_FILE = 10 * 1024 * 1024;

export interface BlockLibrary {
  list(): LibraryBlock[];
  save(name: string, text: string, overwrite: boolean): { kind: 'saved' | 'exists'; id: string };
}

/** `Task-conditioned generator` -> `task-conditioned-generator` (letters, digits, - and _ only). */
export function blockFileName(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug || 'block';
}

function readDir(dir: string, source: LibraryBlock['source']): LibraryBlock[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: LibraryBlock[] = [];
  for (const file of names.sort()) {
    if (!file.endsWith(BLOCK_FILE_SUFFIX)) continue;
    const path = join(dir, file);
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > MAX_BLOCK_FILE) continue;
      const text = readFileSync(path, 'utf8');
      const r = readBlockFile(text);
      if (!r.ok) continue;
      const root = r.file.nodes[0];
      out.push({ id: `${source}:${file.slice(0, -BLOCK_FILE_SUFFIX.length)}`, name: root.label ?? root.id, description: specOf(root).description, source, text });
    } catch {
      // unreadable: left out of the listing
    }
  }
  return out;
}

export function createBlockLibrary(shippedDir: string | null, userDir: string): BlockLibrary {
  return {
    list: () => [...(shippedDir ? readDir(shippedDir, 'shipped') : []), ...readDir(userDir, 'library')],
    save(name, text, overwrite) {
      const r = readBlockFile(text);
      if (!r.ok) throw new AppError('invalid_request', `this is not a block file: ${r.message}`);
      const file = blockFileName(name);
      const id = `library:${file}`;
      const path = join(userDir, `${file}${BLOCK_FILE_SUFFIX}`);
      let exists: boolean;
      try {
        exists = statSync(path).isFile();
      } catch {
        exists = false;
      }
      if (exists && !overwrite) return { kind: 'exists', id };
      mkdirSync(userDir, { recursive: true });
      writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`);
      return { kind: 'saved', id };
    },
  };
}
