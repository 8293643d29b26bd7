/**
 * Fuzzed loading: thousands of seeded mutations of a valid document, at the value level (keys deleted, types
 * changed, huge and NaN-like values, deep nesting, hostile keys) and the text level (truncation, flipped and
 * inserted characters). Whatever comes in, loading returns a value: a document that saves and reloads to the
 * same text, or problems with codes.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng';
import { locateJsonError } from './jsonText';
import { parseDocument, serializeDocument } from './load';
import { HnetDocument } from './schema';

const base = {
  format: 'hypernet-studio',
  version: 1,
  metadata: { name: 'Fuzz', description: 'base document', citation: 'Ha et al. 2016' },
  nodes: [
    { id: 'data', type: 'data.sinusoid', params: { noise: 0.1 }, position: { x: 0, y: 0 } },
    { id: 'emb', type: 'context.task_embedding', params: { dim: 8 }, position: { x: 100, y: 0 }, label: 'Task' },
    { id: 'head', type: 'head.mlp', params: { hidden: [32, 32], activation: 'relu' }, position: { x: 200, y: 0 } },
    { id: 'dense', type: 'target.dense', params: { units: 40 }, position: { x: 300, y: 0 } },
    { id: 'loss', type: 'objective.mse', params: {}, position: { x: 400, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'data', sourcePort: 'task', target: 'emb', targetPort: 'task' },
    { id: 'e2', source: 'emb', sourcePort: 'embedding', target: 'head', targetPort: 'context' },
    { id: 'e3', source: 'head', sourcePort: 'weights', target: 'dense', targetPort: 'kernel' },
    { source: 'dense', sourcePort: 'y', target: 'loss', targetPort: 'prediction' },
  ],
  data: { maxEvalSamples: 100, evalBatchSize: 50 },
  training: { optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 }, batchSize: 16, steps: 100, seed: 3, tasks: [0, 1], schedule: 'interleaved' },
  ui: { viewport: { x: 0, y: 0, zoom: 1 } },
};

const WEIRD_VALUES: unknown[] = [
  null, true, false, 0, -0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 1e21,
  '', 'NaN', 'Infinity', '-Infinity', '1e999', '-0', 'undefined', '__proto__', '<script>alert(1)</script>',
  '\u0000', '\ud800', 'x'.repeat(300), [], [null], {}, { type: 'adam' }, { x: 1, y: 2 },
];
const WEIRD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', 'type', 'id', 'version', 'format'];
const TEXT_SNIPPETS = ['1e999', '-1e999', 'NaN', '{', '}', '[', ']', ',', ':', '"', '\\', '\\u', 'null', '"__proto__":{"a":1},', '\u2028', '\ufeff', '/*', '0x10', "'"];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** Every object and array in a value, with the container it sits in. */
function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (typeof v === 'object' && v !== null) {
    out.push(v as Record<string, unknown>);
    for (const child of Object.values(v)) containers(child, out);
  }
  return out;
}

function nested(rng: Rng): unknown {
  let v: unknown = pick(rng, WEIRD_VALUES);
  const depth = rng.int(3) === 0 ? 60 + rng.int(20) : 1 + rng.int(10);
  for (let i = 0; i < depth; i++) v = rng.int(2) ? [v] : { k: v };
  return v;
}

function mutateValue(rng: Rng, doc: unknown): void {
  const all = containers(doc);
  const target = pick(rng, all);
  const keys = Object.keys(target);
  const setKey = (k: string, v: unknown) => Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
  switch (rng.int(6)) {
    case 0: // delete a key / element
      if (keys.length) {
        if (Array.isArray(target)) target.splice(rng.int(target.length), 1);
        else delete target[pick(rng, keys)];
      }
      break;
    case 1: // change a value's type
      if (keys.length) setKey(pick(rng, keys), pick(rng, WEIRD_VALUES));
      break;
    case 2: // deep nesting
      if (keys.length) setKey(pick(rng, keys), nested(rng));
      break;
    case 3: // a hostile or colliding key
      if (!Array.isArray(target)) setKey(pick(rng, WEIRD_KEYS), pick(rng, WEIRD_VALUES));
      break;
    case 4: // a number at an edge
      if (keys.length) setKey(pick(rng, keys), pick(rng, [1e308, -1e308, 2 ** 31, 2 ** 53, -1, 0, 1e-320, 65_537, 10_001]));
      break;
    default: // grow a list
      if (Array.isArray(target)) target.push(...Array.from({ length: 1 + rng.int(3) }, () => pick(rng, WEIRD_VALUES)));
  }
}

