/**
 * `hnet train FILE`: compile, run in the training worker, report; exit 0 / 1 invalid / 3 diverged / 130 interrupted.
 * `--budget full` trains the document's full-budget setting; `--baseline static` trains the graph and then its
 * static twin (src/shared/compiler/variants.ts) with the same data, budget and seed, and compares the two.
 * `--seeds 1,2,3` does all of that once per seed, one after the other, then reports mean ± sd over the seeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { DoneEvent } from '../../shared/api/events';
import type { Budget } from '../../shared/compiler/budget';
import { compile } from '../../shared/compiler/compile';
import { HnetError, formatProblem, type HnetProblem } from '../../shared/compiler/errors';
import { checkResources, estimateResources } from '../../shared/compiler/estimate';
import type { Program } from '../../shared/compiler/ir';
import { staticTwin, withFullBudget } from '../../shared/compiler/variants';
import type { Backend, HnetDocument } from '../../shared/document/schema';
import type { TrainOptions } from '../engine/options';
import { GeneratedTensors } from '../../shared/api/runs';
import { packageVersion } from '../app/paths';
import { graphIdentity, provenanceOf } from '../app/runs/provenance';
import { writeRunSafetensors } from '../app/runs/safetensorsExport';
import { readCheckpoint } from '../engine/checkpoint';
import { startInspector, startRun, type StartRunOptions } from '../engine/session';
import { TensorboardLog } from '../engine/tensorboard';
import { dataAccessFromFlags, type DataFlags } from './dataFlags';
import { resourceLimitsFromFlags, type LimitFlags } from './limitFlags';
import { EXIT, cannotRead, checkReadable, err, loadForCommand, messageOf, readTextFile } from './io';
import { comparison, jsonReporter, plainReporter, progressReporter, seedsSummary, type Compared, type Reporter, type SeedRun } from './report';

export interface TrainFlags extends DataFlags, LimitFlags {
  steps?: number;
  seed?: number;
  /** Train once per seed (parsed by parseSeedList) and report mean ± sd over them. */
  seeds?: number[];
  backend?: Backend;
  json?: boolean;
  save?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
  /** The Python for the pytorch backend (passed to the worker as HNET_PYTHON). */
  python?: string;
  /** `static`: also train the static twin and compare. */
  baseline?: 'static';
  /** `full`: the document's full-budget setting instead of its default one. */
  budget?: 'default' | 'full';
  /** Write TensorBoard event files here (a subfolder per seed and per model when there are several). */
  logdir?: string;
  /** Write the trained weights as one safetensors file here (the hypernetwork and what it generates per task). */
  saveSafetensors?: string;
}

/** One model the command trains: the graph as drawn, or its static twin. */
interface Variant {
  label: string;
  variant: 'hypernetwork' | 'static';
  program: Program;
  budget: Budget;
  /** The document as trained (full budget applied, or the twin). */
  doc: HnetDocument;
}

function compileVariant(doc: HnetDocument, what: string): { program: Program; budget: Budget } | HnetProblem[] {
  const result = compile(doc);
  if (!result.ok || !result.program || !result.budget) return result.problems.map((p) => ({ ...p, message: `${what}: ${p.message}` }));
  return { program: result.program, budget: result.budget };
}

/** The models to train for these flags, or the exit code after saying why there are none. */
function variantsFor(file: string, doc: HnetDocument, flags: TrainFlags): Variant[] | number {
  const fail = (problems: HnetProblem[]) => {
    err(`hnet: cannot train ${file}${flags.budget === 'full' ? ' with its full budget' : ''}${flags.baseline ? ' against its static twin' : ''}:`);
    for (const p of problems) err(`    ${formatProblem(p)}`);
    return EXIT.invalid;
  };
  let base = doc;
  if (flags.budget === 'full') {
    const full = withFullBudget(doc);
    if (!full.ok) return fail(full.problems);
    err(`hnet: ${full.summary}`);
    base = full.doc;
  }
  const main = compileVariant(base, flags.budget === 'full' ? 'full budget' : 'document');
  if (Array.isArray(main)) return fail(main);
  const variants: Variant[] = [{ label: 'hypernetwork', variant: 'hypernetwork', doc: base, ...main }];
  if (flags.baseline === 'static') {
    const twin = staticTwin(base);
    if (!twin.ok) return fail(twin.problems);
    const compiled = compileVariant(twin.doc, 'static twin');
    if (Array.isArray(compiled)) return fail(compiled);
    err(`hnet: ${twin.summary}`);
    variants.push({ label: 'static twin', variant: 'static', doc: twin.doc, ...compiled });
  }
  return variants;
}

