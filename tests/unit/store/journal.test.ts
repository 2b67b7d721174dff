import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../engine/core/bus.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import {
  defineInstrument,
  type InstrumentSpec,
  type Lots,
  type Ticks,
} from '../../../engine/core/instrument.ts';
import type { DomainEvents } from '../../../engine/events/domain-events.ts';
import { DECISION_JOURNAL, NullJournal, SqliteJournal, type Journal } from '../../../engine/store/journal.ts';
import type { QuoteInputs } from '../../../engine/strategy/quote-decision.ts';
import { Store } from '../../../engine/store/store.ts';
import type { Fill } from '../../../engine/venues/venue.ts';
import { DEFAULT_SIM_INSTRUMENT } from '../../../engine/venues/sim/index.ts';
import { order } from './records.ts';

const SPEC: InstrumentSpec = { ...DEFAULT_SIM_INSTRUMENT };
const inst = defineInstrument(SPEC);

const fill = (execId: string, clientId = 'c1', ts = 1000): Fill => ({
  type: 'fill',
  symbol: 'BTCUSDT',
  execId,
  clientId,
  venueOrderId: 'v1',
  side: 'buy',
  price: 650_000 as Ticks,
  size: 3 as Lots,
  fee: '0.0195',
  feeAsset: 'USDT',
  liquidity: 'maker',
  ts,
});

function setup(venue = 'sim') {
  const clock = new SimClock(0);
  const store = new Store(join(mkdtempSync(join(tmpdir(), 'mmws-journal-')), 'practice.sqlite'), clock);
  const sessionId = store.beginSession('sim', venue, ['BTCUSDT', 'ETHUSDT'], 0);
  const busErrors: unknown[] = [];
  const bus = new EventBus<DomainEvents>((_topic, err) => busErrors.push(err));
  const journal = new SqliteJournal(store, { venue, sessionId });
  return { clock, store, sessionId, bus, busErrors, journal };
}

const rows = (store: Store, sql: string): unknown[] => store.db.prepare(sql).all();

