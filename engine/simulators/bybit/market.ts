import type { Clock } from '../../core/clock.ts';
import type { Instrument, Side } from '../../core/instrument.ts';
import { defineInstrument, formatPrice, formatSize, priceToTicks } from '../../core/instrument.ts';
import type { Rng } from '../../core/random.ts';
import type { Ledger } from '../../venues/sim/ledger.ts';
import type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderView,
} from '../../venues/sim/matching-engine.ts';
import { MatchingEngine } from '../../venues/sim/matching-engine.ts';
import type { SyntheticMarketConfig } from '../../venues/sim/synthetic-market.ts';
import { SyntheticMarket } from '../../venues/sim/synthetic-market.ts';
import type { BookSource, Sink } from './book-feed.ts';
import { BookFeed } from './book-feed.ts';
import type { IdSource } from './ids.ts';
import type { ListedInstrument } from './instruments.ts';
import type { Category } from './wire.ts';
import { wireMs } from './wire.ts';

/** Receives the engine events of the simulator's accounts (not the background traders'). */
export interface AccountRouter {
  owns(owner: number): boolean;
  onAccept(market: SimMarket, order: SimOrderView): void;
  onAmend(market: SimMarket, order: SimOrderView): void;
  onFill(market: SimMarket, order: SimOrderView, price: number, lots: number, maker: boolean): void;
  onDone(market: SimMarket, order: SimOrderView, status: SimDoneStatus, reason: SimDoneReason): void;
  /** One operation on this market ended: the accounts push what it changed. */
  endOperation(market: SimMarket): void;
}

/** A print of the public tape in the `publicTrade` item shape. */
export interface PublicTrade {
  readonly T: number;
  readonly s: string;
  readonly S: 'Buy' | 'Sell';
  readonly v: string;
  readonly p: string;
  readonly L?: string;
  readonly i: string;
  readonly BT: boolean;
  readonly RPI: boolean;
  readonly seq: number;
}

const RECENT_TRADES = 1000;
/** The venue splits trade pushes at this many items. */
const TRADES_PER_FRAME = 1024;

export interface SimMarketOptions {
  listed: ListedInstrument;
  ledger: Ledger;
  clock: Clock;
  rng: Rng;
  ids: IdSource;
  router: AccountRouter;
  /** Background flow overrides for every market. */
  flow?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
}

/**
 * One (category, symbol) of the simulated venue: a matching engine with its background traders, the
 * book streams, and the public tape. Every engine event bumps the cross sequence; at the end of each
 * operation (a background event or one of our requests) the trades it printed go out in one
 * `publicTrade` push and the accounts push their changes.
 */
export class SimMarket implements BookSource {
  readonly category: Category;
  readonly symbol: string;
  readonly instrument: Instrument;
  readonly listed: ListedInstrument;
  readonly engine: MatchingEngine;
  readonly background: SyntheticMarket;
  readonly book: BookFeed;
  seq: number;
  lastChangeAt: number;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly router: AccountRouter;
  private readonly pendingTrades: PublicTrade[] = [];
  private readonly recent: PublicTrade[] = [];
  private readonly tradeSinks = new Set<Sink>();
  private lastTradePrice = 0;
  private lastDirection = 'ZeroPlusTick';

  constructor(options: SimMarketOptions) {
    const { listed, clock, rng } = options;
    this.category = listed.category;
    this.listed = listed;
    this.instrument = defineInstrument(listed.spec);
    this.symbol = this.instrument.symbol;
    this.clock = clock;
    this.ids = options.ids;
    this.router = options.router;
    this.seq = 1_000_000 + rng.int(0, 8_999_999);
    this.lastChangeAt = clock.now();
    this.engine = new MatchingEngine(this.instrument, options.ledger);
    this.book = new BookFeed(this, clock, 100_000 + rng.int(0, 899_999));
    this.background = new SyntheticMarket({
      engine: this.engine,
      ledger: options.ledger,
      clock,
      rng,
      config: { ...options.flow, startPrice: priceToTicks(this.instrument, listed.startPrice) },
      listener: this.listener(),
      afterOp: () => {
        this.endOperation();
      },
    });
  }

