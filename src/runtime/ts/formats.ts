/**
 * Versions of the files the engine and both exports write and read: trained weights (`weights.json` +
 * `weights.bin`, format `hnet-weights`) and checkpoints (`hnet-checkpoint`). One place, so the engine, the
 * TypeScript runtime and the Python runtime cannot disagree.
 *
 * Version 2: heads fill Dense and Conv2D kernels in PyTorch's order (`[out, in]`, `[out, in, kh, kw]`, see
 * `WeightDecl.order`), so the head parameters of a version-1 file stand for other weights. Readers refuse
 * version 1, except a checkpoint of a graph whose heads generate only 1-D weights (biases, FiLM scales and
 * shifts), whose meaning did not change: that one is read as it is.
 */
export const WEIGHTS_VERSION = 2;
export const CHECKPOINT_VERSION = 2;

/** Why a version-1 file is refused, the same sentence in the engine and both exports. */
export const LAYOUT_CHANGED =
  "the layout of generated weights changed in version 2 (heads now fill Dense and Conv2D kernels in PyTorch's [out, in] order), so its hypernetwork parameters would generate other weights; retrain (or re-export and retrain) to get a version-2 file";

/** A generated weight whose layout changed in version 2: two or more axes besides a per-sample batch axis. */
export const layoutChanged = (shape: readonly (number | string)[]): boolean => shape.filter((d) => d !== 'B').length >= 2;