describe('SqliteJournal', () => {
  it('writes each domain event as its row, stamped with venue, session and symbol', () => {
    const { store, sessionId, bus, busErrors, journal } = setup('bybit-testnet');
    const detach = journal.attach(bus);
    const live = order('c1', 'pending-new');
    bus.publish('order.changed', { instrument: inst, order: live, at: 10 });
    // The order is live state: what the OMS does next must not rewrite the row of the event.
    live.status = 'new';
    live.venueOrderId = 'changed-later';
    bus.publish('fill.applied', { instrument: inst, fill: fill('e1'), order: live });
    bus.publish('alert.raised', {
      id: 'a1',
      severity: 'warning',
      code: 'stale_feed',
      message: 'book is old',
      at: 11,
      symbol: 'BTCUSDT',
    });
    bus.publish('alert.raised', {
      id: 'a2',
      severity: 'critical',
      code: 'storage_failure',
      message: 'disk',
      at: 12,
      symbol: null,
    });
    bus.publish('override.changed', { symbol: 'ETHUSDT', field: 'gamma', value: '0.2', at: 13 });
    bus.publish('equity.sampled', { symbol: null, at: 14, equity: '10000.50', mid: null });
    bus.publish('equity.sampled', { symbol: 'BTCUSDT', at: 14, equity: '12.25', mid: '65000.1' });
    bus.publish('risk.changed', {
      symbol: 'BTCUSDT',
      from: 'active',
      to: 'reducing',
      reason: 'inventory',
      at: 15,
    });
    bus.publish('risk.changed', {
      symbol: null,
      from: 'active',
      to: 'halted',
      reason: 'kill switch',
      at: 16,
    });
    // Too frequent to journal: nothing subscribes to book updates.
    expect(bus.listenerCount('book.updated')).toBe(0);
    // Written behind: nothing is on disk until the queue commits.
    expect(store.counts().orders).toBe(0);
    expect(journal.health()).toEqual({ ok: true, queueDepth: 9, message: null });
    journal.flush();
    expect(journal.health().queueDepth).toBe(0);

    const scope = { venue: 'bybit-testnet', session_id: sessionId };
    expect(
      rows(store, 'SELECT venue, session_id, client_id, venue_order_id, status, price, size FROM orders'),
    ).toEqual([
      { ...scope, client_id: 'c1', venue_order_id: 'v', status: 'pending-new', price: 650_000, size: 10 },
    ]);
    expect(rows(store, 'SELECT venue, session_id, client_id, status, at FROM order_events')).toEqual([
      { ...scope, client_id: 'c1', status: 'pending-new', at: 10 },
    ]);
    expect(rows(store, 'SELECT venue, session_id, exec_id, fee, size FROM fills')).toEqual([
      { ...scope, exec_id: 'e1', fee: '0.0195', size: 3 },
    ]);
    expect(
      rows(store, 'SELECT venue, session_id, symbol, severity, code, message, at FROM alerts ORDER BY id'),
    ).toEqual([
      {
        ...scope,
        symbol: 'BTCUSDT',
        severity: 'warning',
        code: 'stale_feed',
        message: 'book is old',
        at: 11,
      },
      { ...scope, symbol: null, severity: 'critical', code: 'storage_failure', message: 'disk', at: 12 },
    ]);
    expect(rows(store, 'SELECT venue, session_id, symbol, field, value, at FROM overrides')).toEqual([
      { ...scope, symbol: 'ETHUSDT', field: 'gamma', value: '0.2', at: 13 },
    ]);
    expect(
      rows(store, 'SELECT venue, session_id, symbol, equity, mid FROM equity_snapshots ORDER BY id'),
    ).toEqual([
      { ...scope, symbol: null, equity: '10000.50', mid: null },
      { ...scope, symbol: 'BTCUSDT', equity: '12.25', mid: '65000.1' },
    ]);
    expect(
      rows(store, 'SELECT venue, session_id, symbol, kind, detail, at FROM risk_events ORDER BY id'),
    ).toEqual([
      { ...scope, symbol: 'BTCUSDT', kind: 'state_reducing', detail: 'inventory', at: 15 },
      { ...scope, symbol: null, kind: 'state_halted', detail: 'kill switch', at: 16 },
    ]);

    detach();
    bus.publish('alert.raised', {
      id: 'a3',
      severity: 'info',
      code: 'x',
      message: 'y',
      at: 17,
      symbol: null,
    });
    journal.flush();
    expect(store.counts().alerts).toBe(2);
    expect(busErrors).toEqual([]);
    store.close();
  });

  it('stores a repeated fill once per venue and execution id', () => {
    const { store, bus, journal } = setup();
    journal.attach(bus);
    for (let i = 0; i < 3; i++)
      bus.publish('fill.applied', { instrument: inst, fill: fill('dup'), order: undefined });
    journal.flush();
    expect(rows(store, 'SELECT exec_id FROM fills')).toEqual([{ exec_id: 'dup' }]);
    expect(journal.recovery('BTCUSDT').fills.map((f) => f.execId)).toEqual(['dup']);
    store.close();
  });

  it('refuses a second bus while attached, and accepts one after the unsubscribe', () => {
    const { store, bus, journal } = setup();
    const detach = journal.attach(bus);
    expect(() => journal.attach(bus)).toThrow(/already attached/);
    detach();
    expect(() => journal.attach(bus)).not.toThrow();
    store.close();
  });

  it('after a failing commit stops enqueuing, never throws into the bus, and says why', () => {
    const { store, clock, bus, busErrors, journal } = setup();
    journal.attach(bus);
    // The file may not grow: the next batch fails as a full database would.
    store.db.pragma('max_page_count = ' + String(store.db.pragma('page_count', { simple: true })));
    for (let i = 0; i < 2000; i++)
      bus.publish('fill.applied', { instrument: inst, fill: fill(`x${i}`), order: undefined });
    clock.advance(10);
    const health = journal.health();
    expect(health.ok).toBe(false);
    expect(health.message).toMatch(/full/i);
    expect(health.queueDepth).toBe(2000);
    // Nothing more is queued, and publishing stays quiet.
    expect(() =>
      bus.publish('alert.raised', {
        id: 'a',
        severity: 'info',
        code: 'x',
        message: 'y',
        at: 1,
        symbol: null,
      }),
    ).not.toThrow();
    bus.publish('fill.applied', { instrument: inst, fill: fill('late'), order: undefined });
    expect(journal.health().queueDepth).toBe(2000);
    expect(busErrors).toEqual([]);
    store.db.close();
  });

  it('after a throwing write-through call stops enqueuing and says why', () => {
    const { store, bus, busErrors, journal } = setup();
    journal.attach(bus);
    store.db.close();
    let thrown: unknown;
    try {
      journal.saveKill({ engaged: true, at: 5, by: 'trader' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EngineError);
    expect((thrown as EngineError).code).toBe('unavailable');
    expect(journal.health()).toMatchObject({ ok: false, message: expect.stringMatching(/database/) });
    bus.publish('order.changed', { instrument: inst, order: order('c9'), at: 1 });
    expect(journal.health().queueDepth).toBe(0);
    expect(busErrors).toEqual([]);
  });

  it('learns of a failure that began before it was attached', () => {
    const { store, clock, sessionId, bus, journal } = setup();
    store.db.pragma('max_page_count = ' + String(store.db.pragma('page_count', { simple: true })));
    for (let i = 0; i < 2000; i++) store.enqueue({ t: 'fill', venue: 'sim', sessionId, fill: fill(`y${i}`) });
    clock.advance(10);
    expect(store.failure()).toMatch(/full/i);
    journal.attach(bus);
    expect(journal.health()).toMatchObject({ ok: false, message: expect.stringMatching(/full/i) });
    store.db.close();
  });

  it('keeps the kill switch written through', () => {
    const { store, journal } = setup();
    expect(journal.loadKill()).toBeUndefined();
    journal.saveKill({ engaged: true, at: 5, by: 'trader' });
    // No flush: it is on disk already.
    const other = new Store(store.file, new SimClock(0));
    expect(other.loadKill()).toEqual({ engaged: true, at: 5, by: 'trader' });
    expect(journal.recovery('BTCUSDT').kill).toEqual({ engaged: true, at: 5, by: 'trader' });
    other.close();
    store.close();
  });
});

describe('per venue', () => {
  it("never gives one venue's journal the other's orders or fills, even with the same ids", () => {
    const { store, bus: busA, journal: sim } = setup('sim');
    const testnetSession = store.beginSession('live', 'bybit-testnet', ['BTCUSDT'], 0);
    const testnet = new SqliteJournal(store, { venue: 'bybit-testnet', sessionId: testnetSession });
    const busB = new EventBus<DomainEvents>(() => undefined);
    sim.attach(busA);
    testnet.attach(busB);
    // The same client id and execution id on both venues.
    busA.publish('order.changed', { instrument: inst, order: order('c1'), at: 1 });
    busB.publish('order.changed', { instrument: inst, order: { ...order('c1'), venueOrderId: 'T' }, at: 1 });
    busB.publish('order.changed', { instrument: inst, order: order('c2'), at: 1 });
    busA.publish('fill.applied', { instrument: inst, fill: fill('e1', 'c1', 100), order: undefined });
    busB.publish('fill.applied', {
      instrument: inst,
      fill: { ...fill('e1', 'c1', 200), venueOrderId: 'T' },
      order: undefined,
    });
    busB.publish('fill.applied', { instrument: inst, fill: fill('e2', 'c2', 300), order: undefined });

    const a = sim.recovery('BTCUSDT');
    const b = testnet.recovery('BTCUSDT');
    expect(a.openOrders.map((o) => [o.clientId, o.venueOrderId])).toEqual([['c1', 'v']]);
    expect(b.openOrders.map((o) => [o.clientId, o.venueOrderId])).toEqual([
      ['c1', 'T'],
      ['c2', 'v'],
    ]);
    expect(a.fills.map((f) => [f.execId, f.venueOrderId])).toEqual([['e1', 'v1']]);
    expect(b.fills.map((f) => [f.execId, f.venueOrderId])).toEqual([
      ['e1', 'T'],
      ['e2', 'v1'],
    ]);
    expect(a.lastFillTs).toBe(100);
    expect(b.lastFillTs).toBe(300);
    // Closing an order after reconciliation closes that venue's order only.
    store.closeOrder('bybit-testnet', 'c1', 'cancelled', 5);
    expect(sim.recovery('BTCUSDT').openOrders.map((o) => o.clientId)).toEqual(['c1']);
    expect(testnet.recovery('BTCUSDT').openOrders.map((o) => o.clientId)).toEqual(['c2']);
    store.close();
  });
});

describe('instruments', () => {
  it('reads back the spec it stored, per venue, and the latest one', () => {
    const { store, journal } = setup('sim');
    const eth: InstrumentSpec = { ...SPEC, symbol: 'ETHUSDT', base: 'ETH', tickSize: '0.01' };
    journal.saveInstruments([SPEC, eth], 100);
    expect(store.instrument('sim', 'BTCUSDT')).toEqual(SPEC);
    expect(store.instrument('sim', 'ETHUSDT')).toEqual(eth);
    expect(store.instrument('bybit-live', 'BTCUSDT')).toBeUndefined();
    // The venue changed a step: the newer spec replaces the older, and only spec fields are kept.
    const changed = { ...SPEC, tickSize: '0.5', adapterNote: 'not a spec field' };
    journal.saveInstruments([changed], 200);
    expect(store.instrument('sim', 'BTCUSDT')).toEqual({ ...SPEC, tickSize: '0.5' });
    expect(rows(store, "SELECT updated_at FROM instruments WHERE symbol = 'BTCUSDT'")).toEqual([
      { updated_at: 200 },
    ]);
    store.close();
  });

  it('refuses a damaged stored spec with a clear error', () => {
    const { store } = setup('sim');
    store.db
      .prepare(
        "INSERT INTO instruments (venue, symbol, spec, updated_at) VALUES ('sim', 'BAD', '{\"symbol\":1}', 0)",
      )
      .run();
    expect(() => store.instrument('sim', 'BAD')).toThrow(/not a valid spec/);
    store.close();
  });
});

describe('sessions', () => {
  it('name every symbol they trade, comma-separated', () => {
    const { store, sessionId } = setup();
    expect(rows(store, `SELECT symbol FROM sessions WHERE id = ${sessionId}`)).toEqual([
      { symbol: 'BTCUSDT,ETHUSDT' },
    ]);
    expect(() => store.beginSession('sim', 'sim', [], 0)).toThrow(/at least one symbol/);
    expect(() => store.beginSession('sim', 'sim', ['A,B'], 0)).toThrow(/comma/);
    store.close();
  });
});

/** A decision quoting `bid` / `ask` (ticks, 10 lots each) at `at`, as the desk publishes one. */
function decided(
  seq: number,
  at: number,
  bid: number,
  ask: number,
  extra: { sent?: number; overrides?: object; refusal?: string } = {},
): DomainEvents['quotes.decided'] {
  const side = (price: number) => ({ levels: [{ price: price as Ticks, size: 10 as Lots }], withheld: null });
  return {
    instrument: inst,
    at,
    seq,
    sent: extra.sent ?? 0,
    refusal: extra.refusal ?? null,
    inputs: {
      state: 'active',
      feed: 'ok',
      s: (bid + ask) / 2,
      overrides: extra.overrides ?? NO_OVERRIDES,
    } as QuoteInputs,
    decision: {
      quotes: { bid: side(bid), ask: side(ask) },
      model: {
        out: { reservation: (bid + ask) / 2, bidDistance: 5, askDistance: 5, spread: ask - bid },
        s: (bid + ask) / 2,
        sigma: 2,
        q: 0,
        gamma: 0.1,
        kappa: 1.5,
        A: 140,
        tau: 60,
        warnings: [],
      },
      invalid: null,
    },
  };
}
const NO_OVERRIDES = {};

describe('the decision journal', () => {
  it('keeps what sent orders or changed the quotes, samples the rest once a second, and links orders', () => {
    const { store, bus, journal } = setup();
    journal.attach(bus);
    bus.publish('quotes.decided', decided(1, 0, 649_995, 650_005, { sent: 2 }));
    // The same quotes again and again: only the once-a-second sample is kept.
    for (let t = 100; t <= 1500; t += 100)
      bus.publish('quotes.decided', decided(1 + t / 100, t, 649_995, 650_005));
    bus.publish('quotes.decided', decided(17, 1550, 649_996, 650_005));
    bus.publish('quotes.decided', decided(18, 1560, 649_996, 650_005, { overrides: { skewTicks: 1 } }));
    bus.publish('quotes.decided', decided(19, 1570, 649_996, 650_005, { refusal: 'position limit' }));
    bus.publish('quotes.decided', decided(20, 1580, 649_996, 650_005, { sent: 1 }));
    const placed = { ...order('q1', 'new'), decision: 20 };
    bus.publish('order.changed', { instrument: inst, order: placed, at: 1580 });
    expect(journal.orderDecision('q1')).toMatchObject({
      seq: 20,
      ts: 1580,
      symbol: 'BTCUSDT',
      bid: 649_996,
      ask: 650_005,
      bidLots: 10,
      reservation: 650_000.5,
      gamma: 0.1,
      sent: 1,
    });
    expect(rows(store, 'SELECT seq FROM decisions ORDER BY seq')).toEqual(
      [1, 11, 17, 18, 19, 20].map((seq) => ({ seq })),
    );
    expect(
      rows(store, 'SELECT overrides, refusal FROM decisions WHERE seq IN (18, 19) ORDER BY seq'),
    ).toEqual([
      { overrides: '{"skewTicks":1}', refusal: null },
      { overrides: null, refusal: 'position limit' },
    ]);
    // An order the model did not price, or one unknown: no decision.
    bus.publish('order.changed', { instrument: inst, order: order('m1', 'new'), at: 1600 });
    expect(journal.orderDecision('m1')).toBeUndefined();
    expect(journal.orderDecision('nobody')).toBeUndefined();
    store.close();
  });

  it('stays bounded: the oldest decisions are pruned', () => {
    const { store, bus, journal } = setup();
    journal.attach(bus);
    const saved = { ...DECISION_JOURNAL };
    Object.assign(DECISION_JOURNAL, { maxRows: 50, pruneEvery: 10 });
    try {
      for (let i = 1; i <= 400; i++) bus.publish('quotes.decided', decided(i, i * 10, 649_000 + i, 651_000));
      journal.flush();
      const kept = rows(store, 'SELECT seq FROM decisions ORDER BY seq') as { seq: number }[];
      expect(kept.length).toBeLessThanOrEqual(60);
      expect(kept.length).toBeGreaterThanOrEqual(50);
      expect(kept.at(-1)!.seq).toBe(400);
    } finally {
      Object.assign(DECISION_JOURNAL, saved);
      store.close();
    }
  });
});

describe('NullJournal', () => {
  it('keeps nothing: recovery is empty and health is ok without a database', () => {
    const journal: Journal = new NullJournal();
    const bus = new EventBus<DomainEvents>(() => undefined);
    const detach = journal.attach(bus);
    bus.publish('fill.applied', { instrument: inst, fill: fill('e1'), order: undefined });
    journal.saveKill({ engaged: true, at: 1, by: 'trader' });
    journal.saveInstruments([SPEC], 1);
    journal.flush();
    expect(journal.recovery('BTCUSDT')).toEqual({
      fills: [],
      openOrders: [],
      lastFillTs: null,
      kill: undefined,
    });
    expect(journal.loadKill()).toBeUndefined();
    expect(journal.health()).toEqual({ ok: true, queueDepth: 0, message: 'no database' });
    detach();
  });
});
