/**
 * Faster kernels for tfjs-backend-wasm, registered over its own.
 *
 * Matrix products: wasm's matrix product with a transposed operand (BatchMatMul and _FusedMatMul with transposeA
 * or transposeB, which every backward pass of a linear layer runs: dx = dy·Wᵀ, dW = xᵀ·dy) runs several times
 * slower than an untransposed one (2-3x on this project's layer sizes, up to 10x on others); transposing the
 * operand first with wasm's Transpose and multiplying untransposed takes the fast path for the same values (and,
 * for _FusedMatMul, the right ones: see FASTER). That fast path (XNNPACK) packs the right operand anew for every
 * new tensor there, about 2 ns an element, which in training is every product: the weights change every step.
 * For a short left operand and a wide right one (a hypernetwork's output layer, z [1, k] · W [k, n], and its
 * dz = dy · Wᵀ) the packing is most of the time, and Cᵀ = Bᵀ·Aᵀ, which packs the short one, is 2-5x faster.
 *
 * Max-pool gradient: wasm's MaxPoolGrad takes 3-4x longer than finding each window's maximum once and adding dy
 * there, as maxPoolGrad below does on wasm's own memory: in the engine's SIMD kernel (./simd.wat, four channels at
 * a time: 0.7 ms for a [64, 28, 28, 16] input here, against 4 ms in the JavaScript loop below and 14 ms for
 * wasm's own), or in that loop where the SIMD module does not load. Where a window holds its maximum more than
 * once, dy goes to the last, as wasm's own kernel gives it (tfjs's cpu backend and PyTorch give it to the first):
 * a convolution over a flat patch of an image makes equal outputs side by side, and the same choice keeps
 * training the same. Unlike wasm's own, which starts each window's search at float's min() (1.2e-38, not the
 * lowest float), a window of values at or below that gets its gradient too.
 *
 * ReLU's gradient: tfjs computes dy · step(x) as three kernels (Step, Cast, Multiply); one pass does the same
 * (registerReluGradient): the SIMD kernel at any size (1.8x tfjs's three on a [64, 28, 28, 16] tensor), the
 * JavaScript loop on small tensors, where the per-kernel overhead is all the cost.
 *
 * A convolution's patches, transposed: the filter gradient of a strided convolution, or of one with few input
 * channels for its output channels, is one matrix product of the input's patches with dy
 * (../../runtime/ts/conv2d.ts, which uses patchRows where it is registered), and wasm has no kernel that lays the
 * patches out; its Slice and Concat make them at some 30 ns an element (a Slice copies a channel at a time),
 * patchRows below at about 0.4 ns (SIMD module) or 1.2 ns (JavaScript).
 *
 * Put in place when the wasm backend is chosen (./backend.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { PATCH_ROWS, type PatchRowsAttrs } from '../../runtime/ts/conv2d.ts';
import { pointer, simdOf } from './simd';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;

/** Swap the last two axes of x with the backend's Transpose kernel (a new tensor the caller disposes). */
export function transposeLast(transpose: KernelFunc, x: Info, backend: tf.KernelBackend): Info {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as Info;
}

/**
 * Below this many multiply-adds the extra Transpose costs more than the slow path loses (a per-kernel overhead
 * of some 10 µs here against products of a few thousand): small products keep wasm's own kernel.
 */
const MIN_WORK = 16_384;

/** Multiply-adds of a (batched) product of a and b. */
function products(a: Info, b: Info, transposeA: boolean): number {
  const r = a.shape.length;
  const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const [m, k] = transposeA ? [a.shape[r - 1], a.shape[r - 2]] : [a.shape[r - 2], a.shape[r - 1]];
  const n = b.shape.reduce((x, y) => x * y, 1) / (b.shape.slice(0, -2).reduce((x, y) => x * y, 1) * k);
  return batch * m * k * n;
}

/** The backend's own kernels the faster ones are made of. */
interface Own {
  transpose: KernelFunc;
  reshape: KernelFunc;
}

/** Nanoseconds: XNNPACK's packing of a right operand, per element; a Transpose, per element and per kernel. */
const PACK_NS = 2.2;
const COPY_NS = 0.6;
const KERNEL_NS = 5000;

/**
 * Rough nanoseconds of an [m, k]·[k, n] product on the fast path: its microkernel computes 4 rows by 8 columns
 * at a time, so a product of 1 row or column wastes most of each.
 */
function computeNs(m: number, k: number, n: number): number {
  return m * k * n * 0.05 * (4 / Math.min(4, m)) * (8 / Math.min(8, n));
}

