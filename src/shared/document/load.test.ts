import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../compiler/errors';
import { locateJsonError } from './jsonText';
import { MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_PROBLEMS, parseDocument, serializeDocument, validateDocumentValue, type LoadProblem } from './load';
import { CURRENT_VERSION, type HnetDocument } from './schema';

const minimal = { format: 'hypernet-studio', version: CURRENT_VERSION, nodes: [] };

function ok(text: string): { doc: HnetDocument; warnings: string[] } {
  const r = parseDocument(text);
  if (!r.ok) throw new Error(`expected a document, got ${r.problems.map(formatProblem).join('; ')}`);
  return r;
}

function problems(input: string | unknown): LoadProblem[] {
  const r = typeof input === 'string' ? parseDocument(input) : validateDocumentValue(input);
  if (r.ok) throw new Error('expected problems, got a document');
  return r.problems;
}

const doc = (extra: Record<string, unknown> = {}) => JSON.stringify({ ...minimal, ...extra });
const node = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'target.dense', ...extra });

describe('valid documents', () => {
  it('loads a minimal document and fills every default', () => {
    const { doc: d, warnings } = ok(doc());
    expect(warnings).toEqual([]);
    expect(d).toEqual({
      format: 'hypernet-studio',
      version: CURRENT_VERSION,
      metadata: { name: 'Untitled', description: '' },
      nodes: [],
      edges: [],
      data: { maxEvalSamples: 2000, evalBatchSize: 500 },
      training: {
        optimizer: { type: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
        batchSize: 32,
        seed: 0,
        evalEvery: 200,
        schedule: 'sequential',
        backend: 'auto',
      },
    });
  });

  it('fills node and optimizer defaults', () => {
    const { doc: d } = ok(doc({ nodes: [node('a')], training: { optimizer: { type: 'sgd' } } }));
    expect(d.nodes[0]).toEqual({ id: 'a', type: 'target.dense', params: {}, position: { x: 0, y: 0 } });
    expect(d.training.optimizer).toEqual({ type: 'sgd', learningRate: 0.01, momentum: 0 });
  });

  it('round-trips: saving what was loaded gives stable text that loads to the same document', () => {
    const text = doc({ nodes: [node('a', { label: 'A', params: { units: 4 } })], edges: [{ source: 'a', sourcePort: 'y', target: 'a', targetPort: 'x' }] });
    const first = ok(text).doc;
    const saved = serializeDocument(first);
    const second = ok(saved).doc;
    expect(second).toEqual(first);
    expect(serializeDocument(second)).toBe(saved);
  });

  it('saves 2-space JSON with a trailing newline and a fixed key order', () => {
    const text = JSON.stringify({
      zeta: 1,
      training: { backend: 'cpu', optimizer: { epsilon: 1e-8, type: 'adam' }, batchSize: 8 },
      nodes: [{ params: {}, label: 'L', position: { y: 2, x: 1 }, type: 't', id: 'n', extra: true }],
      edges: [{ targetPort: 'x', target: 'n', sourcePort: 'y', source: 'n', id: 'e1' }],
      version: 1,
      alpha: 2,
      metadata: { description: 'd', name: 'N' },
      format: 'hypernet-studio',
      $schema: './hnet.schema.json',
    });
    const saved = serializeDocument(ok(text).doc);
    expect(saved.endsWith('}\n')).toBe(true);
    expect(saved).toMatch(/^\{\n {2}"\$schema"/);
    const top = Object.keys(JSON.parse(saved));
    expect(top).toEqual(['$schema', 'format', 'version', 'metadata', 'nodes', 'edges', 'data', 'training', 'zeta', 'alpha']);
    const parsed = JSON.parse(saved);
    expect(Object.keys(parsed.nodes[0])).toEqual(['id', 'type', 'label', 'position', 'params', 'extra']);
    expect(Object.keys(parsed.nodes[0].position)).toEqual(['x', 'y']);
    expect(Object.keys(parsed.edges[0])).toEqual(['id', 'source', 'sourcePort', 'target', 'targetPort']);
    expect(Object.keys(parsed.metadata)).toEqual(['name', 'description']);
    expect(Object.keys(parsed.training).slice(0, 2)).toEqual(['optimizer', 'batchSize']);
    expect(Object.keys(parsed.training.optimizer)).toEqual(['type', 'learningRate', 'beta1', 'beta2', 'epsilon']);
  });

  it('ignores a byte order mark', () => {
    expect(ok(`\uFEFF${doc()}`).doc.format).toBe('hypernet-studio');
  });

  it('loads the example in docs/FORMAT.md without warnings', () => {
    const md = readFileSync(new URL('../../../docs/FORMAT.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(md)?.[1];
    expect(example).toBeDefined();
    const { doc: d, warnings } = ok(example!);
    expect(warnings).toEqual([]);
    expect(d.nodes.map((n) => n.type)).toEqual([
      'data.sinusoid',
      'context.task_embedding',
      'head.mlp',
      'target.dense',
      'target.activation',
      'target.dense',
      'objective.mse',
      'metric.mse',
    ]);
    expect(d.edges).toContainEqual({ source: 'head', sourcePort: 'weights', target: 'dense_1', targetPort: 'kernel' });
  });
});

describe('unknown fields', () => {
  const text = JSON.stringify({
    ...minimal,
    topExtra: { nested: [1, { deep: true }] },
    metadata: { name: 'N', author: 'Ada' },
    nodes: [node('a', { color: '#f00', params: { units: 3, future: 'x' }, position: { x: 1, y: 2, z: 3 } })],
    edges: [{ source: 'a', sourcePort: 'y', target: 'a', targetPort: 'x', style: { dashed: true } }],
    data: { maxEvalSamples: 10, cache: 'disk' },
    training: { batchSize: 4, warmup: 100, optimizer: { type: 'adam', amsgrad: true } },
    ui: { viewport: { x: 0, y: 0, zoom: 1.5 } },
  });

  it('are kept through load and save, at every level', () => {
    const saved = JSON.parse(serializeDocument(ok(text).doc));
    expect(saved.topExtra).toEqual({ nested: [1, { deep: true }] });
    expect(saved.metadata.author).toBe('Ada');
    expect(saved.nodes[0].color).toBe('#f00');
    expect(saved.nodes[0].params).toEqual({ units: 3, future: 'x' });
    expect(saved.nodes[0].position).toEqual({ x: 1, y: 2, z: 3 });
    expect(saved.edges[0].style).toEqual({ dashed: true });
    expect(saved.data.cache).toBe('disk');
    expect(saved.training.warmup).toBe(100);
    expect(saved.training.optimizer.amsgrad).toBe(true);
    expect(saved.ui).toEqual({ viewport: { x: 0, y: 0, zoom: 1.5 } });
  });

  it('are reported as warnings, except in params and ui', () => {
    const { warnings } = ok(text);
    const all = warnings.join('\n');
    for (const path of ['topExtra', 'metadata.author', 'nodes[0].color', 'nodes[0].position.z', 'edges[0].style', 'data.cache', 'training.warmup', 'training.optimizer.amsgrad']) {
      expect(all).toContain(`${path} is not a field this version knows`);
    }
    expect(all).not.toMatch(/future|viewport/);
  });

  it('suggest the field a typo was meant to be', () => {
    const { warnings, doc: d } = ok(doc({ training: { batchsize: 8, sedd: 3 }, metdata: {} }));
    expect(warnings).toContainEqual(expect.stringMatching(/^training\.batchsize .*did you mean "batchSize"\?/));
    expect(warnings).toContainEqual(expect.stringMatching(/^training\.sedd .*did you mean "seed"\?/));
    expect(warnings).toContainEqual(expect.stringMatching(/^metdata .*did you mean "metadata"\?/));
    expect(d.training.batchSize).toBe(32);
  });

  it('are summed up once for many nodes, and $schema is not one', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => node(`n${i}`, { color: 'red' }));
    const { warnings } = ok(doc({ nodes, $schema: 'x' }));
    expect(warnings).toEqual([expect.stringMatching(/^color is not a field this version knows \(in 300 nodes, first nodes\[0\]\.color\)/)]);
  });

  it('warnings are capped', () => {
    const extras = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`extra${i}`, i]));
    const { warnings } = ok(doc(extras));
    expect(warnings).toHaveLength(21);
    expect(warnings[20]).toMatch(/and 80 more unknown fields/);
  });
});

