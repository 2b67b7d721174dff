import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { ClientIdFactory } from '../../../engine/core/ids.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import { OrderManager, type OmsEvent, type OrderRequest } from '../../../engine/oms/order-manager.ts';
import { Reconciler, type StrangerPolicy } from '../../../engine/oms/reconciler.ts';
import type {
  Answer,
  Balance,
  CallbackOrders,
  CancelRequest,
  Execution,
  ExecutionEvent,
  Fill,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  VenueResult,
} from '../../../engine/venues/venue.ts';

type Call = { kind: 'place' | 'amend' | 'cancel' | 'cancelAll'; clientId: string };

/**
 * The venue's side for reconciliation: what it reports is set by the test. Order requests are
 * recorded and, while `answering`, accepted through the clock after `latencyMs`; otherwise never answered.
 */
class FakeExecution implements Execution {
  readonly capabilities = { amend: true, postOnly: true, ioc: true, market: true, cancelAll: true };
  readonly calls: Call[] = [];
  open: OrderUpdate[] = [];
  executions: Fill[] = [];
  held: Balance[] = [{ asset: 'USDT', total: '1000', free: '900' }];
  executionsAskedSince: number[] = [];
  answering = true;
  latencyMs = 5;
  private listener: ((e: ExecutionEvent) => void) | undefined;
  private nextVenueId = 1;
  private readonly clock: SimClock;

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  readonly callbackOrders: CallbackOrders = {
    place: (r, answer, tag) => this.request('place', r.clientId, answer, tag),
    amend: (r, answer, tag) => this.request('amend', r.clientId, answer, tag),
    cancel: (r, answer, tag) => this.request('cancel', r.clientId, answer, tag),
  };

  private request(kind: Call['kind'], clientId: string, answer: Answer<OrderAck>, tag: unknown): void {
    this.calls.push({ kind, clientId });
    if (!this.answering) return;
    const ack: VenueResult<OrderAck> = {
      ok: true,
      value: { clientId, venueOrderId: `v${this.nextVenueId++}`, ts: this.clock.now() },
    };
    this.clock.setTimeout(() => answer(ack, tag), this.latencyMs);
  }

  private viaPromise(kind: Call['kind'], clientId: string): Promise<VenueResult<OrderAck>> {
    return new Promise((resolve) => this.request(kind, clientId, (r) => resolve(r), null));
  }

  placeOrder(r: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.viaPromise('place', r.clientId);
  }
  amendOrder(r: { clientId: string }): Promise<VenueResult<OrderAck>> {
    return this.viaPromise('amend', r.clientId);
  }
  cancelOrder(r: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.viaPromise('cancel', r.clientId);
  }
  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    this.calls.push({ kind: 'cancelAll', clientId: symbol });
    return Promise.resolve({ ok: true, value: { cancelled: 0 } });
  }
  onExecution(listener: (e: ExecutionEvent) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  openOrders(): Promise<OrderUpdate[]> {
    return Promise.resolve(this.open.map((u) => ({ ...u })));
  }
  executionsSince(sinceMs: number): Promise<Fill[]> {
    this.executionsAskedSince.push(sinceMs);
    return Promise.resolve(this.executions.filter((f) => f.ts >= sinceMs).map((f) => ({ ...f })));
  }
  balances(): Promise<Balance[]> {
    return Promise.resolve(this.held.map((b) => ({ ...b })));
  }
  push(e: ExecutionEvent): void {
    this.listener?.(e);
  }
}

const SYMBOL = 'BTCUSDT';

function setup(strangers: StrangerPolicy = 'cancel', lastExecutionTs = 0) {
  const clock = new SimClock(1_000);
  const venue = new FakeExecution(clock);
  const events: OmsEvent[] = [];
  const oms = new OrderManager({
    clock,
    venue,
    symbol: SYMBOL,
    ids: new ClientIdFactory('t'),
    gate: () => ({ ok: true }),
    emit: (e) => events.push(e),
    requestTimeoutMs: 1000,
  });
  venue.onExecution((e) => oms.onExecution(e));
  const reconciler = new Reconciler({
    venue,
    books: new Map([[SYMBOL, oms]]),
    lastExecutionTs: () => lastExecutionTs,
    strangers,
  });
  const fillsSeen = () => events.filter((e) => e.kind === 'fill').map((e) => e.fill.execId);
  return { clock, venue, oms, events, reconciler, fillsSeen };
}

