/**
 * The `pytorch` backend: `hnet train --backend pytorch` runs the program's PyTorch export in a Python subprocess
 * and streams the engine's events (src/main/engine/pytorch.ts).
 *
 * Python: HNET_PYTHON, else Debian's /usr/bin/python3, which must have torch: these tests fail, never skip,
 * without it.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/main/engine/backend';
import { RunControl } from '../src/main/engine/control';
import { readCheckpoint, type Checkpoint } from '../src/main/engine/checkpoint';
import { trainWithPytorch } from '../src/main/engine/pytorch';
import { train } from '../src/main/engine/train';
import { HnetError } from '../src/shared/compiler/errors';
import { EngineEvent } from '../src/shared/api/events';
import { loadDoc } from './export/helpers';
import { hnet as hnetCommand, jsonLines, root, type Run } from './helpers/cli';
import { PYTHON, requireTorch } from './helpers/python';
import { compileOk } from './helpers/templates';

const bin = join(root, 'bin', 'hnet.mjs');
const spirals = join(root, 'templates', 'spirals-per-sample.hnet.json');
const sinusoid = join(root, 'templates', 'sinusoid-family.hnet.json');
const TIMEOUT = 180_000;
const STACK = /at .*\.(ts|mjs|js):\d+|^\s+at /m;

/** The command line with this file's Python (`env` adds to the environment instead) and its longer limit. */
const hnet = (args: string[], env: Record<string, string> = { HNET_PYTHON: PYTHON }): Run => hnetCommand(args, { timeout: TIMEOUT, env });

let dir: string;
beforeAll(() => {
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), 'hnet-pytorch-backend-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The run's temporary folders left in `tmp` (the run is given its own TMPDIR, so other processes' never count). */
const leftovers = (tmp: string) => readdirSync(tmp).filter((f) => f.startsWith('hnet-pytorch-'));

describe('hnet train --backend pytorch', () => {
  it('streams valid engine events ending with done (accuracy included), as the tfjs engine reports them', () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const save = join(dir, 'saved');
    const r = hnet(['train', spirals, '--backend', 'pytorch', '--steps', '30', '--json', '--save', save], { HNET_PYTHON: PYTHON, TMPDIR: tmp });
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines(r.stdout).map((e) => EngineEvent.parse(e));
    const start = events.find((e) => e.event === 'start');
    expect(start).toMatchObject({ event: 'start', totalSteps: 30, tasks: [0] });
    expect(start?.event === 'start' && start.backend).toMatch(/^pytorch \((cpu|cuda)\)$/);
    expect(events.filter((e) => e.event === 'step').length).toBeGreaterThan(0);
    const done = events[events.length - 1];
    expect(done).toMatchObject({ event: 'done', step: 30, stopped: false });
    if (done.event !== 'done') throw new Error('no done event');
    expect(typeof done.metrics.accuracy).toBe('number');
    expect(existsSync(join(save, 'weights.json')) && existsSync(join(save, 'weights.bin'))).toBe(true);
    // The export trains as the engine does (same initial values, batches and updates): the same final metrics.
    const tfjs = hnet(['train', spirals, '--backend', 'cpu', '--steps', '30', '--json']);
    expect(tfjs.status, tfjs.stderr).toBe(0);
    const engine = EngineEvent.parse(jsonLines(tfjs.stdout).pop());
    if (engine.event !== 'done') throw new Error('no done event from the tfjs run');
    for (const [k, v] of Object.entries(engine.metrics)) expect(Math.abs(done.metrics[k] - v), k).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v)));
    // The temporary export is removed before the done event (the CLI exits on it).
    expect(leftovers(tmp)).toEqual([]);
  }, TIMEOUT);

  it('a diverging graph: train.py reports HN050, exit 3', () => {
    const doc = JSON.parse(JSON.stringify(loadDoc(sinusoid))) as { training: Record<string, unknown> };
    doc.training.optimizer = { type: 'sgd', learningRate: 10 };
    const file = join(dir, 'diverge.hnet.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = hnet(['train', file, '--backend', 'pytorch', '--steps', '500', '--json']);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/hnet: training diverged: the loss became (NaN|infinite) at step \d+ \(task 0\) \(HN050\)/);
    const last = EngineEvent.parse(jsonLines(r.stdout).pop());
    expect(last).toMatchObject({ event: 'error', code: 'HN050' });
    expect(r.stderr).not.toMatch(STACK);
  }, TIMEOUT);

  it('a Python without torch: exit 1, naming the Python and how to install PyTorch', () => {
    const fake = join(dir, 'python-without-torch');
    writeFileSync(fake, '#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const check = (r: Run) => {
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`PyTorch is not available to ${fake} (ModuleNotFoundError: No module named 'torch')`);
      expect(r.stderr).toContain('apt-get install python3-torch');
      expect(r.stderr).toContain('pip install torch');
      expect(r.stderr).toMatch(/--python \/ HNET_PYTHON/);
      expect(r.stderr).toMatch(/\(HN052\)$/m);
      expect(r.stderr).not.toMatch(STACK);
    };
    check(hnet(['train', spirals, '--backend', 'pytorch', '--steps', '5', '--python', fake], {}));
    check(hnet(['train', spirals, '--backend', 'pytorch', '--steps', '5'], { HNET_PYTHON: fake }));
    const missing = hnet(['train', spirals, '--backend', 'pytorch', '--steps', '5', '--python', join(dir, 'no-such-python')], {});
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/PyTorch is not available to .*no-such-python \(cannot run it: no such program\): install it/);
  }, TIMEOUT);

  it('--checkpoint writes a checkpoint in the engine format that the engine reads back', () => {
    const path = join(dir, 'cli.ckpt');
    const r = hnet(['train', spirals, '--backend', 'pytorch', '--steps', '5', '--checkpoint', path, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines(r.stdout).map((e) => EngineEvent.parse(e));
    expect(events.filter((e) => e.event === 'checkpoint')).toEqual([{ event: 'checkpoint', step: 5, path }]);
    const ck = readCheckpoint(path, compileOk(loadDoc(spirals)));
    expect(ck).toMatchObject({ format: 'hnet-checkpoint', version: 2, step: 5, phase: 0, stepInPhase: 5 });
  }, TIMEOUT);

  it('SIGINT stops the run gracefully: done with stopped: true, exit 130', async () => {
    const child = spawn(process.execPath, [bin, 'train', spirals, '--backend', 'pytorch', '--json', '--steps', '1000000'], {
      cwd: root,
      env: { ...process.env, HNET_PYTHON: PYTHON },
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`no exit; stderr: ${stderr}`));
      }, TIMEOUT - 10_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!signalled && stdout.includes('"event":"start"')) {
          signalled = true;
          // Some steps in: the stop lands inside the loop, not during start-up.
          setTimeout(() => child.kill('SIGINT'), 1000);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        done(code);
      });
    });
    expect(status, stderr).toBe(130);
    const last = EngineEvent.parse(jsonLines(stdout).pop());
    expect(last).toMatchObject({ event: 'done', stopped: true });
    if (last.event !== 'done') throw new Error('no done event');
    expect(last.step).toBeGreaterThan(0);
    expect(last.step).toBeLessThan(1_000_000);
    expect(typeof last.metrics.accuracy).toBe('number');
    expect(stderr).not.toMatch(STACK);
  }, TIMEOUT);
});

