/**
 * The one place where names cross between the program IR and generated code (both generators use it).
 *
 * IR names are canonical: parameters are `<node>.<param>` (`hyper.hidden0.weight`), values `<node>.<what>`
 * (`hyper.hidden0.out`), generated weights are addressed as `<target>.<port>` (`dense_1.kernel`). Those names stay
 * the keys of weight files and dictionaries; identifiers are derived from them here, valid in the target
 * language, never a keyword, unique within a scope and the same on every run.
 *
 * User text (document name, description, citation, node labels, loss and metric names) never becomes an
 * identifier or a comment: it is emitted as a string literal through `pyString` / `tsString` only.
 */
import { plainText } from './plainText';

/** Python keywords (soft ones included) and names the generated Python relies on. */
const PYTHON_RESERVED = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type', '_',
  // Builtins and modules generated code uses; shadowing one would break the code that follows.
  'abs', 'all', 'any', 'bool', 'dict', 'enumerate', 'float', 'getattr', 'input', 'int', 'isinstance', 'iter', 'len', 'list',
  'map', 'max', 'min', 'next', 'object', 'open', 'print', 'range', 'round', 'set', 'setattr', 'slice', 'sorted', 'str',
  'sum', 'super', 'tuple', 'zip', 'id', 'format', 'hash', 'vars', 'locals', 'globals', 'self', 'cls',
  'torch', 'nn', 'F', 'np', 'math', 'json', 'os', 'sys', 'time', 'gzip', 'argparse',
]);

/** TypeScript/JavaScript reserved words, strict-mode restrictions and names the generated TypeScript relies on. */
const TS_RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface',
  'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'any', 'boolean', 'number', 'string', 'symbol',
  'type', 'from', 'of', 'async', 'await', 'get', 'set', 'declare', 'module', 'namespace', 'require', 'undefined', 'NaN',
  'Infinity', 'eval', 'arguments', 'never', 'unknown', 'object', 'keyof', 'readonly', 'infer', 'is', 'asserts', 'unique',
  'override', 'accessor', 'satisfies', 'constructor', 'Object', 'Array', 'Math', 'JSON', 'Number', 'String', 'Map',
  'Set', 'Error', 'Float32Array', 'Int32Array', 'Promise', 'console',
  'tf', 'params', 'inputs', 'training', 'seed', 'step',
]);

export type Language = 'python' | 'typescript';

const isReserved = (lang: Language, name: string) => (lang === 'python' ? PYTHON_RESERVED : TS_RESERVED).has(name);

/** Words of a name: runs of ASCII letters and digits, split at anything else (`.`, `-`, `_`, spaces, symbols). */
function words(raw: string): string[] {
  return raw.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
}

/** snake_case identifier (Python locals, attributes): `hyper.hidden0.out` -> `hyper_hidden0_out`. */
export function snakeCase(raw: string): string {
  const w = words(raw);
  let id = w.join('_');
  if (id === '' || /^[0-9]/.test(id)) id = `v_${id}`.replace(/_$/, '');
  return id;
}

/** camelCase identifier (TypeScript locals): `dense_1.kernel` -> `dense1Kernel`. */
export function camelCase(raw: string): string {
  const w = words(raw);
  let id = w.map((s, i) => (i === 0 ? s.charAt(0).toLowerCase() + s.slice(1) : s.charAt(0).toUpperCase() + s.slice(1))).join('');
  if (id === '' || /^[0-9]/.test(id)) id = `v${id}`;
  return id;
}

/** PascalCase identifier (classes): `dense_1` -> `Dense1`, `hyper` -> `Hyper`. */
export function pascalCase(raw: string): string {
  const c = camelCase(raw);
  return /^v[0-9]/.test(c) || c === 'v' ? `V${c.slice(1)}` : c.charAt(0).toUpperCase() + c.slice(1);
}

/**
 * A set of identifiers that must not collide (one Python function, one class's attributes, one TypeScript
 * module). `name(key, hint)` returns the same identifier for the same key and a fresh one (suffixed `_2`, `_3`,
 * ...) when two keys would map to the same text or to a reserved word. Allocation order decides suffixes, and
 * generators allocate in program order, so output is deterministic.
 */
export class Scope {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(
    readonly lang: Language,
    reserved: Iterable<string> = [],
    private readonly parent?: Scope,
  ) {
    for (const r of reserved) this.used.add(r);
  }

  private taken(name: string): boolean {
    return this.used.has(name) || isReserved(this.lang, name) || (this.parent?.taken(name) ?? false);
  }

  /** The identifier for `key`; `hint` (default: the key) is converted with the language's case convention. */
  name(key: string, hint: string = key): string {
    const got = this.byKey.get(key);
    if (got) return got;
    const base = this.lang === 'python' ? snakeCase(hint) : camelCase(hint);
    let id = base;
    for (let i = 2; this.taken(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }

  /** Like `name`, with `identifier` taken as it is (already valid, e.g. a class name), suffixed on collision. */
  nameAs(key: string, identifier: string): string {
    const got = this.byKey.get(key);
    if (got) return got;
    let id = identifier;
    for (let i = 2; this.taken(id); i++) id = `${identifier}${i}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Reserve an exact identifier (e.g. a function argument) for `key`; throws if it is already used. */
  reserve(key: string, id: string): string {
    if (this.taken(id)) throw new Error(`identifier ${id} is already used`);
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }

  child(reserved: Iterable<string> = []): Scope {
    return new Scope(this.lang, reserved, this);
  }
}

/** A value id without its node prefix (`hyper.hidden0.out` in node `hyper` -> `hidden0.out`). */
export function localPart(id: string, node: string): string {
  return id.startsWith(`${node}.`) ? id.slice(node.length + 1) : id;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * A Python string literal for any text: double-quoted, ASCII only. Quotes, backslashes and every character
 * outside printable ASCII (newlines, U+2028, bidi controls, emoji, lone surrogates) are escaped, so the literal
 * is one line that cannot end early and reads the same in any editor.
 */
export function pyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp < 0x100) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/**
 * A TypeScript string literal for any text: JSON.stringify (which escapes quotes, backslashes and control
 * characters), with every non-ASCII character escaped as \uXXXX too so bidi controls and line separators
 * cannot hide or reorder code in an editor.
 */
export function tsString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

/** A Python float literal that reads back as the same double (`1.0`, `0.001`, `1e-07`, `float("inf")`). */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'float("nan")';
  if (n === Infinity) return 'float("inf")';
  if (n === -Infinity) return '-float("inf")';
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A TypeScript number literal (the shortest text that reads back as the same double). */
export function tsNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return Object.is(n, -0) ? '-0' : String(n);
}

/** A Python int literal. */
export function pyInt(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`${n} is not an integer`);
  return String(n);
}

/** A package or folder name made of [a-z0-9-] from free text (`Sinusoid family` -> `sinusoid-family`). */
export function slug(raw: string, fallback = 'hypernet'): string {
  const s = raw
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return s || fallback;
}

/**
 * Markdown text that renders as the given text: HTML special characters become entities and the punctuation
 * that opens Markdown structure inside a line is backslash-escaped, so a description cannot open a code span or
 * fence, a link, emphasis or raw HTML. Callers keep it off the start of a line (quote it, or prefix it).
 */
export function markdownText(s: string): string {
  return plainText(s, { multiline: true })
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
    .replace(/[\\`*_[\]#|~]/g, (c) => `\\${c}`)
    .replace(/\r\n?|[\u2028\u2029]/g, '\n');
}
