// Entry of the benchmark's simulated editor (a worker thread): worker threads do not inherit the tsx loader, so
// register it before loading the TypeScript client.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
await import('./streaming-client.ts');
