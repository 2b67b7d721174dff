/**
 * Bad input through the node on MEXC. From the venue, injected by the protocol simulator: each bad
 * frame gives a clear alert and a fresh snapshot, and changes no order, fill or position; the book
 * after the resync is the venue's, exactly as before apart from what the venue itself changed. From
 * us: an order the venue could not take (a price beyond the symbol's precision, a symbol it does not
 * list, a paused symbol) is refused with a clear reason before any request leaves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/api/engine.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import type { TradingApp } from '../../../engine/host/trading-app.ts';
import { startMexcSim, type MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import type { PlaceRequest } from '../../../engine/venues/venue.ts';
import { mexcApp, startEngine, touch, until, type RaisedAlert } from './mexc-harness.ts';

const KEY = 'it-mexc-bad-input-key-01';
const SECRET = 'it-mexc-bad-input-secret-0123456789';

let sim: MexcSim;
let app: TradingApp;
let engine: Engine;
/** Book snapshots the venue delivered (a second subscriber beside the desk's). */
let snapshots = 0;
/** Fills the node applied: a bad frame must add none. */
let fillsApplied = 0;

/** Every alert the node raised, as the bus carried it (the snapshot shows only the latest few). */
const raised: RaisedAlert[] = [];
const alertsWith = (code: string): RaisedAlert[] => raised.filter((a) => a.code === code);
const desk = () => app.node.desk('BTCUSDT');

/** Everything a bad frame must not touch: our orders as we and the venue see them, fills, the position. */
function orderAndPositionState(): string {
  const d = desk();
  return JSON.stringify({
    ours: d.oms.workingOrders().map((o) => [o.clientId, o.status, o.price, o.size, o.filled]),
    venue: sim.openOrders(KEY).map((o) => [o['clientOrderId'], o['status'], o['price'], o['origQty']]),
    fills: fillsApplied,
    position: d.portfolio.positionLots(),
    balances: sim.balances(KEY),
  });
}

/** The best 20 levels of each side, as the node's book holds them and as the venue's engine does. */
function books(): { ours: string; venue: string } {
  const engineBook = sim.market('BTCUSDT').engine;
  const book = desk().book;
  return {
    ours: JSON.stringify([book.levels('buy', 20), book.levels('sell', 20)]),
    venue: JSON.stringify([engineBook.depth('buy', 20), engineBook.depth('sell', 20)]),
  };
}
const bookIsVenues = () => {
  const b = books();
  return desk().book.status() === 'ok' && b.ours === b.venue;
};

/**
 * The background market is frozen for these tests, so the venue's book only moves when a test moves
 * it: a few steps of its flow at once, which the next depth push carries as one version range.
 */
function stir(): void {
  const { background, engine: engineBook } = sim.market('BTCUSDT');
  const image = () => JSON.stringify([engineBook.depth('buy'), engineBook.depth('sell')]);
  const was = image();
  for (let i = 0; i < 30 || (image() === was && i < 1000); i++) background.step();
  if (image() === was) throw new Error('the background flow moved nothing');
}

beforeAll(async () => {
  sim = await startMexcSim({ apiKey: KEY, apiSecret: SECRET, seed: 5 });
  app = mexcApp(sim, { apiKey: KEY, apiSecret: SECRET });
  app.node.bus.subscribe('fill.applied', () => {
    fillsApplied++;
  });
  engine = await startEngine(app, raised);
  app.node.venue.subscribeMarket('BTCUSDT', {
    onBook: (m) => {
      if (m.kind === 'snapshot') snapshots++;
    },
    onTrade: () => undefined,
  });
  // One resting order of ours far from the touch; quoting stays off so nothing else moves it.
  await until('a book', () => desk().book.status() === 'ok');
  const price = touch(sim).bid.mul('0.985').toDecimalPlaces(2).toFixed(2);
  const placed = await engine.invoke('orders.place', { side: 'buy', price, size: '0.0001', postOnly: true });
  if (!placed.ok) throw new Error(placed.error.message);
  await until('our order resting', () => sim.openOrders(KEY).length === 1);
  await until('our order acknowledged', () => desk().oms.workingOrders()[0]?.status === 'new');
  sim.market('BTCUSDT').background.stop();
  await until('our book the venue’s', bookIsVenues);
}, 30_000);

afterAll(async () => {
  await engine.stop();
  await sim.close();
});

