/**
 * `hnet export FILE --to tfjs|pytorch --out DIR` as a user runs it: exit codes (0 ok, 1 invalid input, 2 usage),
 * messages by pattern, never a stack trace, and the files it writes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('into a folder of the user\'s asks first: refused without --force (nothing written), written with it', () => {
    const out = join(dir, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'train.py'), '# my own script\n');
    const r = hnet(['export', template, '--to', 'pytorch', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out .*mine is not empty and is not an earlier export of Hypernet Studio \(it holds train\.py\); nothing was written\. .*pass --force/);
    expect(r.stderr).not.toMatch(STACK);
    expect(readdirSync(out)).toEqual(['train.py']);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).toBe('# my own script\n');
    const forced = hnet(['export', template, '--to', 'pytorch', '--out', out, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).not.toBe('# my own script\n');
  });

  it('into its own earlier export needs no --force, unless a file was edited since', () => {
    const out = join(dir, 'again');
    expect(hnet(['export', template, '--to', 'tfjs', '--out', out]).status).toBe(0);
    const marker = JSON.parse(readFileSync(join(out, 'hnet-export.json'), 'utf8'));
    expect(marker).toMatchObject({ format: 'hnet-export', version: 1, to: 'tfjs' });
    expect(Object.keys(marker.files)).toEqual(expect.arrayContaining(['src/model.ts', 'README.md', 'data/manifest.json']));
    // Files of the user's beside it (a run's output) do not count: the export never writes them.
    mkdirSync(join(out, 'out'));
    writeFileSync(join(out, 'out', 'weights.json'), '{}');
    expect(hnet(['export', template, '--to', 'tfjs', '--out', out]).status).toBe(0);
    writeFileSync(join(out, 'src', 'train.ts'), '// tuned by hand\n');
    const r = hnet(['export', template, '--to', 'tfjs', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds an earlier export with a file changed since \(src\/train\.ts\) that exporting again would overwrite; .*--force/);
    expect(readFileSync(join(out, 'src', 'train.ts'), 'utf8')).toBe('// tuned by hand\n');
    expect(hnet(['export', template, '--to', 'tfjs', '--out', out, '--force']).status).toBe(0);
    expect(readFileSync(join(out, 'out', 'weights.json'), 'utf8')).toBe('{}');
  });

  it('writes no control character of a user string into any file (READMEs, code, manifests)', () => {
    const doc = JSON.parse(readFileSync(template, 'utf8'));
    doc.metadata.name = 'Waves\u001b[2J\u001b]52;c;ZXZpbA==\u0007 \u202ereversed';
    doc.metadata.description = 'First line\u0008\u0008\nsecond\u009b31m line\r\n\r\nNext paragraph\u0000.';
    doc.metadata.citation = 'Ha et al.\u001b[0m 2016';
    const file = join(dir, 'hostile-text.hnet.json');
    writeFileSync(file, JSON.stringify(doc));
    for (const to of ['tfjs', 'pytorch']) {
      const out = join(dir, `hostile-text-${to}`);
      const r = hnet(['export', file, '--to', to, '--out', out, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const files = (JSON.parse(r.stdout) as { files: string[] }).files.filter((f) => !f.endsWith('.gz'));
      for (const f of files) {
        const text = readFileSync(join(out, f), 'utf8');
        // eslint-disable-next-line no-control-regex -- no control characters may reach the exported files
        expect(text, f).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }
      const readme = readFileSync(join(out, 'README.md'), 'utf8');
      expect(readme).toMatch(/^# Waves\\\[2J\\\]52;c;ZXZpbA== reversed \((TensorFlow\.js|PyTorch)\)$/m);
      expect(readme).toContain('> First line second31m line');
      expect(readme).toContain('> Next paragraph.');
      expect(readme).toContain('Citation: Ha et al.\\[0m 2016');
    }
  });
});

