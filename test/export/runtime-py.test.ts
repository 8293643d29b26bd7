/**
 * The Python runtime's own unit tests (src/runtime/py/test_*.py), run where the files live: copied beside the
 * constants.py an export writes, then `python -m unittest`. Needs PyTorch, as every export test does.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSTANTS_PY } from '../../src/shared/codegen/pytorch';
import { TIMEOUT, python, requireTorch, root } from './helpers';

describe('src/runtime/py', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hnet-runtime-py-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'passes its unit tests (ops, parameters) against independent computations',
    () => {
      requireTorch();
      cpSync(join(root, 'src/runtime/py'), dir, { recursive: true, filter: (f) => !f.includes('__pycache__') });
      writeFileSync(join(dir, 'constants.py'), CONSTANTS_PY);
      const r = python(['-m', 'unittest', '-v', 'test_runtime'], { cwd: dir, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      expect(r.stderr).toMatch(/Ran \d+ tests/);
      expect(r.stderr).toMatch(/\nOK\s*$/);
    },
    TIMEOUT,
  );
});
