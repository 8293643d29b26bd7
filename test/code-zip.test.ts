/**
 * The code view's zip writer (browser mode's download of the generated sources), read back by an independent
 * implementation: Python's zipfile, which checks every CRC (`testzip`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, zipFiles } from '../src/renderer/src/code/zip';

const python = spawnSync('python3', ['-c', 'import zipfile'], { encoding: 'utf8' }).status === 0;

function readWithPython(bytes: Uint8Array): { bad: string | null; files: Record<string, string>; modes: Record<string, number> } {
  const dir = mkdtempSync(join(tmpdir(), 'hnet-zip-'));
  try {
    const file = join(dir, 'code.zip');
    writeFileSync(file, bytes);
    const script = [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'print(json.dumps({"bad": z.testzip(), "files": {i.filename: z.read(i).decode("utf-8") for i in z.infolist()},',
      '                  "modes": {i.filename: i.external_attr >> 16 for i in z.infolist()}}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { bad: string | null; files: Record<string, string>; modes: Record<string, number> };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('zipFiles', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it.skipIf(!python)('writes an archive another implementation reads back exactly', () => {
    const entries = [
      { path: 'model.py', text: 'import torch\nprint("héllo ✓")\n' },
      { path: 'src/model.ts', text: 'export const x = 1;\n' },
      { path: 'empty.txt', text: '' },
      { path: 'naïve/ünïcode name.md', text: '# Title\n' },
    ];
    const read = readWithPython(zipFiles(entries, new Date(2024, 4, 17, 13, 37, 42)));
    expect(read.bad).toBeNull();
    expect(read.files).toEqual(Object.fromEntries(entries.map((e) => [e.path, e.text])));
    for (const mode of Object.values(read.modes)) expect(mode).toBe(0o100644);
  });

  it.skipIf(!python)('an empty archive is a valid archive', () => {
    expect(readWithPython(zipFiles([])).files).toEqual({});
  });
});
