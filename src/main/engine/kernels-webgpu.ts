/**
 * A correction to tfjs-backend-webgpu 4.22. For a product with few output tiles and an inner dimension of 2,000
 * or more it picks a split-K program (MatMulSplitKProgram), whose vec4 path (inner and output widths multiples
 * of 4) reads a transposed right operand wrongly: the values are garbage, off by more than their own size
 * (test/webgpu.test.ts shows it on a plain [9, 2000]·[64, 2000]ᵀ). Every backward pass of a hypernetwork's
 * output layer is such a product (dx = dy·Wᵀ with W [hidden, chunk size]). Those products transpose the right
 * operand first, with webgpu's own Transpose, and multiply untransposed, which that program gets right.
 * Put in place when the webgpu backend is chosen (./backend.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { transposeLast } from './kernels';

type Info = tf.TensorInfo;

/** Could tfjs pick the split-K program's vec4 path with a transposed B for this product? */
export function splitKTransposedB(a: Info, b: Info, transposeA: boolean, transposeB: boolean): boolean {
  if (transposeA || !transposeB) return false;
  const batch = (s: number[]) => s.slice(0, -2).reduce((x, y) => x * y, 1);
  const [n, k] = b.shape.slice(-2);
  return batch(a.shape) === 1 && batch(b.shape) === 1 && k >= 2000 && k % 4 === 0 && n % 4 === 0;
}

/** Kernels already corrected in this thread. */
const corrected = new Set<string>();

/** Put the corrected BatchMatMul and _FusedMatMul in place of webgpu's own (idempotent). */
export function useWebgpuKernels(): void {
  const transpose = tf.getKernel('Transpose', 'webgpu')?.kernelFunc;
  if (!transpose) return;
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const current = tf.getKernel(name, 'webgpu');
    if (!current || corrected.has(name)) continue;
    corrected.add(name);
    const own = current.kernelFunc;
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({
      ...current,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { transposeA = false, transposeB = false } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
        const [a, b] = [inputs.a as Info, inputs.b as Info];
        if (!splitKTransposedB(a, b, transposeA, transposeB)) return own({ inputs, backend, attrs });
        const flipped = transposeLast(transpose, b, backend as tf.KernelBackend);
        try {
          return own({ inputs: { ...inputs, b: flipped }, backend, attrs: { ...attrs, transposeB: false } });
        } finally {
          (backend as tf.KernelBackend).disposeData(flipped.dataId);
        }
      },
    });
  }
}
