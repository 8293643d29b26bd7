import { describe, expect, it } from 'vitest';
import {
  applyMigrations,
  checkMigrationChain,
  mapNodes,
  migrate,
  MIGRATIONS,
  readVersion,
  renameNodeType,
  type Migration,
  type RawDocument,
} from './migrations';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../compiler/compile';
import { parseDocument } from './load';
import { CURRENT_VERSION } from './schema';

/**
 * A synthetic history, 0 -> 1 -> 2: version 1 renamed `title` to `metadata.name`; version 2 renamed the node
 * type `head.old_mlp` to `head.mlp`. It exercises the mechanism, not the real format.
 */
const chain: Migration[] = [
  {
    from: 0,
    to: 1,
    describe: 'move "title" into metadata.name',
    migrate: ({ title, ...rest }) => ({ ...rest, metadata: { ...(rest.metadata as object), name: title } }),
  },
  {
    from: 1,
    to: 2,
    describe: 'rename node type head.old_mlp to head.mlp',
    migrate: (raw) => renameNodeType(raw, 'head.old_mlp', 'head.mlp'),
  },
];

const v0 = (): RawDocument => ({
  format: 'hypernet-studio',
  version: 0,
  title: 'Old',
  metadata: { author: 'kept' },
  nodes: [
    { id: 'h', type: 'head.old_mlp', params: { hidden: [8] }, extra: { x: 1 } },
    { id: 'd', type: 'target.dense' },
  ],
  custom: [1, 2, 3],
});

describe('applyMigrations', () => {
  it('applies every step in order and sets the version', () => {
    const r = applyMigrations(v0(), chain, 2);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.from).toBe(0);
    expect(r.applied.map((m) => m.to)).toEqual([1, 2]);
    expect(r.value.version).toBe(2);
    expect(r.value.metadata).toEqual({ author: 'kept', name: 'Old' });
    expect(r.value).not.toHaveProperty('title');
    expect((r.value.nodes as { type: string }[]).map((n) => n.type)).toEqual(['head.mlp', 'target.dense']);
  });

  it('preserves fields no migration touches', () => {
    const r = applyMigrations(v0(), chain, 2);
    if (!r.ok) throw new Error('expected ok');
    expect(r.value.custom).toEqual([1, 2, 3]);
    expect(r.value.format).toBe('hypernet-studio');
    const node = (r.value.nodes as Record<string, unknown>[])[0];
    expect(node.extra).toEqual({ x: 1 });
    expect(node.params).toEqual({ hidden: [8] });
  });

  it('starts from the file version and stops at the target', () => {
    const r = applyMigrations({ ...v0(), version: 1 }, chain, 2);
    if (!r.ok) throw new Error('expected ok');
    expect(r.applied.map((m) => m.from)).toEqual([1]);
    expect(r.value).toHaveProperty('title', 'Old'); // step 0 -> 1 did not run

    const partial = applyMigrations(v0(), chain, 1);
    if (!partial.ok) throw new Error('expected ok');
    expect(partial.value.version).toBe(1);
    expect((partial.value.nodes as { type: string }[])[0].type).toBe('head.old_mlp');
  });

  it('leaves a document already at the target untouched', () => {
    const doc = { ...v0(), version: 2 };
    const r = applyMigrations(doc, chain, 2);
    if (!r.ok) throw new Error('expected ok');
    expect(r.applied).toEqual([]);
    expect(r.value).toBe(doc);
  });

  it('does not mutate its input', () => {
    const doc = v0();
    const before = structuredClone(doc);
    applyMigrations(doc, chain, 2);
    expect(doc).toEqual(before);
  });

  it('refuses a version newer than the target (HN003)', () => {
    const r = applyMigrations({ ...v0(), version: 3 }, chain, 1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'HN003', path: 'version' });
    expect(r.problems[0].message).toMatch(
      /this file was written by a newer Hypernet Studio \(version 3\); this version reads up to 1/,
    );
  });

  it.each([
    [1.5, /whole number such as 2, not 1\.5/],
    [-1, /whole number such as 2, not -1/],
    ['1', /whole number such as 2, not "1"/],
    [null, /whole number such as 2, not null/],
    [Number.NaN, /whole number such as 2, not NaN/],
    [1e300, /whole number such as 2, not 1e\+300/],
    [undefined, /has no "version" field; add "version": 2/],
  ])('refuses version %s (HN003)', (version, pattern) => {
    const r = applyMigrations({ ...v0(), version }, chain, 2);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0].code).toBe('HN003');
    expect(r.problems[0].message).toMatch(pattern);
  });

  it('reports a missing step (HN003)', () => {
    const r = applyMigrations(v0(), [chain[1]], 2);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0].code).toBe('HN003');
    expect(r.problems[0].message).toMatch(/version 0.*no migration from version 0 to 1/);

    const gap = applyMigrations(v0(), [chain[0]], 2);
    if (gap.ok) throw new Error('expected a problem');
    expect(gap.problems[0].message).toMatch(/no migration from version 1 to 2/);
  });

  it('reports a step that skips a version or fails, without throwing (HN003)', () => {
    const skip: Migration = { from: 0, to: 2, describe: 'skips', migrate: (raw) => raw };
    const r1 = applyMigrations(v0(), [skip], 2);
    expect(!r1.ok && r1.problems[0].message).toMatch(/no migration from version 0 to 1/);

    const boom: Migration = {
      from: 0,
      to: 1,
      describe: 'explodes',
      migrate: () => {
        throw new Error('kaboom');
      },
    };
    const r2 = applyMigrations(v0(), [boom], 1);
    expect(!r2.ok && r2.problems[0]).toMatchObject({ code: 'HN003' });
    expect(!r2.ok && r2.problems[0].message).toMatch(/from version 0 to 1 failed \(explodes\): kaboom/);

    const empty = { from: 0, to: 1, describe: 'returns nothing', migrate: () => null } as unknown as Migration;
    const r3 = applyMigrations(v0(), [empty], 1);
    expect(!r3.ok && r3.problems[0].message).toMatch(/returned no document/);
  });
});

