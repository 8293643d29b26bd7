/**
 * Start `hnet serve` as a user would (`node bin/hnet.mjs serve --port 0 --no-open [FILE]`) and read the address
 * it prints. Each server gets its own HOME, so crash-recovery drafts never leak between tests, and served without
 * FILE its own temporary workspace (`--workspace`), so no test ever saves into the repository.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface Served {
  /** The address printed by `hnet serve`, token included. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
  /** The server's HOME (drafts are in HOME/.hypernet-studio/drafts). */
  home: string;
  /** The workspace it was given with --workspace, when it was. */
  workspace: string | undefined;
  /** Everything the server printed so far. */
  output(): string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** `--workspace DIR`; default: a fresh temporary folder when there is no FILE (removed on close). */
  workspace?: string;
  /** More `hnet serve` flags (e.g. `['--max-runs', '1']`). */
  args?: string[];
  /** More environment for the server (e.g. the Vulkan driver WebGPU is to use). */
  env?: Record<string, string>;
  /** The HOME of an earlier server (its drafts, unsaved runs and saved run queue): a restart of the app. Kept on close. */
  home?: string;
}

export async function startServe(file?: string, timeoutMs = 150_000, options: ServeOptions = {}): Promise<Served> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'hnet-e2e-home-'));
  const ownWorkspace = !file && !options.workspace ? mkdtempSync(join(tmpdir(), 'hnet-e2e-workspace-')) : undefined;
  const workspace = options.workspace ?? ownWorkspace;
  const args = ['bin/hnet.mjs', 'serve', '--port', '0', '--no-open', ...(workspace ? ['--workspace', workspace] : []), ...(options.args ?? []), ...(file ? [file] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, HOME: home, USERPROFILE: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));

  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`hnet serve printed no address within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /Open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`hnet serve exited with ${code}:\n${out}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    home,
    workspace,
    output: () => out,
    close: () =>
      new Promise<void>((done) => {
        const finish = () => {
          if (!options.home) rmSync(home, { recursive: true, force: true });
          if (ownWorkspace) rmSync(ownWorkspace, { recursive: true, force: true });
          done();
        };
        if (child.exitCode !== null) return finish();
        child.once('exit', finish);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
