import { create } from 'zustand';
import type {
  CommandInput,
  CommandName,
  CommandResult,
  EngineClient,
  EngineEvent,
  EngineState,
  Response,
} from '../../../engine/api/contract.ts';
import { applyEvent, emptyLogs, listFor, type EventLogs } from './event-logs.ts';

export type { EquityPoint } from './event-logs.ts';

export interface EngineStore extends EventLogs {
  /** Latest snapshot from the engine; null until the first one arrives. */
  state: EngineState | null;
  /** Link to the engine (IPC or WebSocket) is up. */
  link: boolean;
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
  ...emptyLogs(),
  invoke: () =>
    Promise.resolve({ ok: false, error: { code: 'disconnected', message: 'not connected to the engine' } }),
}));

export function ingestEvent(event: EngineEvent): void {
  const changed = applyEvent(useEngineStore.getState(), event);
  if (Object.keys(changed).length > 0) useEngineStore.setState(changed);
}

// Selectors: the selected instrument's lists. Each returns a list kept in the store (or the shared
// empty one), so a component re-renders only when that instrument's list changes.
type S = Pick<EngineStore, 'state' | keyof EventLogs>;
/** The instrument on screen: the engine's selection (the instrument view names the same one). */
export const selectSelected = (s: Pick<EngineStore, 'state'>): string | null =>
  s.state?.selected ?? s.state?.instrument?.symbol ?? null;
export const selectFills = (s: S) => listFor(s.fills, selectSelected(s));
export const selectOrderLog = (s: S) => listFor(s.orderLog, selectSelected(s));
export const selectEquity = (s: S) => listFor(s.equity, selectSelected(s));

/**
 * The `symbol` field for an instrument-scoped command. Naming the instrument on screen (rather than
 * leaving it to the engine's selection) means a switch that lands between the click and the command
 * cannot redirect the command to the other instrument.
 */
export function targetOf(symbol: string | null | undefined): { symbol?: string } {
  return symbol ? { symbol } : {};
}

/** Connects the store to a transport; returns the unsubscribe. */
export function bindEngine(client: EngineClient): () => void {
  useEngineStore.setState({
    invoke: async (name, input) => {
      try {
        return await client.invoke(name, input);
      } catch (error) {
        // The transports answer with error values; this keeps a broken one from throwing into a click.
        return { ok: false, error: { code: 'transport', message: String(error) } };
      }
    },
  });
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
