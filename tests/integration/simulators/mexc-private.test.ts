import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { PUSH_ORDER_TYPE, PUSH_STATUS } from '../../../engine/venues/mexc/wire.ts';
import { MexcWs, privateWs, publicGet, signed, sleep, startSim, waitFor } from './mexc-client.ts';

const ORDERS = 'spot@private.orders.v3.api.pb';
const DEALS = 'spot@private.deals.v3.api.pb';
const ACCOUNT = 'spot@private.account.v3.api.pb';
const farBid = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '30000' };

let sim: MexcSim;
beforeAll(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await signed(sim, 'DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
});
afterAll(async () => {
  await sim.close();
});

describe('MEXC simulator private pushes', () => {
  it('pushes our order, its fills and the balances it moves, in protobuf with integer enums', async () => {
    const { ws } = await privateWs(sim);
    await ws.subscribe(ORDERS, DEALS, ACCOUNT);

    const placed = await signed(sim, 'POST', '/api/v3/order', { ...farBid, newClientOrderId: 'p-1' });
    const orderId = placed.body.orderId as string;
    const push = await ws.push(ORDERS);
    expect(push.symbol).toBe('BTCUSDT');
    expect(push.privateOrders).toMatchObject({
      id: orderId,
      clientId: 'p-1',
      price: '30000',
      quantity: '0.001',
      amount: '30',
      orderType: PUSH_ORDER_TYPE.LIMIT_MAKER,
      tradeType: 1,
      status: PUSH_STATUS.NEW,
      remainQuantity: '0.001',
      cumulativeQuantity: '0',
    });
    const frozen = (await ws.push(ACCOUNT)).privateAccount!;
    expect(frozen).toMatchObject({
      vcoinName: 'USDT',
      balanceAmount: '999969.985',
      balanceAmountChange: '-30.015',
      frozenAmount: '30.015',
      frozenAmountChange: '30.015',
      type: 'ENTRUST_PLACE',
    });

    await signed(sim, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect((await ws.push(ORDERS)).privateOrders).toMatchObject({
      id: orderId,
      status: PUSH_STATUS.CANCELED,
    });
    expect((await ws.push(ACCOUNT)).privateAccount).toMatchObject({
      type: 'ENTRUST_CANCEL',
      frozenAmount: '0',
    });

    // A crossing order: its deals, then its order, then the two balances.
    const ask = new Decimal(
      (await publicGet(sim, '/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body.askPrice as string,
    );
    const taker = await signed(sim, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'IMMEDIATE_OR_CANCEL',
      quantity: '0.001',
      price: ask.plus(50).toFixed(2),
    });
    const deal = (await ws.push(DEALS)).privateDeals!;
    expect(deal).toMatchObject({
      orderId: taker.body.orderId,
      tradeType: 1,
      isMaker: false,
      feeCurrency: 'USDT',
    });
    expect(new Decimal(deal.feeAmount).eq(new Decimal(deal.amount).mul('0.0005'))).toBe(true);
    const final = (await ws.push(ORDERS)).privateOrders!;
    expect(final.id).toBe(taker.body.orderId);
    expect([PUSH_STATUS.FILLED, PUSH_STATUS.PARTIALLY_CANCELED]).toContain(final.status);
    const assets = [(await ws.push(ACCOUNT)).privateAccount!, (await ws.push(ACCOUNT)).privateAccount!];
    expect(assets.map((a) => a.vcoinName).sort()).toEqual(['BTC', 'USDT']);
    expect(assets.every((a) => a.type === 'ENTRUST')).toBe(true);
    ws.close();
  });

  it("pushes an account's orders only to its own listen-key connections", async () => {
    sim.addAccount('mx0otheraccount', 'other-secret');
    const other = await signed(
      sim,
      'POST',
      '/api/v3/userDataStream',
      {},
      { key: 'mx0otheraccount', secret: 'other-secret' },
    );
    const theirs = await MexcWs.open(`${sim.ws}?listenKey=${other.body.listenKey as string}`);
    await theirs.subscribe(ORDERS);
    const { ws: ours } = await privateWs(sim);
    await ours.subscribe(ORDERS);
    const placed = await signed(sim, 'POST', '/api/v3/order', farBid);
    expect((await ours.push(ORDERS)).privateOrders!.id).toBe(placed.body.orderId);
    await sleep(100);
    expect(theirs.pushes(ORDERS)).toEqual([]);
    expect(sim.openOrders('mx0otheraccount')).toEqual([]);
    theirs.close();
    ours.close();
  });
});

describe('MEXC simulator listen keys', () => {
  it('issues, lists, extends and closes a key; closing drops its connections', async () => {
    const issued = await signed(sim, 'POST', '/api/v3/userDataStream');
    expect(issued.status).toBe(200);
    const key = issued.body.listenKey as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect((await signed(sim, 'GET', '/api/v3/userDataStream')).body.listenKey).toContain(key);
    expect((await signed(sim, 'PUT', '/api/v3/userDataStream', { listenKey: key })).body).toEqual({
      listenKey: key,
    });
    const ws = await MexcWs.open(`${sim.ws}?listenKey=${key}`);
    await ws.subscribe(ORDERS);
    expect(sim.connections().private).toBeGreaterThanOrEqual(1);
    expect((await signed(sim, 'DELETE', '/api/v3/userDataStream', { listenKey: key })).status).toBe(200);
    await waitFor(() => ws.closed, 2000, 'the close');
    expect((await signed(sim, 'PUT', '/api/v3/userDataStream', { listenKey: key })).status).toBe(400);
    expect((await signed(sim, 'GET', '/api/v3/userDataStream')).body.listenKey).not.toContain(key);
  });

  it('sends "Invalid listen key" and closes for a key it does not know', async () => {
    const ws = await MexcWs.open(`${sim.ws}?listenKey=${'0'.repeat(64)}`);
    await waitFor(() => ws.closed, 2000, 'the close');
    expect(ws.frames.map((f) => f.text)).toEqual(['Invalid listen key']);
  });

  it('takes at most five connections per key', async () => {
    const { listenKey } = await privateWs(sim);
    const conns: MexcWs[] = [];
    for (let i = 0; i < 4; i++) conns.push(await MexcWs.open(`${sim.ws}?listenKey=${listenKey}`));
    const sixth = await MexcWs.open(`${sim.ws}?listenKey=${listenKey}`);
    await waitFor(() => sixth.closed, 2000, 'the refusal');
    expect(conns.some((c) => c.closed)).toBe(false);
    for (const c of conns) c.close();
  });

  it('issues at most 60 keys per account', async () => {
    const other = await startSim({ apiKey: 'mx0keylimit', apiSecret: 'limit-secret' });
    try {
      const keys = (
        await signed(
          other,
          'GET',
          '/api/v3/userDataStream',
          {},
          { key: 'mx0keylimit', secret: 'limit-secret' },
        )
      ).body.listenKey as string[];
      expect(keys).toEqual([]);
      for (let i = 0; i < 60; i++) {
        const r = await signed(
          other,
          'POST',
          '/api/v3/userDataStream',
          {},
          { key: 'mx0keylimit', secret: 'limit-secret' },
        );
        expect(r.status).toBe(200);
      }
      const refused = await signed(
        other,
        'POST',
        '/api/v3/userDataStream',
        {},
        { key: 'mx0keylimit', secret: 'limit-secret' },
      );
      expect(refused.status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('expires a key that is not extended and drops its connections', async () => {
    const short = await startSim({ listenKeyTtlMs: 400, ws: { noSubscriptionMs: 200 } });
    try {
      const key = (await signed(short, 'POST', '/api/v3/userDataStream')).body.listenKey as string;
      const extended = (await signed(short, 'POST', '/api/v3/userDataStream')).body.listenKey as string;
      const ws = await MexcWs.open(`${short.ws}?listenKey=${key}`);
      await ws.subscribe(ORDERS);
      await sleep(250);
      expect((await signed(short, 'PUT', '/api/v3/userDataStream', { listenKey: extended })).status).toBe(
        200,
      );
      await waitFor(() => ws.closed, 2000, 'the expiry');
      const keys = (await signed(short, 'GET', '/api/v3/userDataStream')).body.listenKey as string[];
      expect(keys).toEqual([extended]);
    } finally {
      await short.close();
    }
  });
});
