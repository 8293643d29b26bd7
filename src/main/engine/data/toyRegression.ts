/**
 * The 3-task 1-D regression of von Oswald et al. (2020); the tasks' functions and intervals are declared with
 * the node (TOY_REGRESSION_TASKS). Training x are uniform on the task's interval with noisy targets; test x
 * are evenly spaced with exact targets. All fixed by the dataset seed.
 */
import { TOY_REGRESSION_TASKS, ToyRegressionClData, toyRegressionShapes } from '../../../shared/nodes/data/toyRegressionCl';
import { Rng } from '../../../shared/util/rng';
import { linspace, poolDataset, range } from './pool';
import type { Dataset } from './types';

export function openToyRegression(raw: Record<string, unknown>, opts: { seed: number; node: string }): Dataset {
  const p = ToyRegressionClData.params.parse(raw);
  const s = toyRegressionShapes();
  const perTask = p.trainSamples + p.testSamples;
  const x = new Float32Array(s.tasks * perTask);
  const y = new Float32Array(s.tasks * perTask);
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  TOY_REGRESSION_TASKS.forEach((t, k) => {
    // One stream per task, so a task's data does not depend on the other tasks' sizes.
    const rng = new Rng(opts.seed).fork(`toy_regression.task${k}`);
    const base = k * perTask;
    for (let i = 0; i < p.trainSamples; i++) {
      const xi = rng.uniform(t.lo, t.hi);
      x[base + i] = xi;
      y[base + i] = t.f(xi) + (p.noise > 0 ? p.noise * rng.normal() : 0);
    }
    linspace(t.lo, t.hi, p.testSamples).forEach((xi, i) => {
      x[base + p.trainSamples + i] = xi;
      y[base + p.trainSamples + i] = t.f(xi);
    });
    train.push(range(base, base + p.trainSamples));
    test.push(range(base + p.trainSamples, base + perTask));
  });
  return poolDataset({ node: opts.node, tasks: s.tasks, xShape: s.x, yShape: s.y, yDtype: 'float32', x, y, train, test });
}
