/**
 * The 2-D Gaussian-mixture continual-learning benchmark (posterior_replay_cl's GMM task set): per task, points
 * from each of its modes, drawn from the dataset seed. Training points of a task come first in the pool, then
 * its test points, task after task.
 */
import { GaussianMixtureData, gaussianMixtureMeans, gaussianMixtureShapes } from '../../../shared/nodes/data/gaussianMixture';
import { Rng } from '../../../shared/util/rng';
import { poolDataset, range, shuffled } from './pool';
import type { Dataset } from './types';

export function openGaussianMixture(raw: Record<string, unknown>, opts: { seed: number; node: string }): Dataset {
  const p = GaussianMixtureData.params.parse(raw);
  const s = gaussianMixtureShapes(p);
  const means = gaussianMixtureMeans(p);
  const perTask = p.modesPerTask * (p.trainPerMode + p.testPerMode);
  const n = p.tasks * perTask;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  let row = 0;
  for (let task = 0; task < p.tasks; task++) {
    // One stream per task, so a task's points do not depend on how many tasks come before or after it.
    const rng = new Rng(opts.seed).fork(`gaussian_mixture.task${task}`);
    const draw = (count: number) => {
      const from = row;
      for (let m = 0; m < p.modesPerTask; m++) {
        const [mx, my] = means[task * p.modesPerTask + m];
        for (let c = 0; c < count; c++, row++) {
          x[2 * row] = mx + p.std * rng.normal();
          x[2 * row + 1] = my + p.std * rng.normal();
          y[row] = m;
        }
      }
      return range(from, row);
    };
    train.push(shuffled(draw(p.trainPerMode), rng));
    test.push(draw(p.testPerMode));
  }
  return poolDataset({
    node: opts.node, tasks: s.tasks, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: p.modesPerTask,
    x, y, train, test,
  });
}
