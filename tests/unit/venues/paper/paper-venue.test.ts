import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { Decimal } from '../../../../engine/core/decimal.ts';
import { EngineError } from '../../../../engine/core/errors.ts';
import type { InstrumentSpec, Lots, Side, Ticks } from '../../../../engine/core/instrument.ts';
import {
  createPaperVenue,
  DEFAULT_PAPER_BALANCES,
  PaperVenue,
  type PaperOptions,
} from '../../../../engine/venues/paper/paper-venue.ts';
import type {
  ConnectionState,
  ExecutionEvent,
  Fill,
  MarketData,
  MarketListener,
  OrderAck,
  Unsubscribe,
  VenueResult,
} from '../../../../engine/venues/venue.ts';

/** Bybit spot BTCUSDT as its listing prints it, with Bybit's non-VIP spot rates. */
const BTC: InstrumentSpec = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.1',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.001',
};
const ETH: InstrumentSpec = { ...BTC, symbol: 'ETHUSDT', base: 'ETH', tickSize: '0.01', lotSize: '0.01' };

const t = (n: number): Ticks => n as Ticks;
const l = (n: number): Lots => n as Lots;

/** A scripted public feed that lists two instruments and counts its connects and subscriptions. */
class ScriptedMarket implements MarketData {
  connects = 0;
  private state: ConnectionState = 'disconnected';
  private readonly subs = new Map<string, MarketListener[]>();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private seq = 0;
  private tradeSeq = 0;
  private readonly clock: SimClock;

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  connect(): Promise<void> {
    this.connects++;
    this.setState('connected');
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.setState('disconnected');
    return Promise.resolve();
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([{ ...BTC }, { ...ETH }]);
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    this.subs.set(symbol, [...(this.subs.get(symbol) ?? []), listener]);
    return () =>
      this.subs.set(
        symbol,
        (this.subs.get(symbol) ?? []).filter((x) => x !== listener),
      );
  }

  subscribers(symbol: string): number {
    return this.subs.get(symbol)?.length ?? 0;
  }

  snapshot(bids: [number, number][], asks: [number, number][]): void {
    const seq = ++this.seq;
    const level = ([p, s]: [number, number]) => [t(p), l(s)] as const;
    for (const s of this.subs.get('BTCUSDT') ?? [])
      s.onBook({
        kind: 'snapshot',
        symbol: 'BTCUSDT',
        seq,
        ts: this.clock.now(),
        bids: bids.map(level),
        asks: asks.map(level),
      });
  }

  trade(price: number, size: number, aggressor: Side): void {
    const trade = {
      symbol: 'BTCUSDT',
      tradeId: String(++this.tradeSeq),
      ts: this.clock.now(),
      price: t(price),
      size: l(size),
      aggressor,
    };
    for (const s of this.subs.get('BTCUSDT') ?? []) s.onTrade(trade);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of [...this.connectionListeners]) listener(state);
  }
}

function rig(options: PaperOptions = {}) {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const market = new ScriptedMarket(clock);
  const venue = new PaperVenue({ id: 'paper-test', clock, market, symbols: ['BTCUSDT'], ...options });
  const events: ExecutionEvent[] = [];
  venue.onExecution((e) => events.push(e));
  const fills = () => events.filter((e): e is Fill => e.type === 'fill');
  return { clock, market, venue, events, fills };
}

