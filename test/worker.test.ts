/**
 * The training worker and its session: a real run of a template in a worker thread, pause/resume/stop driven
 * from the caller, and workers that crash (fixtures under test/fixtures/) ending the run with HN060 while the
 * caller carries on.
 */
import { describe, expect, it } from 'vitest';
import { EngineEvent } from '../src/shared/api/events';
import { HnetError } from '../src/shared/compiler/errors';
import type { Program } from '../src/shared/compiler/ir';
import { startRun, type RunHandle } from '../src/main/engine/session';
import { rejection } from './helpers/errors';
import { fixture, templateProgram, type JsonEdit } from './helpers/templates';
import { until } from './helpers/wait';

const sinusoidProgram = (edit?: JsonEdit) => templateProgram('sinusoid-family', edit);

function collect(run: RunHandle): EngineEvent[] {
  const events: EngineEvent[] = [];
  run.on((e) => events.push(e));
  return events;
}

const steps = (events: EngineEvent[]) => events.filter((e) => e.event === 'step').map((e) => (e as { step: number }).step);

describe('training session (worker thread)', () => {
  it('runs a compiled template for a few steps and streams valid events, done last', async () => {
    const run = startRun(sinusoidProgram(), { steps: 20, stepEventEvery: 1 });
    const events = collect(run);
    const done = await run.done;
    expect(done.event).toBe('done');
    expect(done.stopped).toBe(false);
    expect(done.step).toBe(20);
    expect(Object.keys(done.metrics).length).toBeGreaterThan(0);
    for (const e of events) expect(EngineEvent.safeParse(e).success).toBe(true);
    expect(events[0].event).toBe('start');
    expect(events[events.length - 1]).toEqual(done);
    expect(steps(events).length).toBeGreaterThan(0);
  });

  it('pauses, resumes and stops; a stopped run is done with stopped: true', async () => {
    const run = startRun(sinusoidProgram(), { steps: 1_000_000, stepEventEvery: 1 });
    const events = collect(run);
    await until(() => steps(events).length > 0, 'the first step');

    // The loop says when it is idle; no step runs until it says it resumed, and it goes on from the next step.
    const said = (prefix: string) => events.findIndex((e) => e.event === 'log' && e.message.startsWith(prefix));
    run.pause();
    await until(() => said('paused at step') >= 0, 'the loop to pause');
    const at = Number((events[said('paused at step')] as { message: string }).message.match(/\d+$/)![0]);
    expect(steps(events).at(-1)).toBe(at);
    run.resume();
    await until(() => steps(events).length > 0 && steps(events).at(-1)! > at, 'a step after resume');
    const between = events.slice(said('paused at step'), said('resumed at step'));
    expect(said('resumed at step')).toBeGreaterThan(said('paused at step'));
    expect(between.filter((e) => e.event === 'step')).toEqual([]);
    expect(steps(events).find((k) => k > at)).toBe(at + 1);

    run.stop();
    const done = await run.done;
    expect(done.stopped).toBe(true);
    expect(done.step).toBeLessThan(1_000_000);
    expect(events[events.length - 1].event).toBe('done');
  });

  it('stop before the first step still ends with a done event', async () => {
    const run = startRun(sinusoidProgram(), { steps: 1_000_000 });
    run.stop();
    const done = await run.done;
    expect(done.stopped).toBe(true);
  });

  it('a diverging run rejects with HN050 naming the node, after an error event', async () => {
    const program = sinusoidProgram((doc) => {
      doc.training.optimizer = { type: 'sgd', learningRate: 10 };
    });
    const run = startRun(program, { steps: 500 });
    const events = collect(run);
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN050');
    expect(error.problem.node).toBeTruthy();
    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'error', code: 'HN050', node: error.problem.node });
  });

  it('an HnetError from the engine (invalid input) rejects with its own problem', async () => {
    const program = sinusoidProgram();
    const run = startRun({ ...program, data: { ...program.data, type: 'data.nothing' } }, { steps: 5 });
    const events = collect(run);
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN011');
    expect(error.problem.node).toBe(program.data.node);
    expect(events[events.length - 1]).toMatchObject({ event: 'error', code: 'HN011' });
  });

  it('an unexpected exception inside train() rejects with HN060 and its message, no stack', async () => {
    const program = sinusoidProgram();
    const run = startRun({ ...program, ops: [{ bogus: true } as unknown as Program['ops'][number]] }, { steps: 5 });
    const events = collect(run);
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
    expect(error.problem.message).toMatch(/^training failed: \S/);
    expect(error.problem.message).not.toMatch(/\n\s+at |\.ts:\d+/);
    expect(events[events.length - 1]).toMatchObject({ event: 'error', code: 'HN060' });
  });

  it('the worker refuses a start message that carries no program', async () => {
    const run = startRun({ irVersion: 2 } as unknown as Program, {});
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
    expect(error.problem.message).toMatch(/invalid message.*program/);
  });

  it('a worker that exits mid-run rejects with HN060 and the caller survives', async () => {
    const run = startRun(sinusoidProgram(), {}, { workerUrl: fixture('worker-exit.mjs') });
    const events = collect(run);
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
    expect(error.problem.message).toMatch(/training worker crashed/);
    expect(events.map((e) => e.event)).toEqual(['log', 'error']);
    expect(events[1]).toMatchObject({ event: 'error', code: 'HN060' });
  });

  it('a worker that throws rejects with HN060, with the message and no stack', async () => {
    const run = startRun(sinusoidProgram(), {}, { workerUrl: fixture('worker-throw.mjs') });
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
    expect(error.problem.message).toMatch(/fixture: unexpected failure/);
    expect(error.problem.message).not.toMatch(/\n\s+at /);
  });

  it('a worker that ends without a done event rejects with HN060', async () => {
    const run = startRun(sinusoidProgram(), {}, { workerUrl: fixture('worker-quiet.mjs') });
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
  });

  it('a worker running out of memory rejects with HN061 (out of memory) and the caller survives', async () => {
    const run = startRun(sinusoidProgram(), {}, {
      workerUrl: fixture('worker-oom.mjs'),
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
    });
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN061');
    expect(error.problem.message).toMatch(/ran out of memory \(its heap limit is 32 MB\)/);
  });

  it('a missing worker entry rejects with HN060', async () => {
    const run = startRun(sinusoidProgram(), {}, { workerUrl: fixture('no-such-worker.mjs') });
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
  });

  it('drops malformed messages from the worker with a warning and keeps the run', async () => {
    const run = startRun(sinusoidProgram(), {}, { workerUrl: fixture('worker-garbage.mjs') });
    const events = collect(run);
    const done = await run.done;
    expect(done.stopped).toBe(false);
    expect(events.filter((e) => e.event === 'log' && e.level === 'warn')).toHaveLength(2);
  });

  it('kill() ends a running worker at once; done rejects with HN060', async () => {
    const run = startRun(sinusoidProgram(), { steps: 1_000_000, stepEventEvery: 1 });
    const events = collect(run);
    await until(() => steps(events).length > 0, 'the first step');
    await run.kill();
    const error = await rejection(run.done, HnetError);
    expect(error.problem.code).toBe('HN060');
  });
});
