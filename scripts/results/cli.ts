/**
 * The command line of `npm run results`: which templates, how many seeds, which budget; then the runner
 * (./runner.ts) trains and the renderer (./render.ts) writes docs/RESULTS.md, keeping the runs it records so
 * `--render` can write the page again without training.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Backend } from '../../src/shared/document/schema';
import { parseSeedList } from '../../src/shared/seeds';
import { availableBackends } from '../../src/main/engine/backend';
import type { Entry } from './entry';
import { withResult, writeAtomic } from './metadata';
import { consoleLines, recordedEntries, renderMarkdown, resultSentence } from './render';
import { loadTemplate, runFullBudget, runTemplate, type RunOptions } from './runner';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Flags {
  only: string[];
  seeds?: number[];
  budget: 'default' | 'full';
  steps?: number;
  backend: Backend;
  dryRun: boolean;
  render: boolean;
  templates: string;
  out: string;
}

const HELP = `usage: npm run results -- [flags]

Trains every template in templates/ and writes docs/RESULTS.md (and each template's metadata.result).

  --only NAME        only templates whose file name contains NAME (repeatable); the other rows are kept
  --seeds LIST       train each template once per seed (1,2,3 or 1-5): its row shows mean ± sample sd (n − 1)
                     over them; default: the template's own seed
  --budget WHICH     default (the template's training block) or full: train its full-budget setting and record
                     the figure beside the published one with the gap to it (the row's default-budget runs must
                     be recorded already; metadata.result is left as it is)
  --steps N          a quick run with N steps per task; printed, never written
  --backend NAME     wasm (default), cpu, tensorflow, tensorflow-gpu, pytorch (the PyTorch export) or auto
  --dry-run          train and print; write nothing
  --render           train nothing: write the page again from the runs it records
  --templates DIR    the templates folder (default: templates/)
  --out FILE         the page to write (default: docs/RESULTS.md)
  -h, --help         this text

Regenerate the whole page with 3 seeds: npm run results -- --seeds 1,2,3
then add the full-budget figures:       npm run results -- --budget full --backend pytorch`;

function usage(problem?: string): never {
  if (problem) {
    console.error(`results: ${problem}`);
    console.error('(run `npm run results -- --help` for usage)');
  } else console.log(HELP);
  process.exit(problem ? 2 : 0);
}

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { only: [], budget: 'default', backend: 'wasm', dryRun: false, render: false, templates: join(ROOT, 'templates'), out: join(ROOT, 'docs', 'RESULTS.md') };
  const value = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) usage(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') flags.only.push(value(i++, a));
    else if (a === '--seeds') {
      const seeds = parseSeedList(value(i++, a));
      if (!Array.isArray(seeds)) usage(`--seeds: ${seeds.problem}`);
      flags.seeds = seeds;
    } else if (a === '--budget') {
      const b = value(i++, a);
      if (b !== 'default' && b !== 'full') usage(`--budget is default or full, not "${b}"`);
      flags.budget = b;
    } else if (a === '--steps') {
      const n = Number(value(i++, a));
      if (!Number.isInteger(n) || n < 1) usage('--steps needs a whole number of at least 1');
      flags.steps = n;
    } else if (a === '--backend') {
      const b = value(i++, a);
      if (!Backend.safeParse(b).success) usage(`unknown backend "${b}": wasm, cpu, tensorflow, tensorflow-gpu, pytorch or auto`);
      flags.backend = b as Backend;
    } else if (a === '--dry-run') flags.dryRun = true;
    else if (a === '--render') flags.render = true;
    else if (a === '--templates') flags.templates = resolve(value(i++, a));
    else if (a === '--out') flags.out = resolve(value(i++, a));
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument "${a}"`);
  }
  return flags;
}

async function chooseBackend(wanted: Backend): Promise<Backend> {
  if (wanted === 'auto' || wanted === 'pytorch') return wanted;
  const available = await availableBackends();
  if (available.includes(wanted as never)) return wanted;
  console.log(`results: backend ${wanted} is not available here; using the best available (${available[0] ?? 'none'})`);
  return 'auto';
}

function recorded(out: string): Entry[] {
  return existsSync(out) ? recordedEntries(readFileSync(out, 'utf8')) : [];
}

/**
 * What the templates say about themselves (the published figure, why a goal is missed) is read from the template
 * files when the page is written, so editing those words never needs a new training run.
 */
