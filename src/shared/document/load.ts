/**
 * The load boundary: text (or an already-parsed value) in, a checked {@link HnetDocument} or a list of problems
 * out, and the stable text a document is saved as.
 *
 * Loading never throws, never evaluates anything from the file, and is bounded for hostile input: files over
 * {@link MAX_DOCUMENT_BYTES} and values nested deeper than {@link MAX_DEPTH} are refused before anything
 * recursive touches them, `__proto__` keys are refused, and only plain JSON data gets through. The checks that
 * need the node registry (duplicate ids, unknown types, dangling edges, node params) belong to the compiler.
 *
 * @example
 * const r = parseDocument(text);
 * if (!r.ok) for (const p of r.problems) console.error(formatProblem(p));
 * else save(serializeDocument(r.doc));
 */
import type { z } from 'zod';
import { problem, type HnetProblem } from '../compiler/errors';
import { findTooDeep, lineColumn, locateJsonError, utf8LengthOver } from './jsonText';
import { migrate, type RawDocument } from './migrations';
import {
  CURRENT_VERSION,
  DataSettings,
  DocEdge,
  DocNode,
  FORMAT_NAME,
  HnetDocument,
  Metadata,
  Optimizer,
  Position,
  Training,
} from './schema';

/** Largest document accepted, in UTF-8 bytes. */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
/** Deepest nesting accepted; the document itself is level 1. Real documents stay under 10. */
export const MAX_DEPTH = 64;
/** Problems reported at most per load; the rest are summed up in one last problem. */
export const MAX_PROBLEMS = 50;
/** Unknown-field warnings reported at most per load. */
export const MAX_WARNINGS = 20;

/** A load problem; JSON syntax problems also say where in the text they are (1-based). */
export interface LoadProblem extends HnetProblem {
  line?: number;
  column?: number;
}

export type LoadResult =
  | { ok: true; doc: HnetDocument; warnings: string[] }
  | { ok: false; problems: LoadProblem[] };

type Segment = string | number;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const fail = (problems: LoadProblem[]): LoadResult => ({ ok: false, problems });

// ---------------------------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------------------------

/** Parse and check the text of a `*.hnet.json` file. */
export function parseDocument(text: string): LoadResult {
  try {
    if (typeof text !== 'string') return fail([problem('HN001', 'expected the text of a document')]);
    if (utf8LengthOver(text, MAX_DOCUMENT_BYTES) > MAX_DOCUMENT_BYTES) {
      const mb = MAX_DOCUMENT_BYTES / (1024 * 1024);
      return fail([problem('HN001', `the file is larger than ${mb} MB; Hypernet Studio opens documents up to ${mb} MB`)]);
    }
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const deep = findTooDeep(body, MAX_DEPTH);
    if (deep >= 0) {
      const at = lineColumn(body, deep);
      return fail([
        {
          ...problem('HN004', `the document is nested deeper than ${MAX_DEPTH} levels (line ${at.line}, column ${at.column})`),
          ...at,
        },
      ]);
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return fail([jsonProblem(body, e)]);
    }
    return validate(value, true);
  } catch (e) {
    return fail([unexpected(e)]);
  }
}

/**
 * Check an already-parsed value (from IPC, a clipboard, a test) exactly as {@link parseDocument} checks text.
 * The document returned may share unknown-field values with `value`.
 */
export function validateDocumentValue(value: unknown): LoadResult {
  return validate(value, false);
}

