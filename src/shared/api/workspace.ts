/**
 * The browser mode's workspace: the folder `hnet serve` was started in (or `--workspace DIR`), whose documents
 * the editor lists in Open and into which Save writes a new document under a name the user types.
 *
 * The editor names workspace files only by paths relative to the workspace, checked here segment by segment;
 * the app resolves them again and refuses anything that lands outside the folder (symlinks included).
 *
 * @example
 * documentNameProblem('my model');   // null: saved as "my model.hnet.json"
 * documentNameProblem('../escape');  // 'the name may not contain "/" or "\" ...'
 * documentFileName('my model');      // 'my model.hnet.json'
 */
import { z } from 'zod';

/** Longest document name a user can type (without `.hnet.json`). */
export const MAX_DOCUMENT_NAME = 120;

export const DOCUMENT_SUFFIX = '.hnet.json';

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/**
 * Why `name` cannot name a new document in the workspace, as a sentence about the field "name", or null when it
 * can. A name is one file name: no folders, no `..`, no control characters, nothing a file system refuses.
 */
export function documentNameProblem(name: string): string | null {
  const base = stripSuffix(name);
  if (!base.trim()) return 'the name is empty; type a name for the document';
  if (base.length > MAX_DOCUMENT_NAME) return `the name is longer than ${MAX_DOCUMENT_NAME} characters`;
  if (CONTROL.test(name)) return 'the name contains a control character (a line break, tab or similar); use letters, digits, spaces and punctuation';
  if (/[\\/]/.test(name)) return 'the name may not contain "/" or "\\": it names a file in the workspace, not a path';
  if (name.includes('..')) return 'the name may not contain ".."';
  if (/[:*?"<>|]/.test(name)) return 'the name may not contain any of : * ? " < > | (some systems cannot store them)';
  if (/^[.\s]/.test(name)) return 'the name may not start with "." or a space';
  if (/[.\s]$/.test(base)) return 'the name may not end with "." or a space';
  if (WINDOWS_RESERVED.test(base)) return `"${base}" is a reserved device name on Windows; choose another name`;
  return null;
}

function stripSuffix(name: string): string {
  return name.toLowerCase().endsWith(DOCUMENT_SUFFIX) ? name.slice(0, -DOCUMENT_SUFFIX.length) : name;
}

/** The file a valid document name is saved as: `NAME.hnet.json` (a name typed with the suffix keeps it once). */
export const documentFileName = (name: string): string => `${stripSuffix(name)}${DOCUMENT_SUFFIX}`;

/** A name the user types for a new document (validated: see {@link documentNameProblem}). */
export const DocumentName = z
  .string()
  .max(MAX_DOCUMENT_NAME + DOCUMENT_SUFFIX.length)
  .superRefine((name, ctx) => {
    const problem = documentNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: `name: ${problem}` });
  });

/** At most this many folders deep below the workspace. */
export const MAX_WORKSPACE_DEPTH = 8;

/** Why `path` cannot name a file in the workspace, or null. Paths are relative, `/`-separated, no `.`/`..`. */
export function workspacePathProblem(path: string): string | null {
  if (!path) return 'the path is empty';
  if (path.length > 1000) return 'the path is longer than 1000 characters';
  if (CONTROL.test(path)) return 'the path contains a control character';
  if (path.includes('\\')) return 'the path may not contain "\\" (workspace paths use "/")';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'the path must be relative to the workspace';
  const segments = path.split('/');
  if (segments.length > MAX_WORKSPACE_DEPTH + 1) return `the path is more than ${MAX_WORKSPACE_DEPTH} folders deep`;
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'the path may not contain empty, "." or ".." parts';
  return null;
}

/** A document's path inside the workspace, as the app lists it (`models/mnist.hnet.json`). */
export const WorkspacePath = z.string().superRefine((path, ctx) => {
  const problem = workspacePathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: `path: ${problem}` });
});

export const WorkspaceEntry = z.object({
  /** Relative to the workspace, `/`-separated. */
  path: z.string(),
  /** The file name. */
  name: z.string(),
  /** The folder it is in, relative to the workspace ('' for the workspace itself). */
  folder: z.string(),
});
export type WorkspaceEntry = z.infer<typeof WorkspaceEntry>;

export const WorkspaceListing = z.object({
  /** The workspace folder's name (its full path stays on the server). */
  name: z.string(),
  /** Every `*.hnet.json` in the workspace and its subfolders, sorted by path. */
  documents: z.array(WorkspaceEntry),
  /** True when the listing stopped at its limit (very large folders). */
  truncated: z.boolean(),
});
export type WorkspaceListing = z.infer<typeof WorkspaceListing>;
