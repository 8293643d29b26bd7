/**
 * Reading the WebSocket's requests: decode, parse and validate a message into a method and its checked params,
 * or an error to send back. Small messages are read on the main thread; big ones (documents) in a worker
 * thread ({@link RequestReader}), so one client's 45 MB message never stalls the answers to the others.
 * Requests of one connection are dispatched in the order they arrived, whichever thread read them.
 *
 * @example
 * const reader = createRequestReader();
 * const read = await reader.read(buffer); // { ok: true, id, method, params } or { ok: false, id, message }
 * await reader.close();
 */
import { Worker } from 'node:worker_threads';
import { RpcRequest, isMethod, parseInput } from '../../shared/api/contract';

/** Messages above this size are read in the worker thread; below it reading takes well under a millisecond or two. */
export const WORKER_THRESHOLD_BYTES = 256 * 1024;

export type ReadRequest =
  | { ok: true; id: number; method: string; params: unknown }
  | { ok: false; id: number; message: string; code: 'invalid_request' | 'unknown_method' };

const SHAPE = 'the message is not a request: expected {"id": integer, "method": string, "params": ...}';

/** Decode, parse and validate one text message (the same verdicts on either thread). */
export function readRequest(data: Uint8Array | string): ReadRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return { ok: false, id: -1, message: 'the message is not valid JSON', code: 'invalid_request' };
  }
  const request = RpcRequest.safeParse(raw);
  if (!request.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    return { ok: false, id: Number.isSafeInteger(id) ? (id as number) : -1, message: SHAPE, code: 'invalid_request' };
  }
  const { id, method, params } = request.data;
  if (!isMethod(method)) return { ok: false, id, message: `unknown method "${method.slice(0, 100)}"`, code: 'unknown_method' };
  try {
    // Only what the method's schema keeps crosses back from the worker (unknown keys are stripped).
    return { ok: true, id, method, params: parseInput(method, params) };
  } catch (e) {
    return { ok: false, id, message: e instanceof Error ? e.message : String(e), code: 'invalid_request' };
  }
}

export interface RequestReader {
  /** Read a message: on this thread when it is small, in the worker when it is big. */
  read(data: Buffer): Promise<ReadRequest>;
  close(): Promise<void>;
}

export interface RequestReaderOptions {
  /** Default {@link WORKER_THRESHOLD_BYTES}. */
  thresholdBytes?: number;
  /** The worker's entry (tests); default ./requests-entry.mjs beside this file. */
  workerUrl?: URL;
}

export function createRequestReader(options: RequestReaderOptions = {}): RequestReader {
  const threshold = options.thresholdBytes ?? WORKER_THRESHOLD_BYTES;
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, (r: ReadRequest) => void>();

  const failAll = (message: string) => {
    for (const [, done] of pending) done({ ok: false, id: -1, message, code: 'invalid_request' });
    pending.clear();
  };

  function start(): Worker {
    if (worker) return worker;
    const w = new Worker(options.workerUrl ?? new URL('./requests-entry.mjs', import.meta.url));
    w.on('message', (m: { job: number; result: ReadRequest }) => {
      pending.get(m.job)?.(m.result);
      pending.delete(m.job);
    });
    const lost = () => {
      if (worker === w) worker = null;
      failAll('the server could not read this request (its reader stopped); send it again');
    };
    w.on('error', lost);
    w.on('exit', lost);
    w.unref();
    worker = w;
    return w;
  }

  return {
    read(data) {
      if (data.byteLength < threshold) return Promise.resolve(readRequest(data));
      const job = nextId++;
      return new Promise((done) => {
        pending.set(job, done);
        // Moved, not cloned. A message that owns its whole ArrayBuffer (ws concatenates big ones into a fresh one)
        // is moved as it is; one that shares memory (a pooled slice) is copied first.
        const owns = data.byteOffset === 0 && data.buffer.byteLength === data.byteLength && data.buffer instanceof ArrayBuffer;
        const moved = owns ? new Uint8Array(data.buffer as ArrayBuffer) : Uint8Array.from(data);
        start().postMessage({ job, data: moved }, [moved.buffer as ArrayBuffer]);
      });
    },
    async close() {
      const w = worker;
      worker = null;
      failAll('the server is stopping');
      if (w) await w.terminate();
    },
  };
}