  start(): void {
    this.background.start();
  }

  stop(): void {
    this.background.stop();
    this.book.stop();
    this.tradeSinks.clear();
  }

  /** Ends one operation: its trades go out, then the accounts' pushes. */
  endOperation(): void {
    if (this.pendingTrades.length > 0) {
      const trades = this.pendingTrades.splice(0);
      if (this.tradeSinks.size > 0) {
        const ts = wireMs(this.clock.now());
        for (let i = 0; i < trades.length; i += TRADES_PER_FRAME) {
          const frame = JSON.stringify({
            topic: `publicTrade.${this.symbol}`,
            type: 'snapshot',
            ts,
            data: trades.slice(i, i + TRADES_PER_FRAME),
          });
          for (const sink of this.tradeSinks) sink(frame);
        }
      }
    }
    this.router.endOperation(this);
  }

  subscribeTrades(sink: Sink): void {
    this.tradeSinks.add(sink);
  }

  unsubscribeTrades(sink: Sink): void {
    this.tradeSinks.delete(sink);
  }

  /** The latest prints, newest first. */
  recentTrades(limit: number): PublicTrade[] {
    return this.recent.slice(-limit).reverse();
  }

  /**
   * The mark price in ticks: the mid rounded down to the grid, or the background fair price when a
   * side of the book is empty.
   */
  markTicks(): number {
    const bid = this.engine.bestBid();
    const ask = this.engine.bestAsk();
    if (bid !== undefined && ask !== undefined) return Math.floor((bid + ask) / 2);
    return Math.max(1, Math.round(this.background.fairPrice()));
  }

  private touch(): void {
    this.seq++;
    this.lastChangeAt = this.clock.now();
  }

  private print(takerSide: Side, price: number, lots: number): void {
    const inst = this.instrument;
    let L: string | undefined;
    if (this.category === 'linear') {
      if (this.lastTradePrice !== 0 && price !== this.lastTradePrice) {
        this.lastDirection = price > this.lastTradePrice ? 'PlusTick' : 'MinusTick';
      } else if (this.lastTradePrice !== 0) {
        this.lastDirection =
          this.lastDirection.startsWith('Plus') || this.lastDirection === 'ZeroPlusTick'
            ? 'ZeroPlusTick'
            : 'ZeroMinusTick';
      }
      L = this.lastDirection;
    }
    this.lastTradePrice = price;
    const trade: PublicTrade = {
      T: wireMs(this.clock.now()),
      s: this.symbol,
      S: takerSide === 'buy' ? 'Buy' : 'Sell',
      v: formatSize(inst, lots),
      p: formatPrice(inst, price),
      ...(L === undefined ? {} : { L }),
      i: this.category === 'spot' ? this.ids.digits() : this.ids.uuid(),
      BT: false,
      RPI: false,
      seq: this.seq,
    };
    this.pendingTrades.push(trade);
    this.recent.push(trade);
    if (this.recent.length > RECENT_TRADES * 2) this.recent.splice(0, this.recent.length - RECENT_TRADES);
  }

  private listener(): SimEngineListener {
    const router = this.router;
    return {
      onAccept: (o) => {
        this.touch();
        if (router.owns(o.owner)) router.onAccept(this, o);
      },
      onAmend: (o) => {
        this.touch();
        if (router.owns(o.owner)) router.onAmend(this, o);
      },
      onFill: (maker, taker, price, lots) => {
        this.touch();
        this.print(taker.side, price, lots);
        if (router.owns(maker.owner)) router.onFill(this, maker, price, lots, true);
        if (router.owns(taker.owner)) router.onFill(this, taker, price, lots, false);
      },
      onDone: (o, status, reason) => {
        this.touch();
        if (router.owns(o.owner)) router.onDone(this, o, status, reason);
      },
    };
  }
}
