/**
 * The `pytorch` backend: the program's PyTorch export (src/main/export/export.ts, the same files as
 * `hnet export --to pytorch`) trained by its own train.py in a Python subprocess, with the contract of train()
 * in ./train.ts: the same events (train.py prints them as JSON lines in the schema of `hnet train --json`; each
 * is validated with EngineEvent before it is passed on), a DoneEvent at the end, HnetError on failure.
 *
 * Python: `opts.python`, else HNET_PYTHON (`hnet train --python PATH` sets it for the worker), else the first of
 * /usr/bin/python3 and `python3` on PATH that imports torch. Without torch the run fails with HN052 saying how
 * to get it. The device is CUDA when torch sees one (`opts.device` forces one).
 *
 * Mapped options: steps (--steps), seed (--seed, and the data folder's splits), saveDir (--save: the same
 * weights.json + weights.bin as the engine writes), stepEventEvery (--event-every), baseDir (data files).
 * checkpointPath (--checkpoint), checkpointEvery (--checkpoint-every) and resumeFrom (--resume): train.py writes
 * and reads the engine's checkpoint format (./checkpoint.ts), so a run resumes on either backend; a checkpoint
 * of another graph is refused here with HN053 before Python starts, as the engine refuses it.
 *
 * Control: stop sends SIGINT once train.py has started (it finishes the step, evaluates, saves and prints done
 * with `stopped: true`); pause and resume are `pause` / `resume` lines on its stdin (it waits between two steps,
 * still answering snapshots); `control.snapshotter` asks it for its live state as a checkpoint (`snapshot PATH`),
 * which the training worker inspects (live inspection). The child runs in its own
 * process group, so a terminal's Ctrl-C reaches it only through stop, and it watches its stdin: when this
 * process goes away (the worker is terminated, the CLI is killed), it exits too.
 *
 * Errors: train.py's HN050 error event (a non-finite loss; it exits 3) becomes HN050; any other failure is
 * HN060 "pytorch run failed" with the last lines of its stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EngineEvent, type DoneEvent } from '../../shared/api/events';
import { HnetError, fail } from '../../shared/compiler/errors';
import type { Program } from '../../shared/compiler/ir';
import { exportProgram } from '../export/export';
import { readCheckpoint } from './checkpoint';
import type { RunControl } from './control';
import { dataAccessOf } from './data/files';
import type { TrainOptions } from './options';

export interface PytorchOptions extends TrainOptions {
  /** The Python to run; HNET_PYTHON, then /usr/bin/python3 and `python3`, by default. */
  python?: string;
  /** `auto` (CUDA, else Apple's MPS, else the CPU: the default), `cpu`, `cuda`, `cuda:N` or `mps`. */
  device?: string;
  /** Extra environment for the Python process (OMP_NUM_THREADS...). */
  env?: Record<string, string>;
  /** Export here and keep the files (a fresh temporary folder, removed afterwards, by default). */
  workDir?: string;
}

export interface TorchInfo {
  /** The Python that has torch, as it was run. */
  python: string;
  torch: string;
  cuda: boolean;
  /** Apple's GPU (Metal Performance Shaders) is usable. */
  mps: boolean;
  /** torch.get_num_threads(): the CPU threads an operation may use. */
  threads: number;
  pythonVersion: string;
}

export const INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install python3-torch; or pip install torch) or point --python / HNET_PYTHON at a Python that has it';

const DETECT_PY = 'import json, sys, numpy, torch; print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available(), "mps": bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()), "threads": torch.get_num_threads(), "python": sys.version.split()[0]}))';
const DETECT_TIMEOUT_MS = 120_000;

/**
 * Runs train.py (argv[1] on) as __main__ in this interpreter, after starting a thread that reads requests from
 * its stdin, one a line, into the module `hnet_control` train.py looks for: `pause`, `resume`, `snapshot PATH`
 * (write the live state at PATH in the checkpoint format, between two steps or while paused; train.py answers
 * with a `{"snapshot": PATH, "step": N}` line). When stdin closes (the parent went away) it ends the process. It
 * reads the raw descriptor: a daemon thread blocked in sys.stdin's buffered reader aborts the interpreter at
 * shutdown. train.py itself stays the file a user runs by hand (without the module it takes no requests).
 */
