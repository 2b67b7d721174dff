import { describe, expect, it } from 'vitest';
import { composeVenue } from '../../../../engine/venues/compose.ts';
import type { ConnectionState } from '../../../../engine/venues/venue.ts';
import { l, rig, SYMBOL, t } from './helpers.ts';

describe('composeVenue', () => {
  it('takes the connection and market data from the feed and everything about orders from the execution', async () => {
    const r = rig();
    const venue = composeVenue({ id: 'paper-test', kind: 'paper', market: r.feed, execution: r.exec });
    expect([venue.id, venue.kind]).toEqual(['paper-test', 'paper']);
    expect(venue.capabilities).toBe(r.exec.capabilities);
    expect(venue.callbackOrders).toBe(r.exec.callbackOrders);
    expect(await venue.instruments()).toMatchObject([{ symbol: SYMBOL }]);

    const states: ConnectionState[] = [];
    venue.onConnection((s) => states.push(s));
    await venue.disconnect();
    expect(venue.connectionState()).toBe('disconnected');
    await venue.connect();
    expect(states).toEqual(['disconnected', 'connected']);

    const books: string[] = [];
    venue.subscribeMarket(SYMBOL, { onBook: (m) => books.push(m.kind), onTrade: () => undefined });
    r.feed.snapshot([[9999, 10]], [[10001, 10]]);
    expect(books).toEqual(['snapshot']);

    const updates: string[] = [];
    venue.onExecution((e) => updates.push(`${e.type}:${e.clientId}`));
    const placed = venue.placeOrder({
      symbol: SYMBOL,
      clientId: 'v1',
      side: 'buy',
      type: 'limit',
      timeInForce: 'gtc',
      price: t(9990),
      size: l(5),
    });
    expect(await r.settle(placed)).toMatchObject({ ok: true });
    expect(await r.settle(venue.openOrders())).toMatchObject([{ clientId: 'v1' }]);
    expect(await r.settle(venue.amendOrder({ symbol: SYMBOL, clientId: 'v1', size: l(4) }))).toMatchObject({
      ok: true,
    });
    expect(await r.settle(venue.cancelOrder({ symbol: SYMBOL, clientId: 'v1' }))).toMatchObject({ ok: true });
    expect(await r.settle(venue.cancelAll(SYMBOL))).toEqual({ ok: true, value: { cancelled: 0 } });
    expect(await r.settle(venue.executionsSince(0))).toEqual([]);
    expect((await r.settle(venue.balances())).map((b) => b.asset)).toEqual(['TST', 'USD']);
    expect(updates).toEqual(['order:v1', 'order:v1', 'order:v1']);
  });
});
