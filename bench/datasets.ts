/**
 * Loading the built-in image sets: the first open of each reads and parses its IDX files (once per process),
 * later opens are index views on the same pool. Prints the times and how many times longer the first open took.
 *
 *   npx tsx bench/datasets.ts
 */
import { openDataset } from '../src/main/engine/data';
import { loadImageSet } from '../src/main/engine/data/mnist';
import { Rng } from '../src/shared/util/rng';
import { fmt } from './common';

const time = (f: () => void): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

for (const [set, type] of [['mnist', 'data.mnist'], ['fashion', 'data.fashion_mnist']] as const) {
  let first: number;
  try {
    first = time(() => openDataset(type, {}, { seed: 1, node: 'bench' }));
  } catch (e) {
    console.log(`${set}: not available (${(e as Error).message})`);
    continue;
  }
  const pool = loadImageSet(set);
  const again = time(() => openDataset(type, {}, { seed: 1, node: 'bench' }));
  const d = openDataset(type, {}, { seed: 1, node: 'bench' });
  const rng = new Rng(1);
  const batches = 200;
  const draw = time(() => {
    for (let i = 0; i < batches; i++) d.trainBatch(0, 128, rng);
  });
  console.log(
    `${set}: ${pool.n} images (${(pool.x.byteLength / 1e6).toFixed(0)} MB of bytes); files read and parsed in ${fmt(pool.loadMs)} ms, ` +
      `first open ${fmt(first)} ms, a later open ${fmt(again)} ms (the first took ${fmt(first / again, 0)}× as long); ` +
      `a batch of 128 drawn in ${fmt((draw / batches) * 1000)} µs`,
  );
}
for (const type of ['data.split_mnist', 'data.permuted_mnist', 'data.mnist_inr']) console.log(`${type}: opened in ${fmt(time(() => openDataset(type, {}, { seed: 1, node: 'bench' })))} ms on the cached pool`);