export async function trainCommand(file: string, flags: TrainFlags, start: StartRunOptions = {}): Promise<number> {
  if (flags.checkpointEvery !== undefined && flags.checkpoint === undefined) {
    err('hnet: --checkpoint-every needs --checkpoint FILE');
    return EXIT.usage;
  }
  if (flags.baseline && (flags.save !== undefined || flags.saveSafetensors !== undefined || flags.checkpoint !== undefined || flags.resume !== undefined)) {
    err('hnet: --baseline trains two models; --save, --save-safetensors, --checkpoint and --resume apply to one (train without --baseline for them)');
    return EXIT.usage;
  }
  if (flags.seeds !== undefined && flags.resume !== undefined) {
    err('hnet: --seeds trains a fresh run per seed; --resume continues one run from its checkpoint (resume without --seeds)');
    return EXIT.usage;
  }
  if (flags.seeds !== undefined && flags.seed !== undefined) {
    err('hnet: --seed and --seeds both choose the seed: give one of them (--seeds 7 trains seed 7 alone)');
    return EXIT.usage;
  }
  const data = dataAccessFromFlags(flags, '--allow-data');
  if (typeof data === 'number') return data;
  const loaded = loadForCommand(file);
  if (typeof loaded === 'number') return loaded;
  const variants = variantsFor(file, loaded.doc, flags);
  if (typeof variants === 'number') return variants;
  const limits = resourceLimitsFromFlags(flags);
  for (const v of variants) {
    const refusal = checkResources(estimateResources(v.program, v.program.training.batchSize), limits, 'raise the limits with --max-memory GB and --max-gflops N');
    if (refusal) {
      err(`hnet: cannot train ${file}${variants.length > 1 ? ` (${v.label})` : ''}:`);
      err(`    ${formatProblem(refusal)}`);
      return EXIT.invalid;
    }
  }
  if (flags.resume !== undefined) {
    const reason = checkReadable(flags.resume);
    if (reason) {
      err(cannotRead(flags.resume, reason));
      return EXIT.invalid;
    }
  }

  const options: TrainOptions = { baseDir: dirname(resolve(file)), ...data };
  if (flags.steps !== undefined) options.steps = flags.steps;
  if (flags.seed !== undefined) options.seed = flags.seed;
  if (flags.backend !== undefined) options.backend = flags.backend;
  if (flags.save !== undefined) options.saveDir = resolve(flags.save);
  if (flags.checkpoint !== undefined) options.checkpointPath = resolve(flags.checkpoint);
  if (flags.checkpointEvery !== undefined) options.checkpointEvery = flags.checkpointEvery;
  if (flags.resume !== undefined) options.resumeFrom = resolve(flags.resume);

  const seeds = flags.seeds;
  if (seeds && !flags.json && (options.saveDir || options.checkpointPath)) {
    const where = [options.saveDir && `saves to ${join(options.saveDir, 'seed-N')}`, options.checkpointPath && `checkpoints to ${seedPath(options.checkpointPath, 'N')}`];
    err(`hnet: each seed ${where.filter(Boolean).join(' and ')}`);
  }
  const runs: SeedRun[] = [];
  for (const [i, seed] of (seeds ?? [undefined]).entries()) {
    const seeded = seed === undefined ? options : forSeed(options, seed);
    if (seeds && !flags.json) err(`\nhnet: seed ${seed} (${i + 1} of ${seeds.length})`);
    const results: Compared[] = [];
    for (const v of variants) {
      if (variants.length > 1 && !flags.json) err(`\nhnet: training the ${v.label}${seed === undefined ? '' : ` with seed ${seed}`}`);
      const tag: Record<string, string | number> = { ...(flags.baseline ? { variant: v.variant } : {}), ...(seed === undefined ? {} : { seed }) };
      const logdir = flags.logdir === undefined ? undefined : join(resolve(flags.logdir), ...(seed === undefined ? [] : [`seed-${seed}`]), ...(variants.length > 1 ? [v.variant] : []));
      const safetensors = flags.saveSafetensors === undefined ? undefined : { path: seed === undefined ? resolve(flags.saveSafetensors) : seedPath(resolve(flags.saveSafetensors), seed), file };
      const code = await trainOne(v, seeded, flags, start, tag, (done) => results.push({ label: v.label, variant: v.variant, budget: v.budget, done }), logdir, safetensors);
      if (code !== EXIT.ok) {
        if (seeds && i > 0) err(`hnet: stopped at seed ${seed}; ${i} of ${seeds.length} seeds had finished`);
        return code;
      }
    }
    if (variants.length > 1) comparison(results, !!flags.json, seed === undefined ? {} : { seed });
    if (seed !== undefined) runs.push({ seed, models: results });
  }
  if (seeds) seedsSummary(runs, !!flags.json);
  return EXIT.ok;
}

