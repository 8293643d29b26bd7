/**
 * Ops as Python: each op kind as one expression (EMIT_PY, a table keyed by OpKind, so a kind without an entry does
 * not compile), and emitOps, which writes a list of ops as one assignment each inside a generated function. The
 * expressions compute what the engine's ops (src/runtime/ts/ops.ts) compute, channels-last layout included.
 * pyLiteral lives here because constants are written with it; model.py's tables use it too.
 */
import type { Op, OpKind, ValueId } from '../../compiler/ir';
import { commentSafe, type Lines } from '../code';
import { localPart, pyFloat, pyString, type Scope } from '../naming';
import type { PyModule } from './modules';

/** A JSON-like value as a Python literal. Strings go through pyString, so any text is safe. */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : pyFloat(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${pyLiteral(x)}`).join(', ')}}`;
  throw new Error(`cannot write ${typeof v} as Python`);
}

/** The statement context of one generated Python function. */
export interface Fn {
  scope: Scope;
  expr: Map<ValueId, string>;
  module?: PyModule;
  L: Lines;
}

/** Emit `ops` as one assignment each, grouped by node with a comment when `comments` is set. */
export function emitOps(fn: Fn, ops: Op[], opts: { comments: boolean; fullNames: boolean }): void {
  let node = '';
  for (const op of ops) {
    if (fn.expr.has(op.id)) continue;
    if (op.op === 'input') throw new Error(`input ${op.id} is not bound`);
    if (op.op === 'param') {
      const attr = fn.module?.paramAttr.get(op.name);
      if (!attr) throw new Error(`parameter ${op.name} is not in scope`);
      fn.expr.set(op.id, `self.${attr}`);
      continue;
    }
    if (op.op === 'constant' || op.op === 'grid') {
      // A buffer of the module: referenced as self.<name>, no local needed.
      fn.expr.set(op.id, pyExpr(op, () => '', fn));
      continue;
    }
    if (opts.comments && op.node !== node) {
      node = op.node;
      fn.L.line(`# ${commentSafe(node)}`);
    }
    const a = (i: number): string => {
      const id = op.inputs[i];
      if (!id) return 'None';
      const e = fn.expr.get(id);
      if (!e) throw new Error(`${op.id} reads ${id}, which is not computed yet`);
      return e;
    };
    const expr = pyExpr(op, a, fn);
    const local = fn.scope.name(op.id, opts.fullNames ? op.id : localPart(op.id, op.node));
    fn.L.line(`${local} = ${expr}`);
    fn.expr.set(op.id, local);
  }
}

