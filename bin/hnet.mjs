#!/usr/bin/env node
// The `hnet` command. There is no build step: tsx loads the TypeScript sources directly.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { runCli } = await import('../src/main/cli/main.ts');
await runCli();
