/**
 * `hnet serve [FILE]`: the browser mode. Builds the editor if its build is missing or older than its sources,
 * serves it on 127.0.0.1 with a per-launch token, prints the address, and runs until Ctrl+C.
 *
 * The workspace (`--workspace DIR`; default the current folder, or FILE's folder) is where Open lists documents
 * and where Save writes a new one under the name the user types. A FILE that does not exist yet is created.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { formatProblem } from '../../shared/compiler/errors';
import { DOCUMENT_SUFFIX } from '../../shared/api/workspace';
import { CURRENT_VERSION } from '../../shared/document/schema';
import { writeFileAtomic } from '../app/files';
import { findPackageRoot } from '../app/paths';
import { DEFAULT_PORT, isLoopbackHost, plainHttpRefusal, startServer } from '../server/server';
import { addLimitOptions, resourceLimitsFromFlags, type LimitFlags } from './limitFlags';
import { addDataOptions, dataAccessFromFlags, type DataFlags } from './dataFlags';
import { EXIT, err, loadDocumentFile, messageOf, out } from './io';
import { validateCommand } from './validate';

export interface ServeFlags extends DataFlags, LimitFlags {
  port?: number;
  host?: string;
  /** `--no-open` sets this to false. */
  open?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  /** Folder Open lists and new documents are saved into. */
  workspace?: string;
  /** At most this many runs train at once; more wait in a queue. */
  maxRuns?: number;
}

/** Adds `serve` to the `hnet` program. */
export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('serve the editor in a browser (127.0.0.1, protected by a per-launch token) until Ctrl+C')
    .argument('[file]', 'a *.hnet.json document to open and save back (created when it does not exist)')
    .option('--port <n>', `port (default ${DEFAULT_PORT}, or any free port when it is taken)`, portNumber)
    .option('--host <host>', 'address to listen on (default 127.0.0.1; another host needs --tls-cert/--tls-key or --insecure-http)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and WSS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--insecure-http', 'serve plain HTTP on a host other than loopback (the token crosses the network in clear)')
    .option('--workspace <dir>', "folder whose documents Open lists and where Save puts new ones (default: the current folder, or FILE's folder)")
    .option('--no-open', 'do not open a browser')
    .option('--max-runs <n>', 'train at most this many runs at once; more wait in a queue and start in turn (default 2)', positiveInteger('--max-runs'));
  addLimitOptions(serve);
  // Runs and exports read data files from the document's folder and these (engine/data/files.ts).
  addDataOptions(serve, '--data').action(async (file: string | undefined, flags: ServeFlags) => {
    process.exitCode = await serveCommand(file, flags);
  });
}

const positiveInteger = (what: string) => (value: string): number => {
  if (!/^\d+$/.test(value.trim()) || !(Number(value.trim()) >= 1)) throw new InvalidArgumentError(`${what} must be a whole number of 1 or more.`);
  return Number(value.trim());
};

function portNumber(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535.');
  return n;
}

export async function serveCommand(file: string | undefined, flags: ServeFlags): Promise<number> {
  const data = dataAccessFromFlags(flags, '--data');
  if (typeof data === 'number') return data;
  if (file !== undefined) {
    const refused = existsSync(file) ? checkDocument(file) : createDocument(file);
    if (refused !== null) return refused;
  }
  const workspace = resolve(flags.workspace ?? (file !== undefined ? dirname(resolve(file)) : process.cwd()));
  if (!isFolder(workspace)) {
    err(`hnet: --workspace ${flags.workspace ?? workspace}: no such folder. Give a folder that exists (or leave --workspace out to use the current folder).`);
    return EXIT.invalid;
  }

  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    err('hnet: --tls-cert and --tls-key go together: give both (a PEM certificate and its private key).');
    return EXIT.usage;
  }
  if (flags.host !== undefined && !isLoopbackHost(flags.host) && flags.tlsCert === undefined && !flags.insecureHttp) {
    err(`hnet: cannot serve: ${plainHttpRefusal(flags.host)}`);
    return EXIT.usage;
  }
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    try {
      tls = { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey) };
    } catch (e) {
      err(`hnet: cannot read the TLS certificate or key: ${messageOf(e)}`);
      return EXIT.invalid;
    }
  }

  let rendererDir: string;
  try {
    rendererDir = await ensureEditorBuilt();
  } catch (e) {
    err(`hnet: the editor could not be built: ${messageOf(e)}`);
    return EXIT.invalid;
  }

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const resourceLimits = resourceLimitsFromFlags(flags);
    server = await startServer({ port: flags.port, host: flags.host, file, workspace, rendererDir, tls, insecureHttp: flags.insecureHttp === true, data, service: { resourceLimits, ...(flags.maxRuns ? { maxRuns: flags.maxRuns } : {}) } });
  } catch (e) {
    err(`hnet: cannot start the server: ${messageOf(e)}`);
    return EXIT.invalid;
  }

  out(`Hypernet Studio is serving ${file ? resolve(file) : 'a new document'} in browser mode.`);
  out(`Workspace: ${workspace} (Open lists its documents; Save puts new ones there)`);
  out(`Open ${server.url}`);
  if (!isLoopbackHost(server.host)) {
    out(`(from another machine: ${server.scheme}://THIS-MACHINE:${server.port}/?token=${server.token}; anyone with the token can use it)`);
    out(`(it answers to: ${server.hostNames.join(', ')})`);
    if (server.scheme === 'http')
      err(
        `WARNING: --insecure-http: the editor, your documents and the access token cross the network in clear; anyone on it can ` +
          'read them and take over this server. Prefer an SSH tunnel (ssh -L 5417:127.0.0.1:5417 THIS-MACHINE) or --tls-cert/--tls-key.',
      );
  }
  out('Press Ctrl+C to stop.');
  if (flags.open !== false) openInBrowser(server.url);

  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  out('stopped');
  return EXIT.ok;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `hnet serve new.hnet.json`: write an empty document there, so Save has a file to write back to. */
