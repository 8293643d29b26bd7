/**
 * Faster kernels for tfjs-backend-wasm, registered over its own. Its matrix product with a transposed operand
 * (BatchMatMul and _FusedMatMul with transposeA or transposeB, which every backward pass of a linear layer
 * runs: dx = dy·Wᵀ, dW = xᵀ·dy) runs several times slower than an untransposed one (2-3x on this project's
 * layer sizes, up to 10x on others); transposing the operand first with wasm's Transpose and multiplying untransposed takes the
 * fast path for the same values (and, for _FusedMatMul, the right ones: see useWasmKernels). Put in place when
 * the wasm backend is chosen (./backend.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

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

/** Wrap a matrix-product kernel so that transposed operands are transposed explicitly first. */
function untransposed(kernel: KernelFunc, transpose: KernelFunc, always: boolean): KernelFunc {
  return ({ inputs, backend: be, attrs }) => {
    const backend = be as tf.KernelBackend;
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return kernel({ inputs, backend, attrs });
    if (!always && products(inputs.a as Info, inputs.b as Info, !!transposeA) < MIN_WORK) return kernel({ inputs, backend, attrs });
    const made: Info[] = [];
    const flipped = (x: Info) => {
      const t = transposeLast(transpose, x, backend);
      made.push(t);
      return t;
    };
    const a = transposeA ? flipped(inputs.a as Info) : (inputs.a as Info);
    const b = transposeB ? flipped(inputs.b as Info) : (inputs.b as Info);
    try {
      return kernel({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of made) backend.disposeData(t.dataId);
    }
  };
}

const OWN = new Map<string, tf.KernelConfig>();

/**
 * Put the faster matrix-product kernels in place of wasm's own (on: true, the default; idempotent), or put wasm's
 * own back (on: false: the benchmarks measure both side by side).
 */
export function useWasmKernels(on = true): void {
  const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
  if (!transpose) return;
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const current = tf.getKernel(name, 'wasm');
    if (!current) continue;
    if (!OWN.has(name)) OWN.set(name, current);
    const own = OWN.get(name)!;
    // wasm's own _FusedMatMul with a transposed operand adds the bias to the wrong columns (tfjs-backend-wasm
    // 4.22; test/numeric/kernels.test.ts): it is always transposed explicitly, whatever the size.
    const want = on ? { ...own, kernelFunc: untransposed(own.kernelFunc, transpose, name === '_FusedMatMul') } : own;
    if (on === (current !== own)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(want);
  }
}