/**
 * `--save-safetensors`: the final checkpoint's parameters and the weights the model generates for each trained
 * task (asked of an inspection worker on that checkpoint, as the app's export asks), with the document, seed,
 * metrics and provenance in `__metadata__`. The number of tasks written, or why nothing was.
 */
async function saveSafetensors(
  v: Variant,
  options: TrainOptions,
  checkpoint: string,
  start: StartRunOptions,
  target: { path: string; file: string },
  done: DoneEvent,
  dataHash: string | null,
): Promise<number | string> {
  const text = readTextFile(target.file);
  const tasks = v.program.training.tasks ?? Array.from({ length: v.program.data.tasks }, (_, i) => i);
  const inspector = startInspector(v.program, options, checkpoint, start);
  try {
    await inspector.ready;
    const generated = v.program.generated.length ? GeneratedTensors.parse(await inspector.query({ generate: { tasks } })) : { step: done.step, tensors: [], notes: [] };
    const seed = options.seed ?? v.program.training.seed;
    writeRunSafetensors(target.path, {
      program: v.program,
      checkpoint: readCheckpoint(checkpoint, v.program),
      generated,
      tasks,
      documentText: text.ok ? text.text : '',
      record: {
        id: `hnet train ${basename(target.file)}`,
        name: basename(target.file),
        seed,
        metrics: done.metrics,
        provenance: provenanceOf({ appVersion: packageVersion(), documentText: text.ok ? text.text : '', graphHash: graphIdentity(v.doc).graphHash, seed, dataHash }),
      },
    });
    return generated.tensors.length ? tasks.length : 0;
  } catch (e) {
    return `cannot write ${target.path}: ${e instanceof HnetError ? formatProblem(e.problem) : messageOf(e)}`;
  } finally {
    await inspector.close();
  }
}

