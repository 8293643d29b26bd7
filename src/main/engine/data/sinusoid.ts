/**
 * The sinusoid family (Finn et al. 2017): y = A sin(x + phi), A in [0.1, 5], phi in [0, pi], x in [-5, 5].
 * The family is infinite: every training batch is a fresh wave drawn from the caller's rng. Evaluation uses
 * `evalFunctions` fixed waves drawn from the dataset seed, one batch each, on an even grid of x.
 *
 * Draw order (kept simple so generated Python can reproduce it): A, phi, then for each point x and, when
 * noise > 0, one normal draw for its label noise.
 */
import type { SinusoidGenerator } from '../../../shared/codegen/dataManifest';
import { SinusoidData } from '../../../shared/nodes/data/sinusoid';
import { Rng } from '../../../shared/util/rng';
import { checkBatchSize, checkTask, linspace } from './pool';
import type { Batch, Dataset } from './types';

export const AMPLITUDE: readonly [number, number] = [0.1, 5];
export const PHASE: readonly [number, number] = [0, Math.PI];
export const X_RANGE: readonly [number, number] = [-5, 5];
/** Training samples per nominal epoch: the family has no finite training set. */
export const SINUSOID_EPOCH = 1000;

/** What an export regenerates the training waves from, in the draw order above. */
export function sinusoidGenerator(raw: Record<string, unknown>): SinusoidGenerator {
  const p = SinusoidData.params.parse(raw);
  return { kind: 'sinusoid', amplitude: [...AMPLITUDE], phase: [...PHASE], xRange: [...X_RANGE], noise: p.noise };
}

export function openSinusoid(raw: Record<string, unknown>, opts: { seed: number; node: string }): Dataset {
  const p = SinusoidData.params.parse(raw);
  const { node } = opts;

  const wave = (rng: Rng, xs: number[] | null, n: number, noise: number, task: number): Batch => {
    const A = rng.uniform(AMPLITUDE[0], AMPLITUDE[1]);
    const phi = rng.uniform(PHASE[0], PHASE[1]);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const xi = xs ? xs[i] : rng.uniform(X_RANGE[0], X_RANGE[1]);
      x[i] = xi;
      y[i] = A * Math.sin(xi + phi) + (noise > 0 ? noise * rng.normal() : 0);
    }
    return { x, y, n, task, context: Float32Array.of(A, phi) };
  };

  let evalSet: Batch[] | undefined;
  return {
    tasks: 1,
    xShape: [1],
    yShape: [1],
    yDtype: 'float32',
    contextShape: [2],
    trainSize(task) {
      checkTask(node, 1, task);
      return SINUSOID_EPOCH;
    },
    trainBatch(task, batchSize, rng) {
      checkTask(node, 1, task);
      checkBatchSize(node, batchSize);
      return wave(rng, null, batchSize, p.noise, task);
    },
    /**
     * One batch per evaluation wave, whatever batchSize (a batch is one function, whose context the model
     * sees). maxSamples caps the number of waves (at least one). Targets are noise-free.
     */
    evalBatches(task, _batchSize, maxSamples) {
      checkTask(node, 1, task);
      if (!evalSet) {
        const rng = new Rng(opts.seed).fork('sinusoid.eval');
        const xs = linspace(X_RANGE[0], X_RANGE[1], p.pointsPerFunction);
        evalSet = Array.from({ length: p.evalFunctions }, () => wave(rng, xs, xs.length, 0, 0));
      }
      const waves = Number.isFinite(maxSamples)
        ? Math.max(1, Math.min(p.evalFunctions, Math.floor(maxSamples / p.pointsPerFunction)))
        : p.evalFunctions;
      return evalSet.slice(0, waves);
    },
  };
}
