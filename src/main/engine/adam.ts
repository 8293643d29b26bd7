/**
 * Adam with one kernel for each small variable: its moments, their bias correction and the update in one pass
 * where the backend has the fused kernel (wasm), in place of tfjs's fourteen (a mul, add, div, sqrt... each),
 * which on small variables cost more in per-kernel overhead (some 10-20 µs each here) than in arithmetic. The
 * fused pass is the engine's SIMD kernel (./simd.wat) for every variable: about 1 ns an element, 3.6x tfjs's
 * vectorised kernels on a 128,000-element variable here. Where the SIMD module does not load it is plain
 * JavaScript, about 8 ns an element, and variables of more than FUSED_MAX elements keep tfjs's kernels. The same
 * values as tf.train.adam to the bit (both forms): every step rounds to
 * float32 as tfjs's kernels do (a float64 result of two float32 operands rounded once to float32 is the float32
 * result, for +, −, ×, ÷ and √). Everything else is tfjs's AdamOptimizer: the state's names and order
 * (getWeights/setWeights, checkpoints), accBeta1/accBeta2 and getClassName() 'Adam'. Other backends take tfjs's
 * own update.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeap } from './kernels';
import { pointer, simdOf } from './simd';

const ADAM = 'HnetAdamUpdate';
/**
 * Above this many elements a variable's update costs less as tfjs's vectorised kernels than as one JavaScript
 * pass (the SIMD kernel takes every size).
 */
const FUSED_MAX = 8192;

interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  learningRate: number;
  epsilon: number;
}

/** What tfjs keeps private in AdamOptimizer (the names getWeights writes and candidateStep in train.ts reads). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * x, m, v after one step on gradient g, as tfjs's AdamOptimizer computes them: m' = β₁m + (1−β₁)g,
 * v' = β₂v + (1−β₂)g², x' = x − lr · (m'/(1−β₁ᵗ)) / (√(v'/(1−β₂ᵗ)) + ε), with β₁ᵗ, β₂ᵗ read from accBeta1 and accBeta2.
 */
const adamUpdate: tf.KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const heap = backend as unknown as WasmHeap;
  const { x, g, m, v, accBeta1, accBeta2 } = inputs as Record<string, tf.TensorInfo>;
  const outs = [x, m, v].map((t) => heap.makeOutput([...t.shape], 'float32'));
  const f = Math.fround;
  const { beta1, beta2, learningRate, epsilon } = attrs as unknown as AdamUpdateAttrs;
  // The scalars as tfjs makes them: float32 tensors of these numbers.
  const [b1, c1, b2, c2, eps, step] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon, -learningRate].map(f);
  const d1 = f(1 - heap.typedArrayFromHeap(accBeta1)[0]);
  const d2 = f(1 - heap.typedArrayFromHeap(accBeta2)[0]);
  const simd = simdOf(backend);
  if (simd) {
    const [px, pg, pm, pv, pxo, pmo, pvo] = [x, g, m, v, ...outs].map((t) => pointer(backend, t));
    simd.adam(px, pg, pm, pv, pxo, pmo, pvo, tf.util.sizeFromShape(x.shape), b1, c1, b2, c2, d1, d2, eps, step);
    return outs;
  }
  // Views after the allocations: growing wasm's memory detaches views made before them.
  const [xs, gs, ms, vs] = [x, g, m, v].map((t) => heap.typedArrayFromHeap(t));
  const [xo, mo, vo] = outs.map((t) => heap.typedArrayFromHeap(t));
  for (let i = 0; i < xs.length; i++) {
    const gi = gs[i];
    const mi = f(f(ms[i] * b1) + f(gi * c1));
    const vi = f(f(vs[i] * b2) + f(f(gi * gi) * c2));
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = f(f(f(f(mi / d1) / f(f(Math.sqrt(f(vi / d2))) + eps)) * step) + xs[i]);
  }
  return outs;
};

if (!tf.getKernel(ADAM, 'wasm')) tf.registerKernel({ kernelName: ADAM, backendName: 'wasm', kernelFunc: adamUpdate });

/** tf.train.adam, one kernel for each variable on wasm (each small one without the SIMD module). */
export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(ADAM, tf.getBackend())) return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const named = Array.isArray(variableGradients);
    const names = named ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: AdamUpdateAttrs = { beta1: this.beta1, beta2: this.beta2, learningRate: this.learningRate, epsilon: this.epsilon };
    tf.tidy(() => {
      let corrections: [tf.Tensor, tf.Tensor] | undefined;
      // As tfjs: the moments by the position of a variable among the gradients, made on first use.
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        for (const [slots, suffix] of [
          [s.accumulatedFirstMoment, 'm'],
          [s.accumulatedSecondMoment, 'v'],
        ] as const)
          slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const g = named ? variableGradients[i].tensor : variableGradients[name];
        if (g == null) return;
        const [m, v] = [s.accumulatedFirstMoment[i].variable, s.accumulatedSecondMoment[i].variable];
        if (value.size <= FUSED_MAX || simdOf(tf.backend())) {
          const [x1, m1, v1] = tf.engine().runKernel<tf.Tensor[]>(ADAM, { x: value, g, m, v, accBeta1: s.accBeta1, accBeta2: s.accBeta2 }, { ...attrs });
          m.assign(m1);
          v.assign(v1);
          value.assign(x1);
          return;
        }
        // tfjs's AdamOptimizer.applyGradients, op for op.
        const [d1, d2] = (corrections ??= [tf.sub(1, s.accBeta1), tf.sub(1, s.accBeta2)]);
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const [mHat, vHat] = [tf.div(m1, d1), tf.div(v1, d2)];
        m.assign(m1);
        v.assign(v1);
        value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value));
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, this.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