describe('bad frames from MEXC', () => {
  // The same alert is raised at most once a second (a persistent condition must not flood the screen).
  afterEach(() => new Promise((r) => setTimeout(r, 1100)));

  it.each([
    [
      'undecodable',
      'bad_venue_frame',
      /^MEXC undecodable protobuf frame: .+; book resynced from a fresh snapshot$/,
    ],
    [
      'unknown-channel',
      'bad_venue_frame',
      /^MEXC sent a push on spot@public\.mystery\.v3\.api\.pb@100ms@BTCUSDT, which we did not subscribe; book resynced/,
    ],
    [
      'off-precision',
      'bad_venue_frame',
      /^MEXC depth BTCUSDT bids\[0\]\.price: BTCUSDT price \d+\.\d{3} is not a multiple of 0\.01; book resynced/,
    ],
    [
      'gap',
      'book_gap',
      /^MEXC BTCUSDT book: push versions \d+-\d+ do not follow \d+; resynced from a fresh snapshot$/,
    ],
  ] as const)(
    '%s: alert %s, a fresh snapshot, the venue’s book, no order or position change',
    async (fault, code, message) => {
      // The venue moves once first, so the book's version chain runs from a push, not from a snapshot.
      stir();
      await until('our book the venue’s', bookIsVenues);
      const before = orderAndPositionState();
      const bookBefore = books();
      expect(bookBefore.ours).toBe(bookBefore.venue);
      const alerts = alertsWith(code).length;
      const feedErrors = alertsWith('bad_book_message').length;
      const resyncs = desk().health.resyncs;
      const snapshotsBefore = snapshots;

      // The frame alone, or (for faults carried by the next depth push) with a push to carry it.
      const hit = fault === 'gap' ? sim.faults.depthGap('BTCUSDT') : sim.faults.badFrame(fault, 'BTCUSDT');
      expect(hit).toBeGreaterThan(0);
      const moved = fault === 'gap' || fault === 'off-precision';
      if (moved) stir();

      await until(`the ${code} alert`, () => alertsWith(code).length > alerts);
      expect(alertsWith(code).at(-1)!.message).toMatch(message);
      // The desk heard of it too: its book was dropped and nothing may quote on it until the snapshot.
      await until('the desk told', () => alertsWith('bad_book_message').length > feedErrors);
      expect(desk().health.resyncs).toBeGreaterThan(resyncs);
      await until('a fresh snapshot', () => snapshots > snapshotsBefore);
      await until('the book the venue’s again', bookIsVenues);
      // Nothing the venue did not do: the same book where the venue did not move, and the bad price
      // (one decimal finer than the grid) nowhere in it.
      if (!moved) expect(books().ours).toBe(bookBefore.ours);
      expect(orderAndPositionState()).toBe(before);
    },
  );
});

describe('orders MEXC could not take, refused before anything is sent', () => {
  const order = (over: Partial<PlaceRequest>): PlaceRequest => ({
    symbol: 'BTCUSDT',
    clientId: 'bad-1',
    side: 'buy',
    type: 'limit',
    timeInForce: 'post_only',
    price: 6_000_000 as Ticks, // 60000.00
    size: 100 as Lots, // 0.0001
    ...over,
  });

  it('refuses each with a clear reason, sends nothing and leaves the state intact', async () => {
    const before = orderAndPositionState();
    // A tripwire: the next order that reaches the venue is refused with this code. Whatever reaches
    // it before the last, good, request below would take it instead.
    sim.faults.refuseNext('POST /api/v3/order', 1, 999_001, 'tripwire');

    // Through the node: the trader's order ticket.
    const viaNode = [
      [
        { side: 'buy', price: '60000.001', size: '0.0001', postOnly: true },
        'invalid_number',
        /price 60000\.001 is not a multiple of 0\.01/,
      ],
      [
        { side: 'buy', price: '60000', size: '0.0000001', postOnly: true },
        'invalid_number',
        /size 0\.0000001 is not a multiple of 0\.000001/,
      ],
      [
        { side: 'buy', price: '60000', size: '0.0001', postOnly: true, symbol: 'NOPEUSDT' },
        'not_found',
        /does not trade NOPEUSDT/,
      ],
      [
        { side: 'buy', price: '0.5', size: '1', postOnly: true, symbol: 'LUNAUSDT' },
        'not_found',
        /does not trade LUNAUSDT/,
      ],
    ] as const;
    for (const [input, code, message] of viaNode) {
      const r = await engine.invoke('orders.place', input);
      expect(r, JSON.stringify(input)).toMatchObject({ ok: false, error: { code } });
      expect(r.ok ? '' : r.error.message).toMatch(message);
    }

    // Through the adapter, as the OMS would send them: the venue's own symbol and precision checks.
    const venue = app.node.venue;
    const viaVenue = [
      [
        order({ symbol: 'LUNAUSDT', price: 50_000 as Ticks }),
        /^MEXC LUNAUSDT is paused \(status 2\): no orders$/,
      ],
      [order({ symbol: 'NOPEUSDT' }), /^MEXC lists no spot symbol NOPEUSDT$/],
      [order({ symbol: 'btcusdt' }), /must be uppercase letters and digits with no separator/],
      [order({ price: 6_000_000.5 as Ticks }), /price.*6000000\.5/],
      [order({ size: 100.5 as Lots }), /size.*100\.5/],
    ] as const;
    for (const [request, message] of viaVenue) {
      const r = await venue.placeOrder(request);
      expect(r, JSON.stringify(request)).toMatchObject({ ok: false, code: 'invalid_order' });
      expect(r.ok ? '' : r.message).toMatch(message);
    }
    expect(orderAndPositionState()).toBe(before);

    // The tripwire is still armed: none of the above reached the venue.
    const good = await venue.placeOrder(order({ clientId: 'good-1' }));
    expect(good).toEqual({
      ok: false,
      code: expect.any(String) as unknown,
      message: 'MEXC 999001: tripwire',
    });
    expect(orderAndPositionState()).toBe(before);
  });
});

describe('a node asked to trade what MEXC does not offer', () => {
  it.each([['LUNAUSDT (paused)'], ['NOPEUSDT (not listed)']])(
    '%s: refuses to start with a clear error and leaves no connection open',
    async (named) => {
      const symbol = named.split(' ')[0]!;
      const before = sim.connections();
      const other = mexcApp(sim, { apiKey: KEY, apiSecret: SECRET }, { extra: { symbols: [symbol] } });
      try {
        await expect(other.node.start()).rejects.toThrow(new RegExp(symbol));
        expect(other.node.desks()).toEqual([]);
        // Whatever the failed start opened is closed again: no socket and no listenKey left behind.
        await until(
          'the failed start’s connections closed',
          () => {
            const now = sim.connections();
            return now.public === before.public && now.private === before.private;
          },
          3000,
        );
        expect(other.venue.connectionState()).toBe('disconnected');
      } finally {
        // Not to leave the rest of the file a second session's sockets, whatever the node did.
        await other.venue.disconnect();
      }
    },
  );
});
