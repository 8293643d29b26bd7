/**
 * Weights files shared with Hypernet Studio and the PyTorch export: weights.json lists each parameter's
 * canonical name, shape, offset and length; weights.bin holds the float32 values, little-endian, back to back.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYOUT_CHANGED, WEIGHTS_VERSION } from './formats.ts';

export interface StoredParam {
  name: string;
  shape: number[];
  values: Float32Array;
}

interface Manifest {
  format?: unknown;
  version?: unknown;
  params: { name: string; shape: number[]; offset: number; length: number }[];
}

/** A weights file that is not one, or of another version: the message names the file. */
export class WeightsFileError extends Error {}

/** weights.json (its text) and weights.bin for params, in their order. */
export function weightsFiles(params: StoredParam[]): { json: string; bin: Uint8Array } {
  let offset = 0;
  const entries = params.map((p) => {
    const entry = { name: p.name, shape: p.shape, offset, length: p.values.length };
    offset += p.values.length;
    return entry;
  });
  const bin = new Float32Array(offset);
  params.forEach((p, i) => bin.set(p.values, entries[i].offset));
  const json = JSON.stringify({ format: 'hnet-weights', version: WEIGHTS_VERSION, dtype: 'float32', params: entries }, null, 2) + '\n';
  return { json, bin: new Uint8Array(bin.buffer) };
}

/**
 * The parameters of a weights.json (file: its path, for messages; json: its text) and its weights.bin. Refuses
 * another format or version with a WeightsFileError; `reader` says who reads, in that message.
 */
export function parseWeights(file: string, json: string, bin: Uint8Array, reader = 'this export'): Map<string, StoredParam> {
  const manifest = JSON.parse(json) as Manifest;
  if (manifest?.format !== 'hnet-weights') throw new WeightsFileError(file + ' is not a Hypernet Studio weights file');
  if (manifest.version === 1) throw new WeightsFileError(file + ' holds version-1 weights: ' + LAYOUT_CHANGED);
  if (manifest.version !== WEIGHTS_VERSION)
    throw new WeightsFileError(file + ' holds version-' + String(manifest.version) + ' weights; ' + reader + ' reads version ' + WEIGHTS_VERSION);
  // A copy: the bytes of a file read need not be aligned for a Float32Array.
  const all = new Float32Array(new Uint8Array(bin).buffer);
  return new Map(manifest.params.map((p) => [p.name, { name: p.name, shape: p.shape, values: all.slice(p.offset, p.offset + p.length) }]));
}

/** The weights a folder holds (weights.json + weights.bin). */
export function readWeights(dir: string): Map<string, StoredParam> {
  const file = join(dir, 'weights.json');
  return parseWeights(file, readFileSync(file, 'utf8'), readFileSync(join(dir, 'weights.bin')));
}

/** Write weights.json + weights.bin into dir (each through a temporary file, so a reader never sees half of one). */
export function writeWeights(dir: string, params: StoredParam[]): void {
  mkdirSync(dir, { recursive: true });
  const { json, bin } = weightsFiles(params);
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name + '.tmp'), data);
    renameSync(join(dir, name + '.tmp'), join(dir, name));
  };
  write('weights.bin', bin);
  write('weights.json', json);
}
