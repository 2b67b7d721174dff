import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { ClientIdFactory } from '../../../engine/core/ids.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import { EventFeed } from '../../../engine/oms/event-feed.ts';
import {
  OrderManager,
  type CallGuard,
  type OmsEvent,
  type OrderGate,
} from '../../../engine/oms/order-manager.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../../../engine/venues/sim/index.ts';
import { diffQuotes } from '../../../engine/oms/quote-manager.ts';
import type { Order } from '../../../engine/oms/order.ts';
import type { Fill, OrderUpdate } from '../../../engine/venues/venue.ts';
import { FakeVenue, flush } from './fake-venue.ts';

function setup(gate: OrderGate = () => ({ ok: true }), maxInFlight = 8) {
  const clock = new SimClock(0);
  const venue = new FakeVenue();
  const events: OmsEvent[] = [];
  const oms = new OrderManager({
    clock,
    venue,
    symbol: 'X',
    ids: new ClientIdFactory('t'),
    gate,
    emit: (e) => events.push(e),
    maxInFlight,
  });
  venue.onExecution((e) => {
    oms.onExecution(e);
  });
  return { clock, venue, oms, events };
}

const upd = (
  clientId: string,
  status: OrderUpdate['status'],
  updateSeq: number,
  extra: Partial<OrderUpdate> = {},
): OrderUpdate => ({
  type: 'order',
  symbol: 'X',
  clientId,
  venueOrderId: 'v1',
  side: 'buy',
  orderType: 'limit',
  timeInForce: 'gtc',
  status,
  price: 100 as Ticks,
  size: 10 as Lots,
  filled: 0 as Lots,
  ts: 0,
  updateSeq,
  ...extra,
});
const fill = (clientId: string, execId: string, size: number): Fill => ({
  type: 'fill',
  symbol: 'X',
  execId,
  clientId,
  venueOrderId: 'v1',
  side: 'buy',
  price: 100 as Ticks,
  size: size as Lots,
  fee: '0',
  feeAsset: 'Q',
  liquidity: 'maker',
  ts: 0,
});
const place = {
  side: 'buy' as const,
  type: 'limit' as const,
  tif: 'gtc' as const,
  price: 100 as Ticks,
  size: 10 as Lots,
  origin: 'model' as const,
  level: 0,
};

