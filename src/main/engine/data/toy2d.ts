/** 2-D toy classification sets: interleaved spirals and two moons, generated from the dataset seed. */
import { MoonsData } from '../../../shared/nodes/data/moons';
import { SPIRAL_TURNS, SpiralsData, toy2dShapes } from '../../../shared/nodes/data/spirals';
import { Rng } from '../../../shared/util/rng';
import { linspace, poolDataset, stratifiedSplit } from './pool';
import type { Dataset } from './types';

/** Samples of class k when `samples` are spread evenly over `classes` (the first classes take the remainder). */
const classCount = (samples: number, classes: number, k: number): number =>
  Math.floor(samples / classes) + (k < samples % classes ? 1 : 0);

function toyDataset(node: string, seed: number, x: Float32Array, y: Int32Array, classes: number, testFraction: number): Dataset {
  const s = toy2dShapes();
  const split = stratifiedSplit(y, classes, 1 - testFraction, new Rng(seed).fork('toy2d.split'));
  return poolDataset({ node, tasks: 1, xShape: s.x, yShape: s.y, yDtype: 'int32', classes, x, y, train: [split.train], test: [split.test] });
}

export function openSpirals(raw: Record<string, unknown>, opts: { seed: number; node: string }): Dataset {
  const p = SpiralsData.params.parse(raw);
  const rng = new Rng(opts.seed).fork('spirals');
  const x = new Float32Array(p.samples * 2);
  const y = new Int32Array(p.samples);
  let i = 0;
  for (let k = 0; k < p.classes; k++) {
    for (let c = classCount(p.samples, p.classes, k); c > 0; c--, i++) {
      const r = rng.next();
      const angle = (2 * Math.PI * k) / p.classes + 2 * Math.PI * SPIRAL_TURNS * r;
      x[2 * i] = r * Math.cos(angle) + p.noise * rng.normal();
      x[2 * i + 1] = r * Math.sin(angle) + p.noise * rng.normal();
      y[i] = k;
    }
  }
  return toyDataset(opts.node, opts.seed, x, y, p.classes, p.testFraction);
}

export function openMoons(raw: Record<string, unknown>, opts: { seed: number; node: string }): Dataset {
  const p = MoonsData.params.parse(raw);
  const rng = new Rng(opts.seed).fork('moons');
  const x = new Float32Array(p.samples * 2);
  const y = new Int32Array(p.samples);
  let i = 0;
  for (let k = 0; k < 2; k++) {
    for (const t of linspace(0, Math.PI, classCount(p.samples, 2, k))) {
      const [cx, cy] = k === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      x[2 * i] = cx + p.noise * rng.normal();
      x[2 * i + 1] = cy + p.noise * rng.normal();
      y[i] = k;
      i++;
    }
  }
  return toyDataset(opts.node, opts.seed, x, y, 2, p.testFraction);
}
