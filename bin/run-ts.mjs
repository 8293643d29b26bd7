#!/usr/bin/env node
// Runs a TypeScript script of this repository (bench/, scripts/) through tsx, with no global tools:
// `node bin/run-ts.mjs bench/index.ts [args...]`.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const [, , script, ...rest] = process.argv;
if (!script) {
  console.error('usage: node bin/run-ts.mjs SCRIPT.ts [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(script), ...rest];
await import(pathToFileURL(resolve(script)).href);
