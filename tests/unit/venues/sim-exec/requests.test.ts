import { describe, expect, it } from 'vitest';
import type { PlaceRequest, VenueRejectCode } from '../../../../engine/venues/venue.ts';
import { ASKS, BIDS, l, rig, SYMBOL, t } from './helpers.ts';

describe('requests refused as a venue refuses them', () => {
  it('unknown symbol, off the grid, below minimum size or notional, duplicate id, too little balance', () => {
    const r = rig();
    r.place({ clientId: 'open1', price: t(9990), size: l(10) });
    r.clock.advance(10);
    const cases: [Partial<PlaceRequest> & { clientId: string }, VenueRejectCode][] = [
      [{ clientId: 'a1', symbol: 'NOPEUSD', price: t(9990) }, 'invalid_order'],
      [{ clientId: 'a2', price: t(9990.5) }, 'invalid_order'],
      [{ clientId: 'a3', price: t(9990), size: l(2.5) }, 'invalid_order'],
      [{ clientId: 'a4', price: t(9990), size: l(1) }, 'invalid_order'],
      // 0.05 x 0.2 is below the 1 USD minimum notional.
      [{ clientId: 'a5', price: t(5), size: l(2) }, 'invalid_order'],
      [{ clientId: 'a6', type: 'market', price: t(9990) }, 'invalid_order'],
      [{ clientId: 'a7', type: 'market', timeInForce: 'post_only', price: undefined }, 'invalid_order'],
      [{ clientId: 'open1', price: t(9980) }, 'duplicate_client_id'],
      // 99.90 x 1001.0 > 100,000 USD; 100.1 TST > 100.
      [{ clientId: 'a8', price: t(9990), size: l(10010) }, 'insufficient_funds'],
      [{ clientId: 'a9', side: 'sell', price: t(10010), size: l(1001) }, 'insufficient_funds'],
    ];
    const answers = cases.map(([request]) => r.place(request));
    r.clock.advance(10);
    cases.forEach(([request, code], i) => {
      expect(answers[i], request.clientId).toEqual([{ ok: false, code, message: expect.any(String) }]);
    });
    // Nothing refused left a trace: one order open, nothing locked but its reserve.
    expect(r.updates().map((u) => u.clientId)).toEqual(['open1']);
  });

  it('a post-only order that would cross the book is refused; one that rests is not', () => {
    const r = rig();
    const takes = r.place({ clientId: 'p1', timeInForce: 'post_only', price: t(10001) });
    const takesSell = r.place({ clientId: 'p2', side: 'sell', timeInForce: 'post_only', price: t(9999) });
    const rests = r.place({ clientId: 'p3', timeInForce: 'post_only', price: t(10000) });
    r.clock.advance(10);
    expect(takes).toMatchObject([{ ok: false, code: 'post_only_would_take' }]);
    expect(takesSell).toMatchObject([{ ok: false, code: 'post_only_would_take' }]);
    expect(rests).toMatchObject([{ ok: true }]);
    expect(r.fills()).toEqual([]);
    expect(r.updates('p3')).toMatchObject([{ status: 'new', timeInForce: 'post_only', price: 10000 }]);
  });

  it('an amend or cancel of an order that is not open is refused unknown_order', async () => {
    const r = rig();
    expect(await r.settle(r.exec.amendOrder({ symbol: SYMBOL, clientId: 'x', size: l(4) }))).toMatchObject({
      ok: false,
      code: 'unknown_order',
    });
    expect(await r.settle(r.exec.cancelOrder({ symbol: SYMBOL, clientId: 'x' }))).toMatchObject({
      ok: false,
      code: 'unknown_order',
    });
    r.place({ clientId: 'p1', timeInForce: 'post_only', price: t(10000) });
    r.clock.advance(10);
    // A post-only amend that would cross is refused and leaves the order as it was.
    expect(
      await r.settle(r.exec.amendOrder({ symbol: SYMBOL, clientId: 'p1', price: t(10001) })),
    ).toMatchObject({
      ok: false,
      code: 'post_only_would_take',
    });
    expect(await r.settle(r.exec.openOrders())).toMatchObject([
      { clientId: 'p1', price: 10000, status: 'new' },
    ]);
  });

  it('refuses every request venue_unavailable while the feed is not connected, and until its snapshot', async () => {
    const r = rig();
    r.place({ clientId: 'o1', price: t(9990) });
    r.clock.advance(10);
    r.feed.setState('reconnecting');
    const place = r.place({ clientId: 'o2', price: t(9990) });
    const cancel = r.exec.cancelAll(SYMBOL);
    // Never answered from inside the call.
    expect(place).toEqual([]);
    r.clock.advance(0);
    expect(place).toMatchObject([{ ok: false, code: 'venue_unavailable' }]);
    expect(await cancel).toMatchObject({ ok: false, code: 'venue_unavailable' });
    // Queries still answer: the account is ours.
    expect(await r.settle(r.exec.openOrders())).toMatchObject([{ clientId: 'o1' }]);

    r.feed.setState('connected');
    const early = r.place({ clientId: 'o3', price: t(9990) });
    r.clock.advance(10);
    expect(early).toMatchObject([
      { ok: false, code: 'venue_unavailable', message: expect.stringMatching(/no book/) },
    ]);
    r.feed.snapshot(BIDS, ASKS);
    const late = r.place({ clientId: 'o4', price: t(9990) });
    r.clock.advance(10);
    expect(late).toMatchObject([{ ok: true }]);

    // Sent while connected, arriving after the feed dropped: refused at the venue.
    const inFlight = r.place({ clientId: 'o5', price: t(9990) });
    r.clock.advance(2);
    r.feed.setState('disconnected');
    r.clock.advance(10);
    expect(inFlight).toMatchObject([{ ok: false, code: 'venue_unavailable' }]);
  });

  it('answers every callback request exactly once, never from inside the call', () => {
    const r = rig();
    const answers: unknown[][] = [];
    const answer = (result: unknown, tag: unknown) => answers.push([tag, result]);
    r.exec.callbackOrders.place(
      {
        symbol: SYMBOL,
        clientId: 'c1',
        side: 'buy',
        type: 'limit',
        timeInForce: 'gtc',
        price: t(9990),
        size: l(5),
      },
      answer,
      'place',
    );
    r.exec.callbackOrders.amend({ symbol: SYMBOL, clientId: 'c1', size: l(4) }, answer, 'amend');
    r.exec.callbackOrders.cancel({ symbol: SYMBOL, clientId: 'c1' }, answer, 'cancel');
    r.exec.callbackOrders.cancel({ symbol: SYMBOL, clientId: 'c1' }, answer, 'again');
    expect(answers).toEqual([]);
    r.clock.advance(1_000);
    expect(answers.map(([tag, result]) => [tag, (result as { ok: boolean }).ok])).toEqual([
      ['place', true],
      ['amend', true],
      ['cancel', true],
      ['again', false],
    ]);
    expect(r.updates('c1').map((u) => [u.status, u.size, u.updateSeq])).toEqual([
      ['new', 5, 1],
      ['new', 4, 2],
      ['cancelled', 4, 3],
    ]);
  });
});
