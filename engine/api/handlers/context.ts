import type { Clock } from '../../core/clock.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import type { InstrumentDesk } from '../../node/instrument-desk.ts';
import type { TradingNode } from '../../node/trading-node.ts';
import type { RunningRecording } from '../../store/market-recordings.ts';
import type { RecordingInfo } from '../../store/recordings.ts';
import type { CommandName, Handlers, OverrideEntry } from '../contract.ts';

/** The database as the host runs it: its health, and on-demand backups. */
export interface StoreControl {
  status(): { ok: boolean; queueDepth: number; lastBackupAt: number | null; message: string | null };
  backup(): Promise<{ file: string }>;
}

/**
 * The session's market-data recordings (engine/store/market-recordings.ts): one recording at a time
 * of the session's venue, and the recordings database it writes. Every method throws an EngineError
 * a trader can act on (a taken name, a recording already running, the part being written).
 */
export interface RecordingControl {
  start(name: string, instruments: readonly InstrumentSpec[]): RunningRecording;
  stop(): RecordingInfo[];
  list(): RecordingInfo[];
  delete(name: string): void;
  status(): RunningRecording | null;
}

/** What every domain's handlers reach: the node, the trader's selection, the store, the clock. */
export interface HandlerContext {
  readonly clock: Clock;
  readonly node: TradingNode;
  readonly store: StoreControl | undefined;
  /** Absent where the host offers no recording (a backtest's session). */
  readonly recordings: RecordingControl | undefined;
  /** The desk a command names, or the selected one; refuses before the node has started. */
  desk(symbol: string | undefined): InstrumentDesk;
  select(symbol: string): void;
  /** Refuses while the node is not running. */
  requireStarted(): void;
  /** Tells the screen about an override change (the journal hears it on the bus). */
  overrideChanged(symbol: string, entry: Omit<OverrideEntry, 'at'>): void;
}

/** The handlers of one domain: a typed slice of the command map. */
export type HandlerSlice<K extends CommandName> = Pick<Handlers, K>;

export function ack(clock: Clock): { at: number } {
  return { at: clock.now() };
}
