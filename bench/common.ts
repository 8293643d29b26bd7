/**
 * Helpers shared by the benchmarks: loading documents, statistics, a plain-text table, and the check that lets
 * each benchmark file run on its own (`npx tsx bench/steps.ts`) as well as from bench/index.ts.
 *
 * The benchmarks report ratios measured side by side in one run; they never assert on absolute times.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/shared/compiler/compile';
import type { Program } from '../src/shared/compiler/ir';
import { parseDocument } from '../src/shared/document/load';
import type { HnetDocument } from '../src/shared/document/schema';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATES = join(ROOT, 'templates');
export const FIXTURES = join(ROOT, 'bench', 'fixtures');

/** True when `importMetaUrl`'s file is the script being run (directly with tsx, or through bin/run-ts.mjs). */
export function isMain(importMetaUrl: string): boolean {
  const self = fileURLToPath(importMetaUrl);
  return process.argv.slice(1).some((a) => {
    try {
      return resolve(a) === self;
    } catch {
      return false;
    }
  });
}

/** Every `*.hnet.json` of a folder, sorted by name. */
export function listDocuments(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.hnet.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export function loadDocument(path: string): HnetDocument {
  const r = parseDocument(readFileSync(path, 'utf8'));
  if (!r.ok) throw new Error(`${path}: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.doc;
}

export function compileFile(path: string): { doc: HnetDocument; program: Program } {
  const doc = loadDocument(path);
  const c = compile(doc);
  if (!c.ok || !c.program) throw new Error(`${path}: ${c.problems.map((p) => `${p.node ?? ''} ${p.message}`).join('; ')}`);
  return { doc, program: c.program };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Simple CLI flags: `--name=value` or `--name value`. */
export function flag(name: string): string | undefined {
  const args = process.argv;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

export function numFlag(name: string, fallback: number): number {
  const v = flag(name);
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** A left-aligned plain-text table (numbers right-aligned). */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.]+(e[-+]?\d+)?[x%]?$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) =>
    r.map((c, i) => (numeric[i] ? (c ?? '').padStart(widths[i]) : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function heading(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 74 - title.length))}`);
}