const buy: OrderRequest = {
  side: 'buy',
  type: 'limit',
  tif: 'gtc',
  price: 650_000 as Ticks,
  size: 10 as Lots,
  origin: 'model',
  level: 0,
};

/** Places an order and lets the venue accept it; returns its client id. */
function placed(s: ReturnType<typeof setup>, req: OrderRequest = buy): string {
  const r = s.oms.submit(req);
  if (!r.ok) throw new Error(r.message);
  s.clock.advance(s.venue.latencyMs);
  expect(s.oms.get(r.clientId)?.status).toBe('new');
  return r.clientId;
}

const venueOrder = (clientId: string, extra: Partial<OrderUpdate> = {}): OrderUpdate => ({
  type: 'order',
  symbol: SYMBOL,
  clientId,
  venueOrderId: `venue-${clientId}`,
  side: 'buy',
  orderType: 'limit',
  timeInForce: 'gtc',
  status: 'new',
  price: 650_000 as Ticks,
  size: 10 as Lots,
  filled: 0 as Lots,
  ts: 2_000,
  updateSeq: 1,
  ...extra,
});

const fill = (clientId: string, execId: string, size: number, extra: Partial<Fill> = {}): Fill => ({
  type: 'fill',
  symbol: SYMBOL,
  execId,
  clientId,
  venueOrderId: `venue-${clientId}`,
  side: 'buy',
  price: 650_000 as Ticks,
  size: size as Lots,
  fee: '0.01',
  feeAsset: 'USDT',
  liquidity: 'maker',
  ts: 2_000,
  ...extra,
});

describe('Reconciler: missed executions', () => {
  it('applies each missed fill once, counting only the new ones', async () => {
    const s = setup('cancel', 1_500);
    const id = placed(s);
    s.venue.push(fill(id, 'e1', 2));
    s.venue.executions = [fill(id, 'e1', 2), fill(id, 'e2', 3), fill(id, 'e0', 1, { ts: 1_000 })];
    s.venue.open = [venueOrder(id, { status: 'partially_filled', filled: 5 as Lots, updateSeq: 3 })];
    const result = await s.reconciler.run();
    expect(s.venue.executionsAskedSince).toEqual([1_500]);
    expect(result).toEqual({
      missedFills: 1,
      closed: 0,
      strangers: 0,
      settled: 0,
      balances: [{ asset: 'USDT', total: '1000', free: '900' }],
      // A spot venue: no derivative positions to take over.
      positions: null,
    });
    expect(s.fillsSeen()).toEqual(['e1', 'e2']);
    expect(s.oms.get(id)).toMatchObject({ status: 'partially-filled', filled: 5, fillLots: 5 });
    expect(s.oms.workingLotsOn('buy')).toBe(5);
    // A second pass over the same venue state finds nothing new.
    expect(await s.reconciler.run()).toMatchObject({ missedFills: 0, closed: 0 });
    expect(s.fillsSeen()).toEqual(['e1', 'e2']);
  });

  it('ignores fills and orders of a symbol no OMS trades', async () => {
    const s = setup();
    const id = placed(s);
    s.venue.executions = [fill('x-1', 'eth-1', 4, { symbol: 'ETHUSDT' })];
    s.venue.open = [venueOrder(id), venueOrder('x-2', { symbol: 'ETHUSDT' })];
    const result = await s.reconciler.run();
    expect(result).toMatchObject({ missedFills: 0, strangers: 0, closed: 0 });
    expect(s.fillsSeen()).toEqual([]);
    expect(s.oms.get('x-2')).toBeUndefined();
    expect(s.venue.calls.filter((c) => c.kind !== 'place')).toEqual([]);
  });
});

