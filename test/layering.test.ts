/**
 * Imports flow one way (STYLE.md): src/shared is pure and imports nothing of the app or a platform; main and
 * renderer never import each other; the preload sees only the shared API.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const abs = join(root, dir);
  let out: string[] = [];
  for (const name of statSync(abs, { throwIfNoEntry: false }) ? readdirSync(abs) : []) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(relative(root, p)));
    // A generated module holds other files' text as string data, not imports.
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !/\.test\.tsx?$|\.generated\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm))
    specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

const PURE_RUNTIME = ['src/runtime/ts/rng.ts', 'src/runtime/ts/formats.ts', 'src/runtime/ts/constants.ts'];

const resolveSpec = (file: string, spec: string) => (spec.startsWith('.') ? relative(root, resolve(file, '..', spec)) : spec);

describe('layering', () => {
  it('src/shared imports no platform, framework or engine code', () => {
    const bad: string[] = [];
    const files = sources('src/shared');
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      for (const spec of imports(f)) {
        const target = resolveSpec(f, spec);
        // The exported runtime's pure modules (no imports of their own) are shared with the engine and the exports.
        const allowed = spec === 'zod' || (spec.startsWith('.') && (target.startsWith('src/shared') || PURE_RUNTIME.includes(target)));
        if (!allowed) bad.push(`${relative(root, f)} imports ${spec}`);
      }
      const text = readFileSync(f, 'utf8');
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
      if (/\b(window|document|process|require|Buffer)\s*[.(]/.test(code))
        bad.push(`${relative(root, f)} uses a platform global`);
    }
    expect(bad).toEqual([]);
  });

  it('the exported runtimes import only each other and packages; the pure ones nothing', () => {
    const bad: string[] = [];
    for (const f of sources('src/runtime'))
      for (const spec of imports(f)) {
        const target = resolveSpec(f, spec);
        if (spec.startsWith('.') ? !target.startsWith('src/runtime/ts/') : PURE_RUNTIME.includes(relative(root, f))) bad.push(`${relative(root, f)} imports ${spec}`);
      }
    expect(bad).toEqual([]);
  });

  it('main and renderer never import each other; preload sees only the shared API', () => {
    const bad: string[] = [];
    for (const f of sources('src/main'))
      for (const spec of imports(f)) if (resolveSpec(f, spec).startsWith('src/renderer')) bad.push(`${relative(root, f)} imports ${spec}`);
    for (const f of sources('src/renderer'))
      for (const spec of imports(f)) if (resolveSpec(f, spec).startsWith('src/main') || resolveSpec(f, spec).startsWith('src/preload')) bad.push(`${relative(root, f)} imports ${spec}`);
    for (const f of sources('src/preload'))
      for (const spec of imports(f)) {
        const t = resolveSpec(f, spec);
        if (spec.startsWith('.') && !t.startsWith('src/shared/api') && !t.startsWith('src/preload')) bad.push(`${relative(root, f)} imports ${spec}`);
      }
    expect(bad).toEqual([]);
  });
});
