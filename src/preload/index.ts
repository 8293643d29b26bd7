/**
 * The preload: exposes `window.hnet` (the contract's {@link HnetBridge}) and nothing else. It checks method names
 * against the contract, forwards requests to their IPC channels and pushes to listeners; the main process
 * validates every request. Runs sandboxed: bundled as one CommonJS file that only requires 'electron'.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { PUSH_CHANNEL, ipcChannel, isMethod, type HnetBridge, type MethodName, type Push } from '../shared/api/contract';

type Reply = { result: unknown } | { error: { message: string; code?: string } };

const bridge: HnetBridge = {
  async invoke(method, params) {
    if (typeof method !== 'string' || !isMethod(method)) throw new Error(`unknown method "${String(method).slice(0, 100)}"`);
    const reply = (await ipcRenderer.invoke(ipcChannel(method as MethodName), params)) as Reply;
    if ('error' in reply) {
      const error = new Error(reply.error.message) as Error & { code?: string };
      if (reply.error.code) error.code = reply.error.code;
      throw error;
    }
    return reply.result as never;
  },
  onPush(listener) {
    if (typeof listener !== 'function') throw new TypeError('onPush expects a function');
    // The page never sees the IPC event object (it would expose `sender`, i.e. ipcRenderer).
    const forward = (_event: IpcRendererEvent, message: Push) => listener(message);
    ipcRenderer.on(PUSH_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(PUSH_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('hnet', bridge);
