/**
 * Versions of the saved format and the small pure steps between them.
 *
 * A document carries an integer `version`. Loading a file applies every migration from its version up to
 * {@link CURRENT_VERSION}, one step at a time, before the schema checks it; saving always writes the current
 * version. Migrations work on the raw parsed JSON (not on the schema's output), so they can read fields the
 * current schema no longer knows, and they keep every field they do not touch, so unknown fields survive.
 *
 * Adding a version is one entry in {@link MIGRATIONS} (plus bumping CURRENT_VERSION in schema.ts, a test for the
 * step in migrations.test.ts, and a line in docs/MIGRATIONS.md).
 *
 * @example
 * // Renaming a node type id (ids are stable; a rename is a format change):
 * { from: 1, to: 2, describe: 'rename node type head.hyper to head.mlp', migrate: (raw) => renameNodeType(raw, 'head.hyper', 'head.mlp') }
 */
import { problem, type HnetProblem } from '../compiler/errors';
import { CURRENT_VERSION } from './schema';

/** A document as parsed from JSON, before the schema has checked it. */
export type RawDocument = Record<string, unknown>;

export interface Migration {
  from: number;
  /** Always `from + 1`. */
  to: number;
  /** One line for the migration log and the load warning: what changed and why. */
  describe: string;
  /**
   * Pure: returns a new document and leaves its argument untouched (copy what you change; the helpers below do).
   * It need not set `version`; {@link applyMigrations} does.
   */
  migrate(raw: RawDocument): RawDocument;
}

/** Every migration ever released, oldest first. Version 1 is the first released version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    describe:
      'blocks (subgraphs): a node may sit inside a block node (`parent`, `block`); version-1 documents have none, so their nodes and wires stay as they are',
    // Nothing to convert: the version says a file may hold blocks, so a Hypernet Studio that reads only version 1
    // refuses it by name instead of failing on an unknown node type "block".
    migrate: (raw) => ({ ...raw }),
  },
];

export type MigrationResult =
  | { ok: true; value: RawDocument; from: number; applied: Migration[] }
  | { ok: false; problems: HnetProblem[] };

const versionProblem = (message: string): HnetProblem => problem('HN003', message, { path: 'version' });

function describeVersion(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v);
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** The document's version as a non-negative integer, or the HN003 problem explaining why it is not one. */
export function readVersion(raw: RawDocument, target: number = CURRENT_VERSION): number | HnetProblem {
  const v = raw.version;
  if (v === undefined) {
    return versionProblem(`the document has no "version" field; add "version": ${target}`);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    return versionProblem(`the version must be a whole number such as ${target}, not ${describeVersion(v)}`);
  }
  return v;
}

/**
 * Bring `raw` from its own version up to `target` with `migrations`. Never throws: an unreadable version, a
 * version newer than `target`, a gap in the chain or a migration that fails are HN003 problems.
 */
export function applyMigrations(raw: RawDocument, migrations: readonly Migration[], target: number): MigrationResult {
  const start = readVersion(raw, target);
  if (typeof start !== 'number') return { ok: false, problems: [start] };
  if (start > target) {
    return {
      ok: false,
      problems: [
        versionProblem(
          `this file was written by a newer Hypernet Studio (version ${start}); this version reads up to ${target}. ` +
            'Update Hypernet Studio to open it',
        ),
      ],
    };
  }
  let value = raw;
  const applied: Migration[] = [];
  for (let v = start; v < target; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step || step.to !== v + 1) {
      return {
        ok: false,
        problems: [
          versionProblem(
            `this file has version ${start}, which this Hypernet Studio cannot convert: there is no migration from version ${v} to ${v + 1}`,
          ),
        ],
      };
    }
    let next: unknown;
    try {
      next = step.migrate(value);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        problems: [versionProblem(`converting this file from version ${v} to ${v + 1} failed (${step.describe}): ${why}`)],
      };
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      return {
        ok: false,
        problems: [versionProblem(`converting this file from version ${v} to ${v + 1} failed (${step.describe}): the migration returned no document`)],
      };
    }
    value = { ...(next as RawDocument), version: step.to };
    applied.push(step);
  }
  return { ok: true, value, from: start, applied };
}

/** Bring a raw document up to the version this build reads. */
export function migrate(raw: RawDocument): MigrationResult {
  return applyMigrations(raw, MIGRATIONS, CURRENT_VERSION);
}

/**
 * Problems with a migration list itself (not with a document): steps out of order, gaps, steps that skip a
 * version, a chain that does not end at `target`. The test suite runs this on {@link MIGRATIONS}.
 */
export function checkMigrationChain(migrations: readonly Migration[], target: number, first = 1): string[] {
  const errors: string[] = [];
  migrations.forEach((m, i) => {
    const expected = first + i;
    if (m.from !== expected) errors.push(`migration ${i} starts at version ${m.from}, expected ${expected}`);
    if (m.to !== m.from + 1) errors.push(`migration ${i} goes from ${m.from} to ${m.to}; each step must add exactly 1`);
    if (!m.describe.trim()) errors.push(`migration ${i} (${m.from} -> ${m.to}) has no description`);
  });
  const last = migrations.length ? migrations[migrations.length - 1].to : first;
  if (last !== target) errors.push(`the migrations end at version ${last}, but the current version is ${target}`);
  return errors;
}

// ---- Helpers for writing migrations. Each returns a new document and keeps every field it does not touch. ----

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Apply `fn` to every node that is an object; anything else in `nodes` (and a missing `nodes`) is left as is. */
export function mapNodes(raw: RawDocument, fn: (node: Record<string, unknown>) => Record<string, unknown>): RawDocument {
  if (!Array.isArray(raw.nodes)) return raw;
  return { ...raw, nodes: raw.nodes.map((n: unknown) => (isRecord(n) ? fn(n) : n)) };
}

/**
 * Rename a node type id in every node. Node type ids are stable, so a rename is a format change: bump the
 * version and add a migration that calls this.
 */
export function renameNodeType(raw: RawDocument, from: string, to: string): RawDocument {
  return mapNodes(raw, (node) => (node.type === from ? { ...node, type: to } : node));
}