const RUNNER_PY = [
  'import os, runpy, sys, threading, types',
  '_ctl = types.ModuleType("hnet_control")',
  '_ctl.paused = False',
  '_ctl.snapshots = []',
  'sys.modules["hnet_control"] = _ctl',
  'def _watch():',
  '    buf = b""',
  '    try:',
  '        while True:',
  '            chunk = os.read(0, 65536)',
  '            if not chunk:',
  '                break',
  '            buf += chunk',
  '            while b"\\n" in buf:',
  '                line, buf = buf.split(b"\\n", 1)',
  '                cmd, _, arg = line.decode("utf-8", "replace").strip().partition(" ")',
  '                if cmd == "pause":',
  '                    _ctl.paused = True',
  '                elif cmd == "resume":',
  '                    _ctl.paused = False',
  '                elif cmd == "snapshot" and arg:',
  '                    _ctl.snapshots.append(arg)',
  '    except Exception:',
  '        pass',
  '    os._exit(143)',
  'threading.Thread(target=_watch, daemon=True).start()',
  'sys.argv = sys.argv[1:]',
  'runpy.run_path(sys.argv[0], run_name="__main__")',
].join('\n');

/** How many trailing stderr lines an error message quotes. */
const STDERR_LINES = 12;

/** The Pythons to try, in order: the one asked for, else the defaults. */
export function pythonCandidates(python?: string): { candidates: string[]; explicit: boolean } {
  const asked = python ?? (process.env.HNET_PYTHON?.trim() || undefined);
  if (asked) return { candidates: [asked], explicit: true };
  const defaults = process.platform === 'win32' ? ['python', 'py'] : ['/usr/bin/python3', 'python3'];
  return { candidates: defaults.filter((p) => !p.includes('/') || existsSync(p)), explicit: false };
}

/** Run `python -c code`; stdout, the last stderr line, and how it ended. */
function runPython(python: string, code: string, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((done) => {
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', code], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    } catch (e) {
      done({ status: null, stdout: '', stderr: '', error: e instanceof Error ? e.message : String(e) });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ status: null, stdout, stderr, error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such program' : e.message });
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, stdout, stderr, ...(signal ? { error: signal === 'SIGKILL' ? `no answer within ${timeoutMs / 1000} s` : `ended by ${signal}` } : {}) });
    });
  });
}

const lastLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';

const found = new Map<string, TorchInfo>();

/** Ask one Python for torch; the reason when it has none. */
async function probe(python: string): Promise<TorchInfo | string> {
  const cached = found.get(python);
  if (cached) return cached;
  const r = await runPython(python, DETECT_PY, DETECT_TIMEOUT_MS);
  if (r.error) return `cannot run it: ${r.error}`;
  if (r.status !== 0) return lastLine(r.stderr) || `it exited with code ${r.status}`;
  try {
    const v = JSON.parse(lastLine(r.stdout)) as { torch: string; cuda: boolean; mps?: boolean; threads: number; python: string };
    const info: TorchInfo = { python, torch: String(v.torch), cuda: v.cuda === true, mps: v.mps === true, threads: Number(v.threads) || 1, pythonVersion: String(v.python) };
    found.set(python, info);
    return info;
  } catch {
    return `unexpected answer: ${lastLine(r.stdout).slice(0, 200)}`;
  }
}

/**
 * The Python to train with and what its torch offers. HN052 when none of the candidates imports torch (and
 * numpy, which the export needs too), naming each with its reason and how to get PyTorch.
 */
export async function findTorch(python?: string): Promise<TorchInfo> {
  const { candidates, explicit } = pythonCandidates(python);
  const reasons: string[] = [];
  for (const p of candidates) {
    const r = await probe(p);
    if (typeof r !== 'string') return r;
    reasons.push(`${p} (${r})`);
  }
  const who = reasons.length ? reasons.join(' or ') : explicit ? String(candidates[0]) : 'python3 (none found)';
  return fail('HN052', `PyTorch is not available to ${who}: ${INSTALL_HINT}`, { path: 'training.backend' });
}

/** The device train.py runs on: what was asked for, checked against what this torch sees. */
export function resolveDevice(asked: string, info: TorchInfo): string {
  if (asked === 'auto') return info.cuda ? 'cuda' : info.mps ? 'mps' : 'cpu';
  if (asked.startsWith('cuda') && !info.cuda)
    fail('HN052', `device ${asked} was asked for, but PyTorch ${info.torch} on ${info.python} sees no CUDA device; use cpu${info.mps ? ' or mps' : ''}`, { path: 'training.backend' });
  if (asked === 'mps' && !info.mps)
    fail('HN052', `device mps was asked for, but PyTorch ${info.torch} on ${info.python} has no usable MPS device (Apple silicon, macOS 12.3+, torch 1.12+); use cpu${info.cuda ? ' or cuda' : ''}`, { path: 'training.backend' });
  if (!/^(cpu|mps|cuda(:\d+)?)$/.test(asked)) fail('HN052', `unknown PyTorch device "${asked}": use auto, cpu, cuda, cuda:N or mps`, { path: 'training.backend' });
  return asked;
}


