/** Comparing numeric results. */

/** The largest |a[i] - b[i]|; arrays of different lengths are a failure of their own, said as such. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A row-major [rows, cols] matrix as [cols, rows] (PyTorch's [out, in] kernel as tfjs's [in, out], and back). */
export function transposed(m: ArrayLike<number>, rows: number, cols: number): number[] {
  const t = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}
