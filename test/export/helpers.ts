/**
 * What the export tests share: the Python to run (HNET_PYTHON or Debian's /usr/bin/python3, which must have
 * torch: the tests fail, never skip, without it), temporary folders, documents built in code, runtime values
 * of a program as plain arrays, and input batches written for a Python driver.
 */
import type { SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Model, type Feeds } from '../../src/main/engine/runtime';
import { formatProblem } from '../../src/shared/compiler/errors';
import type { Program, ValueId } from '../../src/shared/compiler/ir';
import { parseDocument } from '../../src/shared/document/load';
import { CURRENT_VERSION, HnetDocument } from '../../src/shared/document/schema';
import { Rng } from '../../src/shared/util/rng';
import { hnet as hnetCommand, root, run as runCommand, type Run } from '../helpers/cli';
import { maxAbsDiff } from '../helpers/numbers';
import { PYTHON, requireTorch } from '../helpers/python';

export { PYTHON, requireTorch, root };
export const TIMEOUT = 300_000;

/** test/helpers/cli's `run`, with the export tests' longer limit (PyTorch training in a child process). */
export const run = (cmd: string, args: string[], opts: SpawnSyncOptions = {}): Run => runCommand(cmd, args, { timeout: TIMEOUT, ...opts });

/** Run and insist on exit 0, showing stderr otherwise. */
export function runOk(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Run {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return r;
}

export const python = (args: string[], opts: SpawnSyncOptions = {}) => runOk(PYTHON, args, opts);

/** `node bin/hnet.mjs ...` (test/helpers/cli), with the same limit. */
export const hnet = (args: string[], opts: SpawnSyncOptions = {}): Run => hnetCommand(args, { timeout: TIMEOUT, ...opts });

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hnet-export-${prefix}-`));
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** JSON lines of a run's stdout. */
export const events = (stdout: string): Record<string, unknown>[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

export const doneOf = (stdout: string) => {
  const done = events(stdout).find((e) => e.event === 'done');
  if (!done) throw new Error(`no done event in:\n${stdout.slice(-2000)}`);
  return done as { event: 'done'; step: number; metrics: Record<string, number>; accuracyMatrix?: (number | null)[][] };
};

// ---------------------------------------------------------------------------------------------------------
// Documents

export interface NodeSpec {
  id: string;
  type: string;
  params?: Record<string, unknown>;
  label?: string;
}

/** `'a.port -> b.port'` edges, nodes as specs. */
export function buildDoc(nodes: NodeSpec[], edges: string[], extra: Record<string, unknown> = {}): HnetDocument {
  return HnetDocument.parse({
    format: 'hypernet-studio',
    version: CURRENT_VERSION,
    metadata: { name: 'export test' },
    nodes: nodes.map((n) => ({ id: n.id, type: n.type, params: n.params ?? {}, ...(n.label !== undefined ? { label: n.label } : {}) })),
    edges: edges.map((e) => {
      const m = /^\s*([\w-]+)\.(\w+)\s*->\s*([\w-]+)\.(\w+)\s*$/.exec(e);
      if (!m) throw new Error(`bad edge ${e}`);
      return { source: m[1], sourcePort: m[2], target: m[3], targetPort: m[4] };
    }),
    ...extra,
  });
}

export function loadDoc(file: string): HnetDocument {
  const r = parseDocument(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.problems.map(formatProblem).join('; ')}`);
  return r.doc;
}

/** Every *.hnet.json in templates/, read at test time (templates are added while the suite exists). */
export function templateFiles(): string[] {
  const dir = join(root, 'templates');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hnet.json'))
    .sort()
    .map((f) => join(dir, f));
}

// ---------------------------------------------------------------------------------------------------------
// Values

export interface Values {
  loss: number;
  losses: Record<string, number>;
  metrics: Record<string, number>;
  prediction: number[] | null;
  weights: Record<string, number[]>;
}

const routeKey = (g: { target: string; targetPort: string }) => `${g.target}.${g.targetPort}`;