describe('readVersion', () => {
  it('accepts non-negative integers', () => {
    expect(readVersion({ version: 0 })).toBe(0);
    expect(readVersion({ version: 7 })).toBe(7);
  });
});

describe('checkMigrationChain', () => {
  it('accepts the synthetic chain', () => {
    expect(checkMigrationChain(chain, 2, 0)).toEqual([]);
  });

  it('finds gaps, skips, missing descriptions and a wrong end', () => {
    const bad: Migration[] = [chain[0], { from: 2, to: 4, describe: ' ', migrate: (r) => r }];
    const errors = checkMigrationChain(bad, 5, 0).join('\n');
    expect(errors).toMatch(/migration 1 starts at version 2, expected 1/);
    expect(errors).toMatch(/from 2 to 4; each step must add exactly 1/);
    expect(errors).toMatch(/has no description/);
    expect(errors).toMatch(/end at version 4, but the current version is 5/);
  });
});

describe('the real migrations', () => {
  it('form one chain from version 1 (the first release) to the current version', () => {
    expect(checkMigrationChain(MIGRATIONS, CURRENT_VERSION)).toEqual([]);
  });

  it('leave a current document as it is', () => {
    const doc = { format: 'hypernet-studio', version: CURRENT_VERSION, nodes: [], extra: true };
    const r = migrate(doc);
    expect(r.ok && r.value).toEqual(doc);
  });

  // One test per released migration, each with a real document of the old version.
  it('1 -> 2 (blocks) keeps a version-1 template as it was: same nodes, wires and settings, and the same program', () => {
    const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'sinusoid-v1.hnet.json'), 'utf8');
    const raw = JSON.parse(text) as RawDocument;
    expect(raw.version).toBe(1);
    const r = migrate(raw);
    if (!r.ok) throw new Error('expected ok');
    expect(r.applied.map((m) => `${m.from}->${m.to}`)).toEqual(['1->2']);
    expect(r.value).toEqual({ ...raw, version: 2 });
    const loaded = parseDocument(text);
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    expect(loaded.doc.version).toBe(2);
    expect(loaded.warnings[0]).toMatch(/version 1 of the format; it was converted to version 2 \(blocks/);
    expect(loaded.doc.nodes.every((n) => n.parent === undefined && n.block === undefined)).toBe(true);
    const current = parseDocument(JSON.stringify({ ...raw, version: 2 }));
    if (!current.ok) throw new Error('expected ok');
    expect(compile(loaded.doc).program).toEqual(compile(current.doc).program);
    expect(compile(loaded.doc).ok).toBe(true);
  });
});

describe('renameNodeType', () => {
  it('renames exactly the matching node types and keeps everything else', () => {
    const doc: RawDocument = {
      format: 'hypernet-studio',
      version: 1,
      nodes: [
        { id: 'a', type: 'head.old', params: { k: 1 }, position: { x: 1, y: 2 }, note: 'kept' },
        { id: 'b', type: 'head.old_extra' },
        { id: 'c', type: 'target.dense' },
        'not a node',
        null,
      ],
      edges: [{ source: 'a', sourcePort: 'weights', target: 'c', targetPort: 'kernel' }],
      other: { type: 'head.old' },
    };
    const before = structuredClone(doc);
    const out = renameNodeType(doc, 'head.old', 'head.new');
    expect(out.nodes).toEqual([
      { id: 'a', type: 'head.new', params: { k: 1 }, position: { x: 1, y: 2 }, note: 'kept' },
      { id: 'b', type: 'head.old_extra' },
      { id: 'c', type: 'target.dense' },
      'not a node',
      null,
    ]);
    expect(out.edges).toEqual(doc.edges);
    expect(out.other).toEqual({ type: 'head.old' });
    expect(doc).toEqual(before); // pure
  });

  it('tolerates documents without a node list', () => {
    const doc = { format: 'hypernet-studio', version: 1, nodes: 'nope' };
    expect(renameNodeType(doc, 'a', 'b')).toBe(doc);
    expect(renameNodeType({ version: 1 }, 'a', 'b')).toEqual({ version: 1 });
  });

  it('is what mapNodes does with a type check', () => {
    const doc = { nodes: [{ id: 'a', type: 'x' }] };
    expect(mapNodes(doc, (n) => ({ ...n, seen: true }))).toEqual({ nodes: [{ id: 'a', type: 'x', seen: true }] });
  });
});
