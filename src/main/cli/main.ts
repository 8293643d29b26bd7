/**
 * The `hnet` command line: the headless face of the same engine (SPEC 6).
 * Exit codes: 0 success, 1 invalid input, 2 usage, 3 training diverged, 130 interrupted.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Backend } from '../../shared/document/schema';
import { parseSeedList } from '../../shared/seeds';
import { addLimitOptions } from './limitFlags';
import { addDataOptions } from './dataFlags';
import { registerExport } from './export';
import { CliExit, EXIT, err, messageOf } from './io';
import { nodesCommand } from './nodes';
import { registerServe } from './serve';
import { runsCommand, type RunsFlags } from './runs';
import { sweepCommand, type SweepFlags } from './sweep';
import { templatesCommand } from './templates';
import { terminalText } from './terminal';
import { trainCommand, type TrainFlags } from './train';
import { validateCommand, type ValidateFlags } from './validate';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const integer = (what: string, min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  return n;
};

const seedList = (value: string): number[] => {
  const seeds = parseSeedList(value);
  if (!Array.isArray(seeds)) throw new InvalidArgumentError(`--seeds: ${seeds.problem}.`);
  return seeds;
};

export function buildProgram(): Command {
  const program = new Command('hnet');
  // Set before the subcommands are added: they inherit it.
  program.exitOverride();
  // Commander's own messages quote the arguments it was given: they reach the terminal sanitised, like ours.
  program.configureOutput({
    writeOut: (text) => process.stdout.write(terminalText(text)),
    writeErr: (text) => process.stderr.write(terminalText(text)),
  });
  program
    .description('Hypernet Studio: design, train and export hypernetworks.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run `hnet --help` for usage)')
    .addHelpText('after', '\nExit codes: 0 success, 1 invalid input, 2 usage, 3 training diverged, 130 interrupted.');

  const validate = program
    .command('validate')
    .description('check documents: load, validate the graph, infer shapes, count parameters, read the data files a data node names')
    .argument('<files...>', '*.hnet.json documents')
    .option('--json', 'one JSON object per file')
    .option('--no-check-data', 'do not read the data files (data.csv, data.idx)');
  addDataOptions(validate, '--allow-data').action((files: string[], flags: ValidateFlags) => {
    process.exitCode = validateCommand(files, flags);
  });

  const train = program
    .command('train')
    .description('train a document in a worker thread, with a progress bar or JSON lines')
    .argument('<file>', 'a *.hnet.json document')
    .option('--steps <n>', "steps per task (overrides the document); with --resume, each task's total, the checkpoint's steps included: the task it stopped in trains on to N, later tasks train N each, finished tasks are not revisited", integer('--steps', 0, 100_000_000))
    .option('--seed <s>', 'random seed (overrides the document)', integer('--seed', 0, 2 ** 31 - 1))
    .option('--seeds <list>', 'train once per seed (1,2,3 or 1-5), then print mean ± sd (sample sd) of every metric', seedList)
    .addOption(new Option('--backend <b>', 'a tfjs backend, or pytorch: the PyTorch export in a Python subprocess (overrides the document)').choices(Backend.options))
    .option('--python <path>', 'the Python (with torch) for --backend pytorch; default: HNET_PYTHON, else /usr/bin/python3 or python3')
    .option('--json', 'one JSON event per line on stdout, the last being {"event":"done",...} (with --seeds: {"event":"seeds",...}, mean ± sd per metric)')
    .option('--save <dir>', 'write the trained parameters (weights.json + weights.bin) to this folder')
    .option('--save-safetensors <file>', 'write the trained weights as safetensors: the hypernetwork and the weights it generates per task, the document, seed and metrics in __metadata__ (with --seeds: FILE.seed-N)')
    .option('--checkpoint <file>', 'write a checkpoint to this file periodically and at the end')
    .option('--checkpoint-every <n>', 'steps between checkpoints', integer('--checkpoint-every', 1, 100_000_000))
    .option('--resume <file>', 'resume from a checkpoint written by --checkpoint (--steps N: train each task to N steps in all, not N more)')
    .option('--logdir <dir>', 'write TensorBoard event files here: losses, metrics per task, histograms of generated weights (with --seeds or --baseline, a subfolder per run)')
    .addOption(new Option('--baseline <kind>', 'also train the static twin (the same target network with ordinary weights, same data, budget and seed) and compare').choices(['static']))
    .addOption(new Option('--budget <which>', "full: the document's full-budget setting (the published configuration)").choices(['default', 'full']).default('default'));
  addLimitOptions(train);
  addDataOptions(train, '--allow-data').action(async (file: string, flags: TrainFlags) => {
    process.exitCode = await trainCommand(file, flags);
  });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const sweep = program
    .command('sweep')
    .description('train one run per configuration and seed, recorded beside the document; then mean ± sd per configuration')
    .argument('<file>', 'a *.hnet.json document')
    .option('--param <key=values>', 'a setting and its values: a node parameter (hyper.chunkSize=500,1000) or a training setting (learningRate=0.001,0.0003); at most twice', collect)
    .option('--zip', 'with two --param: pair their values one to one instead of every combination (a grid)')
    .option('--seeds <list>', 'repeat each configuration once per seed (1,2,3 or 1-5)', seedList)
    .option('--steps <n>', "steps per task (overrides the document); with --resume, each task's total, the checkpoint's steps included: the task it stopped in trains on to N, later tasks train N each, finished tasks are not revisited", integer('--steps', 0, 100_000_000))
    .addOption(new Option('--backend <b>', 'the backend (overrides the document)').choices(Backend.options))
    .option('--parallel <n>', 'runs trained at once (default 1); the others wait in the queue', integer('--parallel', 1, 64))
    .option('--metric <name>', 'the metric the summary leads with')
    .option('--json', 'one JSON object at the end: the configurations with their runs and mean ± sd per metric');
  addLimitOptions(sweep);
  addDataOptions(sweep, '--allow-data').action(async (file: string, flags: SweepFlags) => {
    process.exitCode = await sweepCommand(file, flags);
  });

  program
    .command('runs')
    .description("list a document's runs (kept in <name>.runs/ beside it): the settings that differ, final metrics, time")
    .argument('<file>', 'a *.hnet.json document')
    .option('--json', 'one JSON object per run (its summary, provenance included)')
    .option('--sort <column>', 'sort by a column (its label, e.g. accuracy, lr, time)')
    .option('--desc', 'sort descending')
    .option('--group <id>', "only this sweep's runs")
    .addOption(new Option('--format <f>', 'text (default), or csv / markdown: the table as a file, with each run’s id and provenance').choices(['text', 'csv', 'markdown']))
    .action(async (file: string, flags: RunsFlags) => {
      process.exitCode = await runsCommand(file, flags);
    });

  registerExport(program);

  program
    .command('templates')
    .description('list the templates shipped with Hypernet Studio')
    .option('--json', 'one JSON object per template')
    .action((flags: { json?: boolean }) => {
      process.exitCode = templatesCommand(flags);
    });

  program
    .command('nodes')
    .description('list the node types, by category')
    .option('--json', 'one JSON object per node type')
    .action((flags: { json?: boolean }) => {
      process.exitCode = nodesCommand(flags);
    });

  registerServe(program);

  return program;
}

/** Run the CLI on `argv` (process.argv form); resolves with the exit code. Never throws. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof CliExit) {
      if (e.message) err(e.message);
      return e.code;
    }
    err(`hnet: internal error: ${messageOf(e)}`);
    if (process.env.HNET_DEBUG && e instanceof Error && e.stack) err(e.stack);
    return EXIT.invalid;
  }
}

/** Exit once stdout and stderr have flushed what was written to them. */
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** The `hnet` executable: run on process.argv, then exit with the code. */
export async function runCli(): Promise<void> {
  // A closed pipe (`hnet nodes | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  });
  exit(await main());
}

// `tsx src/main/cli/main.ts ...` works too; bin/hnet.mjs calls runCli().
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runCli();
