import type {
  CommandInput,
  CommandName,
  CommandResult,
  EngineClient,
  EngineEvent,
  EngineState,
  Response,
} from '../../../engine/api/contract.ts';

type ServerFrame =
  | { type: 'response'; id: number; response: Response<unknown> }
  | { type: 'state'; state: EngineState }
  | { type: 'event'; event: EngineEvent }
  | { type: 'error'; error: { code: string; message: string } };

/**
 * Browser-mode transport: the same contract as the Electron preload, over a WebSocket to the host.
 * Reconnects with backoff; calls made while the link is down answer with an error value at once
 * rather than queueing trading commands for later.
 */
export function createWsClient(url: string): EngineClient {
  const stateListeners = new Set<(s: EngineState) => void>();
  const eventListeners = new Set<(e: EngineEvent) => void>();
  const linkListeners = new Set<(up: boolean) => void>();
  const pending = new Map<number, (r: Response<unknown>) => void>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let up = false;
  let backoff = 250;

  const setLink = (value: boolean): void => {
    if (up === value) return;
    up = value;
    for (const l of linkListeners) l(value);
  };

  const connect = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      backoff = 250;
      setLink(true);
    };
    ws.onmessage = (msg: MessageEvent<string>) => {
      const frame = JSON.parse(msg.data) as ServerFrame;
      switch (frame.type) {
        case 'state':
          for (const l of stateListeners) l(frame.state);
          break;
        case 'event':
          for (const l of eventListeners) l(frame.event);
          break;
        case 'response': {
          const resolve = pending.get(frame.id);
          pending.delete(frame.id);
          resolve?.(frame.response);
          break;
        }
        case 'error':
          console.warn('engine refused a frame:', frame.error.message);
          break;
      }
    };
    ws.onclose = () => {
      setLink(false);
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve({
          ok: false,
          error: { code: 'disconnected', message: 'the connection to the engine was lost' },
        });
      }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  };
  connect();

  return {
    invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Response<CommandResult<K>>> {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        return Promise.resolve({
          ok: false,
          error: { code: 'disconnected', message: 'not connected to the engine' },
        });
      }
      const id = nextId++;
      const ws = socket;
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Response<unknown>) => void);
        ws.send(JSON.stringify({ id, command: name, input }));
      });
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onLink(listener) {
      linkListeners.add(listener);
      listener(up);
      return () => linkListeners.delete(listener);
    },
  };
}