describe('OrderManager', () => {
  it('walks an order through pending-new, new, partially-filled and filled', async () => {
    const { venue, oms } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    expect(oms.get(r.clientId)?.status).toBe('pending-new');
    venue.requests[0]!.resolve({ ok: true, value: { clientId: r.clientId, venueOrderId: 'v1', ts: 0 } });
    await flush();
    expect(oms.get(r.clientId)?.status).toBe('new');
    venue.push(upd(r.clientId, 'partially_filled', 1, { filled: 4 as Lots }));
    expect(oms.get(r.clientId)).toMatchObject({ status: 'partially-filled', filled: 4 });
    expect(oms.workingLotsOn('buy')).toBe(6);
    venue.push(upd(r.clientId, 'filled', 2, { filled: 10 as Lots }));
    expect(oms.get(r.clientId)?.status).toBe('filled');
    expect(oms.openCount()).toBe(0);
    expect(oms.workingLotsOn('buy')).toBe(0);
  });

  it('sends each request before telling listeners, who still see every pending state before the answer', async () => {
    const venue = new FakeVenue();
    const log: string[] = [];
    const oms = new OrderManager({
      clock: new SimClock(0),
      venue,
      symbol: 'X',
      ids: new ClientIdFactory('t'),
      gate: () => ({ ok: true }),
      emit: (e) => {
        if (e.kind === 'order') log.push(e.order.status);
      },
    });
    for (const m of ['placeOrder', 'amendOrder', 'cancelOrder'] as const) {
      const orig = venue[m].bind(venue) as (r: never) => Promise<unknown>;
      (venue as unknown as Record<string, (r: never) => Promise<unknown>>)[m] = (r: never) => {
        log.push(`sent ${m}`);
        return orig(r);
      };
    }
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve({ ok: true, value: { clientId: r.clientId, venueOrderId: 'v1', ts: 0 } });
    await flush();
    expect(oms.amend(r.clientId, { price: 101 as Ticks }).ok).toBe(true);
    venue.requests[1]!.resolve({ ok: false, code: 'other', message: 'no' });
    await flush();
    expect(oms.cancel(r.clientId).ok).toBe(true);
    expect(log).toEqual([
      'sent placeOrder',
      'pending-new',
      'new',
      'sent amendOrder',
      'pending-amend',
      'new',
      'sent cancelOrder',
      'pending-cancel',
    ]);
  });

  it('accepts the execution stream arriving before the request answer', async () => {
    const { venue, oms } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.push(upd(r.clientId, 'new', 1));
    expect(oms.get(r.clientId)?.status).toBe('new');
    venue.push(upd(r.clientId, 'filled', 2, { filled: 10 as Lots }));
    venue.requests[0]!.resolve({ ok: true, value: { clientId: r.clientId, venueOrderId: 'v1', ts: 0 } });
    await flush();
    expect(oms.get(r.clientId)?.status).toBe('filled');
  });

  it('keeps an order the stream reported when the answer to its place is lost, and flags a contradicting refusal', async () => {
    const { venue, oms } = setup();
    const lost = oms.submit(place);
    const refused = oms.submit(place);
    if (!lost.ok || !refused.ok) throw new Error('refused');
    venue.push(upd(lost.clientId, 'new', 1));
    venue.push(upd(refused.clientId, 'new', 1));
    venue.requests[0]!.resolve({ ok: false, code: 'venue_unavailable', message: 'no answer in time' });
    venue.requests[1]!.resolve({ ok: false, code: 'duplicate_client_id', message: 'duplicate' });
    await flush();
    // The venue has the first: a lost answer is no refusal.
    expect(oms.get(lost.clientId)).toMatchObject({ status: 'new', needsReconcile: false });
    // The stream and the answer disagree on the second: reconciliation decides, nothing is assumed.
    expect(oms.get(refused.clientId)).toMatchObject({ status: 'new', needsReconcile: true });
    expect(oms.unknownOrders().map((o) => o.clientId)).toEqual([refused.clientId]);
  });

  it('asks for reconciliation when the venue reports open an order it already closed', async () => {
    const clock = new SimClock(0);
    const venue = new FakeVenue();
    const asked: string[] = [];
    const oms = new OrderManager({
      clock,
      venue,
      symbol: 'X',
      ids: new ClientIdFactory('t'),
      gate: () => ({ ok: true }),
      emit: () => undefined,
      onUnknownState: (o) => asked.push(o.clientId),
    });
    venue.onExecution((e) => {
      oms.onExecution(e);
    });
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve({ ok: false, code: 'invalid_order', message: 'refused' });
    await flush();
    expect(oms.get(r.clientId)?.status).toBe('rejected');
    venue.push(upd(r.clientId, 'cancelled', 1));
    expect(asked).toEqual([]);
    venue.push(upd(r.clientId, 'new', 2));
    expect(asked).toEqual([r.clientId]);
  });

  it('takes filled lots out of the working total as soon as the fill arrives', () => {
    const { venue, oms } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.push(upd(r.clientId, 'new', 1));
    expect(oms.workingLotsOn('buy')).toBe(10);
    venue.push(fill(r.clientId, 'f1', 4));
    expect(oms.workingLotsOn('buy')).toBe(6);
    // The venue's later report of the same fill changes nothing.
    venue.push(upd(r.clientId, 'partially_filled', 2, { filled: 4 as Lots }));
    expect(oms.workingLotsOn('buy')).toBe(6);
    venue.push(upd(r.clientId, 'filled', 3, { filled: 10 as Lots }));
    venue.push(fill(r.clientId, 'f2', 6));
    expect(oms.workingLotsOn('buy')).toBe(0);
    expect(oms.get(r.clientId)).toMatchObject({ status: 'filled', filled: 10 });
  });

  it('drops duplicate fills and stale or repeated updates', () => {
    const { venue, oms, events } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.push(upd(r.clientId, 'partially_filled', 2, { filled: 5 as Lots }));
    venue.push(upd(r.clientId, 'new', 1));
    venue.push(upd(r.clientId, 'partially_filled', 2, { filled: 5 as Lots }));
    expect(oms.get(r.clientId)).toMatchObject({ status: 'partially-filled', filled: 5 });
    venue.push(fill(r.clientId, 'e1', 5));
    venue.push(fill(r.clientId, 'e1', 5));
    expect(events.filter((e) => e.kind === 'fill')).toHaveLength(1);
    expect(oms.counters.duplicates).toBe(1);
    expect(oms.counters.stale).toBe(2);
  });

  it('ends a cancel racing a fill as filled with the right size', async () => {
    const { venue, oms } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.push(upd(r.clientId, 'new', 1));
    oms.cancel(r.clientId);
    expect(oms.get(r.clientId)?.status).toBe('pending-cancel');
    venue.push(upd(r.clientId, 'filled', 2, { filled: 10 as Lots }));
    venue.requests[1]!.resolve({ ok: false, code: 'unknown_order', message: 'gone' });
    await flush();
    expect(oms.get(r.clientId)).toMatchObject({ status: 'filled', filled: 10 });
  });

  it('never calls the venue for an order the gate refuses, and caps requests in flight', () => {
    const refuse = setup(() => ({ ok: false, check: 'position', message: 'too big' }));
    expect(refuse.oms.submit(place)).toEqual({ ok: false, code: 'risk_position', message: 'too big' });
    expect(refuse.venue.requests).toHaveLength(0);
    const capped = setup(undefined, 2);
    expect(capped.oms.submit(place).ok).toBe(true);
    expect(capped.oms.submit(place).ok).toBe(true);
    expect(capped.oms.submit(place)).toMatchObject({ ok: false, code: 'in_flight_cap' });
    expect(capped.venue.requests).toHaveLength(2);
  });

  it('returns a refused amend to its previous state and refuses illegal moves', async () => {
    const { venue, oms, events } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.push(upd(r.clientId, 'new', 1));
    oms.amend(r.clientId, { price: 101 as Ticks });
    expect(oms.get(r.clientId)?.status).toBe('pending-amend');
    venue.requests[1]!.resolve({ ok: false, code: 'post_only_would_take', message: 'would take' });
    await flush();
    expect(oms.get(r.clientId)?.status).toBe('new');
    oms.amend(r.clientId, { price: 99 as Ticks });
    venue.push(upd(r.clientId, 'new', 2, { price: 99 as Ticks }));
    expect(oms.get(r.clientId)).toMatchObject({ status: 'new', price: 99 });
    venue.push(upd(r.clientId, 'cancelled', 3));
    venue.push(upd(r.clientId, 'new', 4));
    expect(oms.get(r.clientId)?.status).toBe('cancelled');
    expect(events.some((e) => e.kind === 'illegal')).toBe(false);
  });

  it('records an update for an order it never placed, and passes its fill on', () => {
    const { venue, events } = setup();
    venue.push(upd('stranger', 'new', 1));
    venue.push(fill('stranger', 'e9', 3));
    expect(events.map((e) => e.kind)).toEqual(['unknown', 'fill']);
  });

  it('survives a venue call that throws', async () => {
    const { venue, oms } = setup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve(new Error('socket closed'));
    await flush();
    expect(oms.get(r.clientId)).toMatchObject({ status: 'pending-new', needsReconcile: true });
    expect(oms.requestsInFlight()).toBe(0);
  });
});

