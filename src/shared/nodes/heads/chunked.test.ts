/**
 * The chunked head's initialisation targets (shape-free, no tfjs): with element (c, j) of the output starting at
 * variance columns[j] · chunks[c], every route's mean variance, computed here element by element from the
 * blocks, is its target's (within 10 %, about 5 % in std: the fit also keeps elements near their own): 1/fanIn (hyperfan-in), 1/fanOut (hyperfan-out), the layer's own (SIREN), and for
 * zero-initialised biases PyTorch's default 1/(3·fanIn), even where a bias shares a chunk with kernel entries.
 */
import { describe, expect, it } from 'vitest';
import type { InitBlock } from '../../compiler/ir';
import type { Route } from '../types';
import { chunkedTargets } from './chunked';

const dense = (target: string, fanIn: number, units: number): Route[] => [
  { target, port: 'kernel', headPort: 'weights', shape: [fanIn, units], init: 'fan', fanIn, fanOut: units },
  { target, port: 'bias', headPort: 'weights', shape: [units], init: 'zeros', fanIn, fanOut: units },
];

const expand = (blocks: InitBlock[]) => blocks.flatMap((b) => Array<number>(b.size).fill(b.variance));

/** Mean variance of each route's elements under the fitted factors, and the spread of element stds. */
function perRoute(routes: Route[], chunkSize: number, mode: 'hyperfan_in' | 'hyperfan_out') {
  const { columns, chunks } = chunkedTargets(routes, chunkSize, mode);
  const a = expand(columns);
  const v = expand(chunks);
  const total = routes.reduce((s, r) => s + r.shape.reduce((x, y) => x * y, 1), 0);
  expect(a).toHaveLength(chunkSize);
  expect(v).toHaveLength(Math.ceil(total / chunkSize));
  let pos = 0;
  return routes.map((r) => {
    const n = r.shape.reduce((x, y) => x * y, 1);
    let sum = 0;
    for (let e = pos; e < pos + n; e++) sum += a[e % chunkSize] * v[Math.floor(e / chunkSize)];
    pos += n;
    return { name: `${r.target}.${r.port}`, variance: sum / n };
  });
}

const mnist = [...dense('d1', 784, 100), ...dense('d2', 100, 100), ...dense('d3', 100, 10)];
const toy = [...dense('d0', 2, 48), ...dense('d1', 48, 40), ...dense('d2', 40, 2)];

describe('chunked hyperfan targets: every route starts at its own variance', () => {
  it.each([
    ['MNIST MLP 784-100-100-10, chunks of 2000 (the Permuted MNIST template)', mnist, 2000],
    ['MNIST MLP, chunks of 1000', [...dense('d1', 784, 100), ...dense('d2', 100, 10)], 1000],
    ['toy MLP 2-48-40-2, chunks of 300', toy, 300],
    ['toy MLP, chunks of 128', toy, 128],
    ['toy MLP, chunks of 200', toy, 200],
    ['toy MLP, one chunk larger than everything (cut)', toy, 5000],
    ['toy MLP, chunks of 1', toy.slice(0, 2), 1],
  ] as [string, Route[], number][])('hyperfan-in: %s', (_name, routes, chunkSize) => {
    const got = perRoute(routes, chunkSize, 'hyperfan_in');
    got.forEach((g, i) => {
      const r = routes[i];
      const want = r.init === 'fan' ? 1 / r.fanIn : 1 / (3 * r.fanIn);
      expect(g.variance / want, g.name).toBeGreaterThan(0.9);
      expect(g.variance / want, g.name).toBeLessThan(1.1);
    });
  });

  it('hyperfan-out aims kernels at 1/fanOut; biases keep 1/(3·fanIn)', () => {
    const got = perRoute(mnist, 2000, 'hyperfan_out');
    got.forEach((g, i) => {
      const r = mnist[i];
      const want = r.init === 'fan' ? 1 / r.fanOut : 1 / (3 * r.fanIn);
      expect(g.variance / want, g.name).toBeGreaterThan(0.9);
      expect(g.variance / want, g.name).toBeLessThan(1.1);
    });
  });

  it('a layer-prescribed variance (SIREN) is aimed for', () => {
    const siren: Route[] = [
      { target: 's', port: 'kernel', headPort: 'weights', shape: [32, 32], init: 'fan', fanIn: 32, fanOut: 32, variance: 2 / (32 * 900) },
      { target: 's', port: 'bias', headPort: 'weights', shape: [32], init: 'fan', fanIn: 32, fanOut: 32, variance: 1 / 96 },
    ];
    const got = perRoute(siren, 100, 'hyperfan_in');
    expect(Math.abs(got[0].variance * 32 * 450 - 1)).toBeLessThan(0.1);
    expect(Math.abs(got[1].variance * 96 - 1)).toBeLessThan(0.1);
  });

  it('routes that fill whole chunks keep every element at the target (factors ≈ 1 where nothing is mixed)', () => {
    // Two kernels of 4 chunks each, chunk size 100: no chunk holds two routes.
    const routes = [...dense('a', 20, 20), ...dense('b', 20, 20)].filter((r) => r.port === 'kernel');
    const { columns, chunks } = chunkedTargets(routes, 100, 'hyperfan_in');
    for (const a of expand(columns)) expect(a).toBeCloseTo(1, 3);
    for (const v of expand(chunks)) expect(v * 20).toBeCloseTo(1, 3);
  });

  it("per_chunk is hypnettorch's scheme: equal columns, each chunk at the mean target of its elements", () => {
    const chunkSize = 2000;
    const { columns, chunks } = chunkedTargets(mnist, chunkSize, 'hyperfan_in', 'per_chunk');
    expect(expand(columns)).toEqual(Array(chunkSize).fill(1));
    const element = mnist.flatMap((r) => Array<number>(r.shape.reduce((x, y) => x * y, 1)).fill(r.init === 'fan' ? 1 / r.fanIn : 1 / (3 * r.fanIn)));
    const v = expand(chunks);
    v.forEach((got, c) => {
      const part = element.slice(c * chunkSize, (c + 1) * chunkSize);
      expect(got).toBeCloseTo(part.reduce((a, b) => a + b, 0) / part.length, 10);
    });
  });
});
