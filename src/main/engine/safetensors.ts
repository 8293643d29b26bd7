/**
 * The safetensors format (huggingface/safetensors), written here without a dependency: an 8-byte little-endian
 * header length N, N bytes of JSON header `{ "<name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin,
 * end] }, ..., "__metadata__": { "<key>": "<string>" } }` (padded with spaces to a multiple of 8, as the reference
 * writer pads it), then the tensors' bytes, little-endian, in the header's order (sorted by name) with no gaps.
 * Every framework reads it (`safetensors.torch.load_file`, `safetensors.numpy`, candle, ...).
 *
 * @example
 * writeSafetensors('model.safetensors', [{ name: 'hyper.w', shape: [2, 3], values }], { seed: '1' });
 */
import { writeFileAtomic } from './checkpoint';

export interface NamedTensor {
  name: string;
  shape: readonly number[];
  values: ArrayLike<number>;
}

/** The file's bytes: tensors sorted by name, float32, metadata values as strings. */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Buffer {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set<string>();
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of sorted) {
    if (names.has(t.name)) throw new Error(`two tensors are named "${t.name}"`);
    if (t.name === '__metadata__') throw new Error('"__metadata__" is not a tensor name');
    names.add(t.name);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.values.length) throw new Error(`${t.name}: shape [${t.shape.join(', ')}] holds ${n} values, not ${t.values.length}`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const t of sorted) {
    for (let i = 0; i < t.values.length; i++) out.writeFloatLE(t.values[i], at + 4 * i);
    at += 4 * t.values.length;
  }
  return out;
}

/** Write a safetensors file atomically (temporary file, flush, rename). */
export function writeSafetensors(path: string, tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