describe('HN001: invalid JSON', () => {
  it.each([
    ['{"format": "hypernet-studio",\n  "version": 1,\n  "nodes": [}', 3, 13, /unexpected '}' where a value should be/],
    ['{"format": "hypernet-studio"\n  "version": 1}', 2, 3, /expected ',' or '}' after a property value, found '"'/],
    ['{"a": [1, 2,]}', 1, 13, /a comma before '\]' \(JSON does not allow trailing commas\)/],
    ['{"a": 1,}', 1, 9, /a comma before '\}'/],
    ["{'a': 1}", 1, 2, /property names must be in double quotes/],
    ['{a: 1}', 1, 2, /expected a property name in double quotes, found "a"/],
    ['{"a": NaN}', 1, 7, /unexpected "NaN": it is not a JSON value/],
    ['{"a": "line\nbreak"}', 1, 12, /a string runs past the end of its line/],
    ['{"a": "\\x"}', 1, 8, /'x' cannot follow a backslash/],
    ['{"a": "\\u12"}', 1, 8, /four hex digits/],
    ['{"a": 012}', 1, 7, /a number cannot start with 0/],
    ['{"a": 1.}', 1, 9, /decimal point must be followed by digits/],
    ['{"a": 1e+}', 1, 10, /exponent must have digits/],
    ['{"a": -x}', 1, 7, /'-' must be followed by digits/],
    ['{"a": "open', 1, 7, /a string is never closed/],
    ['{"a": [1, 2', 1, 12, /the file ends too early \(2 brackets are still open\)/],
    ['{} {}', 1, 4, /unexpected '\{' after the end of the document/],
    ['// comment\n{}', 1, 1, /comments are not allowed/],
    ['{"a": tru}', 1, 7, /unexpected "tru"/],
    ['{"a" 1}', 1, 6, /expected ':' after a property name/],
    ['[1 2]', 1, 4, /expected ',' or '\]' after a list item/],
    ['\r\n\r\n  x', 3, 3, /unexpected "x"/],
    ['', 1, 1, /the file is empty/],
    ['   \n ', 2, 2, /the file is empty/],
  ])('%j -> line %i, column %i', (text, line, column, pattern) => {
    const [p] = problems(text);
    expect(p.code).toBe('HN001');
    expect(p).toMatchObject({ line, column });
    expect(p.message).toMatch(/^the file is not valid JSON: /);
    expect(p.message).toMatch(pattern);
    expect(p.message).toContain(`(line ${line}, column ${column})`);
  });

  it('locates an error exactly when JSON.parse rejects the text', () => {
    const samples = ['1', '"\\u00e9"', '[]', '{"a":[{"b":null}]}', '-0.5e-3', ' true ', '"\ud800"', '[1,]', '{"a":1}}', 'nul', '"\t"', '"a\\'];
    for (const s of samples) {
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect(locateJsonError(s) === null, s).toBe(valid);
    }
  });

  it('refuses files over 50 MB before parsing them', () => {
    const big = `{"format":"hypernet-studio","version":1,"nodes":[],"pad":"${'x'.repeat(MAX_DOCUMENT_BYTES)}"}`;
    const [p] = problems(big);
    expect(p.code).toBe('HN001');
    expect(p.message).toMatch(/larger than 50 MB; Hypernet Studio opens documents up to 50 MB/);
  });

  it('counts bytes, not characters, near the limit', () => {
    // 17.5 M three-byte characters: under 50 M characters, over 50 MB.
    const text = `"${'\u20ac'.repeat(17_500_000)}"`;
    expect(problems(text)[0].message).toMatch(/larger than 50 MB/);
  });

  it('never throws on a value that is not text', () => {
    expect(problems(undefined as unknown as string)).toBeDefined();
    expect(parseDocument(42 as unknown as string).ok).toBe(false);
  });
});

