import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Lots, Side, Ticks } from '../../core/instrument.ts';
import type { Rng } from '../../core/random.ts';
import type { Ledger } from './ledger.ts';
import type {
  MatchingEngine,
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderView,
} from './matching-engine.ts';

/** Shape of the background order flow. Rates are per second of clock time. */
export interface SyntheticMarketConfig {
  /** Fair price at the start, in ticks. */
  startPrice: number;
  /** Standard deviation of the log fair price per sqrt(second) (2e-5 is about 0.6 % a day). */
  volatility: number;
  /** Simulation step; events are drawn per step as Poisson counts. */
  stepMs: number;
  /** Limit order arrivals (both sides together). */
  limitRate: number;
  /** Mean distance of a new limit order behind the fair price, ticks (exponential decay). */
  meanDistanceTicks: number;
  /** Cancellation rate of each resting background order (its mean life is 1 / cancelRate seconds). */
  cancelRate: number;
  /** Marketable order arrivals (market or IOC). */
  marketRate: number;
  /** Share of marketable arrivals sent as IOC limits (the rest are market orders). */
  iocShare: number;
  /** Mean size of a limit / marketable order, lots (exponential, at least minLots). */
  meanLimitLots: number;
  meanMarketLots: number;
  /** Distinct background maker accounts; self-trade prevention applies within each. */
  makerAccounts: number;
}

export const DEFAULT_MARKET_CONFIG: Omit<SyntheticMarketConfig, 'startPrice'> = {
  volatility: 2e-5,
  stepMs: 50,
  limitRate: 60,
  meanDistanceTicks: 15,
  cancelRate: 0.25,
  marketRate: 6,
  iocShare: 0.3,
  meanLimitLots: 50,
  meanMarketLots: 30,
  makerAccounts: 8,
};

export interface SyntheticMarketOptions {
  engine: MatchingEngine;
  ledger: Ledger;
  clock: Clock;
  rng: Rng;
  config: Partial<SyntheticMarketConfig> & { startPrice: number };
  /** Receives every engine event (the market's own and everyone else's), after the market's bookkeeping. */
  listener?: SimEngineListener;
  /** Called after each background operation, e.g. to publish the L2 change it made. */
  afterOp?: () => void;
}

/**
 * Background traders around a matching engine: a log random-walk fair price, Poisson limit order
 * arrivals at an exponentially decaying distance behind it, per-order cancellations, and marketable
 * orders that lean towards the fair price when the mid drifts from it, so the book follows the fair
 * price and prints a trade tape. Driven only by its Rng and the Clock's timers: one seed, one tape.
 *
 * The market installs itself as the engine's listener and forwards every event to `listener`.
 */
export class SyntheticMarket implements SimEngineListener {
  readonly config: SyntheticMarketConfig;
  private readonly engine: MatchingEngine;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly downstream: SimEngineListener | undefined;
  private readonly afterOp: (() => void) | undefined;
  private readonly makers: number[] = [];
  private readonly taker: number;
  private readonly minLots: number;
  private logFair: number;
  private timer: TimerHandle | undefined;
  private seeded = false;
  /** Resting background order ids, with their index for O(1) removal. */
  private readonly ids: number[] = [];
  private readonly index = new Map<number, number>();
  private steps = 0;

  constructor(options: SyntheticMarketOptions) {
    const cfg: SyntheticMarketConfig = { ...DEFAULT_MARKET_CONFIG, ...options.config };
    validateConfig(cfg);
    this.config = cfg;
    this.engine = options.engine;
    this.clock = options.clock;
    this.rng = options.rng;
    this.downstream = options.listener;
    this.afterOp = options.afterOp;
    this.minLots = options.engine.instrument.minLots;
    const sym = options.engine.instrument.symbol;
    for (let i = 0; i < cfg.makerAccounts; i++)
      this.makers.push(options.ledger.addOwner(`${sym}-bg-maker-${i}`, true));
    this.taker = options.ledger.addOwner(`${sym}-bg-taker`, true);
    this.logFair = Math.log(cfg.startPrice);
    options.engine.setListener(this);
  }

