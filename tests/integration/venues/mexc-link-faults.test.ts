/**
 * The MEXC link's failures, injected by the protocol simulator, while the node quotes: every
 * connection dropped, a create that is placed but never answered, private pushes repeated and
 * reordered. After each, the node reconciles and its records agree with the venue's exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/api/engine.ts';
import type { TradingApp } from '../../../engine/host/trading-app.ts';
import type { MexcRest } from '../../../engine/venues/mexc/rest-client.ts';
import { startMexcSim, type MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import {
  BTC_AT_START,
  btcAtVenue,
  mexcApp,
  mexcClient,
  openAtVenue,
  startEngine,
  takeOurBid,
  touch,
  until,
  type RaisedAlert,
} from './mexc-harness.ts';

const KEY = 'it-mexc-link-faults-key-1';
const SECRET = 'it-mexc-link-faults-secret-0123456789';
/** Another trader, who takes our bid while our link is down. */
const TAKER = { apiKey: 'it-mexc-link-faults-taker', apiSecret: 'it-mexc-link-faults-taker-secret-01' };

let sim: MexcSim;
let app: TradingApp;
let engine: Engine;
let taker: MexcRest;
const raised: RaisedAlert[] = [];
const desk = () => app.node.desk('BTCUSDT');
const alertsWith = (code: string): number => raised.filter((a) => a.code === code).length;

/** Our working orders and the venue's open orders name the same ids, and the position is the venue's. */
function agreesWithVenue(log = true): boolean {
  const d = desk();
  const ours = d.oms
    .workingOrders()
    .map((o) => o.clientId)
    .sort();
  const venue = openAtVenue(sim, KEY);
  const btc = btcAtVenue(sim, KEY).minus(BTC_AT_START);
  const position = d.instrument.lotSize.mul(d.portfolio.positionLots());
  const ok = JSON.stringify(ours) === JSON.stringify(venue) && position.eq(btc);
  if (!ok && log)
    console.log(
      'DISAGREE',
      JSON.stringify({ ours, venue, position: position.toFixed(), btc: btc.toFixed() }),
    );
  return ok;
}

const settled = () =>
  app.node.venue.connectionState() === 'connected' &&
  !app.node.risk.isReconciling() &&
  desk().oms.requestsInFlight() === 0;

/** Every fill the node applied, by execution id: each must appear once. */
const applied: string[] = [];
/** Orders whose state the node has held as unknown (for reconciliation to settle) at some point. */
const unknown = new Set<string>();

beforeAll(async () => {
  sim = await startMexcSim({ apiKey: KEY, apiSecret: SECRET, seed: 9 });
  sim.addAccount(TAKER.apiKey, TAKER.apiSecret);
  taker = await mexcClient(sim, TAKER);
  app = mexcApp(sim, { apiKey: KEY, apiSecret: SECRET }, { timeoutMs: 1500 });
  app.node.bus.subscribe('fill.applied', (e) => applied.push(e.fill.execId));
  app.node.bus.subscribe('order.changed', (e) => {
    if (e.order.needsReconcile) unknown.add(e.order.clientId);
  });
  engine = await startEngine(app, raised);
  expect((await engine.invoke('quoting.start', {})).ok).toBe(true);
  await until('quotes resting', () => sim.openOrders(KEY).length >= 2);
}, 30_000);

afterAll(async () => {
  await engine.stop();
  await sim.close();
});

