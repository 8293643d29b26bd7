/**
 * Checking a data node's files while the document is edited (`data.probe`), and choosing them (`data.choose`,
 * `data.list`). The compiler is pure and never reads files; the app reads them with the engine's own readers, so
 * what the probe reports is what a run would fail on, before the run.
 *
 * Paths are the node's params as the document writes them (relative to the document's folder, or absolute): the
 * app resolves them exactly as a run does and reads only what a run may read (engine/data/files.ts).
 *
 * @example
 * const r = await api.invoke('data.probe', { handle, node: 'csv_1', type: 'data.csv', params: node.params });
 * r.problems;          // [{ code: 'HN051', node: 'csv_1', port: 'path', message: 'file not found: ...' }]
 * r.csv?.header;       // ['x1', 'x2', 'label']
 */
import { z } from 'zod';
import { ErrorCodes, type ErrorCode } from '../compiler/errors';

/** Rows a probe returns for the preview. */
export const PREVIEW_ROWS = 5;
/** Columns a probe returns for the preview (a wider file's preview is cut, and says so). */
export const PREVIEW_COLUMNS = 64;
/** Characters of a preview cell (a longer one is cut, ending in …). */
export const PREVIEW_CELL_CHARS = 40;

const Code = z.string().refine((c): c is ErrorCode => Object.hasOwn(ErrorCodes, c), 'not an error code') as unknown as z.ZodType<ErrorCode>;

/** A problem of a data node's files, shaped as the compiler's (HnetProblem): `port` is the param concerned. */
export const DataProblem = z.object({
  code: Code,
  message: z.string(),
  node: z.string(),
  port: z.string(),
  path: z.string(),
});
export type DataProblem = z.infer<typeof DataProblem>;

export const ProbedFile = z.object({
  /** The param that names the file. */
  field: z.string(),
  /** As the document writes it. */
  path: z.string(),
  /** Size on disk in bytes, when the file was found. */
  size: z.number().int().nonnegative().optional(),
  /** IDX files: the dimensions their header announces ([n, height, width] for images, [n] for labels). */
  dims: z.array(z.number().int().nonnegative()).optional(),
});
export type ProbedFile = z.infer<typeof ProbedFile>;

export const CsvPreview = z.object({
  /** The header's names (the first {@link PREVIEW_COLUMNS}). */
  header: z.array(z.string()),
  /** The first {@link PREVIEW_ROWS} data rows, cells trimmed and cut. */
  rows: z.array(z.array(z.string())),
  /** Data rows in the file (after the header). */
  rowCount: z.number().int().nonnegative(),
  /** Columns in the file (the preview may show fewer). */
  columnCount: z.number().int().nonnegative(),
  /** What the node makes of each column, by index: the inputs x, the target y, the task id, or nothing. */
  roles: z.array(z.enum(['input', 'target', 'task', 'unused'])),
});
export type CsvPreview = z.infer<typeof CsvPreview>;

export const DataProbeResult = z.object({
  /** Empty when a run would read the files without complaint. */
  problems: z.array(DataProblem),
  files: z.array(ProbedFile),
  csv: CsvPreview.optional(),
});
export type DataProbeResult = z.infer<typeof DataProbeResult>;

export const DataProbeRequest = z.object({
  /** The document's handle (relative paths resolve against its folder); null for an unsaved document. */
  handle: z.string().max(200).nullable().optional(),
  node: z.string().max(200),
  type: z.string().max(200),
  params: z.record(z.string(), z.unknown()),
});

/** A file the browser mode's picker lists: its path relative to the document's folder. */
export const DataFileEntry = z.object({ path: z.string(), size: z.number().int().nonnegative() });

export const DataFileListing = z.object({
  /** The document's folder's name. */
  folder: z.string(),
  /** Files under the document's folder (its subfolders included), sorted by path. */
  files: z.array(DataFileEntry),
  truncated: z.boolean(),
});
export type DataFileListing = z.infer<typeof DataFileListing>;

/** Whether a file name fits a format's picker (IDX files are often named without an extension, `*-ubyte`). */
export function fitsFormat(name: string, format: 'csv' | 'idx'): boolean {
  const lower = name.toLowerCase();
  if (format === 'csv') return lower.endsWith('.csv') || lower.endsWith('.txt');
  return lower.endsWith('ubyte') || lower.endsWith('.idx') || lower.endsWith('ubyte.gz') || lower.endsWith('.idx.gz');
}
