/** The recent-files list (most recent first, at most {@link MAX_RECENT}), kept in a small JSON file. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { writeFileAtomic } from './files';

export const MAX_RECENT = 10;

export interface RecentStore {
  /** Absolute paths, most recent first. */
  list(): string[];
  /** Put `path` first (moving it if already listed). */
  add(path: string): void;
  remove(path: string): void;
}

export function createRecentStore(file: string, onChange: (paths: string[]) => void = () => {}): RecentStore {
  let paths: string[] | null = null;

  function load(): string[] {
    if (paths) return paths;
    try {
      const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
      const list = Array.isArray(value) ? value : (value as { files?: unknown } | null)?.files;
      paths = Array.isArray(list)
        ? [...new Set(list.filter((p): p is string => typeof p === 'string' && p.length < 4096 && isAbsolute(p)))].slice(0, MAX_RECENT)
        : [];
    } catch {
      paths = [];
    }
    return paths;
  }

  function store(next: string[]): void {
    paths = next;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, `${JSON.stringify({ files: next }, null, 2)}\n`);
    } catch {
      // Losing the recent list is not worth interrupting the user's save or open.
    }
    onChange([...next]);
  }

  return {
    list: () => [...load()],
    add(path) {
      store([path, ...load().filter((p) => p !== path)].slice(0, MAX_RECENT));
    },
    remove(path) {
      const list = load();
      if (list.includes(path)) store(list.filter((p) => p !== path));
    },
  };
}
