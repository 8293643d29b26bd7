/**
 * The lint rules that carry the architecture (eslint.config.js, eslint/layering.js) still fire: ESLint's Node API
 * lints small snippets as if they lived in each folder, and each forbidden import or global must be reported by
 * the rule that stands for it, while the imports the layering allows pass. Without this, a config edit (a glob
 * that no longer matches, a rule turned off) would let the layering go quietly.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { root } from './helpers/cli';

const eslint = new ESLint({ cwd: root });

/** The rule ids `code` breaks when it lives at `file` (repository-relative). */
async function broken(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(`${file}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.map((m) => m.ruleId ?? '');
}

describe('layering (hnet/layering)', () => {
  it('src/shared imports no platform, framework or engine package, and nothing of the app outside itself', async () => {
    for (const spec of ['electron', 'node:fs', 'fs', 'react', '@tensorflow/tfjs-core', 'ws'])
      expect(await broken('src/shared/compiler/probe.ts', `import * as x from '${spec}';\nexport const y = x;\n`), spec).toEqual(['hnet/layering']);
    for (const spec of ['../../main/engine/runtime', '../../renderer/src/App', '../../preload/index', '../../runtime/ts/ops.ts', '../../../test/helpers/cli'])
      expect(await broken('src/shared/compiler/probe.ts', `export { x } from '${spec}';\n`), spec).toEqual(['hnet/layering']);
  });

  it('src/shared may import zod, itself and the pure runtime modules', async () => {
    const code = "import { z } from 'zod';\nimport { Rng } from '../../runtime/ts/rng.ts';\nimport { CHECKPOINT_VERSION } from '../../runtime/ts/formats';\nimport type { Program } from '../compiler/ir';\nexport const x = [z, Rng, CHECKPOINT_VERSION] as unknown as Program;\n";
    expect(await broken('src/shared/codegen/probe.ts', code)).toEqual([]);
  });

  it('sees dynamic and type-level imports, judged by where the path lands', async () => {
    expect(await broken('src/shared/probe.ts', "export const load = () => import('../main/engine/runtime');\n")).toEqual(['hnet/layering']);
    expect(await broken('src/shared/probe.ts', "export type M = import('../main/engine/runtime').Model;\n")).toEqual(['hnet/layering']);
    // However a relative path is spelled, what counts is the folder it lands in.
    expect(await broken('src/main/cli/probe.ts', "import { x } from '../../../src/renderer/src/store/ui';\nexport { x };\n")).toEqual(['hnet/layering']);
    expect(await broken('src/main/cli/probe.ts', "import { x } from '../../main/../shared/api/contract';\nexport { x };\n")).toEqual([]);
  });

  it('the exported runtime imports only its own files and packages; its pure modules import nothing', async () => {
    expect(await broken('src/runtime/ts/ops.ts', "import type { Program } from '../../shared/compiler/ir';\nexport type P = Program;\n")).toEqual(['hnet/layering']);
    expect(await broken('src/runtime/ts/ops.ts', "import * as tf from '@tensorflow/tfjs-core';\nimport { Rng } from './rng.ts';\nexport const x = [tf, Rng];\n")).toEqual([]);
    expect(await broken('src/runtime/ts/rng.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport const x = tf;\n")).toEqual(['hnet/layering']);
    expect(await broken('src/runtime/ts/constants.ts', "export { S2_MIN } from './init.ts';\n")).toEqual(['hnet/layering']);
  });

  it('main and renderer never import each other; the preload sees only the shared API', async () => {
    expect(await broken('src/main/app/probe.ts', "export const f = () => import('../../renderer/src/App');\n")).toEqual(['hnet/layering']);
    expect(await broken('src/renderer/src/probe.ts', "import { startRun } from '../../main/engine/session';\nexport { startRun };\n")).toEqual(['hnet/layering']);
    expect(await broken('src/renderer/src/probe.ts', "import '../../preload/index';\n")).toEqual(['hnet/layering']);
    expect(await broken('src/preload/probe.ts', "import { HnetDocument } from '../shared/document/schema';\nexport { HnetDocument };\n")).toEqual(['hnet/layering']);
    expect(await broken('src/preload/probe.ts', "import { contextBridge } from 'electron';\nimport { Methods } from '../shared/api/contract';\nexport const x = [contextBridge, Methods];\n")).toEqual([]);
  });

  it('tests next to the code are not layered', async () => {
    expect(await broken('src/shared/compiler/probe.test.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
  });
});

describe('src/shared uses no platform global (no-restricted-globals)', () => {
  it('reports window, document, process, require and Buffer, but not a local of the same name', async () => {
    for (const use of ['window.innerWidth', 'document.title', 'process.env.HOME', "require('x')", "Buffer.from('x')"])
      expect(await broken('src/shared/nodes/probe.ts', `export const x = ${use};\n`), use).toContain('no-restricted-globals');
    expect(await broken('src/shared/document/probe.ts', 'export function name(document: { metadata: { name: string } }) {\n  return document.metadata.name;\n}\n')).toEqual([]);
  });
});

describe('end-to-end specs', () => {
  it('never sleep: page.waitForTimeout is reported (no-restricted-properties)', async () => {
    const spec = "import { test } from '@playwright/test';\ntest('x', async ({ page }) => {\n  await page.waitForTimeout(500);\n});\n";
    expect(await broken('test/e2e/probe.spec.ts', spec)).toEqual(['no-restricted-properties']);
  });
});

describe('react hooks', () => {
  it('a hook called conditionally breaks rules-of-hooks; an effect missing a dependency breaks exhaustive-deps', async () => {
    const conditional = "import { useState } from 'react';\nexport function C({ on }: { on: boolean }) {\n  if (on) useState(0);\n  return null;\n}\n";
    expect(await broken('src/renderer/src/probe.tsx', conditional)).toEqual(['react-hooks/rules-of-hooks']);
    const missing = "import { useEffect } from 'react';\nexport function C({ id }: { id: string }) {\n  useEffect(() => console.log(id), []);\n  return null;\n}\n";
    expect(await broken('src/renderer/src/probe.tsx', missing)).toEqual(['react-hooks/exhaustive-deps']);
  });
});