/** `run.ckpt` -> `run.seed-3.ckpt`: each seed's checkpoint beside the path given. */
function seedPath(path: string, seed: number | string): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.seed-${seed}${ext}`);
}

/** One seed's run: that seed, and its own --save folder and --checkpoint file so no seed overwrites another's. */
function forSeed(options: TrainOptions, seed: number): TrainOptions {
  const seeded: TrainOptions = { ...options, seed };
  if (options.saveDir !== undefined) seeded.saveDir = join(options.saveDir, `seed-${seed}`);
  if (options.checkpointPath !== undefined) seeded.checkpointPath = seedPath(options.checkpointPath, seed);
  return seeded;
}

/** Train one model to the end (or Ctrl-C), reporting as the flags ask; its exit code. */
async function trainOne(
  v: Variant,
  options: TrainOptions,
  flags: TrainFlags,
  start: StartRunOptions,
  tag: Record<string, string | number>,
  onDone: (done: DoneEvent) => void,
  logdir?: string,
  safetensors?: { path: string; file: string },
): Promise<number> {
  const reporter: Reporter = flags.json ? jsonReporter(tag) : process.stderr.isTTY ? progressReporter() : plainReporter();
  const tensorboard = logdir === undefined ? null : new TensorboardLog(logdir, (e) => reporter.notice(`hnet: the TensorBoard log in ${logdir} could not be written: ${messageOf(e)}`));
  // The safetensors file is made from the final checkpoint (a temporary one when --checkpoint is not given).
  const scratch = safetensors && options.checkpointPath === undefined ? mkdtempSync(join(tmpdir(), 'hnet-safetensors-')) : null;
  const trainOptions = scratch ? { ...options, checkpointPath: join(scratch, 'final.ckpt') } : options;
  let done: DoneEvent | null = null;
  let dataHash: string | null = null;
  const run = withPython(flags.python, () => startRun(v.program, trainOptions, start));
  run.on((e) => {
    if (e.event === 'done') {
      done = e;
      onDone(e);
    }
    if (e.event === 'start') dataHash = e.dataHash ?? null;
    tensorboard?.event(e);
    reporter.event(e);
  });

  let interrupted = false;
  const onSigint = () => {
    if (!interrupted) {
      interrupted = true;
      reporter.notice('hnet: stopping after the current step (press Ctrl-C again to quit at once)');
      run.stop();
    } else {
      reporter.close();
      err('hnet: interrupted');
      void run.kill().finally(() => process.exit(EXIT.interrupted));
    }
  };
  process.on('SIGINT', onSigint);
  try {
    await run.done;
    if (safetensors && done && trainOptions.checkpointPath) {
      const wrote = await saveSafetensors(v, trainOptions, trainOptions.checkpointPath, start, safetensors, done, dataHash);
      if (typeof wrote === 'string') {
        err(`hnet: ${wrote}`);
        return EXIT.invalid;
      }
      reporter.notice(`hnet: wrote ${safetensors.path} (the hypernetwork and its weights generated for ${wrote} task${wrote === 1 ? '' : 's'})`);
    }
    return interrupted ? EXIT.interrupted : EXIT.ok;
  } catch (e) {
    reporter.close();
    const what = [flags.baseline && v.label, flags.seeds && `seed ${options.seed}`].filter(Boolean).join(', ');
    const prefix = what ? `${what}: ` : '';
    if (e instanceof HnetError) {
      if (e.problem.code === 'HN050') {
        err(`hnet: ${prefix}training diverged: ${formatProblem(e.problem)}`);
        return EXIT.diverged;
      }
      err(`hnet: ${prefix}${formatProblem(e.problem)}`);
    } else {
      err(`hnet: ${prefix}training failed: ${messageOf(e)}`);
    }
    return interrupted ? EXIT.interrupted : EXIT.invalid;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await tensorboard?.close();
    reporter.close();
    process.off('SIGINT', onSigint);
  }
}

/**
 * `--python PATH` reaches the pytorch backend (engine/pytorch.ts) as HNET_PYTHON: the worker copies the environment
 * when it starts, so it is set just around startRun. A relative path with a slash is taken from the current folder;
 * a bare name (python3) is looked up on PATH.
 */
function withPython<T>(python: string | undefined, start: () => T): T {
  if (python === undefined) return start();
  const before = process.env.HNET_PYTHON;
  process.env.HNET_PYTHON = python.includes('/') && !isAbsolute(python) ? resolve(python) : python;
  try {
    return start();
  } finally {
    if (before === undefined) delete process.env.HNET_PYTHON;
    else process.env.HNET_PYTHON = before;
  }
}