describe('Reconciler: orders the venue no longer has', () => {
  it('closes them: filled when their fills cover them, else cancelled', async () => {
    const s = setup();
    const full = placed(s);
    const part = placed(s);
    const none = placed(s);
    const kept = placed(s);
    s.venue.executions = [fill(full, 'f1', 6), fill(full, 'f2', 4), fill(part, 'p1', 3)];
    s.venue.open = [venueOrder(kept)];
    const result = await s.reconciler.run();
    expect(result).toMatchObject({ missedFills: 3, closed: 3 });
    expect(s.oms.get(full)).toMatchObject({ status: 'filled', filled: 10 });
    expect(s.oms.get(part)).toMatchObject({ status: 'cancelled', filled: 3 });
    expect(s.oms.get(none)).toMatchObject({
      status: 'cancelled',
      filled: 0,
      reason: 'the venue no longer has this order (reconciliation)',
    });
    expect(s.oms.get(kept)?.status).toBe('new');
    expect(s.oms.workingOrders().map((o) => o.clientId)).toEqual([kept]);
    expect(s.oms.workingLotsOn('buy')).toBe(10);
    // No request went to the venue for what it no longer had.
    expect(s.venue.calls.map((c) => c.kind)).toEqual(['place', 'place', 'place', 'place']);
  });

  it('does not close an order with a request still in flight', async () => {
    const s = setup();
    const cancelling = placed(s);
    s.venue.answering = false;
    const r = s.oms.submit(buy);
    if (!r.ok) throw new Error(r.message);
    s.oms.cancel(cancelling);
    s.venue.open = [];
    const result = await s.reconciler.run();
    expect(result.closed).toBe(0);
    expect(s.oms.get(r.clientId)?.status).toBe('pending-new');
    expect(s.oms.get(cancelling)?.status).toBe('pending-cancel');
    expect(s.oms.openCount()).toBe(2);
  });
});

describe('Reconciler: orders only the venue knows', () => {
  it('adopts a stranger and cancels it through the OMS under the cancel policy', async () => {
    const s = setup('cancel');
    s.venue.open = [venueOrder('old-7', { side: 'sell', filled: 2 as Lots, status: 'partially_filled' })];
    const result = await s.reconciler.run();
    expect(result).toMatchObject({ strangers: 1, closed: 0 });
    expect(s.oms.get('old-7')).toMatchObject({
      origin: 'external',
      status: 'pending-cancel',
      venueOrderId: 'venue-old-7',
      side: 'sell',
      filled: 2,
    });
    expect(s.oms.workingLotsOn('sell')).toBe(8);
    expect(s.venue.calls).toEqual([{ kind: 'cancel', clientId: 'old-7' }]);
    expect(s.oms.requestsInFlight()).toBe(1);
    // A later pass does not cancel it twice.
    await s.reconciler.run();
    expect(s.venue.calls).toHaveLength(1);
  });

  it('keeps a stranger working under the adopt policy', async () => {
    const s = setup('adopt');
    s.venue.open = [venueOrder('old-7')];
    const result = await s.reconciler.run();
    expect(result.strangers).toBe(1);
    expect(s.oms.get('old-7')).toMatchObject({ origin: 'external', status: 'new' });
    expect(s.oms.workingLotsOn('buy')).toBe(10);
    expect(s.venue.calls).toEqual([]);
  });
});

