import { describe, expect, it } from 'vitest';
import { Scope, camelCase, localPart, markdownText, pascalCase, pyFloat, pyString, slug, snakeCase, tsNumber, tsString } from './naming';

const PY_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TS_ID = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

describe('identifiers from canonical names', () => {
  it('follows each language convention', () => {
    expect(snakeCase('hyper.hidden0.out')).toBe('hyper_hidden0_out');
    expect(snakeCase('dense-1.kernel')).toBe('dense_1_kernel');
    expect(camelCase('dense_1.kernel')).toBe('dense1Kernel');
    expect(camelCase('hyper.weights.0.dense_1_kernel')).toBe('hyperWeights0Dense1Kernel');
    expect(pascalCase('dense_1')).toBe('Dense1');
    expect(pascalCase('film-head')).toBe('FilmHead');
    expect(localPart('hyper.hidden0.out', 'hyper')).toBe('hidden0.out');
    expect(localPart('other.x', 'hyper')).toBe('other.x');
  });

  it('makes valid identifiers of any text', () => {
    for (const raw of ['', '0abc', '...', 'a b', 'ünï', '__proto__', '9', '-']) {
      expect(snakeCase(raw)).toMatch(PY_ID);
      expect(camelCase(raw)).toMatch(TS_ID);
      expect(pascalCase(raw)).toMatch(PY_ID);
    }
  });

  it('never returns a keyword and never reuses a name in a scope; the same key keeps its name', () => {
    const py = new Scope('python', ['x']);
    expect(py.name('class')).toBe('class_2');
    expect(py.name('a', 'import')).toBe('import_2');
    expect(py.name('x')).toBe('x_2');
    const first = py.name('dense-1.y');
    const second = py.name('dense_1.y');
    expect(first).toBe('dense_1_y');
    expect(second).toBe('dense_1_y_2');
    expect(py.name('dense-1.y')).toBe(first);
    const child = py.child();
    expect(child.name('dense_1.y')).toBe('dense_1_y_3');
    const ts = new Scope('typescript');
    expect(ts.name('new')).toBe('new_2');
    expect(ts.name('tf')).toBe('tf_2');
    expect(ts.nameAs('k', 'Model')).toBe('Model');
    expect(ts.nameAs('k2', 'Model')).toBe('Model2');
    expect(() => ts.reserve('again', 'Model')).toThrow(/already used/);
  });

  it('is deterministic', () => {
    const names = (s: Scope) => ['a.b', 'a-b', 'a_b', 'A.B', 'def'].map((k) => s.name(k));
    expect(names(new Scope('python'))).toEqual(names(new Scope('python')));
  });
});

describe('literals', () => {
  it('writes strings as one-line ASCII literals', () => {
    expect(pyString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(pyString('é\u2028\u{1F600}\u0000')).toBe('"\\xe9\\u2028\\U0001f600\\x00"');
    expect(tsString('é\u2028`${x}`')).toBe('"\\u00e9\\u2028`${x}`"');
    expect(JSON.parse(tsString('\u{1F600}\u202e'))).toBe('\u{1F600}\u202e');
  });

  it('writes numbers that read back as the same double', () => {
    expect(pyFloat(1)).toBe('1.0');
    expect(pyFloat(0.1)).toBe('0.1');
    expect(pyFloat(1e-7)).toBe('1e-7');
    expect(pyFloat(-2.5e21)).toBe('-2.5e+21');
    expect(pyFloat(Infinity)).toBe('float("inf")');
    expect(tsNumber(-0)).toBe('-0');
    expect(tsNumber(0.30000000000000004)).toBe('0.30000000000000004');
  });

  it('makes package names and Markdown text', () => {
    expect(slug('Sinusoid family')).toBe('sinusoid-family');
    expect(slug('"; rm -rf / #')).toBe('rm-rf');
    expect(slug('🧠')).toBe('hypernet');
    expect(markdownText('<script>`x`</script> [a](b) *')).toBe('&lt;script&gt;\\`x\\`&lt;/script&gt; \\[a\\](b) \\*');
  });
});