describe('OrderManager: a cancel the venue did not take', () => {
  const ack = (clientId: string) => ({ ok: true as const, value: { clientId, venueOrderId: 'v1', ts: 0 } });
  const gone = {
    ok: false as const,
    code: 'unknown_order' as const,
    message: 'order not exists or too late to cancel',
  };
  const kinds = (venue: FakeVenue) => venue.requests.map((q) => q.kind);

  function unknownSetup() {
    const clock = new SimClock(0);
    const venue = new FakeVenue();
    const unknown: string[] = [];
    const oms = new OrderManager({
      clock,
      venue,
      symbol: 'X',
      ids: new ClientIdFactory('t'),
      gate: () => ({ ok: true }),
      emit: () => undefined,
      requestTimeoutMs: 1000,
      onUnknownState: (o) => unknown.push(o.clientId),
    });
    venue.onExecution((e) => oms.onExecution(e));
    return { clock, venue, oms, unknown };
  }

  it('cancels again once a create that went another path is answered after its cancel was refused as unknown', async () => {
    const { venue, oms } = unknownSetup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    oms.cancel(r.clientId);
    // The cancel overtook the create: the venue does not know the order yet.
    venue.requests[1]!.resolve(gone);
    await flush();
    expect(oms.get(r.clientId)).toMatchObject({ status: 'pending-cancel', needsReconcile: true });
    expect(kinds(venue)).toEqual(['place', 'cancel']);
    venue.requests[0]!.resolve(ack(r.clientId));
    await flush();
    expect(kinds(venue)).toEqual(['place', 'cancel', 'cancel']);
    expect(oms.requestsInFlight()).toBe(1);
    venue.requests[2]!.resolve(ack(r.clientId));
    await flush();
    venue.push(upd(r.clientId, 'cancelled', 2));
    expect(oms.get(r.clientId)?.status).toBe('cancelled');
    expect(oms.requestsInFlight()).toBe(0);
  });

  it('cancels again when the stream shows open an order whose cancel was refused as unknown', async () => {
    const { venue, oms } = unknownSetup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve(ack(r.clientId));
    await flush();
    oms.cancel(r.clientId);
    venue.requests[1]!.resolve(gone);
    await flush();
    venue.push(upd(r.clientId, 'new', 1));
    expect(kinds(venue)).toEqual(['place', 'cancel', 'cancel']);
    expect(oms.get(r.clientId)).toMatchObject({ status: 'pending-cancel', needsReconcile: false });
  });

  it('does not cancel again for an order whose cancel the venue took', async () => {
    const { venue, oms } = unknownSetup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve(ack(r.clientId));
    await flush();
    oms.cancel(r.clientId);
    venue.requests[1]!.resolve(ack(r.clientId));
    await flush();
    // A stream update sent before the venue cancelled it, arriving late: nothing to send.
    venue.push(upd(r.clientId, 'new', 1));
    expect(kinds(venue)).toEqual(['place', 'cancel']);
    venue.push(upd(r.clientId, 'cancelled', 2));
    expect(oms.get(r.clientId)?.status).toBe('cancelled');
  });

  it('asks for reconciliation when the venue called the order unknown and the stream never says more', async () => {
    const { clock, venue, oms, unknown } = unknownSetup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve(ack(r.clientId));
    await flush();
    oms.cancel(r.clientId);
    venue.requests[1]!.resolve(gone);
    await flush();
    clock.advance(999);
    expect(unknown).toEqual([]);
    clock.advance(1);
    expect(unknown).toEqual([r.clientId]);
  });

  it('sends the cancel at most three times, then returns the order to the open state the venue shows', async () => {
    const { venue, oms } = unknownSetup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve(ack(r.clientId));
    await flush();
    oms.cancel(r.clientId);
    for (let i = 1; i <= 3; i++) {
      venue.requests[i]!.resolve(gone);
      await flush();
      venue.push(upd(r.clientId, 'new', i));
    }
    expect(kinds(venue)).toEqual(['place', 'cancel', 'cancel', 'cancel']);
    expect(oms.get(r.clientId)).toMatchObject({
      status: 'new',
      reason: 'the venue still has the order open after 3 cancels',
    });
    // A fresh cancel from the quote logic or the trader starts over.
    expect(oms.cancel(r.clientId).ok).toBe(true);
    expect(kinds(venue)).toHaveLength(5);
  });

  it('cancels individually an order whose create was still in flight when the cancel-all went out', async () => {
    const { venue, oms } = unknownSetup();
    const resting = oms.submit(place);
    const racing = oms.submit({ ...place, price: 99 as Ticks });
    if (!resting.ok || !racing.ok) throw new Error('refused');
    venue.requests[0]!.resolve(ack(resting.clientId));
    await flush();
    const all = oms.cancelAll();
    expect(oms.workingOrders().map((o) => o.status)).toEqual(['pending-cancel', 'pending-cancel']);
    venue.requests[2]!.resolve({ ok: true, value: { cancelled: 1 } });
    await all;
    venue.push(upd(resting.clientId, 'cancelled', 2));
    // The create reaches the venue after the cancel-all did: the order rests there.
    venue.requests[1]!.resolve(ack(racing.clientId));
    await flush();
    expect(venue.requests.map((q) => [q.kind, (q.req as { clientId?: string }).clientId])).toEqual([
      ['place', resting.clientId],
      ['place', racing.clientId],
      ['cancelAll', undefined],
      ['cancel', racing.clientId],
    ]);
  });

  it('returns every order to its open state when the venue refuses a cancel-all, and leaves them to reconciliation when it is lost', async () => {
    const { venue, oms, unknown } = unknownSetup();
    const r = oms.submit(place);
    if (!r.ok) throw new Error('refused');
    venue.requests[0]!.resolve(ack(r.clientId));
    await flush();
    venue.push(upd(r.clientId, 'partially_filled', 1, { filled: 4 as Lots }));
    const refused = oms.cancelAll();
    venue.requests[1]!.resolve({ ok: false, code: 'rate_limited', message: 'too many visits' });
    expect(await refused).toMatchObject({ ok: false });
    expect(oms.get(r.clientId)).toMatchObject({ status: 'partially-filled', reason: 'too many visits' });
    expect(unknown).toEqual([]);

    const lost = oms.cancelAll();
    venue.requests[2]!.resolve(new Error('socket hang up'));
    expect(await lost).toMatchObject({ ok: false, code: 'venue_unavailable' });
    expect(oms.get(r.clientId)).toMatchObject({ status: 'pending-cancel', needsReconcile: true });
    expect(unknown).toEqual([r.clientId]);
    // Reconciliation finds it still open: the cancel goes again, this time for the one order.
    oms.applyVenueState(upd(r.clientId, 'partially_filled', 1, { filled: 4 as Lots }));
    expect(kinds(venue)).toEqual(['place', 'cancelAll', 'cancelAll', 'cancel']);
  });
});

