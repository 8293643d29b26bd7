/**
 * constants.py of the PyTorch export: the settings and file versions the Python runtime shares with the engine,
 * written from their one declaration in src/runtime/ts (constants.ts, formats.ts) so that the two never drift.
 */
import { pyFloat, pyString } from '../naming';
import { CHECKPOINT_VERSION, LAYOUT_CHANGED, WEIGHTS_VERSION } from '../../../runtime/ts/formats.ts';
import { CHUNK_STEPS, DEFAULT_STEPS, S2_MAX, S2_MIN } from '../../../runtime/ts/constants.ts';

/** constants.py: what the Python runtime shares with the engine, from its one declaration (src/runtime/ts). */
export const CONSTANTS_PY = [
  `"""Settings and file versions shared with Hypernet Studio's engine (from its src/runtime/ts/constants.ts and formats.ts)."""`,
  '',
  '#: Steps per task when the document gives neither steps nor epochs.',
  `DEFAULT_STEPS = ${DEFAULT_STEPS}`,
  '#: Fixed-point steps of the chunked hyperfan initialisation, and the bounds of s_c^2 (embedding scales 0.01 to 10).',
  `CHUNK_STEPS = ${CHUNK_STEPS}`,
  `S2_MIN = ${pyFloat(S2_MIN)}`,
  `S2_MAX = ${pyFloat(S2_MAX)}`,
  '#: The versions of weights.json and of checkpoints this export writes and reads, and why version 1 is refused.',
  `WEIGHTS_VERSION = ${WEIGHTS_VERSION}`,
  `CHECKPOINT_VERSION = ${CHECKPOINT_VERSION}`,
  `LAYOUT_CHANGED = ${pyString(LAYOUT_CHANGED)}`,
  '',
].join('\n');
