/**
 * IPC handlers: one `ipcMain.handle` channel per method of the contract. A request is answered only if it comes
 * from the main frame of an editor window showing the app's own page; its params are validated by the service.
 * Replies are envelopes (`{ result }` or `{ error: { message, code } }`) that the preload unwraps, so no stack
 * or internal detail crosses to the page.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { Methods, ipcChannel, type MethodName } from '../../shared/api/contract';
import { errorPayload } from '../app/errors';
import type { AppService } from '../app/service';
import { isAppPageUrl } from './security';
import { draftWritten, isEditorWindow } from './window';

export type IpcReply = { result: unknown } | { error: { message: string; code: string } };

/** Whether an IPC message comes from the editor itself (not an iframe, not a page it was navigated to). */
export function trustedSender(event: IpcMainInvokeEvent, devUrl: string | undefined): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  if (!isEditorWindow(event.sender)) return false;
  return isAppPageUrl(frame.url, devUrl);
}

export function registerIpc(service: AppService<WebContents>, devUrl: string | undefined): void {
  for (const method of Object.keys(Methods) as MethodName[]) {
    ipcMain.handle(ipcChannel(method), async (event, params: unknown): Promise<IpcReply> => {
      if (!trustedSender(event, devUrl)) return { error: { message: 'refused: the request did not come from the editor', code: 'forbidden' } };
      try {
        const result = await service.call(method, params, event.sender);
        if (method === 'autosave.write' || method === 'autosave.discard') {
          draftWritten(event.sender, (params as { id: string }).id, method === 'autosave.discard');
        }
        return { result };
      } catch (e) {
        return { error: errorPayload(e) };
      }
    });
  }
}
