import { describe, expect, it } from 'vitest';
import { SimVenue } from '../../../engine/venues/sim/sim-venue.ts';
import type { Fill, PlaceRequest } from '../../../engine/venues/venue.ts';
import { drive, run, startSimEngine } from '../trading/harness.ts';

/** Records when the node is reconciling and when a place request leaves, to check they never overlap. */
function watch(app: Awaited<ReturnType<typeof startSimEngine>>) {
  const venue = app.session.venue;
  if (!(venue instanceof SimVenue)) throw new Error('these tests inject faults into the simulator');
  const places: { at: number; clientId: string; reconciling: boolean }[] = [];
  const windows: { from: number; to: number }[] = [];
  // In event order, not by timestamp: a request may leave in the same millisecond a window opens or closes.
  let reconciling = false;
  const cb = venue.callbackOrders;
  const place = cb.place.bind(cb);
  cb.place = (request: PlaceRequest, answer, tag) => {
    places.push({ at: app.clock.now(), clientId: request.clientId, reconciling });
    place(request, answer, tag);
  };
  app.session.node.bus.subscribe('risk.changed', (e) => {
    if (e.symbol !== null) return;
    if (e.to === 'reconciling') {
      reconciling = true;
      windows.push({ from: e.at, to: Infinity });
    } else if (e.from === 'reconciling') {
      reconciling = false;
      windows[windows.length - 1]!.to = e.at;
    }
  });
  const applied: Fill[] = [];
  app.session.node.bus.subscribe('fill.applied', (e) => applied.push(e.fill));
  return { venue, places, windows, applied };
}

/** The venue's position in lots of BTCUSDT: the change of our BTC balance since the start (10 BTC). */
async function venuePositionLots(app: Awaited<ReturnType<typeof startSimEngine>>, venue: SimVenue) {
  const balances = await drive(app.clock, venue.balances());
  const btc = balances.find((b) => b.asset === 'BTC')!;
  return Math.round((Number(btc.total) - 10) * 1000);
}