/** `fromJson`: the value came from JSON.parse, so it is a tree of plain data and needs no cycle bookkeeping. */
function validate(value: unknown, fromJson: boolean): LoadResult {
  try {
    if (!isRecord(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
      return fail([problem('HN002', `${notADocument} (it is ${what}, not an object)`)]);
    }
    if (value.format !== FORMAT_NAME) {
      const found =
        value.format === undefined ? 'there is no "format" field' : `found "format": ${describeValue(value.format)}`;
      return fail([problem('HN002', `${notADocument} (${found})`, { path: 'format' })]);
    }
    const dataProblems = checkPlainData(value, fromJson);
    if (dataProblems.length) return fail(capProblems(dataProblems));

    const migrated = migrate(value);
    if (!migrated.ok) return fail(migrated.problems);
    const raw = migrated.value;

    const parsed = HnetDocument.safeParse(raw, { reportInput: true });
    if (!parsed.success) return fail(capProblems(parsed.error.issues.map((issue) => issueProblem(issue, raw))));

    const warnings: string[] = [];
    if (migrated.applied.length) {
      warnings.push(
        `this file uses version ${migrated.from} of the format; it was converted to version ${CURRENT_VERSION} ` +
          `(${migrated.applied.map((m) => m.describe).join('; ')}) and will be saved as version ${CURRENT_VERSION}`,
      );
    }
    warnings.push(...unknownFieldWarnings(raw));
    return { ok: true, doc: parsed.data, warnings };
  } catch (e) {
    return fail([unexpected(e)]);
  }
}

const notADocument = `not a Hypernet Studio document: expected "format": "${FORMAT_NAME}"`;

function unexpected(e: unknown): LoadProblem {
  const why = e instanceof Error ? e.message : String(e);
  return problem('HN004', `the document could not be checked: ${why.slice(0, 200)}`);
}

function capProblems(problems: LoadProblem[]): LoadProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.length - MAX_PROBLEMS;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    problem(problems[MAX_PROBLEMS].code, `and ${rest} more problem${rest === 1 ? '' : 's'} not listed here`),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Saving
// ---------------------------------------------------------------------------------------------------------------

const keysOf = (schema: { shape: Record<string, unknown> }): string[] => Object.keys(schema.shape);

/** `$schema` (an editor hint pointing at docs/hnet.schema.json) stays first, where editors expect it. */
const TOP_ORDER = ['$schema', 'format', 'version', 'metadata', 'nodes', 'edges', 'data', 'training', 'fullBudget', 'ui'];
/** Params last: they are the longest part of a node, and id/type/label read best together. */
const NODE_ORDER = ['id', 'type', 'label', 'parent', 'bypass', 'position', 'params', 'block'];

function ordered(value: unknown, order: readonly string[], nested: Record<string, (v: unknown) => unknown> = {}): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const known = order.filter((k) => Object.prototype.hasOwnProperty.call(value, k));
  const rest = keys.filter((k) => !order.includes(k));
  // fromEntries defines properties, so even a `__proto__` key would stay plain data.
  return Object.fromEntries([...known, ...rest].map((k) => [k, nested[k] ? nested[k](value[k]) : value[k]]));
}

const orderOptimizer = (v: unknown): unknown => {
  const option = isRecord(v) ? Optimizer.options.find((o) => o.shape.type.value === v.type) : undefined;
  return ordered(v, option ? keysOf(option) : ['type']);
};
const orderNode = (v: unknown): unknown => ordered(v, NODE_ORDER, { position: (p) => ordered(p, keysOf(Position)) });
const orderEdge = (v: unknown): unknown => ordered(v, keysOf(DocEdge));
const eachOf = (fn: (v: unknown) => unknown) => (v: unknown) => (Array.isArray(v) ? v.map(fn) : v);

/**
 * The saved text of a document: 2-space JSON with a trailing newline, known fields in a fixed order
 * (format, version, metadata, nodes, edges, data, training, fullBudget, ui), unknown fields after them in the order they
 * came. Saving what was loaded and loading it again gives the same text.
 */