describe('trainWithPytorch', () => {
  it('pauses and resumes (pause / resume lines on its stdin) and stops (SIGINT) through a RunControl', async () => {
    const program = compileOk(loadDoc(spirals));
    const control = new RunControl();
    const steps: { step: number; at: number }[] = [];
    let pausedAt = -1;
    let resumedAt = -1;
    const run = trainWithPytorch(
      program,
      { backend: 'pytorch', steps: 1_000_000, stepEventEvery: 50, python: PYTHON, device: 'cpu' },
      (e) => {
        if (e.event !== 'step') return;
        steps.push({ step: e.step, at: performance.now() });
        if (steps.length === 3) {
          control.pause();
          pausedAt = performance.now();
          setTimeout(() => {
            control.resume();
            resumedAt = performance.now();
            setTimeout(() => control.stop(), 1000);
          }, 1500);
        }
      },
      control,
    );
    const done = await run;
    expect(done).toMatchObject({ event: 'done', stopped: true });
    expect(done.step).toBeLessThan(1_000_000);
    // While paused, at most the events already in the pipe arrive (the control is polled every 50 ms).
    const duringPause = steps.filter((s) => s.at > pausedAt + 300 && s.at < resumedAt);
    expect(duringPause).toEqual([]);
    expect(steps.filter((s) => s.at > resumedAt).length).toBeGreaterThan(0);
  }, TIMEOUT);

  it('the tfjs backend selection refuses "pytorch"', async () => {
    await expect(useBackend('pytorch')).rejects.toThrow(HnetError);
    await expect(useBackend('pytorch')).rejects.toThrow(/not a tfjs backend.*\(HN052\)/);
  });
});

