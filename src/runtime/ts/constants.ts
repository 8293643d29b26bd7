/**
 * Settings the engine and both exports share, in one place (the Python export receives them in model.py).
 * Pure: no imports, so the generators (src/shared) may read it too.
 */

/** Steps per task when a graph gives neither steps nor epochs. */
export const DEFAULT_STEPS = 1000;

/** Fixed-point steps of the chunked hyperfan initialisation (see init.ts). */
export const CHUNK_STEPS = 8;

/**
 * Bounds of s_c² in the chunked hyperfan initialisation (the embedding scale within 0.01 to 10): where the
 * trunk saturates (tanh) more scale stops helping, and an embedding scaled without bound would only saturate it
 * further.
 */
export const S2_MIN = 1e-4;
export const S2_MAX = 100;