describe('Reconciler: orders whose state became unknown', () => {
  it('settles a timed-out place from the venue’s open orders, without placing it again', async () => {
    const s = setup();
    s.venue.answering = false;
    const r = s.oms.submit(buy);
    if (!r.ok) throw new Error(r.message);
    s.clock.advance(999);
    expect(s.oms.expire(s.clock.now())).toBe(0);
    s.clock.advance(1);
    expect(s.oms.expire(s.clock.now())).toBe(1);
    expect(s.oms.get(r.clientId)).toMatchObject({ status: 'pending-new', needsReconcile: true });
    expect(s.oms.requestsInFlight()).toBe(0);
    expect(s.oms.unknownOrders().map((o) => o.clientId)).toEqual([r.clientId]);

    s.venue.open = [venueOrder(r.clientId, { venueOrderId: 'v-late' })];
    const result = await s.reconciler.run();
    expect(result).toMatchObject({ settled: 1, closed: 0, strangers: 0 });
    expect(s.oms.get(r.clientId)).toMatchObject({
      status: 'new',
      venueOrderId: 'v-late',
      needsReconcile: false,
      origin: 'model',
    });
    expect(s.oms.unknownOrders()).toEqual([]);
    expect(s.venue.calls).toEqual([{ kind: 'place', clientId: r.clientId }]);
  });

  it('sends again a cancel that timed out, for an order the venue still lists open', async () => {
    const s = setup();
    const r = s.oms.submit(buy);
    if (!r.ok) throw new Error(r.message);
    s.clock.advance(5);
    s.venue.answering = false;
    s.oms.cancel(r.clientId);
    s.clock.advance(1000);
    expect(s.oms.expire(s.clock.now())).toBe(1);
    expect(s.oms.get(r.clientId)).toMatchObject({ status: 'pending-cancel', needsReconcile: true });

    s.venue.answering = true;
    s.venue.open = [venueOrder(r.clientId)];
    await s.reconciler.run();
    expect(s.venue.calls).toEqual([
      { kind: 'place', clientId: r.clientId },
      { kind: 'cancel', clientId: r.clientId },
      { kind: 'cancel', clientId: r.clientId },
    ]);
    expect(s.oms.requestsInFlight()).toBe(1);
    s.clock.advance(5);
    s.venue.open = [];
    await s.reconciler.run();
    expect(s.oms.get(r.clientId)).toMatchObject({ status: 'cancelled' });
  });

  it('closes a timed-out place the venue never took, counting it settled', async () => {
    const s = setup();
    s.venue.answering = false;
    const r = s.oms.submit(buy);
    if (!r.ok) throw new Error(r.message);
    s.clock.advance(1000);
    s.oms.expire(s.clock.now());
    const result = await s.reconciler.run();
    expect(result).toMatchObject({ settled: 1, closed: 1 });
    expect(s.oms.get(r.clientId)).toMatchObject({ status: 'cancelled', needsReconcile: false });
    expect(s.oms.openCount()).toBe(0);
    expect(s.venue.calls).toHaveLength(1);
  });

  it('takes back an order closed as missing that reached the venue late, and cancels it by policy', async () => {
    const s = setup();
    s.venue.answering = false;
    const r = s.oms.submit(buy);
    if (!r.ok) throw new Error(r.message);
    s.clock.advance(1000);
    s.oms.expire(s.clock.now());
    await s.reconciler.run();
    expect(s.oms.get(r.clientId)?.status).toBe('cancelled');
    // The create reached the venue after all: its open order is listed, newer than anything we heard.
    const late = venueOrder(r.clientId, { updateSeq: 5 });
    s.venue.open = [late];
    s.venue.answering = true;
    const result = await s.reconciler.run();
    expect(result.strangers).toBe(1);
    expect(s.venue.calls.at(-1)).toEqual({ kind: 'cancel', clientId: r.clientId });
    expect(s.oms.get(r.clientId)).toMatchObject({ origin: 'external', status: 'pending-cancel' });
  });

  it('skips a listing of a finished order that is no newer than what the stream said', async () => {
    const s = setup();
    const id = placed(s);
    s.venue.push(venueOrder(id, { status: 'cancelled', updateSeq: 3 }));
    expect(s.oms.get(id)?.status).toBe('cancelled');
    s.venue.open = [venueOrder(id, { updateSeq: 2 })];
    const result = await s.reconciler.run();
    expect(result.strangers).toBe(0);
    expect(s.venue.calls.map((c) => c.kind)).toEqual(['place']);
  });
});
