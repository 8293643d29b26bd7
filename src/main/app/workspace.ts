/**
 * The browser mode's workspace on disk: list its documents, and turn the relative paths and names the editor
 * sends into absolute paths that are certainly inside it. Every path is resolved (symlinks followed) and checked
 * against the workspace's own real path, so neither `..`, an absolute path nor a link pointing elsewhere can make
 * the app read or write outside the folder.
 *
 * @example
 * const ws = createWorkspace('/home/me/models');
 * ws.list();                                   // { name: 'models', documents: [{ path: 'a/b.hnet.json', ... }], ... }
 * ws.resolveNew('mnist');                      // { path: '/home/me/models/mnist.hnet.json', exists: false, ... }
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { DOCUMENT_SUFFIX, MAX_WORKSPACE_DEPTH, documentFileName, documentNameProblem, workspacePathProblem, type WorkspaceEntry, type WorkspaceListing } from '../../shared/api/workspace';
import { AppError, ioReason } from './errors';
import { isTempFileName } from './files';

/** A listing stops after this many documents, or this many folders read. */
const MAX_LISTED = 2000;
const MAX_FOLDERS = 5000;

export interface Workspace {
  /** The workspace folder (absolute, as given). */
  readonly root: string;
  list(): WorkspaceListing;
  /** The absolute path of an existing document at `rel` (a listed path); refused when it is outside or missing. */
  resolveExisting(rel: string): string;
  /**
   * The files under `dir` (a folder inside the workspace: a document's folder) that `accept` takes, by path
   * relative to `dir`; refused when `dir` lies outside the workspace.
   */
  listFilesUnder(dir: string, accept: (name: string) => boolean): { files: { path: string; size: number }[]; truncated: boolean };
  /** Where a new document called `name` goes, and whether a document is already there. */
  resolveNew(name: string): { path: string; rel: string; exists: boolean };
}

/** Folders never listed: hidden ones, dependencies, and the app's own run records. */
const skipFolder = (name: string) => name.startsWith('.') || name === 'node_modules' || name.endsWith('.runs');

const isDocumentName = (name: string) => name.toLowerCase().endsWith(DOCUMENT_SUFFIX) && !isTempFileName(name) && !name.startsWith('.');

function within(real: string, rootReal: string): boolean {
  const rel = relative(rootReal, real);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

interface Found extends WorkspaceEntry {
  size: number;
}

/**
 * The files under `start` (a real folder inside `realRoot`) whose names `accept` takes, breadth first (a huge deep
 * tree still shows the files near the top), sorted by path relative to `start`. Links are followed only when they
 * stay inside the workspace; hidden folders, dependencies and run records are skipped.
 */
function walk(start: string, realRoot: string, accept: (name: string) => boolean): { found: Found[]; truncated: boolean } {
  const found: Found[] = [];
  const seen = new Set<string>([start]);
  let truncated = false;
  let folders = 0;
  const queue: { dir: string; rel: string; depth: number }[] = [{ dir: start, rel: '', depth: 0 }];
  while (queue.length) {
    const { dir, rel, depth } = queue.shift()!;
    if (++folders > MAX_FOLDERS) {
      truncated = true;
      break;
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: list the rest
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (workspacePathProblem(childRel) !== null) continue; // a name the editor could not send back
      const full = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        // Followed only when it stays inside the workspace.
        let real: string;
        try {
          real = realpathSync(full);
          if (!within(real, realRoot)) continue;
          const st = statSync(real);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
        if (isDir && seen.has(real)) continue;
        if (isDir) seen.add(real);
      }
      if (isDir) {
        if (!skipFolder(e.name) && depth < MAX_WORKSPACE_DEPTH) queue.push({ dir: full, rel: childRel, depth: depth + 1 });
      } else if (isFile && accept(e.name)) {
        if (found.length >= MAX_LISTED) {
          truncated = true;
          break;
        }
        let size: number;
        try {
          size = statSync(full).size;
        } catch {
          continue;
        }
        found.push({ path: childRel, name: e.name, folder: rel, size });
      }
    }
    if (found.length >= MAX_LISTED && truncated) break;
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { found, truncated };
}

export function createWorkspace(root: string): Workspace {
  /** The workspace's real path, looked up on every request (the folder may be moved or removed meanwhile). */
  function rootReal(): string {
    try {
      const real = realpathSync(root);
      if (!statSync(real).isDirectory()) throw new AppError('io', `the workspace ${basename(root)} is not a folder`);
      return real;
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('io', `cannot use the workspace folder ${basename(root)}: ${ioReason(e)}`);
    }
  }

  /** The real path of `path`, when it exists and is inside the workspace; null when it does not exist. */
  function realInside(path: string, realRoot: string, rel: string): string | null {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // A link whose target is missing: refuse rather than create a file wherever it points.
        try {
          if (lstatSync(path).isSymbolicLink()) throw new AppError('forbidden', `${rel} is a link to a file that does not exist; choose another name`);
        } catch (inner) {
          if (inner instanceof AppError) throw inner;
        }
        return null;
      }
      throw new AppError('io', `cannot use ${rel}: ${ioReason(e)}`);
    }
    if (!within(real, realRoot)) throw new AppError('forbidden', `${rel} leads outside the workspace (through a link); only files inside ${basename(root)} can be opened or saved here`);
    return real;
  }

  return {
    root,

    list() {
      const realRoot = rootReal();
      const { found, truncated } = walk(realRoot, realRoot, isDocumentName);
      return { name: basename(realRoot) || realRoot, documents: found.map(({ path, name, folder }) => ({ path, name, folder })), truncated };
    },

    listFilesUnder(dir, accept) {
      const realRoot = rootReal();
      let real: string;
      try {
        real = realpathSync(dir);
      } catch (e) {
        throw new AppError('io', `cannot list the folder ${basename(dir)}: ${ioReason(e)}`);
      }
      if (!within(real, realRoot)) throw new AppError('forbidden', `the folder ${basename(dir)} is outside the workspace; only files inside ${basename(root)} can be chosen here`);
      const { found, truncated } = walk(real, realRoot, (name) => !name.startsWith('.') && !isTempFileName(name) && accept(name));
      return { files: found.map(({ path, size }) => ({ path, size })), truncated };
    },

    resolveExisting(rel) {
      const problem = workspacePathProblem(rel);
      if (problem) throw new AppError('invalid_request', `path: ${problem}`);
      const realRoot = rootReal();
      const path = join(realRoot, ...rel.split('/'));
      const real = realInside(path, realRoot, rel);
      if (real === null) throw new AppError('io', `cannot open ${rel}: it is no longer in the workspace`);
      return path;
    },

    resolveNew(name) {
      const problem = documentNameProblem(name);
      if (problem) throw new AppError('invalid_request', `name: ${problem}`);
      const realRoot = rootReal();
      const rel = documentFileName(name);
      const path = join(realRoot, rel);
      const real = realInside(path, realRoot, rel);
      if (real === null) return { path, rel, exists: false };
      const st = statSync(real);
      if (st.isDirectory()) throw new AppError('io', `cannot save ${rel}: a folder of that name is in the workspace; choose another name`);
      if (!st.isFile()) throw new AppError('io', `cannot save ${rel}: something that is not a file has that name; choose another name`);
      return { path, rel, exists: true };
    },
  };
}
