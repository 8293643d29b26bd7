import { describe, expect, it } from 'vitest';
import { plainText } from './plainText';

describe('plainText', () => {
  it('drops terminal escapes, C1 controls, NUL and bidi overrides; keeps printable text, tabs and (multiline) line breaks', () => {
    expect(plainText('Net\u001b]52;c;ZXZpbA==\u0007 v2\u001b[2J')).toBe('Net]52;c;ZXZpbA== v2[2J');
    expect(plainText('a\u009b31mb\u0000c\u007fd \u202eexe.gnp\u202c \u2066x\u2069')).toBe('a31mbcd exe.gnp x');
    expect(plainText('émoji \u{1F9E0} e\u0301')).toBe('émoji \u{1F9E0} e\u0301');
    expect(plainText('one\r\ntwo\rthree\tfour', { multiline: true })).toBe('one\ntwo\nthree\tfour');
    expect(plainText('one\r\ntwo\n\nthree')).toBe('one two three');
  });
});
