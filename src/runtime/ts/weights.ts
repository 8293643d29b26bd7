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

export function readWeights(dir: string): Map<string, StoredParam> {
  const file = join(dir, 'weights.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  if (manifest?.format !== 'hnet-weights') throw new Error(file + ' is not a Hypernet Studio weights file');
  if (manifest.version === 1) throw new Error(file + ' holds version-1 weights: ' + LAYOUT_CHANGED);
  if (manifest.version !== WEIGHTS_VERSION) throw new Error(file + ' holds version-' + String(manifest.version) + ' weights; this export reads version ' + WEIGHTS_VERSION);
  const all = new Float32Array(new Uint8Array(readFileSync(join(dir, 'weights.bin'))).buffer);
  return new Map(manifest.params.map((p) => [p.name, { name: p.name, shape: p.shape, values: all.slice(p.offset, p.offset + p.length) }]));
}

export function writeWeights(dir: string, params: StoredParam[]): void {
  mkdirSync(dir, { recursive: true });
  let offset = 0;
  const entries = params.map((p) => {
    const entry = { name: p.name, shape: p.shape, offset, length: p.values.length };
    offset += p.values.length;
    return entry;
  });
  const bin = new Float32Array(offset);
  params.forEach((p, i) => bin.set(p.values, entries[i].offset));
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name + '.tmp'), data);
    renameSync(join(dir, name + '.tmp'), join(dir, name));
  };
  write('weights.bin', new Uint8Array(bin.buffer));
  write('weights.json', JSON.stringify({ format: 'hnet-weights', version: WEIGHTS_VERSION, dtype: 'float32', params: entries }, null, 2) + '\n');
}
