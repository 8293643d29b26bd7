/** `hnet train FILE`: compile, run in the training worker, report; exit 0 / 1 invalid / 3 diverged / 130 interrupted. */
import { dirname, isAbsolute, resolve } from 'node:path';
import { HnetError, formatProblem } from '../../shared/compiler/errors';
import type { Backend } from '../../shared/document/schema';
import type { TrainOptions } from '../engine/options';
import { startRun, type StartRunOptions } from '../engine/session';
import { EXIT, cannotRead, checkReadable, err, loadForCommand, messageOf } from './io';
import { jsonReporter, plainReporter, progressReporter, type Reporter } from './report';

export interface TrainFlags {
  steps?: number;
  seed?: number;
  backend?: Backend;
  json?: boolean;
  save?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
  /** The Python for the pytorch backend (passed to the worker as HNET_PYTHON). */
  python?: string;
}

export async function trainCommand(file: string, flags: TrainFlags, start: StartRunOptions = {}): Promise<number> {
  if (flags.checkpointEvery !== undefined && flags.checkpoint === undefined) {
    err('hnet: --checkpoint-every needs --checkpoint FILE');
    return EXIT.usage;
  }
  const loaded = loadForCommand(file);
  if (typeof loaded === 'number') return loaded;
  if (flags.resume !== undefined) {
    const reason = checkReadable(flags.resume);
    if (reason) {
      err(cannotRead(flags.resume, reason));
      return EXIT.invalid;
    }
  }

  const options: TrainOptions = { baseDir: dirname(resolve(file)) };
  if (flags.steps !== undefined) options.steps = flags.steps;
  if (flags.seed !== undefined) options.seed = flags.seed;
  if (flags.backend !== undefined) options.backend = flags.backend;
  if (flags.save !== undefined) options.saveDir = resolve(flags.save);
  if (flags.checkpoint !== undefined) options.checkpointPath = resolve(flags.checkpoint);
  if (flags.checkpointEvery !== undefined) options.checkpointEvery = flags.checkpointEvery;
  if (flags.resume !== undefined) options.resumeFrom = resolve(flags.resume);

  const reporter: Reporter = flags.json ? jsonReporter() : process.stderr.isTTY ? progressReporter() : plainReporter();
  const run = withPython(flags.python, () => startRun(loaded.result.program, options, start));
  run.on((e) => reporter.event(e));

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
    return interrupted ? EXIT.interrupted : EXIT.ok;
  } catch (e) {
    reporter.close();
    if (e instanceof HnetError) {
      if (e.problem.code === 'HN050') {
        err(`hnet: training diverged: ${formatProblem(e.problem)}`);
        return EXIT.diverged;
      }
      err(`hnet: ${formatProblem(e.problem)}`);
    } else {
      err(`hnet: training failed: ${messageOf(e)}`);
    }
    return interrupted ? EXIT.interrupted : EXIT.invalid;
  } finally {
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