/**
 * Whether C = A·B (m x k times k x n, after the transposes) costs less as Cᵀ = Bᵀ·Aᵀ: that packs A (k·m)
 * instead of B (k·n), and needs Bᵀ and Aᵀ as row-major tensors (free where the operand is given transposed;
 * Bᵀ free where k or n is 1, a reshape) and Cᵀ transposed back (free where m or n is 1).
 */
function swapPays(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): boolean {
  const copy = (rows: number, cols: number) => KERNEL_NS + COPY_NS * rows * cols;
  const direct = PACK_NS * k * n + (transposeA ? copy(m, k) : 0) + (transposeB ? copy(k, n) : 0) + computeNs(m, k, n);
  const swapped =
    PACK_NS * k * m + (transposeA ? 0 : copy(m, k)) + (transposeB || k === 1 || n === 1 ? 0 : copy(k, n)) + (m === 1 || n === 1 ? 0 : copy(n, m)) + computeNs(n, k, m);
  return swapped < direct;
}

/**
 * Wrap a matrix-product kernel: transposed operands are transposed explicitly first, and short-by-wide
 * products (2-D, or a batch of one) run as Cᵀ = Bᵀ·Aᵀ where swapPays (swap: false for _FusedMatMul, whose bias
 * is added along C's columns).
 */
function untransposed(kernel: KernelFunc, own: Own, always: boolean, swap: boolean): KernelFunc {
  return ({ inputs, backend: be, attrs }) => {
    const backend = be as tf.KernelBackend;
    const { transposeA = false, transposeB = false } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const [ia, ib] = [inputs.a as Info, inputs.b as Info];
    const made: Info[] = [];
    const keep = (t: Info) => (made.push(t), t);
    const flipped = (x: Info) => keep(transposeLast(own.transpose, x, backend));
    const reshaped = (x: Info, shape: number[]) => keep(own.reshape({ inputs: { x }, backend, attrs: { shape } }) as Info);
    const plain = { ...attrs, transposeA: false, transposeB: false };
    try {
      const r = ia.shape.length;
      const batch = [...ia.shape.slice(0, -2), ...ib.shape.slice(0, -2)];
      const [m, k] = transposeA ? [ia.shape[r - 1], ia.shape[r - 2]] : [ia.shape[r - 2], ia.shape[r - 1]];
      const n = ib.shape[transposeB ? ib.shape.length - 2 : ib.shape.length - 1];
      if (swap && ib.shape.length === r && batch.every((d) => d === 1) && swapPays(m, k, n, transposeA, transposeB)) {
        const lead = ia.shape.slice(0, -2);
        // Bᵀ [n, k] is the left operand, which is not packed: a reshape where it holds a single row or column.
        const bT = transposeB ? ib : k === 1 || n === 1 ? reshaped(ib, [...lead, n, k]) : flipped(ib);
        // Aᵀ [k, m] is packed, and wasm keeps the packing by tensor, whatever its shape: never a reshaped view.
        const aT = transposeA ? ia : flipped(ia);
        const cT = keep(kernel({ inputs: { a: bT, b: aT }, backend, attrs: plain }) as Info);
        const c = m === 1 || n === 1 ? own.reshape({ inputs: { x: cT }, backend, attrs: { shape: [...lead, m, n] } }) : transposeLast(own.transpose, cT, backend);
        return c as Info;
      }
      if (!transposeA && !transposeB) return kernel({ inputs, backend, attrs });
      if (!always && products(ia, ib, transposeA) < MIN_WORK) return kernel({ inputs, backend, attrs });
      const a = transposeA ? flipped(ia) : ia;
      const b = transposeB ? flipped(ib) : ib;
      return kernel({ inputs: { ...inputs, a, b }, backend, attrs: plain });
    } finally {
      for (const t of made) backend.disposeData(t.dataId);
    }
  };
}

/** The wasm backend's memory views (typedArrayFromHeap is public on BackendWasm but not on KernelBackend). */
export interface WasmHeap {
  typedArrayFromHeap(info: Info): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
}

