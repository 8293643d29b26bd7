/**
 * The two forms of a convolution's filter gradient on wasm (src/runtime/ts/conv2d.ts), side by side per shape:
 * patchesᵀ · dy (the engine's patch-rows kernel, then one product) against the convolution form (the input's
 * channels as the batch, dy as the kernel; for strides above 1, the strided patches made by Slices and a Concat,
 * and a transposed product), the engine's other kernels on for both,
 * and which one conv2d picks, on fresh copies of the operands each time (as in training, where XNNPACK can
 * reuse no packed operand). Each form is timed in alternating rounds, the best of each kept, on one thread and
 * on the engine's threads. The two gradients are compared too (largest difference relative to the largest value).
 *
 *   npx tsx bench/convolutions.ts [--conv-rounds 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { restartWasm, useBackend, wasmThreadCount } from '../src/main/engine/backend';
import { useWasmKernels } from '../src/main/engine/kernels';
import { PATCH_ROWS, conv2dFilterGrad, filterGradByPatchRows, patchRowsPay } from '../src/runtime/ts/conv2d';
import { fmt, heading, isMain, numFlag, table } from './common';

interface Shape {
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  note: string;
}

const SHAPES: Shape[] = [
  { x: [64, 28, 28, 1], k: 7, cout: 16, stride: 1, note: "the Ha CNN's first layer" },
  { x: [64, 14, 14, 16], k: 7, cout: 16, stride: 1, note: "the Ha CNN's second layer" },
  { x: [64, 28, 28, 1], k: 5, cout: 32, stride: 1, note: 'MNIST, 5x5 to 32' },
  { x: [64, 28, 28, 1], k: 3, cout: 16, stride: 1, note: 'MNIST, 3x3 to 16' },
  { x: [32, 32, 32, 3], k: 3, cout: 32, stride: 1, note: 'RGB, 3x3 to 32' },
  { x: [32, 32, 32, 3], k: 3, cout: 8, stride: 1, note: 'RGB, 3x3 to 8' },
  { x: [32, 32, 32, 16], k: 3, cout: 16, stride: 1, note: '16 to 16' },
  { x: [64, 28, 28, 1], k: 7, cout: 16, stride: 2, note: 'stride 2' },
  { x: [32, 32, 32, 16], k: 3, cout: 32, stride: 2, note: 'stride 2, 16 to 32' },
];

export interface ConvRow {
  shape: Shape;
  threads: number;
  /** Best milliseconds of each form, and the form conv2d takes. */
  rowsMs: number;
  convMs: number;
  picked: 'patch rows' | 'convolution';
  relDiff: number;
}

/** Best of `reps` runs of f, after one untimed, in milliseconds. */
async function best(f: () => tf.Tensor, reps: number): Promise<number> {
  let ms = Infinity;
  for (let i = 0; i <= reps; i++) {
    const t = performance.now();
    const y = f();
    await y.data();
    if (i > 0) ms = Math.min(ms, performance.now() - t);
    y.dispose();
  }
  return ms;
}

export async function benchConvolutions(rounds = 3): Promise<ConvRow[]> {
  await useBackend('wasm');
  const rows: ConvRow[] = [];
  const threadCounts = [...new Set([1, wasmThreadCount()])];
  for (const threads of threadCounts) {
    await restartWasm(threads);
    for (const s of SHAPES) {
      const [n, h, w, cin] = s.x;
      const x = tf.randomNormal(s.x, 0, 1, 'float32', 1) as tf.Tensor4D;
      const dy = tf.randomNormal([n, Math.ceil(h / s.stride), Math.ceil(w / s.stride), s.cout], 0, 1, 'float32', 2) as tf.Tensor4D;
      // Fresh copies of x and dy each call, as in training (XNNPACK keeps a packed operand by tensor, and a
      // training step's are all new); the copy costs both forms the same.
      const fresh = <T extends tf.Tensor>(t: T) => tf.add(t, 0) as T;
      // conv2dFilterGrad without the patch-rows kernel (unregistered; the engine's other kernels stay): the
      // convolution form, or at strides above 1 the strided patches.
      const grad = () => tf.tidy(() => conv2dFilterGrad(fresh(x), fresh(dy), [s.k, s.k], s.stride, 'same'));
      const rowsForm = () => tf.tidy(() => filterGradByPatchRows(fresh(x), fresh(dy), [s.k, s.k], s.stride, 'same'));
      let [rowsMs, convMs] = [Infinity, Infinity];
      let relDiff = 0;
      // useWasmKernels(true) registers the patch-rows kernel again.
      const withoutRows = () => tf.unregisterKernel(PATCH_ROWS, 'wasm');
      for (let r = 0; r < rounds; r++) {
        useWasmKernels(true);
        rowsMs = Math.min(rowsMs, await best(rowsForm, 4));
        withoutRows();
        convMs = Math.min(convMs, await best(grad, 4));
        if (r === 0) {
          const want = grad();
          useWasmKernels(true);
          const got = rowsForm();
          relDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] / tf.max(tf.abs(want)).dataSync()[0]);
          tf.dispose([got, want]);
        }
      }
      useWasmKernels(true);
      rows.push({ shape: s, threads, rowsMs, convMs, picked: patchRowsPay([s.k, s.k], cin, s.cout, s.stride) ? 'patch rows' : 'convolution', relDiff });
      tf.dispose([x, dy]);
    }
  }
  await restartWasm(wasmThreadCount());
  return rows;
}

export function printConvolutions(rows: ConvRow[]): void {
  heading('Convolution filter gradients on wasm: patch rows against the convolution form');
  console.log('Best of alternating rounds, milliseconds; "picked" is the form conv2d uses for that shape.');
  const body = rows.map((r) => {
    const [n, h, w, c] = r.shape.x;
    return [
      `${n}x${h}x${w}x${c}, ${r.shape.k}x${r.shape.k} to ${r.shape.cout}, stride ${r.shape.stride}`,
      r.shape.note,
      r.threads === 1 ? '1 thread' : `${r.threads} threads`,
      fmt(r.rowsMs, 2),
      fmt(r.convMs, 2),
      `${fmt(r.convMs / r.rowsMs, 2)}x`,
      r.picked,
      r.relDiff.toExponential(1),
    ];
  });
  console.log(table(['input, kernel', 'what', 'threads', 'patch rows ms', 'convolution ms', 'rows speed-up', 'picked', 'rel. difference'], body));
}

/** Run and print, with the command-line flags (bench/index.ts calls this). */
export async function runConvolutionsBench(): Promise<ConvRow[]> {
  const rows = await benchConvolutions(numFlag('conv-rounds', 3));
  printConvolutions(rows);
  return rows;
}

if (isMain(import.meta.url)) await runConvolutionsBench();
