/** Running the command line and the scripts as a user runs them: a child process, its exit status and its output as text. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `cmd args` to its end; throws only when it cannot start or runs past `opts.timeout` (default 120 s). */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * `node bin/hnet.mjs args` in the repository root (or `opts.cwd`), colours off; `opts.env` adds to the environment.
 *
 * @example
 * const r = hnet(['validate', 'templates/sinusoid-family.hnet.json', '--json']);
 * expect(r.status, r.stderr).toBe(0);
 */
export const hnet = (args: string[], opts: SpawnSyncOptions = {}): Run =>
  run(process.execPath, [join(root, 'bin', 'hnet.mjs'), ...args], { cwd: root, ...opts, env: { ...process.env, FORCE_COLOR: '0', ...opts.env } });

/** One JSON value per non-empty line of a command's output (`--json` progress, events.jsonl), read as `T`. */
export const jsonLines = <T = unknown>(text: string): T[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
