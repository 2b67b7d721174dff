/**
 * The link's failures, injected by the protocol simulator, while the node quotes: every connection
 * dropped, a create that is placed but never answered, private messages repeated and reordered. After
 * each, the node reconciles and its records agree with the venue's exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/api/engine.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { TradingApp } from '../../../engine/host/trading-app.ts';
import { startBybitSim, type BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { bybitApp, startEngine, until, type RaisedAlert } from './bybit-harness.ts';

const KEY = 'it-link-faults-key-1';
const SECRET = 'it-link-faults-secret-0123456789';

let sim: BybitSim;
let app: TradingApp;
let engine: Engine;
const raised: RaisedAlert[] = [];

/** Our working orders and the venue's open orders name the same ids, and the position is the venue's. */
function agreesWithVenue(): boolean {
  const desk = app.node.desk('BTCUSDT');
  const ours = desk.oms
    .workingOrders()
    .map((o) => o.clientId)
    .sort();
  const venue = sim
    .openOrders({ category: 'spot' })
    .map((o) => String(o.orderLinkId))
    .sort();
  const btc = new Decimal(sim.balances().BTC!.walletBalance).minus(10);
  const position = desk.instrument.lotSize.mul(desk.portfolio.positionLots());
  const ok = JSON.stringify(ours) === JSON.stringify(venue) && position.eq(btc);
  if (!ok)
    console.log(
      'DISAGREE',
      JSON.stringify({ ours, venue, position: position.toFixed(), btc: btc.toFixed() }),
    );
  return ok;
}

const settled = () =>
  app.node.venue.connectionState() === 'connected' &&
  !app.node.risk.isReconciling() &&
  app.node.desk('BTCUSDT').oms.requestsInFlight() === 0;

beforeAll(async () => {
  sim = await startBybitSim({ apiKey: KEY, apiSecret: SECRET, seed: 9 });
  app = bybitApp(sim, { apiKey: KEY, apiSecret: SECRET }, { category: 'spot', timeoutMs: 1500 });
  engine = await startEngine(app, raised);
  expect((await engine.invoke('quoting.start', {})).ok).toBe(true);
  await until('quotes resting', () => sim.openOrders({ category: 'spot' }).length >= 2);
}, 30_000);

afterAll(async () => {
  await engine.stop();
  await sim.close();
});

describe('Bybit link faults under a quoting node', () => {
  it('every connection dropped: reconnects, resubscribes, reconciles, and agrees with the venue', async () => {
    const reconciledBefore = raised.filter((a) => a.code === 'venue_link_down').length;
    expect(sim.faults.dropConnections('all')).toBeGreaterThan(0);
    await until(
      'the link reported down',
      () => raised.filter((a) => a.code === 'venue_link_down').length > reconciledBefore,
    );
    await until('back and reconciled', settled);
    // DCP may have cancelled nothing (the window is longer than the drop); either way we agree.
    await engine.invoke('quoting.stop', {});
    await until('quotes pulled', () => settled() && sim.openOrders({ category: 'spot' }).length === 0);
    expect(agreesWithVenue()).toBe(true);
    await engine.invoke('quoting.start', {});
    await until('quotes resting again', () => sim.openOrders({ category: 'spot' }).length >= 2);
  });

  it('a create placed but never answered becomes unknown, and reconciliation settles it from the venue', async () => {
    await engine.invoke('quoting.stop', {});
    await until('quotes pulled', () => settled() && sim.openOrders({ category: 'spot' }).length === 0);
    sim.faults.timeoutCreates(1);
    const price = new Decimal(app.snapshot().book.bids[0]![0]).mul('0.995').toDecimalPlaces(1).toFixed(1);
    const r = await engine.invoke('orders.place', { side: 'buy', price, size: '0.001', postOnly: true });
    expect(r.ok).toBe(true);
    const id = r.ok ? (r.value as { clientId: string }).clientId : '';
    const desk = app.node.desk('BTCUSDT');
    // The venue has it, we never heard: the stream's update or reconciliation makes it `new` either way.
    await until('the order known as resting', () => desk.oms.get(id)?.status === 'new', 20_000);
    await until('settled', settled);
    expect(sim.openOrders({ category: 'spot' }).map((o) => o.orderLinkId)).toEqual([id]);
    expect(agreesWithVenue()).toBe(true);
    await engine.invoke('orders.cancelAll', {});
    await until('cancelled', () => settled() && sim.openOrders({ category: 'spot' }).length === 0);
  });

  it('private messages repeated and reordered: every fill counted once', async () => {
    sim.faults.repeatPrivate(6);
    sim.faults.reorderPrivate(4);
    const ask = new Decimal(app.snapshot().book.asks[0]![0]);
    for (let i = 0; i < 2; i++) {
      const r = await engine.invoke('orders.place', {
        side: 'buy',
        price: ask.mul('1.002').toDecimalPlaces(1).toFixed(1),
        size: '0.002',
        postOnly: false,
      });
      expect(r.ok).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 400));
    sim.faults.clear();
    await until('settled', settled);
    await app.node.reconcile('test');
    expect(agreesWithVenue()).toBe(true);
  });
});
