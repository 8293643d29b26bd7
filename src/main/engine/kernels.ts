/**
 * Faster kernels for tfjs-backend-wasm, registered over its own. Its matrix product with a transposed operand
 * (BatchMatMul and _FusedMatMul with transposeA or transposeB, which every backward pass of a linear layer
 * runs: dx = dy·Wᵀ, dW = xᵀ·dy) runs about 10x slower than an untransposed one (1.4-1.9 against 11-22 GFLOP/s
 * measured here); transposing the operand first with wasm's Transpose and multiplying untransposed takes the
 * fast path for the same values. Put in place when the wasm backend is chosen (./backend.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;

/** Swap the last two axes of x with the backend's Transpose kernel (a new tensor the caller disposes). */
function transposeLast(transpose: KernelFunc, x: Info, backend: tf.KernelBackend): Info {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as Info;
}

/** Wrap a matrix-product kernel so that transposed operands are transposed explicitly first. */
function untransposed(kernel: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend: be, attrs }) => {
    const backend = be as tf.KernelBackend;
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return kernel({ inputs, backend, attrs });
    const made: Info[] = [];
    const a = transposeA ? (made.push(transposeLast(transpose, inputs.a as Info, backend)), made.at(-1)!) : (inputs.a as Info);
    const b = transposeB ? (made.push(transposeLast(transpose, inputs.b as Info, backend)), made.at(-1)!) : (inputs.b as Info);
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
    const want = on ? { ...own, kernelFunc: untransposed(own.kernelFunc, transpose) } : own;
    if (on === (current !== own)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(want);
  }
}
