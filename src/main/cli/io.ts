/** What the commands share: exit codes, reading a document file, loading and compiling it, number formats. */
import { readFileSync, statSync } from 'node:fs';
import { compile, type CompileResult } from '../../shared/compiler/compile';
import { formatProblem, type HnetProblem } from '../../shared/compiler/errors';
import { MAX_DOCUMENT_BYTES, parseDocument } from '../../shared/document/load';
import type { HnetDocument } from '../../shared/document/schema';
import { ioReason } from '../app/errors';
import { terminalText } from './terminal';

export const EXIT = { ok: 0, invalid: 1, usage: 2, diverged: 3, interrupted: 130 } as const;

/** A failure that ends the command with `code` after printing `message` (if any) on stderr. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

/** Print a line on stdout or stderr; every CLI line goes through these, so through {@link terminalText}. */
export const out = (line = ''): void => void process.stdout.write(`${terminalText(line)}\n`);
export const err = (line = ''): void => void process.stderr.write(`${terminalText(line)}\n`);

/** The text of a file, or why it cannot be read (`no such file`, `it is a directory`, ...). */
export function readTextFile(file: string): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { ok: false, reason: 'it is a directory' };
    if (!st.isFile()) return { ok: false, reason: 'it is not a regular file' };
    if (st.size > MAX_DOCUMENT_BYTES) {
      return { ok: false, reason: `it is larger than ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB` };
    }
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { ok: false, reason: ioReason(e) };
  }
}

/** Whether a path (a checkpoint, a data file) can be opened for reading; the reason when not. */
export function checkReadable(file: string): string | null {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return 'it is a directory';
    return null;
  } catch (e) {
    return ioReason(e);
  }
}

export const cannotRead = (file: string, reason: string) => `hnet: cannot read ${file}: ${reason}`;

export type Loaded =
  | { kind: 'unreadable'; reason: string }
  | { kind: 'invalid'; problems: HnetProblem[]; warnings: string[]; doc?: HnetDocument }
  | { kind: 'ok'; doc: HnetDocument; result: CompileResult & { program: NonNullable<CompileResult['program']>; budget: NonNullable<CompileResult['budget']> }; warnings: string[] };

/** Read, parse and compile one document file. Never throws. */
export function loadDocumentFile(file: string): Loaded {
  const read = readTextFile(file);
  if (!read.ok) return { kind: 'unreadable', reason: read.reason };
  return loadDocumentText(read.text);
}

/**
 * Read and compile a document for a command, reporting on stderr why it cannot be used; the exit code then.
 */
export function loadForCommand(file: string): Extract<Loaded, { kind: 'ok' }> | number {
  const loaded = loadDocumentFile(file);
  if (loaded.kind === 'unreadable') {
    err(cannotRead(file, loaded.reason));
    return EXIT.invalid;
  }
  if (loaded.kind === 'invalid') {
    err(`hnet: ${file} is not a valid document:`);
    for (const p of loaded.problems) err(`    ${formatProblem(p)}`);
    return EXIT.invalid;
  }
  for (const w of loaded.warnings) err(`hnet: warning: ${file}: ${w}`);
  return loaded;
}

export function loadDocumentText(text: string): Exclude<Loaded, { kind: 'unreadable' }> {
  let parsed: ReturnType<typeof parseDocument>;
  try {
    parsed = parseDocument(text);
  } catch (e) {
    return { kind: 'invalid', problems: [{ code: 'HN004', message: `the document could not be checked: ${messageOf(e)}` }], warnings: [] };
  }
  if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems, warnings: [] };
  let result: CompileResult;
  try {
    result = compile(parsed.doc);
  } catch (e) {
    // The compiler reports problems as values; an exception here is a bug, reported without a stack.
    return { kind: 'invalid', problems: [{ code: 'HN004', message: `the compiler failed: ${messageOf(e)}` }], warnings: parsed.warnings, doc: parsed.doc };
  }
  if (!result.ok || !result.program || !result.budget) {
    return { kind: 'invalid', problems: result.problems, warnings: [...parsed.warnings, ...result.warnings.map(formatProblem)], doc: parsed.doc };
  }
  // The compiler's warnings (a constant context, ...) are printed with the loader's.
  const warnings = [...parsed.warnings, ...result.warnings.map(formatProblem)];
  return { kind: 'ok', doc: parsed.doc, result: result as Extract<Loaded, { kind: 'ok' }>['result'], warnings };
}

export function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 500 ? `${m.slice(0, 500)}...` : m;
}

/** 1234567 -> `1,234,567` */
export const count = (n: number): string => n.toLocaleString('en');

/** A metric or loss for people: 4 decimals in the usual range, exponent outside it. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a === 0 || (a >= 1e-3 && a < 1e5)) return x.toFixed(4);
  return x.toExponential(3);
}

/** The first sentence of a description, for one-line listings (`et al.`, `e.g.` and the like do not end it). */
export function firstSentence(text: string): string {
  const flat = (text.trim().split(/\n\s*\n|\n(?=\s*[|#>-])/)[0] ?? '').replace(/\s+/g, ' ').trim();
  const end = /[.!?](?=\s|$)/g;
  for (let m = end.exec(flat); m; m = end.exec(flat)) {
    const before = flat.slice(0, m.index + 1);
    if (/(^|[\s(])(al|e\.g|i\.e|cf|vs|etc|approx|Fig|Eq|[A-Z])\.$/.test(before)) continue;
    const after = flat.slice(m.index + 1).trimStart();
    if (after && !/^[A-Z0-9"'(`*_]/.test(after)) continue;
    return before;
  }
  return flat;
}

/** `hyper 118,817 / generated 1,761 params` (+ `, ordinary N` when some weights are trained directly) */
export function budgetText(b: { hyper: number; generated: number; ordinary: number }): string {
  return `hyper ${count(b.hyper)} / generated ${count(b.generated)} params${b.ordinary ? `, ordinary ${count(b.ordinary)}` : ''}`;
}
