/**
 * 2-D convolution that trains on every backend. tfjs's wasm backend has Conv2D and Conv2DBackpropInput but no
 * Conv2DBackpropFilter, so a kernel could not learn there (and its Conv3D, which has both gradients, is a plain
 * loop about 100x slower than XNNPACK's Conv2D). Where the filter gradient kernel is missing, the convolution
 * keeps the backend's own forward, computes the filter gradient as one matrix product of the input's patches with
 * dy (im2col: dW[i,j] = Σ_{n,h,w} x_pad[n, s·h+i, s·w+j]ᵀ dy[n,h,w]) and, for stride 1, the input gradient as a
 * forward convolution with the flipped kernel (wasm's Conv2DBackpropInput is several times slower than its Conv2D).
 *
 * The filter gradient has two forms. As a forward convolution (the input's channels as its batch, dy as its
 * kernel) it reuses the backend's fast Conv2D, but repacks dy as a kernel and transposes it and the input, work
 * that grows with dy and not with the product; where the product has few rows (kh·kw·cin) for its columns (cout),
 * as in an image model's first layers, that is most of the time. There, and for strides above 1, where the
 * backend has a kernel that lays out the patches (PATCH_ROWS: the engine's on wasm), the gradient is patchesᵀ · dy,
 * one plain product. Measured here on wasm, operands fresh each time as in training (bench/convolutions.ts, one
 * thread): the Ha CNN's first layer (7x7, 1 → 16 channels, 64 images of 28 x 28: 3 rows a column) 1.2-1.4x;
 * 3x3, 3 → 32 channels on 32 images of 32 x 32 (0.8 rows a column) 2.6x; stride 2: 30-50x (the strided patches
 * were Slices and a Concat); the two are even at about 9 rows a column (3x3, 16 → 16), and the convolution form
 * is ahead past that (the Ha CNN's second layer, 49: 0.5x).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * A kernel some backends have (src/main/engine/kernels.ts registers it on wasm): x's patches transposed,
 * [kh·kw·cin, N·Ho·Wo], row (i·kw + j)·cin + c holding tap (i, j)'s channel c of every output position.
 */
export const PATCH_ROWS = 'HnetPatchRows';

export interface PatchRowsAttrs {
  kernel: [number, number];
  stride: number;
  /** Padding before the first row and column. */
  top: number;
  left: number;
  outHeight: number;
  outWidth: number;
}

/**
 * The patches form pays (at stride 1) while the product's rows (kh·kw·cin) are at most this many times its
 * columns (cout): the engine's SIMD kernel lays out the patches at about 0.4 ns a patch element, the convolution
 * form's repacking and transposing of dy cost several a dy element (bench/convolutions.ts: 1.2-1.4x at 3 rows a
 * column, even at 9).
 */
const PATCH_ROWS_PER_COLUMN = 4;

/** Pads before and after for TF's `same` (output = ceil(in / stride)) and `valid` (none). */
function padding(size: number, k: number, stride: number, mode: 'same' | 'valid'): [number, number, number] {
  if (mode === 'valid') return [0, 0, Math.floor((size - k) / stride) + 1];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

/**
 * The k·k shifted views of x that each kernel tap (i, j) sees, side by side: [N·Ho·Wo, kh·kw·cin] (im2col).
 */
function patches(x: tf.Tensor4D, kernel: [number, number], stride: number, mode: 'same' | 'valid'): tf.Tensor2D {
  const [n, h, w, cin] = x.shape;
  const [kh, kw] = kernel;
  const [top, bottom, ho] = padding(h, kh, stride, mode);
  const [left, right, wo] = padding(w, kw, stride, mode);
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      taps.push(
        stride === 1
          ? tf.slice(padded, [0, i, j, 0], [n, ho, wo, cin])
          : (tf.stridedSlice(padded, [0, i, j, 0], [n, i + (ho - 1) * stride + 1, j + (wo - 1) * stride + 1, cin], [1, stride, stride, 1]) as tf.Tensor4D),
      );
  return tf.reshape(taps.length === 1 ? taps[0] : tf.concat(taps, 3), [n * ho * wo, kh * kw * cin]);
}

/** Whether the filter gradient takes the patch-rows form where the backend has PATCH_ROWS (see the top). */
export function patchRowsPay(kernel: [number, number], cin: number, cout: number, stride: number): boolean {
  return stride !== 1 || kernel[0] * kernel[1] * cin <= PATCH_ROWS_PER_COLUMN * cout;
}

/** dL/dW as patchesᵀ · dy, the patches made by the backend's PATCH_ROWS kernel (which must exist). */
export function filterGradByPatchRows(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], stride: number, mode: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kernel;
    const [n, ho, wo, cout] = dy.shape;
    const [top] = padding(x.shape[1], kh, stride, mode);
    const [left] = padding(x.shape[2], kw, stride, mode);
    const attrs: PatchRowsAttrs = { kernel: [kh, kw], stride, top, left, outHeight: ho, outWidth: wo };
    const rows = tf.engine().runKernel(PATCH_ROWS, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
    return tf.reshape(tf.matMul(rows, tf.reshape(dy, [n * ho * wo, cout])), [kh, kw, x.shape[3], cout]) as tf.Tensor4D;
  });
}