function withTemplateWords(entries: Entry[], root: string): Entry[] {
  return entries.map((e) => {
    const path = join(root, e.file);
    if (!existsSync(path)) return e;
    const doc = loadTemplate(path);
    const { published, shortfall } = doc.metadata;
    const { published: _p, shortfall: _s, fullBudget: _f, ...rest } = e;
    // The template's full budget as it is now (a recorded full-budget run of another setting is marked stale).
    const fullBudget = doc.fullBudget ? doc.fullBudget.note || 'a larger setting' : undefined;
    return { ...rest, ...(published ? { published } : {}), ...(shortfall ? { shortfall } : {}), ...(fullBudget ? { fullBudget } : {}) };
  });
}

export async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  const root = dirname(flags.templates);
  const shown = (p: string) => relative(process.cwd(), p) || p;
  if (flags.render) {
    const entries = recorded(flags.out);
    if (entries.length === 0) usage(`${shown(flags.out)} records no runs to render`);
    writeAtomic(flags.out, renderMarkdown(withTemplateWords(entries, root)));
    console.log(`wrote ${shown(flags.out)} from the ${entries.length} runs it records`);
    return;
  }
  const files = readdirSync(flags.templates)
    .filter((f) => f.endsWith('.hnet.json'))
    .sort()
    .filter((f) => flags.only.length === 0 || flags.only.some((o) => f.includes(o)));
  if (files.length === 0) usage(`no template matches ${flags.only.map((o) => `"${o}"`).join(', ')}`);
  const fileOf = (f: string) => relative(root, join(flags.templates, f)).split('\\').join('/');
  const previous = new Map(recorded(flags.out).map((e) => [e.file, e]));
  const full = flags.budget === 'full';
  const chosen = full ? files.filter((f) => loadTemplate(join(flags.templates, f)).fullBudget) : files;
  if (full) {
    for (const f of files) if (!chosen.includes(f)) console.log(`${f}: no full-budget setting; skipped`);
    const missing = chosen.filter((f) => !previous.has(fileOf(f)));
    if (missing.length && flags.steps === undefined && !flags.dryRun)
      usage(`--budget full adds the full-budget figure to a recorded row; ${shown(flags.out)} has no row for ${missing.join(', ')}: run \`npm run results -- --only ${basename(missing[0], '.hnet.json')}\` first`);
    if (chosen.length === 0) usage('no chosen template has a full-budget setting');
  }
  const backend = await chooseBackend(flags.backend);
  const write = !flags.dryRun && flags.steps === undefined;
  if (flags.steps !== undefined) console.log(`results: quick run with ${flags.steps} steps per task; nothing is written`);
  const opts: RunOptions = { backend, steps: flags.steps, seeds: flags.seeds, root, log: (line) => console.log(line) };

  const fresh: Entry[] = [];
  for (const f of chosen) {
    const path = join(flags.templates, f);
    console.log(`${f}: training${full ? ' its full budget' : ''}…`);
    if (full) {
      const record = await runFullBudget(path, opts);
      const base = previous.get(fileOf(f));
      const entry = base ? { ...base, full: record } : null;
      if (entry) {
        for (const line of consoleLines(entry)) console.log(`  ${line}`);
        fresh.push(entry);
      } else console.log(`  full budget: ${record.runs.map((r) => JSON.stringify(r.metrics)).join('; ')}`);
      continue;
    }
    const entry = await runTemplate(path, opts);
    // A new default-budget run keeps the full-budget runs recorded for the template before.
    const before = previous.get(entry.file)?.full;
    if (before) entry.full = before;
    fresh.push(entry);
    for (const line of consoleLines(entry)) console.log(`  ${line}`);
    if (write) writeAtomic(path, withResult(readFileSync(path, 'utf8'), resultSentence(entry)));
  }
  if (!write) return;

  // Keep rows of templates not run this time (with --only), drop rows of templates that no longer exist.
  const existing = new Set(readdirSync(flags.templates).map(fileOf));
  const byFile = new Map([...previous.values()].filter((e) => existing.has(e.file)).map((e) => [e.file, e]));
  for (const e of fresh) byFile.set(e.file, e);
  const entries = [...byFile.values()].sort((a, b) => basename(a.file).localeCompare(basename(b.file)));
  writeAtomic(flags.out, renderMarkdown(withTemplateWords(entries, root)));
  console.log(`wrote ${shown(flags.out)}${full ? '' : ` and metadata.result of ${fresh.length} template(s)`}`);
}
