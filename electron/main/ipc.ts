import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Engine } from '../../engine/api/engine.ts';
import type { Response } from '../../engine/api/contract.ts';
import { isTrustedSender, parseInvoke } from './security/ipc-guard.ts';

export const CHANNELS = { invoke: 'engine:invoke', state: 'engine:state', event: 'engine:event' } as const;

/**
 * Routes the renderer's commands to the engine and pushes state and events back. Every message is
 * checked for its sender (our window's top frame on our own origin) and its shape before the engine
 * sees it; the engine then validates the command's input against the contract.
 */
export function registerIpc(
  ipcMain: IpcMain,
  engine: Engine,
  window: () => BrowserWindow | undefined,
  warn: (msg: string, fields: Record<string, unknown>) => void,
): () => void {
  ipcMain.handle(
    CHANNELS.invoke,
    async (event: IpcMainInvokeEvent, payload: unknown): Promise<Response<unknown>> => {
      const win = window();
      const frame = event.senderFrame;
      const trusted = isTrustedSender({
        frameUrl: frame?.url,
        isMainFrame: frame !== null && frame === event.sender.mainFrame,
        isAppWindow: win !== undefined && event.sender === win.webContents,
      });
      if (!trusted) {
        warn('ipc message from an untrusted sender refused', { url: frame?.url });
        return { ok: false, error: { code: 'forbidden', message: 'sender is not the workstation window' } };
      }
      const msg = parseInvoke(payload);
      if (!msg) {
        warn('malformed ipc message refused', {});
        return { ok: false, error: { code: 'malformed_frame', message: 'message must be {command, input}' } };
      }
      return engine.invoke(msg.command, msg.input);
    },
  );
  const offState = engine.onState((state) => {
    window()?.webContents.send(CHANNELS.state, state);
  });
  const offEvent = engine.onEvent((event) => {
    window()?.webContents.send(CHANNELS.event, event);
  });
  return () => {
    ipcMain.removeHandler(CHANNELS.invoke);
    offState();
    offEvent();
  };
}
