/**
 * What a node type is for is said by its declaration (STYLE.md): outside src/shared/nodes, no source compares or
 * keys anything by a node type's id, and every role and dataset fact a declaration can state is read by some
 * pass. Document migrations are the exception: a rename names the old and new ids by design.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeTypes } from '../src/shared/nodes';

const root = resolve(import.meta.dirname, '..');
const EXEMPT = ['src/shared/nodes/', 'src/shared/document/migrations.ts'];

function sources(dir: string): string[] {
  const abs = join(root, dir);
  let out: string[] = [];
  for (const name of statSync(abs, { throwIfNoEntry: false }) ? readdirSync(abs) : []) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(relative(root, p)));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$|\.generated\.ts$|testUtil\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const files = [...sources('src'), ...sources('scripts')].filter((f) => !EXEMPT.some((e) => relative(root, f).startsWith(e)));
const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
/** The string literals of a file's code, comments left out. */
const literals = (f: string) => [...code(f).matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`/g)].map((m) => m[1] ?? m[2] ?? m[3]);

describe('node type ids stay in the registry', () => {
  it('no source outside src/shared/nodes (and the migrations) writes a node type id', () => {
    expect(files.length).toBeGreaterThan(50);
    // The probe's id is its category's name too: that string names the category, which passes may compare.
    const ids = new Set(nodeTypes.filter((t) => t.id !== t.category).map((t) => t.id));
    const found = files.flatMap((f) => literals(f).filter((s) => ids.has(s)).map((s) => `${relative(root, f)}: '${s}'`));
    expect(found).toEqual([]);
  });

  it('every role and dataset fact is read outside the declarations', () => {
    const text = files.map(code).join('\n');
    for (const key of ['regularizer', 'onlyServesGeneration']) expect(text, key).toMatch(new RegExp(`roles\\?\\.${key}\\b`));
    for (const key of ['permutedTasks', 'generatedTrainBatches']) expect(text, key).toMatch(new RegExp(`\\b${key}\\b`));
  });
});