describe('checkpoints across backends', () => {
  const program = () => compileOk(loadDoc(spirals));
  const py = { backend: 'pytorch' as const, python: PYTHON, device: 'cpu' };
  const readCk = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  const lastStepLoss = (events: EngineEvent[]) => {
    const steps = events.filter((e) => e.event === 'step');
    const last = steps[steps.length - 1];
    return last?.event === 'step' ? last.loss : NaN;
  };
  /** Parameters, optimizer slots and the batch stream: what must survive a trip through the other backend. */
  const state = (ck: Checkpoint) => ({ params: ck.params, optimizer: ck.optimizer, rngState: ck.rngState, step: ck.step, signature: ck.signature });

  it('wasm -> pytorch: a run resumed on pytorch continues where the engine stopped; its state round-trips exactly', async () => {
    // 20 steps of a 40-step engine run, checkpointed at step 20 (copied as the event arrives: emit is synchronous).
    const full = join(dir, 'wasm-full.ckpt');
    const at20 = join(dir, 'wasm-20.ckpt');
    const engineEvents: EngineEvent[] = [];
    const engineDone = await train(program(), { backend: 'wasm', steps: 40, checkpointPath: full, checkpointEvery: 20, stepEventEvery: 1 }, (e) => {
      engineEvents.push(e);
      if (e.event === 'checkpoint' && e.step === 20) copyFileSync(full, at20);
    });
    expect(readCk(at20)).toMatchObject({ step: 20, phase: 0, stepInPhase: 20 });

    // Resumed on pytorch for the remaining 20 steps: it starts at step 21 and ends as the engine's run ended.
    const events: EngineEvent[] = [];
    const done = await trainWithPytorch(program(), { ...py, steps: 40, resumeFrom: at20, stepEventEvery: 1 }, (e) => events.push(e));
    const steps = events.filter((e) => e.event === 'step');
    expect(steps[0]).toMatchObject({ step: 21 });
    expect(done).toMatchObject({ step: 40, stopped: false });
    // Same batches, same optimizer state: the losses continue the engine's (a fresh start would be far off).
    const engineLoss = lastStepLoss(engineEvents);
    expect(Math.abs(lastStepLoss(events) - engineLoss)).toBeLessThan(1e-2 * Math.max(1, engineLoss));
    for (const [k, v] of Object.entries(engineDone.metrics)) expect(Math.abs(done.metrics[k] - v), k).toBeLessThan(2e-2 * Math.max(1, Math.abs(v)));

    // No steps left: train.py reads the checkpoint and writes it back, bit for bit.
    const back = join(dir, 'wasm-20-back.ckpt');
    await trainWithPytorch(program(), { ...py, steps: 20, resumeFrom: at20, checkpointPath: back }, () => {});
    expect(state(readCk(back))).toEqual(state(readCk(at20)));
  }, TIMEOUT);

  it('pytorch -> wasm: a run resumed on the engine continues where train.py stopped; its state round-trips exactly', async () => {
    const at20 = join(dir, 'py-20.ckpt');
    await trainWithPytorch(program(), { ...py, steps: 20, checkpointPath: at20 }, () => {});
    // A finished 20-step run's checkpoint sits at the end of its phase, so a 40-step run goes on from it.
    expect(readCk(at20)).toMatchObject({ step: 20, phase: 0, stepInPhase: 20 });

    const pyEvents: EngineEvent[] = [];
    const pyDone = await trainWithPytorch(program(), { ...py, steps: 40, stepEventEvery: 1 }, (e) => pyEvents.push(e));
    const events: EngineEvent[] = [];
    const done = await train(program(), { backend: 'wasm', steps: 40, resumeFrom: at20, stepEventEvery: 1 }, (e) => events.push(e));
    expect(events.find((e) => e.event === 'step')).toMatchObject({ step: 21 });
    expect(done).toMatchObject({ step: 40, stopped: false });
    const pyLoss = lastStepLoss(pyEvents);
    expect(Math.abs(lastStepLoss(events) - pyLoss)).toBeLessThan(1e-2 * Math.max(1, pyLoss));
    for (const [k, v] of Object.entries(pyDone.metrics)) expect(Math.abs(done.metrics[k] - v), k).toBeLessThan(2e-2 * Math.max(1, Math.abs(v)));

    const back = join(dir, 'py-20-back.ckpt');
    await train(program(), { backend: 'wasm', steps: 20, resumeFrom: at20, checkpointPath: back }, () => {});
    expect(state(readCk(back))).toEqual(state(readCk(at20)));
  }, TIMEOUT);

  it('a checkpoint of another graph is refused with HN053 before Python starts', async () => {
    const other = join(dir, 'other.ckpt');
    await train(compileOk(loadDoc(sinusoid)), { backend: 'wasm', steps: 2, checkpointPath: other }, () => {});
    await expect(trainWithPytorch(program(), { ...py, steps: 5, resumeFrom: other }, () => {})).rejects.toThrow(/saved from a different graph.*\(HN053\)/);
  }, TIMEOUT);
});
