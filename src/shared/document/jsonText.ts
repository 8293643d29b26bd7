/**
 * JSON text helpers for the load boundary: how big a text is, how deep it nests, and where (line, column) and
 * why it stops being JSON. All linear scans without recursion, so hostile input cannot overflow the stack.
 */

/**
 * The UTF-8 length of `text` as far as `limit` cares: exact when it is near `limit`, otherwise any number on
 * the same side of `limit` (counting every byte of a 50 MB text would be wasted work).
 */
export function utf8LengthOver(text: string, limit: number): number {
  if (text.length > limit) return text.length; // at least one byte per code unit: over already
  if (text.length * 3 <= limit) return text.length; // at most three bytes per code unit: under already
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair is one code point
      i++;
    } else bytes += 3;
    if (bytes > limit) return bytes;
  }
  return bytes;
}

/** Offset of the first bracket that opens level `max + 1` (strings skipped), or -1. Text-level, so it works on any input. */
export function findTooDeep(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}

/** 1-based line and column (in UTF-16 code units, as editors count them) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** The character at `i` for a message, or the whole word starting there (`"NaN"`) when `word` is set. */
function describeChar(text: string, i: number, word = true): string {
  const w = word ? /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i, i + 24)) : null;
  if (w) return `"${w[0]}"`;
  const c = text.codePointAt(i) ?? 0;
  if (c >= 0x21 && c <= 0x7e) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What the JSON locator expects next. */
const S = { Value: 0, ValueOrClose: 1, ValueAfterComma: 2, KeyOrClose: 3, KeyAfterComma: 4, Colon: 5, After: 6 } as const;
type State = (typeof S)[keyof typeof S];

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Where `text` stops being JSON (RFC 8259, exactly what JSON.parse accepts) and why, or null if it is valid.
 * Only run after JSON.parse has failed, because engines do not always report a position.
 */
export function locateJsonError(text: string): { offset: number; message: string } | null {
  const stack: number[] = []; // 1: list, 2: object
  const n = text.length;
  let state = S.Value as State; // widened: value() also assigns it
  let i = 0;
  const found: { error: { offset: number; message: string } | null } = { error: null };
  const err = (offset: number, message: string) => {
    found.error = { offset, message };
    return -1;
  };

  const string = (start: number): number => {
    let j = start + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x22) return j + 1;
      if (c === 0x5c) {
        const e = text.charCodeAt(j + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (!isHex(text.charCodeAt(j + k))) return err(j, 'a \\u escape needs four hex digits');
          }
          j += 6;
        } else if ('"\\/bfnrt'.includes(text[j + 1] ?? 'x')) j += 2;
        else if (j + 1 >= n) break;
        else return err(j, `${describeChar(text, j + 1, false)} cannot follow a backslash in a string`);
      } else if (c < 0x20) {
        return err(j, c === 0x0a || c === 0x0d ? 'a string runs past the end of its line (write a line break as \\n)' : `a string holds the control character ${describeChar(text, j, false)}`);
      } else j++;
    }
    return err(start, 'a string is never closed');
  };

  const number = (start: number): number => {
    let j = start;
    if (text.charCodeAt(j) === 0x2d) j++;
    if (text.charCodeAt(j) === 0x30) {
      j++;
      if (isDigit(text.charCodeAt(j))) return err(start, 'a number cannot start with 0');
    } else if (isDigit(text.charCodeAt(j))) {
      while (isDigit(text.charCodeAt(j))) j++;
    } else return err(start, "a '-' must be followed by digits");
    if (text.charCodeAt(j) === 0x2e) {
      j++;
      if (!isDigit(text.charCodeAt(j))) return err(j, 'a decimal point must be followed by digits');
      while (isDigit(text.charCodeAt(j))) j++;
    }
    if (text.charCodeAt(j) === 0x65 || text.charCodeAt(j) === 0x45) {
      j++;
      if (text.charCodeAt(j) === 0x2b || text.charCodeAt(j) === 0x2d) j++;
      if (!isDigit(text.charCodeAt(j))) return err(j, 'an exponent must have digits');
      while (isDigit(text.charCodeAt(j))) j++;
    }
    return j;
  };

  const value = (c: number): number => {
    if (c === 0x7b) {
      stack.push(2);
      state = S.KeyOrClose;
      return i + 1;
    }
    if (c === 0x5b) {
      stack.push(1);
      state = S.ValueOrClose;
      return i + 1;
    }
    state = S.After;
    if (c === 0x22) return string(i);
    if (c === 0x2d || isDigit(c)) return number(i);
    for (const lit of ['true', 'false', 'null']) if (text.startsWith(lit, i)) return i + lit.length;
    if (c === 0x27) return err(i, 'strings must be in double quotes, not single quotes');
    const what = describeChar(text, i);
    if (/^"(NaN|Infinity|undefined)"$/.test(what)) return err(i, `unexpected ${what}: it is not a JSON value`);
    return err(i, `unexpected ${what} where a value should be`);
  };

  for (;;) {
    while (i < n && isWs(text.charCodeAt(i))) i++;
    if (i >= n) {
      if (state === S.After && stack.length === 0) return null;
      if (stack.length === 0 && state === S.Value) return { offset: n, message: 'the file is empty' };
      const open = stack.length;
      return { offset: n, message: `the file ends too early (${open} bracket${open === 1 ? ' is' : 's are'} still open)` };
    }
    const c = text.charCodeAt(i);
    if (c === 0x2f && (text[i + 1] === '/' || text[i + 1] === '*')) return { offset: i, message: 'comments are not allowed in JSON' };
    let next = i + 1;
    switch (state) {
      case S.Value:
      case S.ValueOrClose:
      case S.ValueAfterComma:
        if (state === S.ValueOrClose && c === 0x5d) {
          stack.pop();
          state = S.After;
        } else if (state === S.ValueAfterComma && c === 0x5d) {
          return { offset: i, message: "a comma before ']' (JSON does not allow trailing commas)" };
        } else next = value(c);
        break;
      case S.KeyOrClose:
      case S.KeyAfterComma:
        if (state === S.KeyOrClose && c === 0x7d) {
          stack.pop();
          state = S.After;
        } else if (c === 0x22) {
          next = string(i);
          state = S.Colon;
        } else if (c === 0x7d) {
          return { offset: i, message: "a comma before '}' (JSON does not allow trailing commas)" };
        } else if (c === 0x27) {
          return { offset: i, message: 'property names must be in double quotes, not single quotes' };
        } else {
          return { offset: i, message: `expected a property name in double quotes, found ${describeChar(text, i)}` };
        }
        break;
      case S.Colon:
        if (c !== 0x3a) return { offset: i, message: `expected ':' after a property name, found ${describeChar(text, i)}` };
        state = S.Value;
        break;
      case S.After: {
        const top = stack[stack.length - 1];
        if (top === undefined) return { offset: i, message: `unexpected ${describeChar(text, i)} after the end of the document` };
        if (c === 0x2c) state = top === 1 ? S.ValueAfterComma : S.KeyAfterComma;
        else if ((top === 1 && c === 0x5d) || (top === 2 && c === 0x7d)) stack.pop();
        else {
          return {
            offset: i,
            message:
              top === 1
                ? `expected ',' or ']' after a list item, found ${describeChar(text, i)}`
                : `expected ',' or '}' after a property value, found ${describeChar(text, i)}`,
          };
        }
        break;
      }
    }
    if (next < 0) return found.error;
    i = next;
  }
}