describe('MEXC link faults under a quoting node', () => {
  it('every connection dropped: reconnects, resubscribes, reconciles, and agrees with the venue', async () => {
    const down = alertsWith('venue_link_down');
    const before = sim.connections();
    expect(before.public).toBeGreaterThan(0);
    expect(before.private).toBeGreaterThan(0);
    const reconciledBefore = app.node.lastReconciliation();
    expect(sim.faults.dropConnections('all')).toBeGreaterThan(0);
    // While we are cut off, another trader takes our bid: its pushes went nowhere, or arrive after the
    // reconnect; either way the fill must be counted once.
    const taken = await takeOurBid(sim, taker, KEY);
    await until('the link reported down', () => alertsWith('venue_link_down') > down);
    await until('back and reconciled', () => settled() && app.node.lastReconciliation() !== reconciledBefore);
    // Both streams back: the public one resubscribed (a fresh book), the user stream on its listenKey.
    await until('both streams open again', () => {
      const c = sim.connections();
      return c.public > 0 && c.private > 0;
    });
    await until('a fresh book', () => desk().book.status() === 'ok');
    expect(app.node.venue.connectionState()).toBe('connected');
    await until('the fill of our bid known', () => (desk().oms.get(taken)?.filled ?? 0) > 0);
    // MEXC has no disconnect cancel-all: the quotes rested through the drop, and we agree either way.
    await engine.invoke('quoting.stop', {});
    await until('quotes pulled', () => settled() && sim.openOrders(KEY).length === 0);
    expect(agreesWithVenue()).toBe(true);
    await engine.invoke('quoting.start', {});
    await until('quotes resting again', () => sim.openOrders(KEY).length >= 2);
  });

  it('a create placed but never answered: the venue’s word settles it, the lost answer changes nothing', async () => {
    await engine.invoke('quoting.stop', {});
    await until('quotes pulled', () => settled() && sim.openOrders(KEY).length === 0);
    sim.faults.timeoutCreates(1);
    const price = touch(sim).bid.mul('0.995').toDecimalPlaces(2).toFixed(2);
    const r = await engine.invoke('orders.place', { side: 'buy', price, size: '0.0001', postOnly: true });
    expect(r.ok).toBe(true);
    const id = r.ok ? (r.value as { clientId: string }).clientId : '';
    // The venue has it and we never heard its answer: the user stream's push or reconciliation makes
    // it `new` either way.
    await until('the order known as resting', () => desk().oms.get(id)?.status === 'new', 20_000);
    // The answer given up on (after the transport's timeout) leaves what the venue said in place.
    await until('settled', settled);
    expect(desk().oms.get(id)?.status).toBe('new');
    expect(openAtVenue(sim, KEY)).toEqual([id]);
    expect(agreesWithVenue()).toBe(true);
    await engine.invoke('orders.cancelAll', {});
    await until('cancelled', () => settled() && sim.openOrders(KEY).length === 0);
    // The cancel-all's answer comes first, the order's end on the user stream just after.
    await until('our records the venue’s', () => agreesWithVenue(false), 5000);
    expect(desk().oms.get(id)?.status).toBe('cancelled');
  });

  it('a create whose answer is cut off while its pushes are held is unknown until reconciliation settles it', async () => {
    await until('settled', () => settled() && sim.openOrders(KEY).length === 0);
    const reconciledBefore = app.node.lastReconciliation();
    // The venue carries the create out and drops the connection instead of answering; the user
    // stream's pushes of it are held back (250 ms) so that nothing but the venue's records can tell.
    sim.faults.timeoutCreates(1, 0);
    sim.faults.reorderPrivate(50);
    const price = touch(sim).bid.mul('0.995').toDecimalPlaces(2).toFixed(2);
    const r = await engine.invoke('orders.place', { side: 'buy', price, size: '0.0001', postOnly: true });
    expect(r.ok).toBe(true);
    const id = r.ok ? (r.value as { clientId: string }).clientId : '';
    await until('the order known as resting', () => desk().oms.get(id)?.status === 'new', 20_000);
    expect(unknown.has(id)).toBe(true);
    await until('settled', settled);
    // A reconciliation of its own, which settled the unknown state from the venue's records.
    const rec = app.node.lastReconciliation();
    expect(rec).not.toBe(reconciledBefore);
    expect(rec?.settled).toBeGreaterThanOrEqual(1);
    sim.faults.clear();
    expect(openAtVenue(sim, KEY)).toEqual([id]);
    expect(agreesWithVenue()).toBe(true);
    await engine.invoke('orders.cancelAll', {});
    await until('cancelled', () => settled() && sim.openOrders(KEY).length === 0);
    await until('our records the venue’s', () => agreesWithVenue(false), 5000);
  });

  it('private pushes repeated and reordered: every fill counted once', async () => {
    const appliedBefore = applied.length;
    sim.faults.repeatPrivate(6);
    sim.faults.reorderPrivate(4);
    const ask = touch(sim).ask;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await engine.invoke('orders.place', {
        side: 'buy',
        price: ask.mul('1.002').toDecimalPlaces(2).toFixed(2),
        size: '0.0002',
        postOnly: false,
      });
      expect(r.ok).toBe(true);
      if (r.ok) ids.push((r.value as { clientId: string }).clientId);
    }
    await until('both buys filled', () => ids.every((id) => desk().oms.get(id)?.status === 'filled'), 10_000);
    await new Promise((r) => setTimeout(r, 400));
    sim.faults.clear();
    await until('settled', settled);
    await app.node.reconcile('test');
    expect(agreesWithVenue()).toBe(true);
    // Each execution applied once, however often the venue pushed it or the reconciliation read it.
    const fresh = applied.slice(appliedBefore);
    expect(fresh.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fresh).size).toBe(fresh.length);
    expect(new Set(applied).size).toBe(applied.length);
  });
});