function createDocument(file: string): number | null {
  if (!/\.json$/i.test(file)) {
    err(`hnet: cannot serve ${file}: no such file. To create a new document, give a name ending in ${DOCUMENT_SUFFIX} (for example ${basename(file)}${DOCUMENT_SUFFIX}).`);
    return EXIT.invalid;
  }
  if (!isFolder(dirname(resolve(file)))) {
    err(`hnet: cannot create ${file}: its folder ${dirname(file)} does not exist.`);
    return EXIT.invalid;
  }
  const name = basename(file).replace(/\.hnet\.json$|\.json$/i, '');
  const doc = { format: 'hypernet-studio', version: CURRENT_VERSION, metadata: { name, description: '' }, nodes: [], edges: [] };
  try {
    writeFileAtomic(resolve(file), `${JSON.stringify(doc, null, 2)}\n`);
  } catch (e) {
    err(`hnet: ${messageOf(e)}`);
    return EXIT.invalid;
  }
  out(`created ${file} (an empty document)`);
  return null;
}

/**
 * Refuse a FILE that cannot be opened: unreadable, or not a document (exit 1, with the messages
 * `hnet validate` prints). A document that loads but does not compile yet is served, so it can be fixed in the
 * editor; its problems are printed as warnings.
 */
function checkDocument(file: string): number | null {
  const loaded = loadDocumentFile(file);
  if (loaded.kind === 'ok') return null;
  if (loaded.kind === 'invalid' && loaded.doc) {
    err(`warning: ${file} does not compile yet (the editor shows where):`);
    for (const p of loaded.problems) err(`    ${formatProblem(p)}`);
    return null;
  }
  // Same verdict, same words as `hnet validate FILE`.
  return validateCommand([file], {}) || EXIT.invalid;
}

/** out/renderer, built first when missing or older than the editor's sources. */
async function ensureEditorBuilt(): Promise<string> {
  const override = process.env.HNET_RENDERER_DIR;
  if (override) {
    if (!existsSync(join(override, 'index.html'))) throw new Error(`HNET_RENDERER_DIR=${override} has no index.html`);
    return resolve(override);
  }
  const root = findPackageRoot();
  const outDir = join(root, 'out', 'renderer');
  const index = join(outDir, 'index.html');
  const sources = join(root, 'src', 'renderer');
  const built = mtimeOf(index);
  if (!existsSync(sources)) {
    if (built !== null) return outDir;
    throw new Error(`the editor's sources (${sources}) are missing and there is no build in ${outDir}`);
  }
  const newest = Math.max(
    newestMtime(sources),
    newestMtime(join(root, 'src', 'shared')),
    mtimeOf(join(root, 'vite.renderer.config.ts')) ?? 0,
    mtimeOf(join(root, 'package.json')) ?? 0,
  );
  if (built !== null && built >= newest) return outDir;

  // Several `hnet serve` may start at once (end-to-end tests do): one builds, the others wait and reuse it.
  const lock = join(root, 'out', '.renderer-build.lock');
  mkdirSync(join(root, 'out'), { recursive: true });
  if (!(await acquireLock(lock))) {
    if ((mtimeOf(index) ?? -1) >= newest) return outDir;
    throw new Error('another hnet serve is building the editor and did not finish; try again');
  }
  const temp = join(root, 'out', `.renderer-${process.pid}`);
  try {
    if ((mtimeOf(index) ?? -1) >= newest) return outDir;
    out('building the editor…');
    const [{ build }, { rendererConfig }] = await Promise.all([import('vite'), import('../../../vite.renderer.config')]);
    // Build beside out/renderer and swap it in, so a server already running never sees a half-written folder.
    const config = rendererConfig();
    await build({ ...config, configFile: false, logLevel: 'warn', mode: 'production', build: { ...config.build, outDir: temp, emptyOutDir: true } });
    if (!existsSync(join(temp, 'index.html'))) throw new Error('the build finished without an index.html');
    const old = join(root, 'out', `.renderer-old-${process.pid}`);
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(temp, outDir);
    rmSync(old, { recursive: true, force: true });
    return outDir;
  } finally {
    rmSync(temp, { recursive: true, force: true });
    rmSync(lock, { force: true });
  }
}

/** Take the build lock, or wait (up to 5 minutes) for its holder to finish; false if it never did. */
async function acquireLock(lock: string): Promise<boolean> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      // held: by a live process, wait; by a dead one, take it over
    }
    let holder: string;
    try {
      holder = readFileSync(lock, 'utf8').trim();
    } catch {
      continue; // released in the meantime
    }
    // A holder that died (Ctrl+C during a build) leaves its lock behind; an empty lock is being written.
    if (/^\d+$/.test(holder) && !alive(Number(holder))) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function newestMtime(dir: string): number {
  let newest = mtimeOf(dir) ?? 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : (mtimeOf(p) ?? 0));
  }
  return newest;
}

/** Open the default browser where there is a desktop; a failure is not an error (the address is printed). */
function openInBrowser(url: string): void {
  const platform = process.platform;
  if (platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['explorer.exe', [url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener: the printed address is enough
  }
}