describe('quote diff', () => {
  const order = (o: Partial<Order>): Order => ({
    clientId: 'c',
    venueOrderId: 'v',
    symbol: 'X',
    side: 'buy',
    type: 'limit',
    tif: 'post_only',
    price: 100 as Ticks,
    size: 10 as Lots,
    filled: 0 as Lots,
    fillLots: 0,
    status: 'new',
    origin: 'model',
    level: 0,
    decision: null,
    createdAt: 0,
    updatedAt: 0,
    lastUpdateSeq: 1,
    pendingAmend: null,
    cancelRevertTo: null,
    cancelUnconfirmed: false,
    cancelTries: 0,
    reason: null,
    needsReconcile: false,
    ...o,
  });
  const params = { toleranceTicks: 1, minRefreshMs: 100, canAmend: true };
  const want = (buy: number[], sell: number[]) => ({
    buy: buy.map((p) => ({ price: p as Ticks, size: 10 as Lots })),
    sell: sell.map((p) => ({ price: p as Ticks, size: 10 as Lots })),
  });

  it('sends nothing for unchanged quotes or moves within tolerance', () => {
    const working = [
      order({ clientId: 'b', price: 100 as Ticks }),
      order({ clientId: 'a', side: 'sell', price: 105 as Ticks }),
    ];
    expect(diffQuotes(want([100], [105]), working, 1000, params)).toEqual([]);
    expect(diffQuotes(want([101], [104]), working, 1000, params)).toEqual([]);
  });

  it('amends exactly one moved order, or cancels it where amend is unsupported', () => {
    const working = [order({ clientId: 'b' }), order({ clientId: 'a', side: 'sell', price: 105 as Ticks })];
    expect(diffQuotes(want([97], [105]), working, 1000, params)).toEqual([
      { kind: 'amend', clientId: 'b', price: 97, size: 10 },
    ]);
    expect(diffQuotes(want([97], [105]), working, 1000, { ...params, canAmend: false })).toEqual([
      { kind: 'cancel', clientId: 'b' },
    ]);
    // Too soon after its last change: left alone.
    expect(diffQuotes(want([97], [105]), working, 50, params)).toEqual([]);
  });

  it('places missing levels, cancels removed ones, and never doubles a slot', () => {
    const working = [
      order({ clientId: 'b' }),
      order({ clientId: 'old', status: 'pending-cancel', side: 'sell', price: 110 as Ticks }),
    ];
    expect(diffQuotes(want([100, 98], []), working, 1000, params)).toEqual([
      { kind: 'place', side: 'buy', level: 1, price: 98, size: 10 },
    ]);
    // The sell slot still has a cancel in flight: nothing placed there until it is gone.
    expect(diffQuotes(want([100], [106]), working, 1000, params)).toEqual([]);
    expect(diffQuotes(want([], []), working, 1000, params)).toEqual([{ kind: 'cancel', clientId: 'b' }]);
    expect(diffQuotes(want([90], []), [order({ status: 'pending-new' })], 1000, params)).toEqual([]);
  });
});