describe('paper venue: simulated execution built on the first connect', () => {
  it('answers nothing but refusals before connect, then trades only the session’s symbols', async () => {
    const { clock, market, venue } = rig();
    expect(venue.kind).toBe('paper');
    expect(venue.capabilities).toMatchObject({ amend: true, postOnly: true });
    const early = venue.placeOrder({
      symbol: 'BTCUSDT',
      clientId: 'early-1',
      side: 'buy',
      type: 'limit',
      timeInForce: 'post_only',
      price: t(649_990),
      size: l(10),
    });
    clock.advance(1);
    expect(await early).toMatchObject({ ok: false, code: 'venue_unavailable' });
    await expect(venue.balances()).rejects.toThrow(EngineError);
    expect(market.subscribers('BTCUSDT')).toBe(0);

    await venue.connect();
    expect(venue.connectionState()).toBe('connected');
    // The execution subscribed to the traded symbol alone, not to everything the source lists.
    expect(market.subscribers('BTCUSDT')).toBe(1);
    expect(market.subscribers('ETHUSDT')).toBe(0);
    expect((await venue.instruments()).map((i) => i.symbol)).toEqual(['BTCUSDT']);
    const balances = venue.balances();
    clock.advance(10);
    expect(Object.fromEntries((await balances).map((b) => [b.asset, b.total]))).toEqual({
      ...DEFAULT_PAPER_BALANCES,
    });

    // A reconnect keeps the account: no second execution, no second subscription.
    await venue.disconnect();
    await venue.connect();
    expect(market.connects).toBe(2);
    expect(market.subscribers('BTCUSDT')).toBe(1);
  });

  it('a bid behind 50 lots fills only once 50 lots traded at its price, at the maker fee, with 5 ms each way', async () => {
    const { clock, market, venue, fills } = rig();
    await venue.connect();
    market.snapshot([[649_990, 50]], [[650_010, 30]]);
    const answers: VenueResult<OrderAck>[] = [];
    const sentAt = clock.now();
    venue.callbackOrders.place(
      {
        symbol: 'BTCUSDT',
        clientId: 'q-1',
        side: 'buy',
        type: 'limit',
        timeInForce: 'post_only',
        price: t(649_990),
        size: l(10),
      },
      (r) => answers.push(r),
      undefined,
    );
    clock.advance(9);
    expect(answers).toEqual([]);
    clock.advance(1);
    expect(answers).toMatchObject([{ ok: true }]);
    expect(clock.now() - sentAt).toBe(10);

    // The risk-averse queue: everything the level showed on arrival is ahead of us.
    market.trade(649_990, 30, 'sell');
    clock.advance(20);
    expect(fills()).toEqual([]);
    market.trade(649_990, 30, 'sell');
    const tradedAt = clock.now();
    clock.advance(4);
    expect(fills()).toEqual([]);
    clock.advance(1);
    expect(fills()).toHaveLength(1);
    const fill = fills()[0]!;
    expect(fill).toMatchObject({
      clientId: 'q-1',
      price: 649_990,
      size: 10,
      liquidity: 'maker',
      ts: tradedAt,
    });
    // 0.010 BTC at 64999.0 is 649.99 USDT; Bybit's spot maker rate 0.1 % of it.
    expect(new Decimal(fill.fee).toFixed()).toBe('0.64999');
    expect(fill.feeAsset).toBe('USDT');
    const balances = venue.balances();
    clock.advance(10);
    const byAsset = Object.fromEntries((await balances).map((b) => [b.asset, b.total]));
    expect(byAsset.BTC).toBe(new Decimal(DEFAULT_PAPER_BALANCES.BTC!).plus('0.01').toFixed());
    expect(byAsset.USDT).toBe(new Decimal('100000').minus('649.99').minus('0.64999').toFixed());
  });

  it('takes balances, latency and an id from its options', async () => {
    const { clock, market, venue } = rig({
      balances: { USDT: '5000', BTC: '0' },
      latency: { requestMs: 20, responseMs: 30 },
    });
    await venue.connect();
    market.snapshot([[649_990, 50]], [[650_010, 30]]);
    const answer = venue.placeOrder({
      symbol: 'BTCUSDT',
      clientId: 'ask-1',
      side: 'sell',
      type: 'limit',
      timeInForce: 'post_only',
      price: t(650_020),
      size: l(10),
    });
    clock.advance(49);
    let settled = false;
    void answer.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    // No BTC to sell: the simulated spot account refuses, as Bybit would.
    expect(await answer).toMatchObject({ ok: false, code: 'insufficient_funds' });
    const balances = venue.balances();
    clock.advance(50);
    expect(Object.fromEntries((await balances).map((b) => [b.asset, b.total]))).toEqual({
      USDT: '5000',
      BTC: '0',
    });
  });

  it('refuses a symbol the source does not list, leaving the link closed', async () => {
    const clock = new SimClock(0);
    const market = new ScriptedMarket(clock);
    const venue = new PaperVenue({ id: 'paper-test', clock, market, symbols: ['BTCUSDT', 'NOPEUSDT'] });
    await expect(venue.connect()).rejects.toThrow(/lists no instrument NOPEUSDT/);
    expect(market.connectionState()).toBe('disconnected');
    expect(market.subscribers('BTCUSDT')).toBe(0);
    expect(() => new PaperVenue({ id: 'p', clock, market, symbols: [] })).toThrow(/at least one symbol/);
  });

  it('createPaperVenue composes the feed with simulated execution for the given instruments', async () => {
    const clock = new SimClock(0);
    const market = new ScriptedMarket(clock);
    await market.connect();
    const venue = createPaperVenue(market, clock, [BTC], { id: 'paper-x' });
    expect(venue).toMatchObject({ id: 'paper-x', kind: 'paper' });
    expect(market.subscribers('BTCUSDT')).toBe(1);
    const balances = venue.balances();
    clock.advance(10);
    expect((await balances).map((b) => b.asset).sort()).toEqual(['BTC', 'ETH', 'USDT']);
  });
});
