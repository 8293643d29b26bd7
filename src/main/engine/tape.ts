/**
 * Saving a kernel's inputs for its gradient without a kernel. While a gradient is being recorded, tfjs keeps
 * each input a gradient needs by cloning it: an Identity kernel, with its dispatch and a tape node of its own
 * (so that a gradient of the gradient could flow through the copy). The engine takes no second-order
 * gradients, so here the saved tensor is a new reference to the same data, made as the Identity kernel makes
 * it (the backend's reference count up, the engine's tensor bookkeeping as for any new tensor), minus the
 * kernel and the tape node: 44 of the sinusoid template's 231 kernels a step, 63 of Split MNIST's.
 *
 * The saved tensors are the same values, kept and released as before (memory.test.ts counts tensors across
 * steps); gradients are unchanged to the bit (the gradient tests run on it).
 */
import * as tf from '@tensorflow/tfjs-core';

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}
interface Backend {
  incRef?(dataId: object): void;
}
interface EngineInternals {
  state: { tensorInfo: WeakMap<object, { backend: Backend }> };
  keep<T extends tf.Tensor>(t: T): T;
  makeTensorFromTensorInfo(info: TensorInfo, backend?: Backend): tf.Tensor;
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
}

let original: EngineInternals['saveTensorsForBackwardMode'] | null = null;

/** Save gradients' inputs without Identity kernels (on), or as tfjs does (off). */
export function useKernelFreeSaves(on = true): void {
  const engine = tf.engine() as unknown as EngineInternals;
  // tfjs's internals as of 4.22: if they moved, keep tfjs's own way.
  if (typeof engine.saveTensorsForBackwardMode !== 'function' || typeof engine.makeTensorFromTensorInfo !== 'function' || !engine.state?.tensorInfo) return;
  original ??= engine.saveTensorsForBackwardMode;
  if (!on) {
    engine.saveTensorsForBackwardMode = original;
    return;
  }
  const tfjs = original;
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
    return tensors.map((t) => {
      const backend = this.state.tensorInfo.get(t.dataId)?.backend;
      if (!backend?.incRef) return tfjs.call(this, [t])[0];
      backend.incRef(t.dataId);
      return this.keep(this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, backend));
    });
  };
}
