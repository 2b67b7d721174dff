import { create } from 'zustand';
import type {
  AlertView,
  CommandInput,
  CommandName,
  CommandResult,
  EngineClient,
  EngineEvent,
  EngineState,
  FillView,
  OrderView,
  Response,
} from '../../../engine/api/contract.ts';

const MAX_FILLS = 5000;
const MAX_ORDER_LOG = 5000;
const MAX_ALERTS = 500;
const MAX_EQUITY = 3000;

export interface EngineStore {
  /** Latest snapshot from the engine; null until the first one arrives. */
  state: EngineState | null;
  /** Link to the engine (IPC or WebSocket) is up. */
  link: boolean;
  fills: FillView[];
  orderLog: OrderView[];
  alertLog: AlertView[];
  equity: { at: number; equity: string; mid: string | null }[];
  /** Sends a command; resolves with the engine's answer (never rejects). */
  invoke: <K extends CommandName>(name: K, input: CommandInput<K>) => Promise<Response<CommandResult<K>>>;
}

/**
 * The renderer's one store. It only ingests what the engine publishes (snapshots and events) and
 * never computes trading state itself; the one subscription to the transport lives in `bindEngine`.
 */
export const useEngineStore = create<EngineStore>(() => ({
  state: null,
  link: false,
  fills: [],
  orderLog: [],
  alertLog: [],
  equity: [],
  invoke: () =>
    Promise.resolve({ ok: false, error: { code: 'disconnected', message: 'not connected to the engine' } }),
}));

function capped<T>(list: T[], item: T, max: number): T[] {
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  next.push(item);
  return next;
}

export function ingestEvent(event: EngineEvent): void {
  const set = useEngineStore.setState;
  switch (event.name) {
    case 'fill.executed':
      set((s) => ({ fills: capped(s.fills, event.payload, MAX_FILLS) }));
      break;
    case 'order.changed':
      set((s) => ({ orderLog: capped(s.orderLog, event.payload, MAX_ORDER_LOG) }));
      break;
    case 'alert.raised':
      set((s) => ({ alertLog: capped(s.alertLog, event.payload, MAX_ALERTS) }));
      break;
    case 'equity.sampled':
      set((s) => ({ equity: capped(s.equity, event.payload, MAX_EQUITY) }));
      break;
    case 'override.changed':
      break;
  }
}

/** Connects the store to a transport; returns the unsubscribe. */
export function bindEngine(client: EngineClient): () => void {
  useEngineStore.setState({ invoke: (name, input) => client.invoke(name, input) });
  const offState = client.onState((state) => {
    useEngineStore.setState({ state });
  });
  const offEvent = client.onEvent(ingestEvent);
  const offLink = client.onLink?.((link) => {
    useEngineStore.setState({ link });
  });
  if (!client.onLink) useEngineStore.setState({ link: true });
  return () => {
    offState();
    offEvent();
    offLink?.();
  };
}
