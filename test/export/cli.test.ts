/**
 * `hnet export FILE --to tfjs|pytorch --out DIR` as a user runs it: exit codes (0 ok, 1 invalid input, 2 usage),
 * messages by pattern, never a stack trace, and the files it writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hnet, removeDir, root, tempDir, TIMEOUT } from './helpers';

const template = join(root, 'templates', 'sinusoid-family.hnet.json');
const STACK = /^\s+at /m;
let dir: string;
beforeAll(() => {
  dir = tempDir('cli');
});
afterAll(() => removeDir(dir));

describe('hnet export', () => {
  it(
    'writes a PyTorch project with its data, and says where',
    () => {
      const out = join(dir, 'py');
      const r = hnet(['export', template, '--to', 'pytorch', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^exported .*sinusoid-family\.hnet\.json \(pytorch\) to .*py: \d+ files/);
      for (const f of ['model.py', 'data.py', 'rng.py', 'train.py', 'README.md', 'requirements.txt', 'data/manifest.json']) expect(existsSync(join(out, f)), f).toBe(true);
      expect(JSON.parse(readFileSync(join(out, 'data', 'manifest.json'), 'utf8'))).toMatchObject({ format: 'hnet-data', type: 'data.sinusoid', seed: 1, tasks: 1 });
    },
    TIMEOUT,
  );

  it(
    '--json describes a TypeScript project',
    () => {
      const out = join(dir, 'ts');
      const r = hnet(['export', template, '--to', 'tfjs', '--out', out, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const info = JSON.parse(r.stdout) as { to: string; files: string[] };
      expect(info.to).toBe('tfjs');
      expect(info.files).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'src/model.ts', 'src/train.ts', 'src/data.ts', 'data/manifest.json']));
      const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
      expect(pkg.dependencies['@tensorflow/tfjs']).toBe('4.22.0');
      expect(pkg.name).toBe('sinusoid-family');
    },
    TIMEOUT,
  );

  it('an invalid document exits 1 with the validation messages', () => {
    const bad = JSON.parse(readFileSync(template, 'utf8'));
    bad.edges.push({ source: 'nowhere', sourcePort: 'y', target: 'loss', targetPort: 'prediction' });
    const file = join(dir, 'bad.hnet.json');
    writeFileSync(file, JSON.stringify(bad));
    const r = hnet(['export', file, '--to', 'pytorch', '--out', join(dir, 'bad')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not a valid document:\n\s+.*nowhere/);
    expect(r.stderr).not.toMatch(STACK);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('an unreadable file exits 1', () => {
    const r = hnet(['export', join(dir, 'missing.hnet.json'), '--to', 'tfjs', '--out', join(dir, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*missing\.hnet\.json: no such file/);
  });

  it.each([
    ['no --to', ['export', template, '--out', 'x']],
    ['an unknown target', ['export', template, '--to', 'onnx', '--out', 'x']],
    ['no --out', ['export', template, '--to', 'pytorch']],
    ['no file', ['export', '--to', 'pytorch', '--out', 'x']],
  ])('usage error (%s) exits 2', (_, args) => {
    const r = hnet(args, { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error:/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--out naming an existing file exits 2', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = hnet(['export', template, '--to', 'pytorch', '--out', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exists and is not a folder/);
  });
});