describe('HN002: not a document', () => {
  it.each([
    ['[1, 2]', /it is a list, not an object/],
    ['null', /it is null, not an object/],
    ['"hello"', /it is a string, not an object/],
    ['3', /it is a number, not an object/],
    ['{}', /there is no "format" field/],
    ['{"format": "comfyui", "version": 1, "nodes": []}', /found "format": "comfyui"/],
    ['{"format": 1}', /found "format": 1/],
  ])('%s', (text, detail) => {
    const [p] = problems(text);
    expect(p.code).toBe('HN002');
    expect(p.message).toMatch(/^not a Hypernet Studio document: expected "format": "hypernet-studio"/);
    expect(p.message).toMatch(detail);
  });
});

describe('HN003: versions', () => {
  it('refuses a file from a newer version', () => {
    const [p] = problems(doc({ version: CURRENT_VERSION + 2 }));
    expect(p).toMatchObject({ code: 'HN003', path: 'version' });
    expect(p.message).toMatch(
      new RegExp(`written by a newer Hypernet Studio \\(version ${CURRENT_VERSION + 2}\\); this version reads up to ${CURRENT_VERSION}`),
    );
  });

  it.each([
    [1.5, /whole number such as 2, not 1\.5/],
    [-1, /whole number such as 2, not -1/],
    ['1', /whole number such as 2, not "1"/],
    [null, /not null/],
    [undefined, /no "version" field/],
    [0, /no migration from version 0 to 1/],
  ])('refuses version %j', (version, pattern) => {
    const [p] = problems(doc({ version }));
    expect(p.code).toBe('HN003');
    expect(p.message).toMatch(pattern);
  });
});