const ACTIVATIONS: Record<string, (x: string, w0: number) => string> = {
  relu: (x) => `torch.relu(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  gelu: (x) => `F.gelu(${x})`,
  sin: (x, w0) => (w0 === 1 ? `torch.sin(${x})` : `torch.sin(${x} * ${pyFloat(w0)})`),
  elu: (x) => `F.elu(${x})`,
  leaky_relu: (x) => `F.leaky_relu(${x}, 0.01)`,
  softplus: (x) => `F.softplus(${x})`,
  linear: (x) => x,
};

function dims(shape: readonly (number | 'B')[]): string {
  return shape.length ? shape.map((d) => (d === 'B' ? '-1' : String(d))).join(', ') : '()';
}

/** An op's Python expression: `a(i)` is input i's expression (a name or an attribute/item reference). */
type EmitPy<K extends OpKind> = (op: Extract<Op, { op: K }>, a: (i: number) => string, fn: Fn) => string;

const TRAINING = 'self.training';

/**
 * Each op kind as one Python expression, calling torch or the runtime's ops.py (src/runtime/py/ops.py, imported
 * by name where model.py calls it). Inputs and parameters are bound, not computed (null). A kind without an
 * entry does not compile.
 */
const EMIT_PY: { [K in OpKind]: EmitPy<K> | null } = {
  input: null,
  param: null,
  linear: (op, a) => {
    // Over points [B, P, in], a per-sample bias [B, out] is broadcast over the points (channels).
    const points = op.shape.length === 3;
    const bias = op.inputs[2] ? (points ? ` + channels(${a(2)}, 3)` : ` + ${a(2)}`) : '';
    if (!op.perSample) return `${a(0)} @ ${a(1)}${bias}`;
    return points ? `torch.bmm(${a(0)}, ${a(1)})${bias}` : `torch.bmm(${a(0)}.unsqueeze(1), ${a(1)}).squeeze(1)${bias}`;
  },
  fusedLinear: (op, a) => {
    const y = `${a(0)} @ ${a(1)}${op.inputs[2] ? ` + ${a(2)}` : ''}`;
    return op.activation === 'relu' ? `torch.relu(${y})` : y;
  },
  matmul: (op, a) => (op.transposeB ? `${a(0)} @ ${a(1)}.transpose(-2, -1)` : `${a(0)} @ ${a(1)}`),
  add: (_, a) => `${a(0)} + ${a(1)}`,
  sub: (_, a) => `${a(0)} - ${a(1)}`,
  mul: (_, a) => `${a(0)} * ${a(1)}`,
  scale: (op, a) => {
    let e = a(0);
    if (op.factor !== 1) e = `${e} * ${pyFloat(op.factor)}`;
    if (op.offset !== 0) e = `${e} + ${pyFloat(op.offset)}`;
    return e;
  },
  activation: (op, a) => (ACTIVATIONS[op.fn] ?? ACTIVATIONS.linear)(a(0), op.w0),
  reshape: (op, a) => `${a(0)}.reshape(${dims(op.shape)})`,
  transpose: (op, a) => `${a(0)}.permute(${op.perm.join(', ')})`,
  slice: (op, a) => `${a(0)}[${[...Array<string>(op.axis).fill(':'), `${op.begin}:${op.begin + op.size}`].join(', ')}]`,
  concat: (op, a) => `torch.cat([${op.inputs.map((_, i) => a(i)).join(', ')}], dim=${op.axis})`,
  broadcastBatch: (op, a) => `${a(0)}.expand(${a(1)}.shape[0]${', -1'.repeat(Math.max(0, op.shape.length - 1))})`,
  pairRows: (_, a) => `pair_rows(${a(0)}, ${a(1)})`,
  conv2d: (op, a) => `conv2d_nhwc(${a(0)}, ${a(1)}, ${a(2)}, stride=${op.strides}, padding=${pyString(op.padding)})`,
  pool: (op, a) => `${op.kind === 'max' ? 'max' : 'avg'}_pool_nhwc(${a(0)}, ${op.size}, stride=${op.strides}, padding=${pyString(op.padding)})`,
  layerNorm: (op, a) => `layer_norm(${a(0)}, ${a(1)}, ${a(2)}, ${pyFloat(op.epsilon)})`,
  film: (_, a) => `film(${a(0)}, ${a(1)}, ${a(2)})`,
  dropout: (op, a) => (op.rate > 0 ? `F.dropout(${a(0)}, ${pyFloat(op.rate)}, ${TRAINING})` : a(0)),
  embedding: (_, a) => `${a(0)}[${a(1)}.long()]`,
  noise: (op, a, fn) => {
    const like = op.inputs[0] ? a(0) : null;
    if (op.shape.includes('B')) {
      if (!like) throw new Error(`${op.id}: a batched noise needs an input to take its batch from`);
      const shape = op.shape.map((d) => (d === 'B' ? `${like}.shape[0]` : String(d)));
      return `gaussian_noise((${shape.join(', ')}${shape.length === 1 ? ',' : ''}), ${pyFloat(op.std)}, ${TRAINING}, ${like}.device)`;
    }
    const buffer = registerBuffer(fn, op, 'zeros', `torch.zeros(${dims(op.shape)})`);
    return `gaussian_noise(${buffer}.shape, ${pyFloat(op.std)}, ${TRAINING}, ${buffer}.device)`;
  },
  constant: (op, _, fn) =>
    registerBuffer(fn, op, '', `torch.tensor(${pyLiteral(op.value.map((v) => (Number.isInteger(v) ? v + 0.0 : v)))}, dtype=torch.float32).reshape(${dims(op.shape)})`),
  grid: (op, _, fn) => registerBuffer(fn, op, '', `pixel_grid(${op.height}, ${op.width})`),
  crossEntropy: (_, a) => `F.cross_entropy(${a(0)}, ${a(1)}.long())`,
  mse: (_, a) => `((${a(0)} - ${a(1)}) ** 2).mean()`,
  bce: (_, a) => `F.binary_cross_entropy_with_logits(${a(0)}.reshape(-1), ${a(1)}.reshape(-1).float())`,
  meanSquare: (_, a) => `(${a(0)} ** 2).mean()`,
  accuracy: (_, a) => `(${a(0)}.argmax(-1) == ${a(1)}.long()).float().mean()`,
  binaryAccuracy: (_, a) => `((${a(0)}.reshape(-1) > 0).long() == ${a(1)}.reshape(-1).long()).float().mean()`,
  psnr: (op, a) => `psnr(${a(0)}, ${a(1)}, ${pyFloat(op.peak)})`,
};

function pyExpr(op: Op, a: (i: number) => string, fn: Fn): string {
  const emit = (EMIT_PY as Record<OpKind, EmitPy<OpKind> | null>)[op.op];
  if (!emit) throw new Error(`${op.op} has no expression`);
  return emit(op, a, fn);
}

/** A constant tensor of a module, registered as a (non-persistent) buffer so it follows .to(device). */
function registerBuffer(fn: Fn, op: Op, suffix: string, init: string): string {
  const m = fn.module;
  if (!m) throw new Error(`${op.id}: constants need a module`);
  const hint = localPart(op.id, op.node) + (suffix ? `_${suffix}` : '');
  const name = m.attrs.name(`buffer:${op.id}:${suffix}`, m.kind === 'target' ? `${op.id}_${suffix}` : hint);
  m.buffers.push(`self.register_buffer(${pyString(name)}, ${init}, persistent=False)`);
  return `self.${name}`;
}