/** dL/dW for y = conv2d(x, W): x [N, H, W, cin], dy [N, Ho, Wo, cout] → [kh, kw, cin, cout], one matrix product. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], stride: number, mode: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kernel;
    const [n, ho, wo, cout] = dy.shape;
    const cin = x.shape[3];
    if (tf.getKernel(PATCH_ROWS, tf.getBackend()) && patchRowsPay(kernel, cin, cout, stride)) return filterGradByPatchRows(x, dy, kernel, stride, mode);
    if (stride === 1) {
      // A forward convolution again: the input's channels as the batch, the batch as channels, dy as the kernel;
      // the padding is the convolution's own (explicit), not a padded copy of x.
      const [, h, w] = x.shape;
      const [top, bottom] = padding(h, kh, 1, mode);
      const [left, right] = padding(w, kw, 1, mode);
      const pads: tf.backend_util.ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
      const grad = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, pads);
      return tf.transpose(grad, [1, 2, 0, 3]) as tf.Tensor4D;
    }
    const cols = patches(x, kernel, stride, mode);
    return tf.reshape(tf.matMul(cols, tf.reshape(dy, [n * ho * wo, cout]), true, false), [kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

/**
 * dL/dx. Stride 1: a forward convolution of dy (its padding k−1−pad each side) with the kernel flipped and its
 * channels swapped, which runs on the backend's fast Conv2D; other strides: conv2dTranspose.
 */
export function conv2dInputGrad(dy: tf.Tensor4D, kernel: tf.Tensor4D, inputShape: [number, number, number, number], stride: number, mode: 'same' | 'valid'): tf.Tensor4D {
  if (stride !== 1) return tf.conv2dTranspose(dy, kernel, inputShape, stride, mode);
  return tf.tidy(() => {
    const [kh, kw] = kernel.shape;
    const [top, bottom] = padding(inputShape[1], kh, 1, mode);
    const [left, right] = padding(inputShape[2], kw, 1, mode);
    const pads: tf.backend_util.ExplicitPadding = [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]];
    const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, flipped, 1, pads);
  });
}

const hasFilterGrad = new Map<string, boolean>();

/**
 * tf.conv2d, with the filter gradient computed as above where the backend has no kernel for it. inputGrad false:
 * x is data (nothing trainable feeds it), so its gradient is not computed (zeros stand in for it).
 */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number, mode: 'same' | 'valid', inputGrad = true): tf.Tensor4D {
  const backend = tf.getBackend();
  let native = hasFilterGrad.get(backend);
  if (native === undefined) hasFilterGrad.set(backend, (native = tf.getKernel('Conv2DBackpropFilter', backend) !== undefined));
  if (native) return tf.conv2d(x, kernel, stride, mode);
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, f, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, f]);
    return {
      value: tf.conv2d(xi, f, stride, mode),
      gradFunc: (dy, saved) => {
        const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        const dx = inputGrad ? conv2dInputGrad(g, sf, sx.shape, stride, mode) : tf.zerosLike(sx);
        return [dx, conv2dFilterGrad(sx, g, [sf.shape[0], sf.shape[1]], stride, mode)];
      },
    };
  });
  return run(x, kernel) as tf.Tensor4D;
}