/** train.py writes non-finite numbers as null (JSON has no NaN); the engine's events carry NaN there. */
function nullsToNaN(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const e = { ...(raw as Record<string, unknown>) };
  const record = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? NaN : x])) : v;
  for (const k of ['loss', 'stepsPerSecond', 'seconds']) if (e[k] === null) e[k] = NaN;
  for (const k of ['metrics', 'losses']) if (k in e) e[k] = record(e[k]);
  if (typeof e.perTask === 'object' && e.perTask !== null) e.perTask = Object.fromEntries(Object.entries(e.perTask).map(([t, m]) => [t, record(m)]));
  return e;
}

const clip = (text: string, n = 300) => (text.length > n ? `${text.slice(0, n)}...` : text);

/** `pytorch-cpu` (train.py's name) as `pytorch (cpu)`; DDP suffixes kept. */
const backendName = (raw: string) => {
  const m = /^pytorch-(\w+)(.*)$/.exec(raw);
  return m ? `pytorch (${m[1]}${m[2] ? `, ${m[2].replace(/^-/, '')}` : ''})` : raw;
};

export async function trainWithPytorch(program: Program, opts: PytorchOptions, emit: (e: EngineEvent) => void, control?: RunControl): Promise<DoneEvent> {
  const started = performance.now();
  // The engine's own check (HN053, naming the file) before any Python starts.
  if (opts.resumeFrom !== undefined) readCheckpoint(opts.resumeFrom, program);
  const info = await findTorch(opts.python);
  const device = resolveDevice(opts.device ?? 'auto', info);
  const seed = opts.seed ?? program.training.seed;
  const dir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'hnet-pytorch-'));
  let done: DoneEvent;
  try {
    exportProgram(program, 'pytorch', dir, { ...dataAccessOf(opts), seed });
    emit({ event: 'log', level: 'info', message: `PyTorch ${info.torch} on ${info.python} (Python ${info.pythonVersion}), device ${device}` });
    const args = ['train.py', '--seed', String(seed), '--device', device];
    if (opts.steps !== undefined) args.push('--steps', String(opts.steps));
    if (opts.saveDir !== undefined) args.push('--save', resolve(opts.saveDir));
    if (opts.stepEventEvery !== undefined) args.push('--event-every', String(opts.stepEventEvery));
    if (opts.checkpointPath !== undefined) args.push('--checkpoint', resolve(opts.checkpointPath));
    if (opts.checkpointPath !== undefined && opts.checkpointEvery) args.push('--checkpoint-every', String(opts.checkpointEvery));
    if (opts.resumeFrom !== undefined) args.push('--resume', resolve(opts.resumeFrom));
    done = await runTrainPy(info.python, args, dir, opts.env ?? {}, emit, control);
  } finally {
    // Before the done event: a caller may end the process as soon as it has it (the CLI does).
    if (opts.workDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
  const final: DoneEvent = { ...done, seconds: (performance.now() - started) / 1000 };
  emit(final);
  return final;
}

/** Run train.py to its end; resolves with its done event (not yet emitted), rejects with an HnetError. */
function runTrainPy(python: string, args: string[], cwd: string, env: Record<string, string>, emit: (e: EngineEvent) => void, control?: RunControl): Promise<DoneEvent> {
  return new Promise<DoneEvent>((resolveRun, rejectRun) => {
    const posix = process.platform !== 'win32';
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', RUNNER_PY, ...args], {
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: posix,
        env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
      });
    } catch (e) {
      rejectRun(new HnetError({ code: 'HN060', message: `pytorch run failed: cannot start ${python}: ${e instanceof Error ? e.message : String(e)}` }));
      return;
    }

    const stderrLines: string[] = [];
    let done: DoneEvent | null = null;
    let reported: { code: string; message: string } | null = null;
    let startedPy = false;
    let lastStep = 0;
    let paused = false;
    let stopSent = false;
    let exited = false;
    let spawnError: string | null = null;

    const signal = (s: NodeJS.Signals) => {
      if (exited) return;
      try {
        child.kill(s);
      } catch {
        // Already gone; its close event settles the run.
      }
    };
    // Pause/stop requests are read from the control (the worker sets them from messages and a shared flag).
    const tick = () => {
      if (!control || exited) return;
      if (control.stopRequested) {
        if (!stopSent && startedPy) {
          paused = false;
          stopSent = true;
          signal('SIGINT');
        }
        return;
      }
      const want = control.pauseRequested;
      if (want !== paused) {
        send(want ? 'pause' : 'resume');
        paused = want;
      }
    };
    const send = (line: string) => {
      if (!exited && child.stdin?.writable) child.stdin.write(`${line}\n`);
    };
    // Live inspection: train.py writes its state as a checkpoint between two steps (or while paused).
    const snapshots = new Map<string, { resolve(step: number): void; reject(e: Error): void }[]>();
    if (control)
      control.snapshotter = (path) =>
        new Promise<number>((ok, no) => {
          if (exited) return no(new Error('the run has ended'));
          const waiting = snapshots.get(path) ?? [];
          waiting.push({ resolve: ok, reject: no });
          snapshots.set(path, waiting);
          if (waiting.length === 1) send(`snapshot ${path}`);
        });
    const timer = control ? setInterval(tick, 50) : null;
    // Should this thread or process end while train.py runs, do not leave it behind (stopped or running).
    const onExit = () => {
      if (!exited) signal('SIGKILL');
    };
    process.once('exit', onExit);

    child.on('error', (e) => {
      spawnError = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${python}: no such program` : e.message;
    });
    child.stdin!.on('error', () => {});
    child.stderr!.setEncoding('utf8');
    let partial = '';
    child.stderr!.on('data', (d: string) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) if (l.trim()) stderrLines.push(l.trimEnd());
      if (stderrLines.length > 200) stderrLines.splice(0, stderrLines.length - 200);
    });

    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const text = line.trim();
      if (!text) return;
      let raw: unknown;
      try {
        raw = text.startsWith('{') ? JSON.parse(text) : undefined;
      } catch {
        raw = undefined;
      }
      if (raw === undefined) {
        emit({ event: 'log', level: 'info', message: `train.py: ${clip(text)}` });
        return;
      }
      const snap = raw as { snapshot?: unknown; step?: unknown };
      if (typeof snap.snapshot === 'string' && typeof snap.step === 'number') {
        for (const w of snapshots.get(snap.snapshot) ?? []) w.resolve(snap.step);
        snapshots.delete(snap.snapshot);
        return;
      }
      const parsed = EngineEvent.safeParse(nullsToNaN(raw));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        emit({ event: 'log', level: 'warn', message: `dropped an event from train.py that does not match the schema (${issue ? `${issue.path.join('.') || 'event'}: ${issue.message}` : 'invalid'}): ${clip(text, 200)}` });
        return;
      }
      const e = parsed.data;
      switch (e.event) {
        case 'start':
          startedPy = true;
          emit({ ...e, backend: backendName(e.backend) });
          tick();
          return;
        case 'error':
          // Reported once, by the caller, with the HnetError this run rejects with.
          reported = { code: e.code, message: e.message };
          return;
        case 'done':
          done = e;
          return;
        case 'step':
          lastStep = e.step;
          emit(e);
          return;
        default:
          emit(e);
      }
    });

    const closed = new Promise<void>((r) => lines.once('close', () => r()));
    child.on('close', (code, sig) => {
      exited = true;
      if (timer) clearInterval(timer);
      if (control) control.snapshotter = null;
      for (const waiting of snapshots.values()) for (const w of waiting) w.reject(new Error('the run ended before its snapshot was written'));
      snapshots.clear();
      process.off('exit', onExit);
      // Every stdout line is handled before deciding.
      void closed.then(() => {
        if (partial.trim()) stderrLines.push(partial.trimEnd());
        if (done && code === 0) return resolveRun(done);
        if (reported?.code === 'HN050') return rejectRun(new HnetError({ code: 'HN050', message: reported.message }));
        if (stopSent && !reported) {
          // Stopped before train.py could report (a second interrupt, or one during start-up): end as stopped.
          return resolveRun(done ?? { event: 'done', step: lastStep, seconds: 0, metrics: {}, stopped: true });
        }
        const tail = stderrLines.slice(-STDERR_LINES).join('\n');
        const how = spawnError ?? (sig ? `ended by ${sig}` : `exit code ${code}`);
        const detail = reported ? `${reported.message}${tail ? `\n${tail}` : ''}` : tail || (done ? 'it reported done but did not exit cleanly' : 'it ended without a done event');
        rejectRun(new HnetError({ code: 'HN060', message: `pytorch run failed (${how}): ${clip(detail, 3000)}` }));
      });
    });
  });
}
