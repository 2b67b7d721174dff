import type { Clock, TimerHandle } from '../../core/clock.ts';
import { Decimal, parseDecimal } from '../../core/decimal.ts';
import { ticksToDecimal } from '../../core/instrument.ts';
import { Rng } from '../../core/random.ts';
import { Ledger } from '../../venues/sim/ledger.ts';
import type { SyntheticMarketConfig } from '../../venues/sim/synthetic-market.ts';
import { Accounts } from './accounts.ts';
import { DcpMonitor } from './dcp.ts';
import { IdSource } from './ids.ts';
import type { ListedInstrument } from './instruments.ts';
import { defaultListing } from './instruments.ts';
import { SimMarket } from './market.ts';
import { Trading } from './trading.ts';
import type { Category } from './wire.ts';

export interface ExchangeOptions {
  clock: Clock;
  seed: number;
  /** Funding settles every this many ms of clock time (the venue: 8 h). */
  fundingIntervalMs: number;
  /** The funding rate applied at each settlement, e.g. "0.0001"; positive: longs pay shorts. */
  fundingRate: string;
  /** Leverage of every perpetual position, e.g. "10". */
  leverage: string;
  historyLimit: number;
  flow?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
  listing?: readonly ListedInstrument[];
}

/**
 * The simulated venue behind the protocol servers: its markets (each its own matching engine and
 * background flow on the clock), the accounts on one shared ledger, order entry, funding of the
 * perpetuals and DCP. Transport-free: the REST and WebSocket servers only translate to and from it.
 */
export class BybitExchange {
  readonly clock: Clock;
  readonly ledger = new Ledger();
  readonly ids: IdSource;
  readonly accounts: Accounts;
  readonly trading: Trading;
  readonly dcp: DcpMonitor;
  readonly fundingIntervalMs: number;
  readonly fundingRate: Decimal;
  private readonly markets = new Map<string, SimMarket>();
  private readonly listed: SimMarket[] = [];
  private fundingTimer: TimerHandle | undefined;
  private nextFundingAt = 0;

  constructor(options: ExchangeOptions) {
    this.clock = options.clock;
    if (!(options.fundingIntervalMs >= 1)) throw new RangeError('fundingIntervalMs must be at least 1');
    this.fundingIntervalMs = options.fundingIntervalMs;
    this.fundingRate = parseDecimal(options.fundingRate, 'fundingRate');
    const leverage = parseDecimal(options.leverage, 'leverage');
    if (leverage.lt(1) || leverage.gt(100)) throw new RangeError('leverage must be 1-100');
    const master = new Rng(options.seed);
    this.ids = new IdSource(new Rng(master.nextU32()));
    this.accounts = new Accounts({
      ledger: this.ledger,
      clock: this.clock,
      ids: this.ids,
      leverage,
      historyLimit: options.historyLimit,
      valuation: (coin) => this.valuation(coin),
    });
    for (const listed of options.listing ?? defaultListing()) {
      const market = new SimMarket({
        listed,
        ledger: this.ledger,
        clock: this.clock,
        rng: new Rng(master.nextU32()),
        ids: this.ids,
        router: this.accounts,
        ...(options.flow === undefined ? {} : { flow: options.flow }),
      });
      const key = marketKey(listed.category, market.symbol);
      if (this.markets.has(key)) throw new Error(`${key} is listed twice`);
      this.markets.set(key, market);
      this.listed.push(market);
    }
    this.trading = new Trading({
      clock: this.clock,
      ids: this.ids,
      market: (category, symbol) => this.market(category, symbol),
    });
    this.dcp = new DcpMonitor(this.clock, (account, category) => {
      this.trading.cancelForDcp(account, category);
    });
  }

  market(category: Category, symbol: string): SimMarket | undefined {
    return this.markets.get(marketKey(category, symbol));
  }

  /** Markets in listing order, optionally of one category. */
  marketsOf(category?: Category): SimMarket[] {
    return this.listed.filter((m) => category === undefined || m.category === category);
  }

  start(): void {
    for (const m of this.listed) m.start();
    this.nextFundingAt = this.clock.now() + this.fundingIntervalMs;
    this.fundingTimer = this.clock.setInterval(() => {
      this.settleFunding();
    }, this.fundingIntervalMs);
  }

  stop(): void {
    this.clock.clearTimer(this.fundingTimer);
    this.fundingTimer = undefined;
    this.dcp.stop();
    for (const m of this.listed) m.stop();
  }

  /** When the next funding settles (ms). */
  nextFundingTime(): number {
    return Math.floor(this.nextFundingAt);
  }

  /** USD value of one unit of a coin: stablecoins 1, others at their spot USDT mark. */
  valuation(coin: string): Decimal {
    if (coin === 'USDT' || coin === 'USDC') return new Decimal(1);
    const market = this.market('spot', `${coin}USDT`);
    return market === undefined ? new Decimal(0) : ticksToDecimal(market.instrument, market.markTicks());
  }

  private settleFunding(): void {
    this.nextFundingAt = this.clock.now() + this.fundingIntervalMs;
    const rateText = this.fundingRate.toFixed();
    for (const market of this.marketsOf('linear')) {
      for (const account of this.accounts.all())
        this.accounts.fund(account, market, this.fundingRate, rateText);
      market.endOperation();
    }
  }
}

function marketKey(category: Category, symbol: string): string {
  return `${category}:${symbol}`;
}
