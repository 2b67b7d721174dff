import type { Lots, Side, Ticks } from '../core/instrument.ts';

/** One price level: [price in ticks, size in lots]. In a delta a size of 0 deletes the level. */
export type Level = readonly [price: Ticks, size: Lots];

/** A full book image. `seq` is the venue's update id; later deltas continue from it. */
export interface BookSnapshot {
  readonly kind: 'snapshot';
  readonly symbol: string;
  readonly seq: number;
  /** Venue (exchange) time in ms. */
  readonly ts: number;
  /** Best first: bids descending, asks ascending. */
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/**
 * An incremental update. `prevSeq`, where the venue sends one, must equal the seq of the last update
 * applied; otherwise `seq` must be exactly one more (venues without prevSeq). A mismatch is a gap.
 */
export interface BookDelta {
  readonly kind: 'delta';
  readonly symbol: string;
  readonly seq: number;
  readonly prevSeq?: number;
  readonly ts: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

export type BookMessage = BookSnapshot | BookDelta;

/** A public trade on the tape. */
export interface Trade {
  readonly symbol: string;
  readonly tradeId: string;
  readonly ts: number;
  readonly price: Ticks;
  readonly size: Lots;
  /** The taker's side. */
  readonly aggressor: Side;
}
