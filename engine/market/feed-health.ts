import type { Clock } from '../core/clock.ts';
import type { ApplyResult, OrderBook } from './order-book.ts';

export type FeedState = 'waiting' | 'ok' | 'stale' | 'gap' | 'crossed' | 'disconnected';

/**
 * Health of one market-data feed: is the link up, is the book consistent, and is it fresh. A book
 * older than `staleAfterMs` is stale: quotes based on it must be pulled.
 */
export class FeedHealth {
  private readonly clock: Clock;
  private readonly staleAfterMs: number;
  private connected = false;
  private lastResult: ApplyResult | undefined;
  resyncs = 0;

  constructor(clock: Clock, staleAfterMs: number) {
    if (!(staleAfterMs > 0) || !Number.isFinite(staleAfterMs))
      throw new RangeError('staleAfterMs must be a positive number');
    this.clock = clock;
    this.staleAfterMs = staleAfterMs;
  }

  setConnected(up: boolean): void {
    this.connected = up;
  }

  record(result: ApplyResult): void {
    this.lastResult = result;
  }

  noteResync(): void {
    this.resyncs++;
  }

  state(book: OrderBook): FeedState {
    if (!this.connected) return 'disconnected';
    const status = book.status();
    if (status === 'empty') return 'waiting';
    if (status === 'gap') return 'gap';
    if (status === 'crossed') return 'crossed';
    const age = book.age(this.clock.now());
    if (age === undefined) return 'waiting';
    return age > this.staleAfterMs ? 'stale' : 'ok';
  }

  /** The last apply outcome, for diagnostics. */
  last(): ApplyResult | undefined {
    return this.lastResult;
  }
}
