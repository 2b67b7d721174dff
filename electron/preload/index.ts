/**
 * The sandboxed preload: exposes the engine contract as named functions on `window.mmEngine`, never
 * ipcRenderer itself. Listeners never see Electron's event object, and each returns an unsubscribe.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EngineClient, EngineEvent, EngineState } from '../../engine/api/contract.ts';

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T ties the channel payload to its listener
function listen<T extends EngineState | EngineEvent>(
  channel: string,
  listener: (value: T) => void,
): () => void {
  const handler = (_event: IpcRendererEvent, value: T): void => {
    listener(value);
  };
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const client: EngineClient = {
  invoke: (command, input) => ipcRenderer.invoke('engine:invoke', { command, input }),
  onState: (listener) => listen('engine:state', listener),
  onEvent: (listener) => listen('engine:event', listener),
};

contextBridge.exposeInMainWorld('mmEngine', client);
