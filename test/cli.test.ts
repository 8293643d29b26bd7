/**
 * The `hnet` command as a user runs it: `node bin/hnet.mjs ...` in a child process, checked by exit code,
 * stdout and stderr. Messages are matched by pattern; no output may ever carry a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineEvent } from '../src/shared/api/events';
import { hnet, root, type Run } from './helpers/cli';

const bin = join(root, 'bin', 'hnet.mjs');
const template = join(root, 'templates', 'sinusoid-family.hnet.json');
const TIMEOUT = 120_000;

type Result = Run;

const STACK = /at .*\.(ts|mjs|js):\d+|^\s+at /m;
function expectNoStack(r: Result): void {
  expect(r.stdout).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(STACK);
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

let dir: string;
const base = () => JSON.parse(readFileSync(template, 'utf8'));
function writeDoc(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('hnet validate', () => {
  it('accepts the sinusoid template: one ok line with the budget, exit 0', () => {
    const r = hnet(['validate', 'templates/sinusoid-family.hnet.json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok {2}templates\/sinusoid-family\.hnet\.json {2}\(7 nodes, \d+ edges; hyper [\d,]+ \/ generated [\d,]+ params/);
    expect(lines(r.stdout)).toHaveLength(1);
  }, TIMEOUT);

  it('--json prints one object per file', () => {
    const r = hnet(['validate', '--json', template]);
    expect(r.status).toBe(0);
    const [line, ...rest] = lines(r.stdout);
    expect(rest).toEqual([]);
    const v = JSON.parse(line);
    expect(v).toMatchObject({ file: template, ok: true, nodes: 7 });
    expect(v.budget.generated).toBeGreaterThan(0);
  }, TIMEOUT);

  const broken: [string, () => unknown, RegExp][] = [
    ['invalid JSON', () => '{ "format": "hypernet-studio", ', /not valid JSON.*line 1.*\(HN001\)/],
    ['not a document', () => ({ hello: 'world' }), /not a Hypernet Studio document.*\(HN002\)/],
    [
      'an unknown node type',
      () => {
        const d = base();
        d.nodes[2].type = 'target.denze';
        return d;
      },
      /dense_1.*target\.denze.*\(HN011\)/,
    ],
    [
      'an edge to a missing node',
      () => {
        const d = base();
        d.edges.push({ source: 'ghost', sourcePort: 'y', target: 'dense_2', targetPort: 'x' });
        return d;
      },
      /ghost.*\(HN020\)/,
    ],
    [
      'a cycle',
      () => {
        const d = base();
        const i = d.edges.findIndex((e: { target: string; targetPort: string }) => e.target === 'dense_1' && e.targetPort === 'x');
        d.edges[i] = { source: 'dense_2', sourcePort: 'y', target: 'dense_1', targetPort: 'x' };
        return d;
      },
      /dense_[12].*\(HN025\)/,
    ],
    [
      'a shape mismatch',
      () => {
        const d = base();
        d.nodes.find((n: { id: string }) => n.id === 'dense_3').params.units = 3;
        return d;
      },
      /\(HN030\)/,
    ],
    [
      'a Dense with 1e9 units',
      () => {
        const d = base();
        d.nodes.find((n: { id: string }) => n.id === 'dense_2').params.units = 1e9;
        return d;
      },
      /dense_2.*units.*\(HN01[23]\)|dense_2.*\(HN043\)/,
    ],
  ];

  for (const [what, make, message] of broken) {
    it(`rejects ${what}: exit 1, the problem named, no stack trace`, () => {
      const file = writeDoc(`${what.replace(/\W+/g, '-')}.hnet.json`, make());
      const r = hnet(['validate', file]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^invalid {2}${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      expect(r.stdout).toMatch(message);
      expectNoStack(r);
    }, TIMEOUT);
  }

  it('several files: one verdict each, exit 1 if any is bad', () => {
    const bad = writeDoc('several-bad.hnet.json', { hello: 'world' });
    const r = hnet(['validate', template, bad, template]);
    expect(r.status).toBe(1);
    const verdicts = lines(r.stdout).filter((l) => !l.startsWith(' '));
    expect(verdicts).toHaveLength(3);
    expect(verdicts[0]).toMatch(/^ok /);
    expect(verdicts[1]).toMatch(/^invalid /);
    expect(verdicts[2]).toMatch(/^ok /);
    const json = hnet(['validate', '--json', template, bad]);
    expect(json.status).toBe(1);
    expect(lines(json.stdout).map((l) => JSON.parse(l).ok)).toEqual([true, false]);
  }, TIMEOUT);

  it('a missing file, a directory: exit 1 with "cannot read"', () => {
    const missing = hnet(['validate', join(dir, 'missing.hnet.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^hnet: cannot read .*missing\.hnet\.json: no such file$/m);
    const folder = join(dir, 'folder.hnet.json');
    mkdirSync(folder, { recursive: true });
    const d = hnet(['validate', folder]);
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/hnet: cannot read .*folder\.hnet\.json: it is a directory/);
    expectNoStack(missing);
    expectNoStack(d);
  }, TIMEOUT);
});

describe('usage errors exit 2', () => {
  const cases: [string, string[]][] = [
    ['an unknown option', ['validate', '--bogus', template]],
    ['a missing argument', ['validate']],
    ['an unknown command', ['frobnicate']],
    ['a bad --steps value', ['train', template, '--steps', 'many']],
    ['a bad --backend value', ['train', template, '--backend', 'abacus']],
    ['no command', []],
    ['--checkpoint-every without --checkpoint', ['train', template, '--checkpoint-every', '10']],
  ];
  for (const [what, args] of cases) {
    it(what, () => {
      const r = hnet(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expectNoStack(r);
    }, TIMEOUT);
  }

  it('--help and --version exit 0', () => {
    const help = hnet(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/validate/);
    expect(hnet(['--version']).status).toBe(0);
  }, TIMEOUT);
});

describe('hnet templates and hnet nodes', () => {
  it('templates --json: one parseable object per template, from any working directory', () => {
    const r = hnet(['templates', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const items = lines(r.stdout).map((l) => JSON.parse(l));
    const sinusoid = items.find((t) => t.file === 'sinusoid-family.hnet.json');
    expect(sinusoid).toMatchObject({ name: 'Sinusoid family' });
    expect(sinusoid.budget.hyper).toBeGreaterThan(0);
    expect(sinusoid.description).toMatch(/\.$/);
    expect(typeof sinusoid.citation).toBe('string');
  }, TIMEOUT);

  it('templates prints a readable listing', () => {
    const r = hnet(['templates']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sinusoid-family\.hnet\.json {2}Sinusoid family/);
  }, TIMEOUT);

  it('nodes lists the registry grouped by category; --json one object per type', () => {
    const r = hnet(['nodes']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Target layers$/m);
    expect(r.stdout).toMatch(/^ {2}target\.dense +Dense/m);
    const json = hnet(['nodes', '--json']);
    const types = lines(json.stdout).map((l) => JSON.parse(l));
    expect(types.find((t) => t.id === 'head.mlp')).toMatchObject({ category: 'head' });
  }, TIMEOUT);
});

describe('hnet train', () => {
  it('--json --steps 30: every line is an EngineEvent, the last is done with metrics, exit 0', () => {
    const r = hnet(['train', template, '--json', '--steps', '30']);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.status).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(2);
    for (const e of events) {
      const parsed = EngineEvent.safeParse(e);
      expect(parsed.success, JSON.stringify(e)).toBe(true);
    }
    expect(lines(r.stdout).every((l) => l.startsWith('{"event":'))).toBe(true);
    expect(events[0].event).toBe('start');
    const done = events[events.length - 1];
    expect(done).toMatchObject({ event: 'done', step: 30, stopped: false });
    expect(Object.keys(done.metrics).length).toBeGreaterThan(0);
  }, TIMEOUT);

  it('without --json on a pipe: plain lines and a summary', () => {
    const r = hnet(['train', template, '--steps', '20']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^training on \w+/m);
    expect(r.stdout).toMatch(/^done at step 20 /m);
    expect(r.stdout).toMatch(/^metrics \(test set\):$/m);
  }, TIMEOUT);

  it('names the split of every evaluation: val during training where the dataset holds one, the test set at the end', () => {
    const file = writeDoc('mnist-splits.hnet.json', {
      format: 'hypernet-studio',
      version: 1,
      nodes: [
        { id: 'digits', type: 'data.mnist', params: { validation: 5000 } },
        { id: 'dense', type: 'target.dense', params: { units: 10 } },
        { id: 'loss', type: 'objective.cross_entropy' },
        { id: 'accuracy', type: 'metric.accuracy' },
      ],
      edges: [
        { source: 'digits', sourcePort: 'x', target: 'dense', targetPort: 'x' },
        { source: 'dense', sourcePort: 'y', target: 'loss', targetPort: 'logits' },
        { source: 'digits', sourcePort: 'y', target: 'loss', targetPort: 'labels' },
        { source: 'dense', sourcePort: 'y', target: 'accuracy', targetPort: 'logits' },
        { source: 'digits', sourcePort: 'y', target: 'accuracy', targetPort: 'labels' },
      ],
      data: { maxEvalSamples: 200 },
      training: { steps: 20, evalEvery: 10, batchSize: 16 },
    });
    const r = hnet(['train', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^step 10 {2}val {2}loss [\d.e+-]+, accuracy [\d.]+$/m);
    expect(r.stdout).toMatch(/^metrics \(test set\):$/m);
  }, TIMEOUT);

  it('an invalid document: exit 1, the problem on stderr, nothing on stdout', () => {
    const d = base();
    d.nodes[2].type = 'target.denze';
    const file = writeDoc('train-invalid.hnet.json', d);
    const r = hnet(['train', file, '--json']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/dense_1.*\(HN011\)/);
    expectNoStack(r);
  }, TIMEOUT);

  it('--baseline static: trains the graph, then its static twin, and prints them side by side', () => {
    const r = hnet(['train', template, '--steps', '20', '--baseline', 'static']);
    expect(r.status).toBe(0);
    expectNoStack(r);
    expect(r.stderr).toMatch(/static twin: 6 generated weights \(dense_1\.kernel, dense_1\.bias, dense_2\.kernel, dense_2\.bias, dense_3\.kernel, dense_3\.bias\) trained directly; removed hyper$/m);
    expect(r.stdout.match(/^done at step 20 /gm)).toHaveLength(2);
    const table = r.stdout.slice(r.stdout.indexOf('side by side'));
    expect(table).toMatch(/^\s+hypernetwork\s+static twin$/m);
    // The twin trains the same target network, all of it directly.
    const row = (name: string) => table.match(new RegExp(`^  ${name}\\s+([\\d,]+)\\s+([\\d,]+)$`, 'm'))!.slice(1);
    const [hyperTarget, twinTarget] = row('target network parameters');
    expect(twinTarget).toBe(hyperTarget);
    expect(row('trained parameters')[1]).toBe(twinTarget);
    expect(table).toMatch(/^ {2}mse\s+\d+\.\d+\s+\d+\.\d+$/m);
  }, TIMEOUT);

  it('--baseline static --json: events tagged with their variant, then one comparison line', () => {
    const r = hnet(['train', template, '--steps', '10', '--baseline', 'static', '--json']);
    expect(r.status).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    const last = events.pop();
    expect(events.filter((e) => e.event === 'done').map((e) => e.variant)).toEqual(['hypernetwork', 'static']);
    for (const { variant, ...e } of events) {
      expect(['hypernetwork', 'static']).toContain(variant);
      expect(EngineEvent.safeParse(e).success, JSON.stringify(e)).toBe(true);
    }
    expect(last.event).toBe('comparison');
    expect(last.static.budget.hyper).toBe(0);
    expect(last.static.budget.ordinary).toBe(last.hypernetwork.budget.generated + last.hypernetwork.budget.ordinary);
    expect(Object.keys(last.static.metrics)).toEqual(Object.keys(last.hypernetwork.metrics));
  }, TIMEOUT);

  it('--baseline and --budget full refuse what cannot be done, by name', () => {
    const plain = base();
    plain.edges = plain.edges.filter((e: { source: string; target: string }) => e.source !== 'hyper' && e.target !== 'hyper');
    plain.nodes = plain.nodes.filter((n: { id: string; type: string }) => !n.type.startsWith('head.') && !n.type.startsWith('context.'));
    const file = writeDoc('train-plain.hnet.json', plain);
    const twin = hnet(['train', file, '--baseline', 'static']);
    expect(twin.status).toBe(1);
    expect(twin.stderr).toMatch(/generates no weights.*\(HN044\)/);
    const full = hnet(['train', template, '--budget', 'full']);
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/fullBudget: this document has no full budget.*\(HN045\)/);
    const both = hnet(['train', template, '--baseline', 'static', '--save', join(dir, 'w')]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--baseline trains two models/);
    expectNoStack(both);
  }, TIMEOUT);

  it('a missing file: exit 1 with "cannot read"', () => {
    const r = hnet(['train', join(dir, 'nothing-here.hnet.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hnet: cannot read .*nothing-here\.hnet\.json: no such file$/m);
  }, TIMEOUT);

  it('a diverging run: exit 3 with the node named', () => {
    const d = base();
    d.training.optimizer = { type: 'sgd', learningRate: 10 };
    const file = writeDoc('diverge.hnet.json', d);
    const r = hnet(['train', file, '--steps', '500', '--json']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/hnet: training diverged: \w+: .*\(HN050\)/);
    const last = JSON.parse(lines(r.stdout).pop()!);
    expect(last).toMatchObject({ event: 'error', code: 'HN050' });
    expectNoStack(r);
  }, TIMEOUT);

  it('--save writes the trained parameters; --checkpoint writes a checkpoint that --resume picks up', () => {
    const save = join(dir, 'saved');
    const checkpoint = join(dir, 'run.ckpt');
    const first = hnet(['train', template, '--steps', '20', '--json', '--save', save, '--checkpoint', checkpoint]);
    expect(first.status).toBe(0);
    expect(readFileSync(join(save, 'weights.json'), 'utf8').length).toBeGreaterThan(0);
    const events = lines(first.stdout).map((l) => JSON.parse(l));
    expect(events.some((e) => e.event === 'checkpoint')).toBe(true);
    // A finished run's checkpoint resumes as finished: it picks up at step 20 and ends there.
    const resumed = hnet(['train', template, '--steps', '20', '--json', '--resume', checkpoint]);
    expect(resumed.status).toBe(0);
    const after = lines(resumed.stdout).map((l) => JSON.parse(l));
    expect(after.some((e) => e.event === 'log' && /resumed from .* at step 20/.test(e.message))).toBe(true);
    expect(after[after.length - 1]).toMatchObject({ event: 'done', step: 20 });
    // With more steps it trains on from there (--resume honours --steps).
    const longer = hnet(['train', template, '--steps', '30', '--json', '--resume', checkpoint]);
    expect(longer.status).toBe(0);
    const more = lines(longer.stdout).map((l) => JSON.parse(l));
    expect(more.filter((e) => e.event === 'step').map((e) => e.step)[0]).toBe(21);
    expect(more[more.length - 1]).toMatchObject({ event: 'done', step: 30 });
    const missing = hnet(['train', template, '--resume', join(dir, 'no.ckpt')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*no\.ckpt/);
  }, TIMEOUT);

  it('--resume with --steps N trains each task to N steps in all, counting the checkpoint\'s; finished tasks are not revisited', () => {
    // Three tasks one after the other; the checkpoint is taken where a run of tasks 0 and 1 at 5 steps each ends
    // (task 1, step 5 of it), so the resumed run has a task to finish and one to start.
    const cl = JSON.parse(readFileSync(join(root, 'templates', 'toy-continual-regression.hnet.json'), 'utf8'));
    cl.training = { ...cl.training, evalEvery: 0, steps: 5 };
    const three = writeDoc('cl-three.hnet.json', cl);
    const two = writeDoc('cl-two.hnet.json', { ...cl, training: { ...cl.training, tasks: [0, 1] } });
    const checkpoint = join(dir, 'cl.ckpt');
    expect(hnet(['train', two, '--json', '--checkpoint', checkpoint]).status).toBe(0);

    const r = hnet(['train', three, '--steps', '10', '--json', '--resume', checkpoint]);
    expect(r.status).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    // Task 0 keeps its 5 steps; task 1 trains on from 5 to 10; task 2 trains 10: steps 11 to 25.
    expect(events.find((e) => e.event === 'start')).toMatchObject({ totalSteps: 25 });
    expect(events.find((e) => e.event === 'log' && /resumed from/.test(e.message)).message).toMatch(/at step 10 \(task 1, step 5 of it\); training to step 25$/);
    const steps = events.filter((e) => e.event === 'step');
    expect(steps[0]).toMatchObject({ step: 11, task: 1 });
    expect(steps.filter((e) => e.task === 1).pop()).toMatchObject({ step: 15 });
    expect(steps.filter((e) => e.task === 2).map((e) => e.step)).toContain(16);
    expect(events.filter((e) => e.event === 'task_end').map((e) => [e.task, e.step])).toEqual([
      [1, 15],
      [2, 25],
    ]);
    expect(events[events.length - 1]).toMatchObject({ event: 'done', step: 25 });

    // Fewer steps than the checkpoint's task has had: nothing more for it; the next task trains its 3.
    const fewer = lines(hnet(['train', three, '--steps', '3', '--json', '--resume', checkpoint]).stdout).map((l) => JSON.parse(l));
    expect(fewer.find((e) => e.event === 'start')).toMatchObject({ totalSteps: 13 });
    expect(fewer[fewer.length - 1]).toMatchObject({ event: 'done', step: 13 });
  }, TIMEOUT);

  it('SIGINT stops the run gracefully: done with stopped: true, exit 130', async () => {
    const child = spawn(process.execPath, [bin, 'train', template, '--json', '--steps', '1000000'], { cwd: root });
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
          child.kill('SIGINT');
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        done(code);
      });
    });
    expect(status).toBe(130);
    const last = JSON.parse(lines(stdout).pop()!);
    expect(last).toMatchObject({ event: 'done', stopped: true });
    expect(stderr).not.toMatch(STACK);
  }, TIMEOUT);
});