/** Losses, metrics, prediction and generated weights of the runtime for some feeds, in evaluation mode. */
export function runtimeValues(model: Model, feeds: Feeds): Values {
  const p = model.program;
  const wanted: ValueId[] = [...p.losses.map((l) => l.value), ...p.metrics.map((m) => m.value), ...(p.prediction ? [p.prediction] : []), ...p.generated.map((g) => g.value)];
  let out: Values | undefined;
  tf.tidy(() => {
    const v = model.evaluate(feeds, wanted, { training: false, step: 0 });
    const arr = (id: ValueId) => Array.from(v.get(id)!.dataSync());
    let loss = 0;
    for (const l of p.losses) loss += l.weight * arr(l.value)[0];
    out = {
      loss,
      losses: Object.fromEntries(p.losses.map((l) => [l.name, arr(l.value)[0]])),
      metrics: Object.fromEntries(p.metrics.map((m) => [m.name, arr(m.value)[0]])),
      prediction: p.prediction ? arr(p.prediction) : null,
      weights: Object.fromEntries(p.generated.map((g) => [routeKey(g), arr(g.value)])),
    };
  });
  return out!;
}

/** The weights generated from the task alone (the output regulariser's routes), as the engine evaluates them. */
export function runtimeTaskWeights(model: Model, task: number): Record<string, number[]> {
  const p = model.program;
  const routes = p.generated.filter((g) => !model.op(g.value).dataDependent);
  let out: Record<string, number[]> = {};
  tf.tidy(() => {
    const v = model.evaluate({ task: tf.tensor1d([task], 'int32') }, routes.map((r) => r.value), { training: false, step: 0 });
    out = Object.fromEntries(routes.map((r) => [routeKey(r), Array.from(v.get(r.value)!.dataSync())]));
  });
  return out;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Random feeds shaped as the program declares its data (labels below `classes` for int32 targets). */
export function randomFeeds(program: Program, batch: number, rng: Rng, task = 0, classes = 2): Feeds {
  const d = program.data;
  return {
    x: tf.tensor(Float32Array.from({ length: batch * size(d.x) }, () => rng.normal()), [batch, ...d.x]),
    y:
      d.yDtype === 'int32'
        ? tf.tensor(Int32Array.from({ length: batch * size(d.y) }, () => rng.int(classes)), [batch, ...d.y], 'int32')
        : tf.tensor(Float32Array.from({ length: batch * size(d.y) }, () => rng.normal()), [batch, ...d.y]),
    task: tf.tensor1d([task], 'int32'),
    ...(d.context ? { context: tf.tensor(Float32Array.from({ length: size(d.context) }, () => rng.normal()), [1, ...d.context]) } : {}),
  };
}

export function disposeFeeds(f: Feeds): void {
  tf.dispose([f.x, f.y, f.task, f.context].filter((t): t is tf.Tensor => t !== undefined));
}

/**
 * Move every parameter off its initial value so every path carries signal: N(0, (0.5 rms)^2), or for zeros
 * N(0, 0.1^2) (a vector) and N(0, 0.1^2 / rows) (a matrix, such as a learned-base head's last layer, so its
 * product with a unit-scale input moves by about 0.1 as a bias does, not by 0.1·sqrt(rows): generated SIREN
 * weights that large make float32 rounding, not the code, decide the last digits).
 */
export function jitter(model: Model, rng: Rng, scale = 0.5): void {
  for (const v of model.vars.values()) {
    const values = Float32Array.from(v.dataSync() as Float32Array);
    const rms = Math.sqrt(values.reduce((a, x) => a + x * x, 0) / Math.max(1, values.length));
    const s = rms > 0 ? scale * rms : v.rank >= 2 ? 0.1 / Math.sqrt(v.shape[0]) : 0.1;
    tf.tidy(() => v.assign(tf.tensor(values.map((x) => x + s * rng.normal()), v.shape)));
  }
}

/** The model's parameters for writeWeights. */
export const paramsOf = (model: Model) =>
  model.program.params.map((p) => ({ name: p.name, shape: p.shape, values: Float32Array.from(model.vars.get(p.name)!.dataSync() as Float32Array) }));

/** Input description for the Python driver: raw little-endian files plus shapes. */
export interface InputFiles {
  x: string;
  xShape: number[];
  y: string;
  yShape: number[];
  yInt: boolean;
  task: number;
  context?: string;
  contextShape?: number[];
}

export function writeFeeds(dir: string, name: string, feeds: Feeds): InputFiles {
  mkdirSync(dir, { recursive: true });
  const write = (suffix: string, t: tf.Tensor) => {
    const file = join(dir, `${name}.${suffix}.bin`);
    const data = t.dataSync();
    writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return file;
  };
  return {
    x: write('x', feeds.x!),
    xShape: feeds.x!.shape,
    y: write('y', feeds.y!),
    yShape: feeds.y!.shape,
    yInt: feeds.y!.dtype === 'int32',
    task: feeds.task.dataSync()[0],
    ...(feeds.context ? { context: write('context', feeds.context), contextShape: feeds.context.shape } : {}),
  };
}

/**
 * A Python driver: for each case, import the exported model.py, load the weights, run each input in eval mode
 * and print losses, metrics, prediction, generated weights (and the task-only weights when asked), as JSON.
 */
export const DRIVER_PY = String.raw`
import importlib.util, json, os, sys
import numpy as np
import torch

cases = json.load(open(sys.argv[1]))
results = []
for i, case in enumerate(cases):
    sys.path.insert(0, case["code"])
    spec = importlib.util.spec_from_file_location("exported_model_%d" % i, os.path.join(case["code"], "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.path.pop(0)
    model = module.Model()
    model.load_hnet_weights(case["weights"])
    model.eval()
    outs = []
    for inp in case["inputs"]:
        x = torch.from_numpy(np.fromfile(inp["x"], dtype="<f4").reshape(inp["xShape"]))
        y = np.fromfile(inp["y"], dtype="<i4" if inp["yInt"] else "<f4").reshape(inp["yShape"])
        y = torch.from_numpy(y.astype(np.int64) if inp["yInt"] else y)
        task = torch.tensor([inp["task"]], dtype=torch.int64)
        context = torch.from_numpy(np.fromfile(inp["context"], dtype="<f4").reshape(inp["contextShape"])) if inp.get("context") else None
        with torch.no_grad():
            out = model(x, y, task, context)
            res = {
                "loss": float(out["loss"]),
                "losses": {k: float(v) for k, v in out["losses"].items()},
                "metrics": {k: float(v) for k, v in out["metrics"].items()},
                "prediction": out["prediction"].reshape(-1).tolist() if out["prediction"] is not None else None,
                "weights": {k: v.reshape(-1).tolist() for k, v in out["weights"].items()},
            }
            if case.get("taskWeights"):
                res["taskWeights"] = {k: v.reshape(-1).tolist() for k, v in model.task_weights(task).items()}
        outs.append(res)
    results.append(outs)
print(json.dumps(results))
`;

export interface DriverCase {
  code: string;
  weights: string;
  inputs: InputFiles[];
  taskWeights?: boolean;
}

export type DriverResult = (Values & { taskWeights?: Record<string, number[]> })[][];

export function runDriver(dir: string, cases: DriverCase[]): DriverResult {
  const driver = join(dir, 'driver.py');
  writeFileSync(driver, DRIVER_PY);
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
  const r = python([driver, join(dir, 'cases.json')]);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as DriverResult;
}

/** Every value of `got` within `tol` of `want`, as a list of what differs (empty when all agree). */
export function compareValues(want: Values & { taskWeights?: Record<string, number[]> }, got: Values & { taskWeights?: Record<string, number[]> }, tol = 1e-4): string[] {
  const bad: string[] = [];
  const check = (what: string, a: ArrayLike<number> | undefined | null, b: ArrayLike<number> | undefined | null) => {
    if (!a || !b) {
      if (a !== b) bad.push(`${what}: present on one side only`);
      return;
    }
    const d = a.length === b.length ? maxAbsDiff(a, b) : Infinity;
    if (!(d <= tol)) bad.push(`${what}: max |diff| ${d} (lengths ${a.length}, ${b.length})`);
  };
  check('loss', [want.loss], [got.loss]);
  for (const k of new Set([...Object.keys(want.losses), ...Object.keys(got.losses)])) check(`losses[${k}]`, want.losses[k] === undefined ? undefined : [want.losses[k]], got.losses[k] === undefined ? undefined : [got.losses[k]]);
  for (const k of new Set([...Object.keys(want.metrics), ...Object.keys(got.metrics)])) check(`metrics[${k}]`, want.metrics[k] === undefined ? undefined : [want.metrics[k]], got.metrics[k] === undefined ? undefined : [got.metrics[k]]);
  check('prediction', want.prediction, got.prediction);
  for (const k of new Set([...Object.keys(want.weights), ...Object.keys(got.weights)])) check(`weights[${k}]`, want.weights[k], got.weights[k]);
  if (want.taskWeights) for (const k of new Set([...Object.keys(want.taskWeights), ...Object.keys(got.taskWeights ?? {})])) check(`taskWeights[${k}]`, want.taskWeights[k], got.taskWeights?.[k]);
  return bad;
}

export { Model, Rng };
