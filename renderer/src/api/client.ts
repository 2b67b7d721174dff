import type { EngineClient } from '../../../engine/api/contract.ts';
import { createWsClient } from './ws-client.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in browser mode. */
    mmEngine?: EngineClient;
  }
}

/** Picks the transport: the preload's bridge inside Electron, the host's WebSocket in a browser. */
export function connectEngine(): EngineClient {
  if (window.mmEngine) return window.mmEngine;
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const url = new URL('/api', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = `?token=${encodeURIComponent(token)}`;
  return createWsClient(url.toString());
}
