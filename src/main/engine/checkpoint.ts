/**
 * Checkpoints and exported weights. A checkpoint holds everything a run needs to continue exactly: parameters,
 * optimizer slots, the batch generator's state, the position in the schedule and continual-learning targets.
 * Files are written to a temporary name, flushed and renamed, so a crash never leaves half a file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECKPOINT_VERSION, LAYOUT_CHANGED, layoutChanged } from '../../runtime/ts/formats.ts';
import { parseWeights, weightsFiles, WeightsFileError, type StoredParam } from '../../runtime/ts/weights.ts';
import { fail } from '../../shared/compiler/errors';
import type { Program } from '../../shared/compiler/ir';

export interface StoredTensor {
  shape: number[];
  /** Little-endian float32, base64. */
  data: string;
}

export interface Checkpoint {
  format: 'hnet-checkpoint';
  version: typeof CHECKPOINT_VERSION;
  /** Parameter names and shapes: a checkpoint only loads into the program it came from. */
  signature: string;
  seed: number;
  step: number;
  phase: number;
  stepInPhase: number;
  rngState: number;
  params: Record<string, StoredTensor>;
  optimizer: { name: string; tensor: StoredTensor }[];
  /** Output-regulariser targets: per task, per generated value. */
  targets: Record<string, Record<string, StoredTensor>>;
  accuracyMatrix: (number | null)[][];
}

export const programSignature = (program: Program): string =>
  program.params.map((p) => `${p.name}:${p.shape.join('x')}`).join(';');

export function encode(values: Float32Array | Int32Array, shape: number[]): StoredTensor {
  return { shape, data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

export function decode(t: StoredTensor): Float32Array {
  const buf = Buffer.from(t.data, 'base64');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Write a file so that readers see the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readCheckpoint(path: string, program: Program): Checkpoint {
  let ck: Checkpoint;
  try {
    ck = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (e) {
    return fail('HN053', `cannot read checkpoint ${path}: ${(e as Error).message}`, { path: 'resumeFrom' });
  }
  if (ck?.format !== 'hnet-checkpoint') fail('HN053', `${path} is not a Hypernet Studio checkpoint`, { path: 'resumeFrom' });
  const version = (ck as { version: unknown }).version;
  if (version === 1) {
    // Version 1 filled kernels in the parameter's own order. A graph generating only 1-D weights means the same.
    const changed = program.generated.filter((g) => layoutChanged(g.shape));
    if (changed.length > 0)
      fail('HN053', `${path} is a version-1 checkpoint: ${LAYOUT_CHANGED} (here ${changed.map((g) => `${g.target}.${g.targetPort}`).join(', ')})`, { path: 'resumeFrom' });
    ck = { ...ck, version: CHECKPOINT_VERSION };
  } else if (version !== CHECKPOINT_VERSION) {
    fail('HN053', `${path} is a version-${String(version)} checkpoint; this version of Hypernet Studio reads version ${CHECKPOINT_VERSION}`, { path: 'resumeFrom' });
  }
  if (ck.signature !== programSignature(program))
    fail('HN053', `${path} was saved from a different graph (its parameters do not match this document's)`, { path: 'resumeFrom' });
  return ck;
}

/**
 * Trained parameters under their canonical names (`<node>.<param>`), in the format of the runtime's weights.ts:
 * weights.json lists name, shape and offset; weights.bin holds the float32 values, little-endian, back to back
 * (numpy.fromfile reads it). Each file is written atomically.
 */
export function writeWeights(dir: string, params: StoredParam[]): void {
  const { json, bin } = weightsFiles(params);
  writeFileAtomic(join(dir, 'weights.bin'), bin);
  writeFileAtomic(join(dir, 'weights.json'), json);
}

/** The weights `writeWeights` wrote; refuses another format or version (HN053, naming the file). */
export function readWeights(dir: string): Map<string, StoredParam> {
  const file = join(dir, 'weights.json');
  try {
    return parseWeights(file, readFileSync(file, 'utf8'), readFileSync(join(dir, 'weights.bin')), 'this version of Hypernet Studio');
  } catch (e) {
    if (e instanceof WeightsFileError) fail('HN053', e.message, { path: 'weights' });
    throw e;
  }
}
