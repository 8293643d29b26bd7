/**
 * Compile time of every template (SPEC 9: compile under 50 ms for any template): parse the file's text
 * (parseDocument: JSON, limits, migration, schema) and compile it (validate, infer shapes, order, lower).
 * Median of N timed runs after a warm-up, reported in ms and as a ratio to the 50 ms budget.
 *
 *   npx tsx bench/compile.ts [--runs 30]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compile } from '../src/shared/compiler/compile';
import { parseDocument } from '../src/shared/document/load';
import { FIXTURES, TEMPLATES, fmt, heading, isMain, listDocuments, median, numFlag, table } from './common';

export const COMPILE_BUDGET_MS = 50;

export interface CompileRow {
  file: string;
  /** templates/ or a bench fixture. */
  kind: 'template' | 'fixture';
  ops: number;
  params: number;
  parseMs: number;
  compileMs: number;
  totalMs: number;
  /** Median and slowest total over the timed runs. */
  maxMs: number;
  /** The very first parse + compile of the file in this process (cold JIT), for reference. */
  coldMs: number;
  ratio: number;
}

function timeOne(text: string): { parse: number; compile: number; ops: number; params: number } {
  const t0 = performance.now();
  const r = parseDocument(text);
  const t1 = performance.now();
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  const c = compile(r.doc);
  const t2 = performance.now();
  if (!c.ok || !c.program) throw new Error(c.problems.map((p) => p.message).join('; '));
  const params = c.budget ? c.budget.hyper + c.budget.ordinary : 0;
  return { parse: t1 - t0, compile: t2 - t1, ops: c.program.ops.length, params };
}

export function benchCompile(opts: { runs?: number; warmup?: number } = {}): CompileRow[] {
  const runs = opts.runs ?? 30;
  const warmup = opts.warmup ?? 10;
  const files = [
    ...listDocuments(TEMPLATES).map((f) => ({ f, kind: 'template' as const })),
    ...listDocuments(FIXTURES).map((f) => ({ f, kind: 'fixture' as const })),
  ];
  // A first, cold compile of each file (module-level lazy work, JIT) is not what the budget is about; warm up
  // every file first, then time them in interleaved rounds so a noisy moment hits all files alike.
  const texts = files.map(({ f }) => readFileSync(f, 'utf8'));
  const cold = texts.map((t) => {
    const c = timeOne(t);
    return c.parse + c.compile;
  });
  for (let i = 0; i < warmup; i++) for (const t of texts) timeOne(t);
  const samples = files.map(() => [] as { parse: number; compile: number; ops: number; params: number }[]);
  for (let i = 0; i < runs; i++) texts.forEach((t, k) => samples[k].push(timeOne(t)));
  return files.map(({ f, kind }, k) => {
    const s = samples[k];
    const totals = s.map((x) => x.parse + x.compile);
    const totalMs = median(totals);
    return {
      file: basename(f),
      kind,
      ops: s[0].ops,
      params: s[0].params,
      parseMs: median(s.map((x) => x.parse)),
      compileMs: median(s.map((x) => x.compile)),
      totalMs,
      maxMs: Math.max(...totals),
      coldMs: cold[k],
      ratio: totalMs / COMPILE_BUDGET_MS,
    };
  });
}

export function printCompile(rows: CompileRow[], runs: number): void {
  heading(`Compile time (parse + compile), median of ${runs} runs after warm-up; budget ${COMPILE_BUDGET_MS} ms (SPEC 9)`);
  console.log(
    table(
      ['document', 'from', 'ops', 'params', 'parse ms', 'compile ms', 'total ms', 'max ms', 'cold ms', 'x budget', 'within'],
      rows.map((r) => [
        r.file,
        r.kind,
        r.ops,
        r.params,
        fmt(r.parseMs),
        fmt(r.compileMs),
        fmt(r.totalMs),
        fmt(r.maxMs),
        fmt(r.coldMs),
        fmt(r.ratio, 3),
        r.ratio <= 1 ? 'yes' : 'NO',
      ]),
    ),
  );
  console.log(`'x budget' = median total / ${COMPILE_BUDGET_MS} ms (below 1 is within the budget). 'max ms' is the slowest timed run (GC pauses),`);
  console.log(`'cold ms' the first parse + compile of the file in this process (before JIT warm-up; the first file also pays one-time setup).`);
  console.log('Fixtures (bench/fixtures) are bench-only graphs, not templates.');
}

if (isMain(import.meta.url)) {
  const runs = numFlag('runs', 30);
  printCompile(benchCompile({ runs }), runs);
}
