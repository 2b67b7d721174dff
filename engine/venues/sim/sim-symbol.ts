import type { Instrument } from '../../core/instrument.ts';
import type { MatchingEngine } from './matching-engine.ts';
import type { Subscription } from './sim-feed.ts';
import type { SyntheticMarket } from './synthetic-market.ts';

/** One instrument the simulator lists: its book, its background flow, and its feed's state. */
export interface SymbolSim {
  readonly instrument: Instrument;
  readonly engine: MatchingEngine;
  readonly market: SyntheticMarket;
  /** Its place in listing order (a fill record names its symbol by index). */
  readonly index: number;
  bookSeq: number;
  tradeSeq: number;
  /** A depth flush is scheduled for the end of the current instant. */
  depthPending: boolean;
  readonly flushDepth: () => void;
  /** Copy on write: a queued message keeps the subscriber list of the moment it was produced. */
  subscribers: readonly Subscription[];
}
