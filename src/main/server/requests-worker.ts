/** The request reader's worker thread: reads big WebSocket messages off the server's main thread (requests.ts). */
import { parentPort } from 'node:worker_threads';
import { readRequest } from './requests';

parentPort?.on('message', (m: { job: number; data: Uint8Array }) => {
  parentPort?.postMessage({ job: m.job, result: readRequest(m.data) });
});
