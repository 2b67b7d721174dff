import { describe, expect, it } from 'vitest';
import type { ExecutionEvent, OrderAck, VenueResult } from '../../../../engine/venues/venue.ts';
import { l, rig, SYMBOL, t } from './helpers.ts';

describe('latency and determinism', () => {
  it('answers and executions arrive after the configured latencies, never before', async () => {
    const r = rig({ latency: { requestMs: 7, responseMs: 11 } });
    const sentAt = r.clock.now();
    const answers = r.place({ clientId: 'b1', price: t(9999), size: l(10) });
    let promised: VenueResult<OrderAck> | undefined;
    void r.exec
      .placeOrder({
        symbol: SYMBOL,
        clientId: 'b2',
        side: 'buy',
        type: 'limit',
        timeInForce: 'gtc',
        price: t(9990),
        size: l(10),
      })
      .then((a) => (promised = a));
    const seen: [number, string][] = [];
    r.exec.onExecution((e: ExecutionEvent) => seen.push([r.clock.now() - sentAt, e.clientId]));
    for (let ms = 1; ms <= 17; ms++) {
      r.clock.advance(1);
      await Promise.resolve();
      expect(answers, `at ${ms} ms`).toEqual([]);
      expect(promised, `at ${ms} ms`).toBeUndefined();
      expect(r.events, `at ${ms} ms`).toEqual([]);
    }
    r.clock.advance(1);
    await Promise.resolve();
    expect(answers).toMatchObject([{ ok: true }]);
    expect(promised).toMatchObject({ ok: true, value: { clientId: 'b2' } });
    expect(seen).toEqual([
      [18, 'b1'],
      [18, 'b2'],
    ]);

    // A fill happens when the feed's trade is received, and reaches us responseMs later.
    const tradeAt = r.clock.now();
    r.feed.trade(9998, 3, 'sell');
    for (let ms = 1; ms <= 10; ms++) {
      r.clock.advance(1);
      expect(r.fills(), `at ${ms} ms`).toEqual([]);
    }
    r.clock.advance(1);
    expect(r.fills()).toMatchObject([{ clientId: 'b1', size: 3, ts: tradeAt }]);
    expect(r.updates('b1').at(-1)).toMatchObject({ status: 'partially_filled', ts: tradeAt, updateSeq: 2 });
  });

  it('delivers each event to every listener in subscription order, even past one that throws', () => {
    const r = rig();
    const order: string[] = [];
    r.exec.onExecution(() => {
      order.push('second');
      throw new Error('listener bug');
    });
    const off = r.exec.onExecution(() => order.push('third'));
    r.exec.onExecution(() => order.push('fourth'));
    r.events.length = 0;
    r.place({ clientId: 'b1', price: t(9990) });
    expect(() => {
      r.clock.advance(10);
    }).toThrow(/listener threw/);
    expect(order).toEqual(['second', 'third', 'fourth']);
    expect(r.events).toHaveLength(1);
    off();
    r.place({ clientId: 'b2', price: t(9990) });
    expect(() => {
      r.clock.advance(10);
    }).toThrow(/listener threw/);
    expect(order).toEqual(['second', 'third', 'fourth', 'second', 'fourth']);
  });

  it('the same feed script gives the same executions; a later run never reuses an id', () => {
    const script = (startMs: number) => {
      const r = rig({}, startMs);
      r.place({ clientId: 'b1', price: t(9999), size: l(20) });
      r.place({ clientId: 'i1', timeInForce: 'ioc', price: t(10002), size: l(50) });
      r.place({ clientId: 's1', side: 'sell', price: t(10003), size: l(10) });
      for (let k = 0; k < 40; k++) {
        r.clock.advance(3);
        if (k % 3 === 0) r.feed.trade(9999, 7, 'sell');
        if (k % 5 === 0) r.feed.delta([[9999, 50 - k]], [[10003, k]]);
        if (k % 7 === 0) r.feed.trade(10003, 2, 'buy');
        if (k === 20) r.place({ clientId: 'b2', price: t(9998), size: l(5) });
      }
      r.clock.advance(50);
      return r.events;
    };
    const first = script(Date.UTC(2026, 0, 1));
    const again = script(Date.UTC(2026, 0, 1));
    expect(first.filter((e) => e.type === 'fill').length).toBeGreaterThan(5);
    expect(again).toEqual(first);
    const later = script(Date.UTC(2026, 0, 2));
    const ids = (events: ExecutionEvent[]) =>
      events.flatMap((e) => (e.type === 'fill' ? [e.execId, e.venueOrderId] : [e.venueOrderId]));
    const earlier = new Set(ids(first));
    expect(ids(later).some((id) => earlier.has(id))).toBe(false);
  });
});