export function serializeDocument(doc: HnetDocument): string {
  const value = ordered(doc, TOP_ORDER, {
    metadata: (v) => ordered(v, keysOf(Metadata)),
    nodes: eachOf(orderNode),
    edges: eachOf(orderEdge),
    data: (v) => ordered(v, keysOf(DataSettings)),
    training: (v) => ordered(v, keysOf(Training), { optimizer: orderOptimizer }),
  });
  return `${JSON.stringify(value, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Paths and values in messages
// ---------------------------------------------------------------------------------------------------------------

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A readable JSON path: `nodes[3].params`, `training.batchSize`, `metadata["odd key"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (IDENTIFIER.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key)}]`;
    }
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function listOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

interface Where {
  path: string;
  node?: string;
  /** How the message names the field: relative to its node when there is one, else its last key. */
  subject: string;
}

/** Where a path points, for a problem: the node it is inside (by id) and the field's name. */
function locate(path: readonly Segment[], raw: RawDocument): Where {
  const where: Where = { path: formatPath(path), subject: 'the document' };
  if (!path.length) return where;
  if (path[0] === 'nodes' && typeof path[1] === 'number' && path.length > 2 && Array.isArray(raw.nodes)) {
    const node: unknown = raw.nodes[path[1]];
    const id = isRecord(node) ? node.id : undefined;
    if (typeof id === 'string' && id.length > 0 && id.length <= 200) {
      return { ...where, node: id, subject: formatPath(path.slice(2)) };
    }
  }
  let k = path.length - 1;
  while (k > 0 && typeof path[k] === 'number') k--;
  return { ...where, subject: formatPath(path.slice(k)) };
}

function at(where: Where, code: HnetProblem['code'], predicate: string): LoadProblem {
  const place = where.node ? { path: where.path, node: where.node } : where.path ? { path: where.path } : {};
  return problem(code, `${where.subject} ${predicate}`, place);
}

// ---------------------------------------------------------------------------------------------------------------
// Zod issues as problems
// ---------------------------------------------------------------------------------------------------------------

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

function issueProblem(issue: z.core.$ZodIssue, raw: RawDocument): LoadProblem {
  const path = issue.path.filter((s): s is Segment => typeof s === 'string' || typeof s === 'number');
  const where = locate(path, raw);
  const input = issue.input;
  const found = (v: unknown = input): string =>
    'received' in issue && (issue.received === 'NaN' || issue.received === 'Infinity') ? String(issue.received) : describeValue(v);
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return at(where, 'HN004', 'is required');
      return at(where, 'HN004', `must be ${TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`}, not ${found()}`);
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
      const inclusive = issue.inclusive !== false;
      if (issue.origin === 'string') {
        const len = typeof input === 'string' ? ` (it has ${input.length})` : '';
        if (small && limit === 1) return at(where, 'HN004', 'must not be empty');
        return at(where, 'HN004', `must be at ${small ? 'least' : 'most'} ${limit} characters long${len}`);
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        const len = Array.isArray(input) ? ` (it has ${input.length})` : '';
        return at(where, 'HN004', `must have at ${small ? 'least' : 'most'} ${limit} item${limit === 1 ? '' : 's'}${len}`);
      }
      const bound = inclusive ? `at ${small ? 'least' : 'most'} ${limit}` : `${small ? 'greater' : 'less'} than ${limit}`;
      return at(where, 'HN004', `must be ${bound}, not ${found()}`);
    }
    case 'invalid_value': {
      const expected = issue.values.length === 1 ? listOf(issue.values) : `one of ${listOf(issue.values)}`;
      if (input === undefined) return at(where, 'HN004', `is required: ${expected}`);
      return at(where, 'HN004', `must be ${expected}, not ${found()}`);
    }
    case 'invalid_union': {
      if (issue.discriminator && 'options' in issue && issue.options) {
        const value = isRecord(input) ? input[issue.discriminator] : undefined;
        const expected = `one of ${listOf(issue.options)}`;
        if (value === undefined) return at(where, 'HN004', `is required: ${expected}`);
        return at(where, 'HN004', `must be ${expected}, not ${found(value)}`);
      }
      return at(where, 'HN004', `does not match any of the allowed forms (found ${found()})`);
    }
    case 'invalid_format': {
      const custom = !/^Invalid/.test(issue.message);
      return at(where, 'HN004', `${custom ? issue.message : 'is not in the expected format'} (found ${found()})`);
    }
    case 'not_multiple_of':
      return at(where, 'HN004', `must be a multiple of ${issue.divisor}, not ${found()}`);
    case 'custom':
      return at(where, 'HN004', issue.message);
    default:
      return at(where, 'HN004', `is invalid: ${issue.message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Plain JSON data, bounded depth, no __proto__
// ---------------------------------------------------------------------------------------------------------------

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  // The last case admits plain objects made in another realm (their Object.prototype is not ours).
  return proto === null || proto === Object.prototype || (proto !== null && Object.getPrototypeOf(proto) === null);
}

/** `a Date`, `a Map`, `an instance of Thing`: what a non-plain object is, for a message. */
function kindOf(v: object): string {
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  if (tag !== 'Object') return `a ${tag}`;
  const ctor: unknown = (Object.getPrototypeOf(v) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === 'function' && ctor.name ? `an instance of ${ctor.name}` : 'an object that is not plain data';
}

/**
 * Problems that make a value unfit to be a document at all: nesting deeper than {@link MAX_DEPTH}, cycles,
 * `__proto__` keys, non-finite numbers, and values JSON cannot hold (functions, dates, maps, class instances).
 *
 * The walk recurses, but never deeper than MAX_DEPTH: it stops at the first level beyond it, so hostile nesting
 * cannot overflow the stack. With `tree` unset (values that did not come from JSON.parse) it also finds cycles,
 * and walks each shared subtree once: an editor may share unchanged subtrees, and walking them per path could
 * take exponential time.
 */
function checkPlainData(root: RawDocument, tree: boolean): LoadProblem[] {
  const problems: LoadProblem[] = [];
  // Not kept for JSON.parse output: it is a tree, and these would hold every object of a large document.
  const heights = tree ? null : new Map<object, number>();
  const active = tree ? null : new Set<object>();
  const path: Segment[] = [];
  let stop = false;
  const report = (predicate: string) => {
    problems.push(at(locate(path, root), 'HN004', predicate));
    if (problems.length > MAX_PROBLEMS) stop = true;
  };
  const tooDeep = () => {
    report(`is nested deeper than ${MAX_DEPTH} levels; documents may nest at most ${MAX_DEPTH} levels`);
    stop = true;
  };

  /** Walks `value` (at nesting level `depth`) and returns its height: levels from it to its deepest descendant. */
  const visit = (value: object, depth: number): number => {
    active?.add(value);
    let height = 1;
    const keys = Array.isArray(value) ? null : Object.keys(value);
    const n = keys ? keys.length : (value as unknown[]).length;
    for (let i = 0; i < n && !stop; i++) {
      const key: Segment = keys ? keys[i] : i;
      path.push(key);
      if (key === '__proto__') report('is not allowed as a field name');
      else {
        const child: unknown = (value as Record<Segment, unknown>)[key];
        switch (typeof child) {
          case 'string':
          case 'boolean':
            break;
          case 'number':
            if (!Number.isFinite(child)) report(`must be a finite number, not ${child}`);
            break;
          case 'undefined':
            // An absent optional field, which JSON.stringify leaves out; in a list it would silently become null.
            if (!keys) report('is undefined, which a document cannot hold');
            break;
          case 'object': {
            if (child === null) break;
            if (!Array.isArray(child) && !isPlainObject(child)) {
              report(`is ${kindOf(child)}, which a document cannot hold`);
              break;
            }
            if (active?.has(child)) {
              report('contains itself (a circular reference), which a document cannot hold');
              stop = true;
              break;
            }
            const known = heights?.get(child);
            if (depth + (known ?? 1) > MAX_DEPTH) {
              tooDeep();
              break;
            }
            height = Math.max(height, 1 + (known ?? visit(child, depth + 1)));
            break;
          }
          default:
            report(`is a ${typeof child}, which a document cannot hold`);
        }
      }
      path.pop();
    }
    active?.delete(value);
    heights?.set(value, height);
    return height;
  };

  visit(root, 1);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Unknown fields: kept, and reported as warnings so a typo in a hand-written file does not pass silently
// ---------------------------------------------------------------------------------------------------------------

const KNOWN = {
  top: new Set([...keysOf(HnetDocument), '$schema']),
  metadata: new Set(keysOf(Metadata)),
  data: new Set(keysOf(DataSettings)),
  training: new Set(keysOf(Training)),
  node: new Set(keysOf(DocNode)),
  position: new Set(keysOf(Position)),
  edge: new Set(keysOf(DocEdge)),
};

function optimizerKeys(type: unknown): Set<string> | undefined {
  const option = Optimizer.options.find((o) => o.shape.type.value === type);
  return option ? new Set(keysOf(option)) : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function suggestion(key: string, known: Set<string>): string {
  if (key.length < 3 || key.length > 64) return '';
  const lower = key.toLowerCase();
  let best = '';
  let bestDistance = 3;
  for (const k of known) {
    if (k.startsWith('$')) continue;
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best && bestDistance <= Math.min(2, key.length - 2) ? ` (did you mean "${best}"?)` : '';
}

function unknownFieldWarnings(raw: RawDocument): string[] {
  /** One entry per field name per place, so 500 nodes with the same extra field give one warning. */
  const groups = new Map<string, { path: Segment[]; count: number; hint: string; plural?: string }>();
  const scan = (value: unknown, known: Set<string> | undefined, path: Segment[], group?: string, plural?: string) => {
    if (!isRecord(value) || !known) return;
    for (const key of Object.keys(value)) {
      if (known.has(key)) continue;
      const id = `${group ?? formatPath(path)}\u0000${key}`;
      const entry = groups.get(id);
      if (entry) entry.count++;
      else groups.set(id, { path: [...path, key], count: 1, hint: suggestion(key, known), plural });
    }
  };
  scan(raw, KNOWN.top, []);
  scan(raw.metadata, KNOWN.metadata, ['metadata']);
  scan(raw.data, KNOWN.data, ['data']);
  scan(raw.training, KNOWN.training, ['training']);
  if (isRecord(raw.training)) {
    const opt = raw.training.optimizer;
    scan(opt, isRecord(opt) ? optimizerKeys(opt.type) : undefined, ['training', 'optimizer']);
  }
  if (Array.isArray(raw.nodes)) {
    raw.nodes.forEach((node: unknown, i) => {
      scan(node, KNOWN.node, ['nodes', i], 'nodes[]', 'nodes');
      if (isRecord(node)) scan(node.position, KNOWN.position, ['nodes', i, 'position'], 'nodes[].position', 'nodes');
    });
  }
  if (Array.isArray(raw.edges)) raw.edges.forEach((edge: unknown, i) => scan(edge, KNOWN.edge, ['edges', i], 'edges[]', 'edges'));

  const warnings: string[] = [];
  for (const { path, count, hint, plural } of groups.values()) {
    const where = formatPath(path);
    warnings.push(
      count === 1 || !plural
        ? `${where} is not a field this version knows; it is kept as it is${hint}`
        : `${formatPath(path.slice(-1))} is not a field this version knows (in ${count} ${plural}, first ${where}); it is kept as it is${hint}`,
    );
  }
  if (warnings.length > MAX_WARNINGS) {
    const rest = warnings.length - MAX_WARNINGS;
    return [...warnings.slice(0, MAX_WARNINGS), `and ${rest} more unknown field${rest === 1 ? '' : 's'}`];
  }
  return warnings;
}

function jsonProblem(text: string, e: unknown): LoadProblem {
  const found = locateJsonError(text);
  if (found) {
    const where = lineColumn(text, found.offset);
    return {
      ...problem('HN001', `the file is not valid JSON: ${found.message} (line ${where.line}, column ${where.column})`),
      ...where,
    };
  }
  // JSON.parse and the locator disagree (they should not): fall back to the engine's own message.
  const why = e instanceof Error ? e.message : String(e);
  return problem('HN001', `the file is not valid JSON: ${why.slice(0, 200)}`);
}
