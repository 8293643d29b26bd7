/** The weights format where it lives: a round trip, the bytes numpy reads, and the refusals, each naming the file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAYOUT_CHANGED, WEIGHTS_VERSION } from './formats.ts';
import { parseWeights, readWeights, weightsFiles, WeightsFileError, writeWeights } from './weights.ts';

const params = [
  { name: 'd.kernel', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: 'd.bias', shape: [3], values: Float32Array.from([-0.5, 0, 0.25]) },
];

describe('weights.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hnet-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes float32 little-endian values back to back, listed by name, shape and offset, and reads them back', () => {
    writeWeights(dir, params);
    const manifest = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8'));
    expect(manifest).toEqual({
      format: 'hnet-weights',
      version: WEIGHTS_VERSION,
      dtype: 'float32',
      params: [
        { name: 'd.kernel', shape: [2, 3], offset: 0, length: 6 },
        { name: 'd.bias', shape: [3], offset: 6, length: 3 },
      ],
    });
    const bin = readFileSync(join(dir, 'weights.bin'));
    expect(bin.length).toBe(9 * 4);
    expect(bin.readFloatLE(7 * 4)).toBe(0);
    expect(bin.readFloatLE(8 * 4)).toBe(0.25);
    const back = readWeights(dir);
    expect([...back.keys()]).toEqual(['d.kernel', 'd.bias']);
    expect(Array.from(back.get('d.bias')!.values)).toEqual([-0.5, 0, 0.25]);
    expect(back.get('d.kernel')!.shape).toEqual([2, 3]);
  });

  it('reads bytes at any alignment (a Buffer slice of a larger file)', () => {
    const { json, bin } = weightsFiles(params);
    const shifted = new Uint8Array(bin.length + 1).subarray(1);
    shifted.set(bin);
    expect(Array.from(parseWeights('w.json', json, shifted).get('d.kernel')!.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses another format or version, naming the file and who reads', () => {
    const { json, bin } = weightsFiles(params);
    const as = (edit: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(json), ...edit });
    const refusal = (text: string, reader?: string) => {
      try {
        parseWeights('/x/weights.json', text, bin, reader);
      } catch (e) {
        expect(e).toBeInstanceOf(WeightsFileError);
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(as({ format: 'other' }))).toBe('/x/weights.json is not a Hypernet Studio weights file');
    expect(refusal(as({ version: 1 }))).toBe(`/x/weights.json holds version-1 weights: ${LAYOUT_CHANGED}`);
    expect(refusal(as({ version: 99 }), 'this tool')).toBe(`/x/weights.json holds version-99 weights; this tool reads version ${WEIGHTS_VERSION}`);
    writeFileSync(join(dir, 'weights.json'), as({ version: 99 }));
    expect(() => readWeights(dir)).toThrow(/this export reads version/);
  });
});
