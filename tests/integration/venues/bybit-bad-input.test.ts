/**
 * Bad input from the venue, injected by the protocol simulator: each gives a clear alert and a
 * resync, and changes no order or position state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/api/engine.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { TradingApp } from '../../../engine/host/trading-app.ts';
import { startBybitSim, type BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { bybitApp, startEngine, until, type RaisedAlert } from './bybit-harness.ts';

const KEY = 'it-bad-input-key-01';
const SECRET = 'it-bad-input-secret-0123456789';

let sim: BybitSim;
/** Book snapshots the venue delivered (a second subscriber beside the desk's). */
let snapshots = 0;
let app: TradingApp;
let engine: Engine;

/** Everything a bad frame must not touch: our orders as we and the venue see them, and the position. */
function orderAndPositionState(): string {
  const desk = app.node.desk('BTCUSDT');
  return JSON.stringify({
    ours: desk.oms.workingOrders().map((o) => [o.clientId, o.status, o.price, o.size, o.filled]),
    venue: sim.openOrders({ category: 'spot' }).map((o) => [o.orderLinkId, o.orderStatus, o.price, o.qty]),
    position: desk.portfolio.positionLots(),
  });
}

/** Every alert the node raised, as the bus carried it (the snapshot shows only the latest few). */
const raised: RaisedAlert[] = [];
const alertsWith = (code: string): number => raised.filter((a) => a.code === code).length;
const resyncs = (): number => app.node.desk('BTCUSDT').health.resyncs;

beforeAll(async () => {
  sim = await startBybitSim({ apiKey: KEY, apiSecret: SECRET, seed: 5 });
  app = bybitApp(sim, { apiKey: KEY, apiSecret: SECRET }, { category: 'spot' });
  engine = await startEngine(app, raised);
  app.node.venue.subscribeMarket('BTCUSDT', {
    onBook: (m) => {
      if (m.kind === 'snapshot') snapshots++;
    },
    onTrade: () => undefined,
  });
  // One resting order of ours far from the touch; quoting stays off so nothing else moves it.
  await until('a book', () => app.snapshot().book.bids.length > 0);
  const price = new Decimal(app.snapshot().book.bids[0]![0]).mul('0.985').toDecimalPlaces(1).toFixed(1);
  const placed = await engine.invoke('orders.place', { side: 'buy', price, size: '0.001', postOnly: true });
  if (!placed.ok) throw new Error(placed.error.message);
  await until('our order resting', () => sim.openOrders({ category: 'spot' }).length === 1);
  await until(
    'our order acknowledged',
    () => app.node.desk('BTCUSDT').oms.workingOrders()[0]?.status === 'new',
  );
}, 30_000);

afterAll(async () => {
  await engine.stop();
  await sim.close();
});

describe('bad input from Bybit', () => {
  // The same alert is raised at most once a second (a persistent condition must not flood the screen).
  afterEach(() => new Promise((r) => setTimeout(r, 1100)));

  it.each([
    ['malformed', 'bad_book_message', /not JSON.*resubscribed/],
    ['unknown-topic', 'unknown_topic', /mystery\.BTCUSDT/],
    ['off-tick', 'bad_book_message', /price [0-9.]+ is not a multiple of 0\.1; book resubscribed/],
    ['gap', 'book_resync', /gap/],
    ['huge', 'bad_book_message', /over \d+ bytes/],
  ] as const)('%s: alert %s, a fresh book, no order or position change', async (fault, code, message) => {
    const before = orderAndPositionState();
    const alerts = alertsWith(code);
    const resyncsBefore = resyncs();
    const snapshotsBefore = snapshots;
    expect(sim.faults.publicStream(fault, { category: 'spot', symbol: 'BTCUSDT' })).toBeGreaterThan(0);
    await until(`the ${code} alert`, () => alertsWith(code) > alerts);
    expect(raised.filter((a) => a.code === code).at(-1)!.message).toMatch(message);
    if (fault !== 'unknown-topic') {
      // A fresh snapshot replaced the book and the feed is healthy again.
      await until('a fresh snapshot', () => snapshots > snapshotsBefore);
      const desk = app.node.desk('BTCUSDT');
      await until('the book back', () => desk.health.state(desk.book) === 'ok');
      // The huge frame closes the connection: its resync is the reconnect, not a resubscription.
      expect(resyncs() > resyncsBefore || fault === 'huge').toBe(true);
    }
    expect(orderAndPositionState()).toBe(before);
  });

  it('an unknown retCode: a clear reject with its number, nothing else changed', async () => {
    const before = orderAndPositionState();
    sim.faults.refuseNext('order.create', 1, 987654, 'Mysterious refusal');
    const r = await engine.invoke('orders.place', {
      side: 'buy',
      price: new Decimal(app.snapshot().book.bids[0]![0]).mul('0.99').toDecimalPlaces(1).toFixed(1),
      size: '0.001',
      postOnly: true,
    });
    // Accepted by our OMS, then refused by the venue: the order ends rejected with the venue's words.
    const desk = app.node.desk('BTCUSDT');
    const id = r.ok ? (r.value as { clientId: string }).clientId : '';
    await until('the venue refusal', () => desk.oms.get(id)?.status === 'rejected');
    expect(desk.oms.get(id)?.reason).toMatch(/987654.*Mysterious refusal/);
    expect(orderAndPositionState()).toBe(before);
  });
});
