/**
 * Checkpoints and exported weights. A checkpoint holds everything a run needs to continue exactly: parameters,
 * optimizer slots, the batch generator's state, the position in the schedule and continual-learning targets.
 * Files are written to a temporary name, flushed and renamed, so a crash never leaves half a file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECKPOINT_VERSION, LAYOUT_CHANGED, WEIGHTS_VERSION, layoutChanged } from '../../shared/codegen/fileFormats';
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
 * Trained parameters under their canonical names (`<node>.<param>`): weights.json lists name, shape and
 * offset; weights.bin holds the float32 values, little-endian, back to back (numpy.fromfile reads it).
 */
export function writeWeights(dir: string, params: { name: string; shape: number[]; values: Float32Array }[]): void {
  let offset = 0;
  const manifest = params.map((p) => {
    const entry = { name: p.name, shape: p.shape, offset, length: p.values.length };
    offset += p.values.length;
    return entry;
  });
  const bin = new Float32Array(offset);
  params.forEach((p, i) => bin.set(p.values, manifest[i].offset));
  writeFileAtomic(join(dir, 'weights.bin'), new Uint8Array(bin.buffer));
  writeFileAtomic(join(dir, 'weights.json'), JSON.stringify({ format: 'hnet-weights', version: WEIGHTS_VERSION, dtype: 'float32', params: manifest }, null, 2) + '\n');
}

/** The weights `writeWeights` wrote; refuses another format or version (HN053, naming the file). */
export function readWeights(dir: string): Map<string, { shape: number[]; values: Float32Array }> {
  const file = join(dir, 'weights.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; version?: unknown; params: { name: string; shape: number[]; offset: number; length: number }[] };
  if (manifest?.format !== 'hnet-weights') fail('HN053', `${file} is not a Hypernet Studio weights file`, { path: 'weights' });
  if (manifest.version === 1) fail('HN053', `${file} holds version-1 weights: ${LAYOUT_CHANGED}`, { path: 'weights' });
  if (manifest.version !== WEIGHTS_VERSION)
    fail('HN053', `${file} holds version-${String(manifest.version)} weights; this version of Hypernet Studio reads version ${WEIGHTS_VERSION}`, { path: 'weights' });
  const buf = readFileSync(join(dir, 'weights.bin'));
  const all = new Float32Array(buf.byteLength / 4);
  new Uint8Array(all.buffer).set(buf);
  return new Map(manifest.params.map((p) => [p.name, { shape: p.shape, values: all.slice(p.offset, p.offset + p.length) }]));
}
