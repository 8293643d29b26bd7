/**
 * `--max-memory GB` and `--max-gflops N` (`hnet train`, `hnet serve`): the per-step limits above which a run is
 * refused before it starts (shared/compiler/estimate.ts estimates, the engine and the runs manager refuse).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_RESOURCE_LIMITS, type ResourceLimits } from '../../shared/compiler/estimate';

export interface LimitFlags {
  /** Refuse runs estimated above this many GB per training step (default: DEFAULT_RESOURCE_LIMITS). */
  maxMemory?: number;
  /** Refuse runs estimated above this many GFLOPs per training step. */
  maxGflops?: number;
}

const positive = (what: string) => (value: string): number => {
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a positive number.`);
  return n;
};

/** Adds `--max-memory` and `--max-gflops` to a command. */
export function addLimitOptions(command: Command): Command {
  return command
    .option('--max-memory <gb>', `refuse runs whose estimated memory per training step is above this many GB (default ${DEFAULT_RESOURCE_LIMITS.maxBytes / 1e9})`, positive('--max-memory'))
    .option('--max-gflops <n>', `refuse runs whose estimated compute per training step is above this many GFLOPs (default ${DEFAULT_RESOURCE_LIMITS.maxFlops / 1e9})`, positive('--max-gflops'));
}

/** The limits the flags give, the defaults where a flag is absent. */
export function resourceLimitsFromFlags(flags: LimitFlags): ResourceLimits {
  return {
    maxBytes: flags.maxMemory !== undefined ? flags.maxMemory * 1e9 : DEFAULT_RESOURCE_LIMITS.maxBytes,
    maxFlops: flags.maxGflops !== undefined ? flags.maxGflops * 1e9 : DEFAULT_RESOURCE_LIMITS.maxFlops,
  };
}