/**
 * dL/dx of y = maxPool(x): each window's dy goes to its last largest x (rows, then columns; a window of NaN
 * only gets none), summed where windows overlap.
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const heap = backend as unknown as WasmHeap;
  const out = heap.makeOutput([...input.shape], input.dtype);
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const [fh, fw] = [info.effectiveFilterHeight, info.effectiveFilterWidth];
  const simd = simdOf(backend);
  if (simd) {
    const at = (t: Info) => pointer(backend, t);
    simd.max_pool_grad(at(input), at(dy), at(out), batchSize, h, w, c, outHeight, outWidth, strideHeight, strideWidth, fh, fw, info.padInfo.top, info.padInfo.left);
    return out;
  }
  // Views after the allocation: growing wasm's memory detaches views made before it.
  const [x, g, dx] = [heap.typedArrayFromHeap(input), heap.typedArrayFromHeap(dy), heap.typedArrayFromHeap(out)];
  dx.fill(0);
  // Where each tap of the current window starts (its channel 0), rows first, then columns.
  const taps = new Int32Array(fh * fw);
  let o = 0;
  for (let b = 0; b < batchSize; b++)
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - info.padInfo.top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(h, r0 + fh);
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - info.padInfo.left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(w, c0 + fw);
        let n = 0;
        for (let r = rMin; r < rMax; r++) for (let col = cMin; col < cMax; col++) taps[n++] = ((b * h + r) * w + col) * c;
        for (let d = 0; d < c; d++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let t = 0; t < n; t++) {
            const v = x[taps[t] + d];
            if (v >= best) {
              best = v;
              at = taps[t] + d;
            }
          }
          if (at >= 0) dx[at] += g[o];
        }
      }
    }
  return out;
};

/**
 * The patches of x [N, H, W, cin] a convolution's kernel taps see, one row per tap and channel: out[(i·kw + j)·cin
 * + c, (n·Ho + y)·Wo + x] = x[n, y·s + i − top, x·s + j − left, c], 0 outside x (the padding).
 */
const patchRows: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x: input } = inputs as { x: Info };
  const { kernel, stride: s, top, left, outHeight: ho, outWidth: wo } = attrs as unknown as PatchRowsAttrs;
  const [n, h, w, cin] = input.shape;
  const [kh, kw] = kernel;
  const heap = backend as unknown as WasmHeap;
  const out = heap.makeOutput([kh * kw * cin, n * ho * wo], 'float32');
  const simd = simdOf(backend);
  if (simd) {
    simd.patch_rows(pointer(backend, input), pointer(backend, out), n, h, w, cin, kh, kw, s, top, left, ho, wo);
    return out;
  }
  const [x, rows] = [heap.typedArrayFromHeap(input), heap.typedArrayFromHeap(out)];
  const step = s * cin;
  let o = 0;
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      // The output columns whose input column x·s + j − left lies inside x.
      const first = Math.min(wo, Math.max(0, Math.ceil((left - j) / s)));
      const end = Math.max(first, Math.min(wo, Math.floor((w - 1 - j + left) / s) + 1));
      for (let c = 0; c < cin; c++)
        for (let b = 0; b < n; b++)
          for (let y = 0; y < ho; y++, o += wo) {
            const r = y * s + i - top;
            // Loops, not fill: on wasm's shared memory a call to fill costs more than the few elements it sets.
            if (r < 0 || r >= h) {
              for (let col = o; col < o + wo; col++) rows[col] = 0;
              continue;
            }
            for (let col = o; col < o + first; col++) rows[col] = 0;
            let src = ((b * h + r) * w + first * s + j - left) * cin + c;
            for (let col = o + first; col < o + end; col++, src += step) rows[col] = x[src];
            for (let col = o + end; col < o + wo; col++) rows[col] = 0;
          }
    }
  return out;
};

/**
 * tfjs's Slice on wasm's memory: wasm's own copies the whole input out of wasm's memory first (readSync) for
 * every slice, even a contiguous one (a hypernetwork's flat output cut into the target's weights: eight slices of
 * 88,802 values a Split MNIST step); this reads it in place. Strings keep wasm's own kernel.
 */
function inPlaceSlice(own: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as Info;
    if (x.dtype === 'string') return own(args);
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    const [start, shape] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size);
    const heap = backend as unknown as WasmHeap;
    const out = heap.makeOutput(shape, x.dtype);
    const n = tf.util.sizeFromShape(shape);
    if (n === 0) return out;
    // Views after the allocation: growing wasm's memory detaches views made before it.
    const [src, dst] = [heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out)];
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, start, shape)) {
      const at = tf.slice_util.computeFlatOffset(start, strides);
      dst.set(src.subarray(at, at + n));
      return out;
    }
    // Runs along the last axis, the outer index counted like an odometer.
    const last = x.shape.length - 1;
    const run = shape[last];
    const index = new Array<number>(last).fill(0);
    for (let o = 0; o < n; o += run) {
      let at = start[last];
      for (let d = 0; d < last; d++) at += (start[d] + index[d]) * strides[d];
      dst.set(src.subarray(at, at + run), o);
      for (let d = last - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
    }
    return out;
  };
}

/**
 * tfjs's Sum on wasm, where the axes summed over lead the shape (a bias's gradient: dy [N, H, W, C] summed over N,
 * H and W): the engine's SIMD column sums, in place; wasm's own transposes the summed axes to the end first (a
 * [64, 28, 28, 16] dy: 0.9 ms, against 0.1 here). Other sums (a sum of everything too), other dtypes, and a
 * backend without the SIMD module keep wasm's own. Each column is summed in row order, as wasm's own sums each
 * transposed row.
 */
