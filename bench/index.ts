/**
 * All benchmarks, one report: compile time per template, training steps/s of the compiled sinusoid template
 * against a hand-written tfjs program on each backend, and tensors alive per training step. Every number that
 * matters is a ratio measured side by side in this run; nothing here asserts on absolute times.
 *
 *   npm run bench                       (or: npx tsx bench/index.ts)
 *   npx tsx bench/index.ts --rounds 4 --block-seconds 0.5 --backends wasm   (quicker)
 *
 * Flags: --runs N (compile runs), --rounds N, --pairs N, --block-seconds S, --max-block N, --max-seconds S (per backend),
 * --backends a,b
 * (steps), --steps N and --backend B (tensors).
 *
 * --stream-rounds N, --stream-steps N (streaming to a connected editor).
 *
 * --conv-rounds N (the two forms of a convolution's filter gradient, bench/convolutions.ts).
 *
 * Each part also runs alone: bench/compile.ts, bench/steps.ts, bench/tensors.ts, bench/streaming.ts,
 * bench/backends.ts, bench/convolutions.ts, bench/canvas.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { availableBackends } from '../src/main/engine/backend';
import { COMPILE_BUDGET_MS, benchCompile, printCompile } from './compile';
import { fmt, flag, heading, median, numFlag, table } from './common';
import { AIM_RATIO, benchSteps, pct, printSteps } from './steps';
import { benchTensors, printTensors } from './tensors';
import { AIM_LAG_MS, AIM_SLOWDOWN, benchStreaming, printStreaming } from './streaming';

const started = performance.now();
const backends = flag('backends')?.split(',') ?? (await availableBackends());
console.log(`Hypernet Studio benchmarks: node ${process.version}, tfjs ${tf.version_core}, backends ${backends.join(', ')}`);
console.log('Ratios come from measurements taken side by side in this run; absolute times depend on the machine.');

const runs = numFlag('runs', 30);
const compileRows = benchCompile({ runs });
printCompile(compileRows, runs);

console.log('\nTiming training steps (interleaved blocks per backend)...');
const steps = await benchSteps({
  backends,
  rounds: numFlag('rounds', 10),
  pairs: numFlag('pairs', 4),
  blockSeconds: numFlag('block-seconds', 1.0),
  maxBlock: numFlag('max-block', 200),
  maxSeconds: numFlag('max-seconds', 50),
  log: (s) => console.log(s),
});
printSteps(steps);

const tensors = await benchTensors({ steps: numFlag('steps', 120), backend: flag('backend') });
printTensors(tensors);

console.log('\nTiming training with and without a connected editor (alternating runs)...');
const streaming = await benchStreaming({ rounds: numFlag('stream-rounds', 4), steps: numFlag('stream-steps', 1500), log: (s) => console.log(s) });
printStreaming(streaming);
await (await import('./backends')).runBackendsBench();
await (await import('./convolutions')).runConvolutionsBench();
await (await import('./canvas')).runCanvasBench();

heading('Summary');
const rows: string[][] = [];
for (const r of compileRows)
  rows.push([`compile ${r.file}`, `${fmt(r.totalMs)} ms`, `${fmt(r.ratio, 3)} x ${COMPILE_BUDGET_MS} ms budget`, r.ratio <= 1 ? 'ok' : 'OVER BUDGET']);
for (const r of steps) {
  const c = r.ratio.compiled;
  const verdict = c.cpu >= AIM_RATIO ? 'ok' : c.wall >= AIM_RATIO ? 'ok by wall time only' : 'SLOWER than aim';
  rows.push([
    `steps/s compiled vs hand [${r.backend}]`,
    `${fmt(r.cpu.compiled, 1)} vs ${fmt(r.cpu.hand, 1)} (cpu)`,
    `cpu ${fmt(c.cpu, 3)} (${pct(c.cpu)}; p25-p75 ${r.spread.compiled.map((x) => fmt(x, 2)).join('-')}), wall ${fmt(c.wall, 3)}`,
    `${verdict} (aim >= ${AIM_RATIO})`,
  ]);
  const t = r.ratio.train;
  rows.push([
    `steps/s train() vs hand [${r.backend}]`,
    `${fmt(r.cpu['train()'], 1)} vs ${fmt(r.cpu.hand, 1)} (cpu)`,
    `cpu ${fmt(t.cpu, 3)} (${pct(t.cpu)}; p25-p75 ${r.spread.train.map((x) => fmt(x, 2)).join('-')}), wall ${fmt(t.wall, 3)}`,
    'info',
  ]);
  rows.push([`kernels/step compiled vs hand [${r.backend}]`, `${Object.values(r.kernels.compiled).reduce((a, b) => a + b, 0)} vs ${Object.values(r.kernels.hand).reduce((a, b) => a + b, 0)}`, '', 'info']);
}
for (const r of tensors) {
  rows.push([`tensors/step ${r.file} [${r.backend}]`, `first ${r.first}, last ${r.last}, min ${r.min}, max ${r.max}`, `constant: ${r.constant ? 'yes' : 'no'}`, r.constant ? 'ok' : 'LEAK']);
  rows.push([
    `tensors left after train() ${r.file}`,
    r.after === r.before ? 'none' : `${r.after - r.before} (${r.bytesAfter - r.bytesBefore} B)`,
    '',
    r.after === r.before ? 'ok' : 'LEAK per run',
  ]);
}
rows.push([
  'steps/s with a connected editor vs alone',
  `${fmt(median(streaming.rounds.map((r) => r.withUi)), 1)} vs ${fmt(median(streaming.rounds.map((r) => r.alone)), 1)}`,
  `${fmt(streaming.ratio, 3)} (p25-p75 ${streaming.spread.map((x) => fmt(x, 2)).join('-')})`,
  streaming.slowdown <= AIM_SLOWDOWN ? 'ok' : `SLOWER than aim (${AIM_SLOWDOWN * 100}%)`,
]);
rows.push([
  'event-loop p99 during a run (main / editor)',
  `${fmt(streaming.mainLagMs, 1)} / ${fmt(streaming.clientLagMs, 1)} ms`,
  `main busy +${fmt(streaming.mainBusyExtra * 100, 2)}%`,
  Math.max(streaming.mainLagMs, streaming.clientLagMs) < AIM_LAG_MS ? 'ok' : `OVER ${AIM_LAG_MS} ms`,
]);
console.log(table(['measure', 'value', 'ratio', 'verdict'], rows));
console.log(`\nTotal ${fmt((performance.now() - started) / 1000, 1)} s.`);