function mutateText(rng: Rng, text: string): string {
  const at = rng.int(text.length + 1);
  switch (rng.int(5)) {
    case 0:
      return text.slice(0, at); // truncate
    case 1: {
      const code = rng.int(3) ? 32 + rng.int(95) : rng.int(0x10000);
      return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1); // flip a character
    }
    case 2:
      return text.slice(0, at) + pick(rng, TEXT_SNIPPETS) + text.slice(at); // insert a snippet
    case 3: {
      const to = at + rng.int(50);
      return text.slice(0, at) + text.slice(to); // cut a piece out
    }
    default: {
      const from = rng.int(text.length);
      return text.slice(0, at) + text.slice(from, from + rng.int(40)) + text.slice(at); // duplicate a piece
    }
  }
}

/** How often each code came first, across the fuzz runs below (they run in order). */
const codeCounts: Record<string, number> = {};

function check(text: string): 'ok' | 'problems' {
  const r = parseDocument(text);
  expect(typeof r.ok).toBe('boolean');
  if (r.ok) {
    // A document that loads is a valid document, saves, and reloads to the same text.
    expect(HnetDocument.safeParse(r.doc).success).toBe(true);
    const saved = serializeDocument(r.doc);
    const again = parseDocument(saved);
    expect(again.ok).toBe(true);
    if (again.ok) expect(serializeDocument(again.doc)).toBe(saved);
    return 'ok';
  }
  expect(r.problems.length).toBeGreaterThan(0);
  codeCounts[r.problems[0].code] = (codeCounts[r.problems[0].code] ?? 0) + 1;
  for (const p of r.problems) {
    expect(p.code).toMatch(/^HN00[1-4]$/);
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
    if (p.code === 'HN001' && !/larger than/.test(p.message)) expect(p.line).toBeGreaterThan(0);
  }
  return 'problems';
}

describe('fuzzed documents', () => {
  it('the base document is valid', () => {
    expect(check(JSON.stringify(base))).toBe('ok');
  });

  it('value-level mutations never throw and always give a document or coded problems', () => {
    const rng = new Rng(20_240_601);
    const seen = { ok: 0, problems: 0 };
    for (let i = 0; i < 2000; i++) {
      const doc = structuredClone(base);
      const n = 1 + rng.int(4);
      for (let j = 0; j < n; j++) mutateValue(rng, doc);
      seen[check(JSON.stringify(doc))]++;
    }
    // Both outcomes happen, so the mutations neither always break nor never break the document.
    expect(seen.ok).toBeGreaterThan(100);
    expect(seen.problems).toBeGreaterThan(100);
  });

  it('text-level mutations never throw and always give a document or coded problems', () => {
    const rng = new Rng(7);
    const seen = { ok: 0, problems: 0 };
    const texts = [JSON.stringify(base), JSON.stringify(base, null, 2)];
    for (let i = 0; i < 3000; i++) {
      let text = pick(rng, texts);
      const n = 1 + rng.int(3);
      for (let j = 0; j < n; j++) text = mutateText(rng, text);
      seen[check(text)]++;
      // The syntax-error locator agrees with JSON.parse on every text.
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(locateJsonError(text) === null).toBe(valid);
    }
    expect(seen.ok).toBeGreaterThan(50);
    expect(seen.problems).toBeGreaterThan(500);
  });

  it('reached every document-level problem class', () => {
    expect(Object.keys(codeCounts).sort()).toEqual(['HN001', 'HN002', 'HN003', 'HN004']);
  });

  it('leaves Object.prototype alone', () => {
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
