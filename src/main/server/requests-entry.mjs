// The request reader's worker entry: worker threads do not inherit the tsx loader of the thread that started
// them, so register it here before loading the TypeScript worker.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.node.json', import.meta.url)) });
await import('./requests-worker.ts');