describe('HN004: fields', () => {
  it('names the field with a readable path, and the node when inside one', () => {
    const ps = problems(
      doc({
        nodes: [node('ok'), node('dense_1', { params: 3, position: { x: '10', y: 0 } }), { id: 7, type: 't' }, 'x'],
        edges: [{ source: 'a', sourcePort: 'bad port', target: 'b' }],
        training: { batchSize: 3.5, optimizer: { type: 'lbfgs' }, schedule: 'random', tasks: [0, -1] },
        metadata: { name: 'n'.repeat(300) },
      }),
    );
    const by = Object.fromEntries(ps.map((p) => [p.path, p]));
    expect(by['nodes[1].params']).toMatchObject({ code: 'HN004', node: 'dense_1', message: 'params must be an object, not 3' });
    expect(by['nodes[1].position.x']).toMatchObject({ node: 'dense_1', message: 'position.x must be a number, not "10"' });
    expect(by['nodes[2].id']).toMatchObject({ message: 'id must be a string, not 7' });
    expect(by['nodes[2].id'].node).toBeUndefined();
    expect(by['nodes[3]'].message).toBe('nodes[3] must be an object, not "x"');
    expect(by['edges[0].sourcePort'].message).toMatch(/^sourcePort is not a port name \(found "bad port"\)$/);
    expect(by['edges[0].targetPort'].message).toBe('targetPort is required');
    expect(by['training.batchSize'].message).toBe('batchSize must be a whole number, not 3.5');
    expect(by['training.optimizer.type'].message).toBe('type must be one of "adam", "sgd" or "rmsprop", not "lbfgs"');
    expect(by['training.schedule'].message).toBe('schedule must be one of "sequential" or "interleaved", not "random"');
    expect(by['training.tasks[1]'].message).toBe('tasks[1] must be at least 0, not -1');
    expect(by['metadata.name'].message).toBe('name must be at most 200 characters long (it has 300)');
    for (const p of ps) expect(p.code).toBe('HN004');
    expect(formatProblem(by['nodes[1].params'])).toBe('dense_1: params must be an object, not 3 (HN004)');
    expect(formatProblem(by['training.batchSize'])).toBe('training.batchSize: batchSize must be a whole number, not 3.5 (HN004)');
  });

  it.each([
    [{ nodes: undefined }, 'nodes', 'nodes is required'],
    [{ nodes: [{ id: 'a', type: '' }] }, 'nodes[0].type', 'type must not be empty'],
    [{ nodes: [{ id: '1a', type: 't' }] }, 'nodes[0].id', 'id must start with a letter or _ and use only letters, digits, _ and - (found "1a")'],
    [{ training: { optimizer: { type: 'adam', learningRate: 0 } } }, 'training.optimizer.learningRate', 'learningRate must be greater than 0, not 0'],
    [{ training: { optimizer: {} } }, 'training.optimizer.type', 'type is required: one of "adam", "sgd" or "rmsprop"'],
    [{ training: { batchSize: 1e6 } }, 'training.batchSize', 'batchSize must be at most 65536, not 1000000'],
    [{ training: { epochs: 0 } }, 'training.epochs', 'epochs must be greater than 0, not 0'],
    [{ training: { backend: 'cuda' } }, 'training.backend', 'backend must be one of "auto", "webgpu", "tensorflow-gpu", "tensorflow", "wasm", "cpu" or "pytorch", not "cuda"'],
    [{ data: null }, 'data', 'data must be an object, not null'],
    [{ edges: {} }, 'edges', 'edges must be a list, not an object'],
    [{ ui: [] }, 'ui', 'ui must be an object, not a list'],
    [{ metadata: { 'odd key': 1, name: false } }, 'metadata.name', 'name must be a string, not false'],
  ])('%j', (extra, path, message) => {
    const ps = problems(doc(extra));
    expect(ps).toContainEqual(expect.objectContaining({ code: 'HN004', path, message }));
  });

  it('lists at most 50 problems and counts the rest', () => {
    const nodes = Array.from({ length: 80 }, (_, i) => ({ id: `n${i}`, type: '' }));
    const ps = problems(doc({ nodes }));
    expect(ps).toHaveLength(MAX_PROBLEMS + 1);
    expect(ps[MAX_PROBLEMS].message).toBe('and 30 more problems not listed here');
  });
});

