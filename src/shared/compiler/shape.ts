/** Shapes carry a symbolic batch dimension `'B'`; every other dimension is a known size. */
export type Dim = number | 'B';
export type Shape = readonly Dim[];

export const formatShape = (s: Shape): string => `[${s.join(', ')}]`;

/** Number of elements, ignoring a batch dimension. */
export function sizeOf(s: Shape): number {
  let n = 1;
  for (const d of s) if (d !== 'B') n *= d;
  return n;
}

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Batch dimension of an activation: 'B' (one row per sample) or 1 (one row for the whole batch). */
export const batchOf = (s: Shape): Dim => s[0] ?? 1;