describe('reconciliation with the venue', () => {
  it('after a dropped link: outage fills applied once, cancelled orders closed, nothing sent while reconciling', async () => {
    const app = await startSimEngine(31, undefined, { noStore: true });
    const { clock, engine, desk } = app;
    const { venue, places, windows, applied } = watch(app);
    await run(clock, 3_000, 5);
    expect(await drive(clock, engine.invoke('quoting.start', {}))).toMatchObject({ ok: true });
    await run(clock, 60_000, 5);
    const outageFills: Fill[] = [];
    const cancelledInOutage = new Set<string>();
    // Outages until one of them saw fills of ours (the market keeps trading while our link is down).
    for (let attempt = 0; attempt < 8 && outageFills.length === 0; attempt++) {
      const restingBefore = desk()
        .oms.workingOrders()
        .filter((o) => o.status === 'new' || o.status === 'partially-filled')
        .map((o) => o.clientId);
      const from = clock.now();
      venue.dropLink(4_000, { cancelOrdersAfterMs: 2_500 });
      await run(clock, 4_000, 5);
      // Back and reconciled: the venue is the truth for what happened meanwhile.
      await run(clock, 3_000, 5);
      const atVenue = await drive(clock, venue.executionsSince(from, 'BTCUSDT'));
      outageFills.push(...atVenue.filter((f) => f.ts < from + 4_000));
      for (const id of restingBefore) cancelledInOutage.add(id);
      await run(clock, 20_000, 5);
    }
    expect(outageFills.length).toBeGreaterThan(0);
    // Every fill made during the outage reached the portfolio exactly once.
    for (const f of outageFills) expect(applied.filter((a) => a.execId === f.execId)).toHaveLength(1);
    expect(new Set(applied.map((f) => f.execId)).size).toBe(applied.length);
    // Orders that rested when the link dropped are closed in our books, none left working.
    const oms = desk().oms;
    for (const id of cancelledInOutage) {
      const order = oms.get(id);
      if (order) expect(['filled', 'cancelled']).toContain(order.status);
    }
    expect(app.session.node.lastReconciliation()?.closed ?? 0).toBeGreaterThanOrEqual(0);
    // Reconciliation ran after every reconnect, and no place request left while it did.
    expect(windows.length).toBeGreaterThanOrEqual(1);
    for (const w of windows) expect(w.to).toBeLessThan(Infinity);
    expect(places.filter((p) => p.reconciling)).toEqual([]);
    // Quiet the book, then our records equal the venue's: position and open orders.
    await drive(clock, engine.invoke('quoting.stop', {}));
    await run(clock, 2_000, 5);
    const open = await drive(clock, venue.openOrders('BTCUSDT'));
    expect(
      oms
        .workingOrders()
        .map((o) => o.clientId)
        .sort(),
    ).toEqual(open.map((o) => o.clientId).sort());
    expect(desk().portfolio.positionLots()).toBe(await venuePositionLots(app, venue));
    expect(app.state().risk.tradingState).toBe('active');
    await drive(clock, engine.stop());
  }, 120_000);

  it('a place that times out while its order went live is settled by reconciliation: no duplicate, no lost fill', async () => {
    const app = await startSimEngine(32, undefined, { noStore: true });
    const { clock, engine, desk } = app;
    const { venue, places, windows, applied } = watch(app);
    await run(clock, 3_000, 5);
    await drive(clock, engine.invoke('quoting.start', {}));
    await run(clock, 30_000, 5);
    const oms = desk().oms;
    const from = clock.now();
    // Requests still reach the venue and go live there; their answers and executions are lost.
    venue.loseResponses(7_000);
    const book = venue.inspect('BTCUSDT').engine;
    const bid = book.bestBid()!;
    const ask = book.bestAsk()!;
    const tick = (t: number) => (t / 10).toFixed(2);
    // One order that rests, one that takes liquidity at once: both sent in the dark.
    const resting = await drive(
      clock,
      engine.invoke('orders.place', { side: 'buy', price: tick(bid - 30), size: '0.002', postOnly: true }),
    );
    const taking = await drive(
      clock,
      engine.invoke('orders.place', { side: 'buy', price: tick(ask + 5), size: '0.001', postOnly: false }),
    );
    expect(resting).toMatchObject({ ok: true });
    expect(taking).toMatchObject({ ok: true });
    const ids = [resting, taking].map((r) => (r.ok ? (r.value as { clientId: string }).clientId : ''));
    await run(clock, 20_000, 5);
    expect(oms.counters.timedOut).toBeGreaterThan(0);
    expect(windows.length).toBeGreaterThanOrEqual(1);
    expect(places.filter((p) => p.reconciling)).toEqual([]);
    // The venue has each of them once, and the OMS knows each with the venue's final word.
    const venueOpen = await drive(clock, venue.openOrders('BTCUSDT'));
    expect(venueOpen.filter((o) => o.clientId === ids[0])).toHaveLength(1);
    expect(places.filter((p) => p.clientId === ids[0])).toHaveLength(1);
    expect(oms.get(ids[0]!)).toMatchObject({ status: 'new', needsReconcile: false });
    expect(oms.get(ids[1]!)).toMatchObject({ status: 'filled', needsReconcile: false });
    expect(app.session.node.lastReconciliation()?.settled).toBeGreaterThan(0);
    // No fill lost, none twice: the taker's fill (lost on the stream) came in through reconciliation.
    const venueFills = await drive(clock, venue.executionsSince(from, 'BTCUSDT'));
    expect(venueFills.some((f) => f.clientId === ids[1])).toBe(true);
    for (const f of venueFills) expect(applied.filter((a) => a.execId === f.execId)).toHaveLength(1);
    // No duplicate quotes: at most one resting model order per side and level at the venue.
    const open = await drive(clock, venue.openOrders('BTCUSDT'));
    const slots = open.map((o) => `${o.side}:${String(oms.get(o.clientId)?.level)}`);
    expect(new Set(slots).size).toBe(slots.length);
    await drive(clock, engine.invoke('quoting.stop', {}));
    await run(clock, 2_000, 5);
    const after = await drive(clock, venue.openOrders('BTCUSDT'));
    expect(
      oms
        .workingOrders()
        .map((o) => o.clientId)
        .sort(),
    ).toEqual(after.map((o) => o.clientId).sort());
    expect(desk().portfolio.positionLots()).toBe(await venuePositionLots(app, venue));
    await drive(clock, engine.stop());
  }, 120_000);
});