describe('hostile input', () => {
  it('refuses deep nesting in text without recursing', () => {
    const depth = 1_000_000;
    const text = `{"format":"hypernet-studio","version":1,"nodes":[],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const [p] = problems(text);
    expect(p.code).toBe('HN004');
    expect(p.message).toMatch(new RegExp(`nested deeper than ${MAX_DEPTH} levels \\(line 1, column \\d+\\)`));
    // Unclosed brackets too: the depth check runs before JSON.parse.
    expect(problems('['.repeat(depth))[0].message).toMatch(/nested deeper than 64 levels/);
  });

  it('accepts nesting up to the limit and counts brackets inside strings as text', () => {
    const ok64 = `{"format":"hypernet-studio","version":1,"nodes":[],"x":${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}}`;
    expect(parseDocument(ok64).ok).toBe(true);
    const tooDeep = `{"format":"hypernet-studio","version":1,"nodes":[],"x":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}`;
    expect(parseDocument(tooDeep).ok).toBe(false);
    expect(parseDocument(doc({ s: '['.repeat(1000) + '\\"{{{' })).ok).toBe(true);
  });

  it('refuses deep nesting in an already-parsed value, naming where', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const [p] = problems({ ...minimal, nodes: [{ id: 'n', type: 't', params: { deep } }] });
    expect(p).toMatchObject({ code: 'HN004', node: 'n' });
    expect(p.path).toMatch(/^nodes\[0\]\.params\.deep(\.d)+$/);
    expect(p.message).toMatch(/is nested deeper than 64 levels/);
  });

  it('refuses cycles but accepts shared subtrees', () => {
    const cyclic: Record<string, unknown> = { ...minimal };
    cyclic.self = cyclic;
    expect(problems(cyclic)[0]).toMatchObject({ code: 'HN004', path: 'self', message: expect.stringMatching(/circular reference/) });

    // Sharing is fine, however much of it there is: a chain of 60 levels where each level refers to the next
    // twice would be 2^60 paths if walked naively.
    let shared: unknown = { leaf: true };
    for (let i = 0; i < 60; i++) shared = { a: shared, b: shared };
    const r = validateDocumentValue({ ...minimal, ui: { shared } });
    expect(r.ok).toBe(true);
  });

  it('refuses __proto__ keys and does not pollute Object.prototype', () => {
    const attempts = [
      '{"format":"hypernet-studio","version":1,"nodes":[],"__proto__":{"polluted":"top"}}',
      '{"format":"hypernet-studio","version":1,"nodes":[{"id":"a","type":"t","params":{"__proto__":{"polluted":"params"}}}]}',
      '{"format":"hypernet-studio","version":1,"nodes":[],"training":{"__proto__":{"steps":-5,"polluted":"training"}}}',
      '{"format":"hypernet-studio","version":1,"nodes":[],"ui":{"a":[{"__proto__":{"polluted":"ui"}}]}}',
    ];
    for (const text of attempts) {
      const ps = problems(text);
      expect(ps[0].code).toBe('HN004');
      expect(ps[0].message).toMatch(/__proto__ is not allowed as a field name/);
    }
    expect(problems(attempts[1])[0]).toMatchObject({ node: 'a', path: 'nodes[0].params.__proto__' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('keeps constructor and prototype as ordinary data', () => {
    const text = doc({
      constructor: { prototype: { polluted: 'ctor' } },
      nodes: [node('a', { params: { constructor: 1, prototype: { polluted: true } } })],
      training: { constructor: { name: 'x' } },
    });
    const { doc: d } = ok(text);
    const saved = JSON.parse(serializeDocument(d));
    expect(saved.constructor).toEqual({ prototype: { polluted: 'ctor' } });
    expect(saved.nodes[0].params).toEqual({ constructor: 1, prototype: { polluted: true } });
    expect(saved.training.constructor).toEqual({ name: 'x' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
    expect(typeof ({}).constructor).toBe('function');
  });

  it('refuses numbers that overflow to Infinity', () => {
    const [p] = problems('{"format":"hypernet-studio","version":1,"nodes":[{"id":"a","type":"t","params":{"lr":1e999}}]}');
    expect(p).toMatchObject({ code: 'HN004', node: 'a', path: 'nodes[0].params.lr', message: 'params.lr must be a finite number, not Infinity' });
  });

  it('refuses values a document cannot hold when given a parsed value', () => {
    const cases: [unknown, RegExp][] = [
      [() => 1, /is a function/],
      [new Date(0), /is a Date/],
      [new Map(), /is a Map/],
      [10n, /is a bigint/],
      [Symbol('s'), /is a symbol/],
      [Number.NaN, /must be a finite number, not NaN/],
      [[undefined], /\[0\] is undefined/],
      [new (class Thing {})(), /is an instance of Thing/],
    ];
    for (const [value, pattern] of cases) {
      const ps = problems({ ...minimal, ui: { value } });
      expect(ps[0].code).toBe('HN004');
      expect(ps[0].message).toMatch(pattern);
    }
    // An absent optional field (undefined in an object) is fine: JSON leaves it out.
    expect(validateDocumentValue({ ...minimal, nodes: [{ id: 'a', type: 't', label: undefined }] }).ok).toBe(true);
  });

  it('never throws, even on a value whose fields throw when read', () => {
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const r = validateDocumentValue({ ...minimal, ui: trap });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0].message).toMatch(/could not be checked: trap/);
  });

  it('keeps markup, scripts and odd characters in strings as plain data', () => {
    const strings = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '"; process.exit(1); //',
      "'''\nimport os; os.system('rm -rf /')\n'''",
      '${globalThis.x = 1}',
      '\u2028\u2029 line separators',
      'nul \u0000 char',
      'bidi \u202e override',
      'lone surrogate \ud800',
      '{{constructor.constructor("alert(1)")()}}',
    ];
    const text = doc({
      metadata: { name: strings[0], description: strings.join('\n'), citation: strings[2] },
      nodes: strings.map((s, i) => node(`n${i}`, { label: s, params: { note: s } })),
    });
    const { doc: d } = ok(text);
    expect(d.metadata.name).toBe(strings[0]);
    expect(d.metadata.description).toBe(strings.join('\n'));
    expect(d.nodes.map((n) => n.label)).toEqual(strings);
    expect(d.nodes.map((n) => n.params.note)).toEqual(strings);
    const again = ok(serializeDocument(d)).doc;
    expect(again.nodes.map((n) => n.label)).toEqual(strings);
    expect((globalThis as Record<string, unknown>).x).toBeUndefined();
  });
});
