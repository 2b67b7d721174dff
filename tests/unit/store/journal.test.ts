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
import { NullJournal, SqliteJournal, type Journal } from '../../../engine/store/journal.ts';
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
    // Too frequent to journal: nothing subscribes to them.
    expect(bus.listenerCount('quotes.decided')).toBe(0);
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
