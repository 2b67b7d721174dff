import type { Clock } from '../../core/clock.ts';
import { Rng } from '../../core/random.ts';
import { Ledger } from '../../venues/sim/ledger.ts';
import type { SyntheticMarketConfig } from '../../venues/sim/synthetic-market.ts';
import { IdSource } from '../bybit/ids.ts';
import { SimMarket } from '../bybit/market.ts';
import { MexcAccounts } from './accounts.ts';
import type { MexcListing } from './instruments.ts';
import { defaultMexcListing, wrapperListing } from './instruments.ts';
import { ListenKeys } from './listen-keys.ts';
import { MarketFeed } from './market-feed.ts';
import type { MexcSymbol } from './orders.ts';
import type { LimitMakerCross } from './trading.ts';
import { MexcTrading } from './trading.ts';

export interface MexcExchangeOptions {
  clock: Clock;
  seed: number;
  historyLimit: number;
  limitMakerCross: LimitMakerCross;
  listenKeyTtlMs: number;
  flow?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
  listing?: readonly MexcListing[];
}

/** A symbol with its public streams. */
export interface ListedSymbol extends MexcSymbol {
  readonly feed: MarketFeed;
}

/**
 * The simulated venue behind the MEXC protocol servers: its symbols (each the shared market wrapper
 * around a matching engine and its background flow, plus the symbol's public streams), the accounts
 * on one ledger, order entry and the listen keys. Transport-free: the REST and WebSocket servers
 * only translate to and from it. A symbol that is not online (status 2 or 3) is listed with an
 * empty book: its background flow never starts.
 */
export class MexcExchange {
  readonly clock: Clock;
  readonly ledger = new Ledger();
  readonly ids: IdSource;
  readonly accounts: MexcAccounts;
  readonly trading: MexcTrading;
  readonly listenKeys: ListenKeys;
  private readonly symbols = new Map<string, ListedSymbol>();

  constructor(options: MexcExchangeOptions) {
    this.clock = options.clock;
    const master = new Rng(options.seed);
    this.ids = new IdSource(new Rng(master.nextU32()));
    this.accounts = new MexcAccounts({
      ledger: this.ledger,
      clock: this.clock,
      ids: this.ids,
      historyLimit: options.historyLimit,
    });
    for (const listing of options.listing ?? defaultMexcListing()) {
      const market = new SimMarket({
        listed: wrapperListing(listing),
        ledger: this.ledger,
        clock: this.clock,
        rng: new Rng(master.nextU32()),
        ids: this.ids,
        router: this.accounts,
        flow: { ...listing.flow, ...options.flow },
      });
      if (this.symbols.has(market.symbol)) throw new Error(`${market.symbol} is listed twice`);
      this.symbols.set(market.symbol, { listing, market, feed: new MarketFeed(market, this.clock) });
    }
    this.trading = new MexcTrading({
      clock: this.clock,
      ids: this.ids,
      symbol: (name) => this.symbols.get(name),
      limitMakerCross: options.limitMakerCross,
    });
    this.listenKeys = new ListenKeys(this.clock, this.ids, options.listenKeyTtlMs);
  }

  symbol(name: string): ListedSymbol | undefined {
    return this.symbols.get(name);
  }

  /** Every listed symbol, in listing order. */
  all(): ListedSymbol[] {
    return [...this.symbols.values()];
  }

  start(): void {
    for (const s of this.symbols.values()) if (s.listing.status === '1') s.market.start();
  }

  stop(): void {
    for (const s of this.symbols.values()) {
      s.feed.stop();
      s.market.stop();
    }
  }
}