  /** Seeds the book on the first start, then runs one step every `stepMs` of clock time. */
  start(): void {
    if (this.timer !== undefined) return;
    if (!this.seeded) {
      this.seeded = true;
      this.seedBook();
    }
    this.timer = this.clock.setInterval(() => {
      this.step();
    }, this.config.stepMs);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  running(): boolean {
    return this.timer !== undefined;
  }

  /** The current fair price in (fractional) ticks. */
  fairPrice(): number {
    return Math.exp(this.logFair);
  }

  /** Resting background orders. */
  backgroundOrders(): number {
    return this.ids.length;
  }

  stepCount(): number {
    return this.steps;
  }

  isBackground(owner: number): boolean {
    return owner === this.taker || this.makers.includes(owner);
  }

  /** One simulation step: move the fair price, then play this step's arrivals in random order. */
  step(): void {
    this.steps++;
    const cfg = this.config;
    const dt = cfg.stepMs / 1000;
    this.logFair += cfg.volatility * Math.sqrt(dt) * this.rng.normal();
    const rateL = cfg.limitRate;
    const rateM = cfg.marketRate;
    const rateC = cfg.cancelRate * this.ids.length;
    const total = rateL + rateM + rateC;
    const k = poisson(this.rng, total * dt);
    for (let i = 0; i < k; i++) {
      const u = this.rng.next() * total;
      if (u < rateL) this.placeLimit(false);
      else if (u < rateL + rateM) this.placeMarketable();
      else this.cancelRandom();
      this.afterOp?.();
    }
  }

  // ---- SimEngineListener ---------------------------------------------------------------------

  onAccept(order: SimOrderView): void {
    this.downstream?.onAccept(order);
  }

  onAmend(order: SimOrderView): void {
    this.downstream?.onAmend(order);
  }

  onFill(maker: SimOrderView, taker: SimOrderView, price: number, lots: number): void {
    this.downstream?.onFill(maker, taker, price, lots);
  }

  onDone(order: SimOrderView, status: SimDoneStatus, reason: SimDoneReason): void {
    this.forget(order.id);
    this.downstream?.onDone(order, status, reason);
  }

  // ---- flow ----------------------------------------------------------------------------------

  private seedBook(): void {
    // Roughly the steady state of arrivals against cancellations, laid out without crossing.
    const n = Math.round(this.config.limitRate / this.config.cancelRate);
    for (let i = 0; i < n; i++) {
      this.placeLimit(true);
      this.afterOp?.();
    }
  }

  private size(mean: number): number {
    return Math.max(this.minLots, 1 + Math.floor(this.rng.exponential(1 / mean)));
  }

  private distance(mean: number): number {
    return Math.floor(this.rng.exponential(1 / mean));
  }

  /**
   * A limit order behind the fair price. When `passive`, it is clamped so it cannot cross the book
   * (used to seed); otherwise a stale book on the wrong side of the fair price gets taken.
   */
  private placeLimit(passive: boolean): void {
    const fair = this.fairPrice();
    const side: Side = this.rng.bool() ? 'buy' : 'sell';
    const d = this.distance(this.config.meanDistanceTicks);
    let price = side === 'buy' ? Math.floor(fair - 0.5) - d : Math.ceil(fair + 0.5) + d;
    if (passive) {
      const opp = side === 'buy' ? this.engine.bestAsk() : this.engine.bestBid();
      if (opp !== undefined) price = side === 'buy' ? Math.min(price, opp - 1) : Math.max(price, opp + 1);
    }
    if (price < 1) return;
    const owner = this.makers[this.rng.int(0, this.makers.length - 1)]!;
    const lots = this.size(this.config.meanLimitLots);
    const id = this.engine.submit(owner, side, 'limit', 'gtc', price as Ticks, lots as Lots);
    if (id !== 0 && this.engine.isResting(id)) {
      this.index.set(id, this.ids.length);
      this.ids.push(id);
    }
  }

  private placeMarketable(): void {
    const fair = this.fairPrice();
    const bid = this.engine.bestBid();
    const ask = this.engine.bestAsk();
    let pBuy = 0.5;
    if (bid !== undefined && ask !== undefined) {
      const mid = (bid + ask) / 2;
      if (fair > mid + 1) pBuy = 0.75;
      else if (fair < mid - 1) pBuy = 0.25;
    }
    const side: Side = this.rng.next() < pBuy ? 'buy' : 'sell';
    const lots = this.size(this.config.meanMarketLots);
    if (this.rng.next() < this.config.iocShare) {
      const d = this.distance(this.config.meanDistanceTicks / 3);
      const price = side === 'buy' ? Math.ceil(fair + 0.5) + d : Math.floor(fair - 0.5) - d;
      if (price < 1) return;
      this.engine.submit(this.taker, side, 'limit', 'ioc', price as Ticks, lots as Lots);
    } else {
      this.engine.submit(this.taker, side, 'market', 'gtc', 0, lots as Lots);
    }
  }

  private cancelRandom(): void {
    const n = this.ids.length;
    if (n === 0) return;
    const id = this.ids[this.rng.int(0, n - 1)]!;
    // The engine reports the cancel through onDone, which forgets the id.
    this.engine.cancel(id);
  }

  private forget(id: number): void {
    const i = this.index.get(id);
    if (i === undefined) return;
    this.index.delete(id);
    const last = this.ids.pop()!;
    if (i < this.ids.length) {
      this.ids[i] = last;
      this.index.set(last, i);
    }
  }
}

function validateConfig(c: SyntheticMarketConfig): void {
  const positive: (keyof SyntheticMarketConfig)[] = [
    'startPrice',
    'stepMs',
    'meanDistanceTicks',
    'cancelRate',
    'meanLimitLots',
    'meanMarketLots',
    'makerAccounts',
  ];
  for (const k of positive) {
    if (!(Number.isFinite(c[k]) && c[k] > 0)) throw new RangeError(`market ${k} must be positive`);
  }
  for (const k of ['volatility', 'limitRate', 'marketRate'] as const) {
    if (!(Number.isFinite(c[k]) && c[k] >= 0)) throw new RangeError(`market ${k} must not be negative`);
  }
  if (!(c.iocShare >= 0 && c.iocShare <= 1)) throw new RangeError('market iocShare must be in [0, 1]');
  if (!Number.isInteger(c.makerAccounts)) throw new RangeError('market makerAccounts must be an integer');
}

/** Poisson count; large means are split so Knuth's method neither underflows nor loops long. */
function poisson(rng: Rng, lambda: number): number {
  let k = 0;
  let rest = lambda;
  while (rest > 20) {
    k += rng.poisson(20);
    rest -= 20;
  }
  return rest > 0 ? k + rng.poisson(rest) : k;
}