function leadingSum(own: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as Info;
    const simd = simdOf(backend);
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const n = tf.util.sizeFromShape(x.shape);
    // A sum over every axis is one column, which the column sums would add one element at a time: wasm's own.
    if (!simd || x.dtype !== 'float32' || n === 0 || axes.length === 0 || axes.length === x.shape.length || axes.some((a, i) => a !== i))
      return own(args);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = (backend as unknown as WasmHeap).makeOutput(shape, 'float32');
    simd.column_sums(pointer(backend, x), pointer(backend, out), rows, n / rows);
    return out;
  };
}

const RELU_GRAD = 'HnetReluGrad';
/**
 * Above this many elements wasm's vectorised Step, Cast and Multiply beat one JavaScript pass (the SIMD kernel
 * takes every size).
 */
const RELU_GRAD_MAX = 8192;

/** dy · step(x) (x > 0: 1, else 0; NaN where x is NaN, as tfjs's step) in one pass: ReLU's gradient. */
const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: Info; x: Info };
  const heap = backend as unknown as WasmHeap;
  const out = heap.makeOutput([...x.shape], 'float32');
  const simd = simdOf(backend);
  if (simd) {
    simd.relu_grad(pointer(backend, dy), pointer(backend, x), pointer(backend, out), tf.util.sizeFromShape(x.shape));
    return out;
  }
  const [g, xs, dx] = [heap.typedArrayFromHeap(dy), heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out)];
  for (let i = 0; i < xs.length; i++) dx[i] = g[i] * (xs[i] > 0 ? 1 : xs[i] === xs[i] ? 0 : NaN);
  return out;
};

let fusedReluGrad = false;

/**
 * ReLU's gradient, tfjs's own (Step, Cast and Multiply: three kernels) but one kernel on wasm for tensors of up
 * to RELU_GRAD_MAX elements while the engine's kernels are on: on a small model the kernels' overhead is most of
 * a step.
 */
function registerReluGradient(): void {
  if (!tf.getKernel(RELU_GRAD, 'wasm')) tf.registerKernel({ kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad });
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      return {
        x: () =>
          fusedReluGrad && x.dtype === 'float32' && tf.getBackend() === 'wasm' && (x.size <= RELU_GRAD_MAX || simdOf(tf.backend()))
            ? tf.engine().runKernel(RELU_GRAD, { dy: g, x })
            : tf.mul(g, tf.cast(tf.step(x), 'float32')),
      };
    },
  });
}

const OWN = new Map<string, tf.KernelConfig>();

/**
 * The engine's kernels by name, each made from wasm's own (own) and its Transpose and Reshape. wasm's own
 * _FusedMatMul with a transposed operand adds the bias to the wrong columns (tfjs-backend-wasm 4.22;
 * test/numeric/kernels.test.ts): it is always transposed explicitly, whatever the size.
 */
const FASTER: Record<string, (own: KernelFunc, kernels: Own) => KernelFunc> = {
  BatchMatMul: (own, kernels) => untransposed(own, kernels, false, true),
  _FusedMatMul: (own, kernels) => untransposed(own, kernels, true, false),
  MaxPoolGrad: () => maxPoolGrad,
  Slice: (own) => inPlaceSlice(own),
  Sum: (own) => leadingSum(own),
};

/**
 * Put the faster kernels in place of wasm's own (on: true, the default; idempotent), or put wasm's own back (on:
 * false: the benchmarks measure both side by side).
 */
export function useWasmKernels(on = true): void {
  const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
  const reshape = tf.getKernel('Reshape', 'wasm')?.kernelFunc;
  if (!transpose || !reshape) return;
  if (!tf.getKernel(RELU_GRAD, 'wasm')) registerReluGradient();
  fusedReluGrad = on;
  const rows = tf.getKernel(PATCH_ROWS, 'wasm') !== undefined;
  if (on && !rows) tf.registerKernel({ kernelName: PATCH_ROWS, backendName: 'wasm', kernelFunc: patchRows });
  if (!on && rows) tf.unregisterKernel(PATCH_ROWS, 'wasm');
  for (const [name, faster] of Object.entries(FASTER)) {
    const current = tf.getKernel(name, 'wasm');
    if (!current) continue;
    if (!OWN.has(name)) OWN.set(name, current);
    const own = OWN.get(name)!;
    if (on === (current !== own)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(on ? { ...own, kernelFunc: faster(own.kernelFunc, { transpose, reshape }) } : own);
  }
}