describe('EventFeed', () => {
  it('never drops events and reports a lagging consumer once per episode', () => {
    const lags: string[] = [];
    const feed = new EventFeed<number>((name, depth) => lags.push(`${name}:${depth}`));
    const fast = feed.subscribe('ui', 100);
    const slow = feed.subscribe('store', 3);
    for (let i = 0; i < 10; i++) feed.publish(i);
    expect(lags).toEqual(['store:4']);
    expect(slow.isLagging()).toBe(true);
    const got: number[] = [];
    slow.drain((e) => got.push(e));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fast.depth()).toBe(10);
    for (let i = 0; i < 5; i++) feed.publish(i);
    expect(lags).toEqual(['store:4', 'store:4']);
    expect(slow.lagEpisodes).toBe(2);
  });
});

describe('OrderManager over a venue with callback requests', () => {
  async function simSetup(breaker?: CallGuard) {
    const clock = new SimClock(Date.UTC(2026, 0, 5));
    const venue = createDefaultSim(clock, 3, { latency: { request: 2, response: 2, feed: 1 } });
    await venue.connect();
    const inst = venue.inspect(DEFAULT_SIM_INSTRUMENT.symbol).instrument;
    venue.inspect(inst.symbol).market.stop();
    const events: OmsEvent[] = [];
    const oms = new OrderManager({
      clock,
      venue,
      symbol: inst.symbol,
      ids: new ClientIdFactory('cb'),
      gate: () => ({ ok: true }),
      emit: (e) => events.push(e),
      ...(breaker ? { breaker } : {}),
    });
    venue.onExecution((e) => {
      oms.onExecution(e);
    });
    const run = async (ms: number) => {
      for (let t = 0; t < ms; t++) {
        clock.advance(1);
        await flush();
      }
    };
    const bid = venue.inspect(inst.symbol).engine.bestBid()!;
    return { clock, venue, oms, events, run, bid };
  }

  it('places and cancels through the callbacks, never calling the Promise methods', async () => {
    const { venue, oms, run, bid } = await simSetup();
    let promiseCalls = 0;
    venue.placeOrder = () => {
      promiseCalls++;
      return Promise.reject(new Error('not used'));
    };
    const r = oms.submit({ ...place, tif: 'post_only', price: (bid - 100) as Ticks, size: 2 as Lots });
    if (!r.ok) throw new Error('refused');
    expect(oms.requestsInFlight()).toBe(1);
    await run(10);
    expect(oms.get(r.clientId)).toMatchObject({ status: 'new' });
    expect(oms.get(r.clientId)?.venueOrderId).toMatch(/-/);
    expect(oms.cancel(r.clientId).ok).toBe(true);
    await run(10);
    expect(oms.get(r.clientId)).toMatchObject({ status: 'cancelled' });
    expect([oms.requestsInFlight(), oms.openCount(), promiseCalls]).toEqual([0, 0, 0]);
  });

  it('answers a refusal of the breaker later, without counting it as a venue failure', async () => {
    const recorded: unknown[] = [];
    const breaker: CallGuard = {
      admit: () => ({ ok: false, code: 'venue_unavailable', message: 'breaker open' }),
      record: (res) => recorded.push(res),
    };
    const { clock, oms, events, bid } = await simSetup(breaker);
    const r = oms.submit({ ...place, tif: 'post_only', price: (bid - 100) as Ticks, size: 2 as Lots });
    if (!r.ok) throw new Error('refused');
    // Never from inside submit: listeners see pending-new first.
    expect(events.map((e) => (e.kind === 'order' ? e.order.status : e.kind))).toEqual(['pending-new']);
    await flush();
    // Answered on the clock, not in a microtask: a replay sees it at the same simulated instant.
    expect(oms.get(r.clientId)).toMatchObject({ needsReconcile: false });
    clock.advance(0);
    expect(oms.get(r.clientId)).toMatchObject({ needsReconcile: true, reason: 'breaker open' });
    expect([oms.requestsInFlight(), recorded.length]).toEqual([0, 0]);
  });

  it('counts a venue that throws as a failure and keeps the order for reconciliation', async () => {
    const recorded: { ok: boolean }[] = [];
    const breaker: CallGuard = { admit: () => null, record: (res) => recorded.push(res) };
    const { clock, venue, oms, bid } = await simSetup(breaker);
    venue.callbackOrders.place = () => {
      throw new Error('socket closed');
    };
    const r = oms.submit({ ...place, tif: 'post_only', price: (bid - 100) as Ticks, size: 2 as Lots });
    if (!r.ok) throw new Error('refused');
    clock.advance(0);
    expect(oms.get(r.clientId)).toMatchObject({ needsReconcile: true, reason: 'socket closed' });
    expect(recorded).toEqual([{ ok: false, code: 'venue_unavailable', message: 'socket closed' }]);
    expect(oms.requestsInFlight()).toBe(0);
  });
});
