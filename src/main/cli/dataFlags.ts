/**
 * The flags that say which data files a document may read: `--allow-data DIR` (`hnet train`, `hnet export`) or
 * `--data DIR` (`hnet serve`) grant a folder besides the document's own, repeatable; `--max-data-mb N` raises or
 * lowers the limit on a data file's size (engine/data/files.ts enforces both).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_MAX_DATA_BYTES, type DataAccess } from '../engine/data/files';
import { EXIT, err } from './io';

export interface DataFlags {
  /** `--allow-data` (train, export) or `--data` (serve), each given once per folder. */
  allowData?: string[];
  data?: string[];
  maxDataMb?: number;
}

const MIB = 1024 * 1024;
const collect = (value: string, previous: string[] = []) => [...previous, value];

function megabytes(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 1024 * 1024)
    throw new InvalidArgumentError('--max-data-mb must be a whole number of MiB from 1 to 1048576.');
  return n;
}

/** Adds the grant flag (`--allow-data` or `--data`) and `--max-data-mb` to a command. */
export function addDataOptions(command: Command, grant: '--allow-data' | '--data'): Command {
  return command
    .option(`${grant} <dir>`, "also read data files from this folder (besides the document's own); repeatable", collect)
    .option('--max-data-mb <n>', `the largest data file read, in MiB (default ${DEFAULT_MAX_DATA_BYTES / MIB})`, megabytes);
}

/** The grants and limit the flags give, folders made absolute; or the exit code after saying which folder is not one. */
export function dataAccessFromFlags(flags: DataFlags, grant: '--allow-data' | '--data'): Omit<DataAccess, 'baseDir'> | number {
  const dirs = (grant === '--data' ? flags.data : flags.allowData) ?? [];
  const dataGrants: string[] = [];
  for (const dir of dirs) {
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      err(`hnet: ${grant} ${dir}: no such folder (give a folder that holds the data files)`);
      return EXIT.usage;
    }
    dataGrants.push(resolve(dir));
  }
  return { dataGrants, ...(flags.maxDataMb !== undefined ? { maxDataBytes: flags.maxDataMb * MIB } : {}) };
}
