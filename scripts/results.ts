/**
 * `npm run results`: train every template in templates/ and record what it reaches in docs/RESULTS.md (and each
 * template's `metadata.result`). `npm run results -- --help` lists the flags.
 *
 * The parts live in scripts/results/: cli.ts (flags, which templates, what is written), runner.ts (training a
 * template per seed, its static twin and ablation, or its full budget), render.ts (the page from recorded runs:
 * mean ± sd, the published figure and the gap to it), entry.ts (what a run records), metadata.ts (writing
 * metadata.result into a hand-formatted template).
 */
import { main } from './results/cli';

await main(process.argv.slice(2));
