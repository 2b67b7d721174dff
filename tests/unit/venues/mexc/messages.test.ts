import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import {
  balanceFromPush,
  bookFromSnapshot,
  depthUpdateFromPush,
  fillFromPush,
  orderUpdateFromPush,
  tradesFromPush,
} from '../../../../engine/venues/mexc/messages.ts';
import { decodePush, encodePush, int64, type PushInput } from '../../../../engine/venues/mexc/proto/codec.ts';
import { orderUpdateSeq } from '../../../../engine/venues/mexc/wire.ts';
import { btc, hex, mx, VECTORS } from './ws-helpers.ts';

/** A push as the wire would carry it: encoded, then decoded, so the parsers see what protobufjs gives. */
function wire(push: PushInput) {
  return decodePush(encodePush(push));
}

function expectRefused(fn: () => unknown, ...patterns: RegExp[]): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(EngineError);
  for (const p of patterns) expect((thrown as Error).message).toMatch(p);
}

const DEPTH = 'spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT';
const DEALS = 'spot@public.aggre.deals.v3.api.pb@10ms@BTCUSDT';

function depth(body: { from?: string; to?: string; bids?: [string, string][]; asks?: [string, string][] }) {
  return wire({
    channel: DEPTH,
    symbol: 'BTCUSDT',
    sendTime: 1736411507002,
    publicAggreDepths: {
      bids: (body.bids ?? []).map(([price, quantity]) => ({ price, quantity })),
      asks: (body.asks ?? []).map(([price, quantity]) => ({ price, quantity })),
      eventType: 'spot@public.aggre.depth.v3.api.pb@10ms',
      fromVersion: body.from ?? '10',
      toVersion: body.to ?? '12',
    },
  });
}

const orderBody = {
  id: 'C02__1',
  clientId: 'q-1',
  price: '3.5121',
  quantity: '10',
  amount: '35.121',
  avgPrice: '3.5121',
  orderType: 1,
  tradeType: 1,
  isMaker: true,
  remainAmount: '17.5605',
  remainQuantity: '5',
  cumulativeQuantity: '5',
  cumulativeAmount: '17.5605',
  status: 3,
  createTime: 1736417034259,
};

function order(
  over: Partial<typeof orderBody> = {},
  symbol = 'MXUSDT',
  sendTime: number | null = 1736417034300,
) {
  return wire({
    channel: 'spot@private.orders.v3.api.pb',
    symbol,
    ...(sendTime === null ? {} : { sendTime }),
    privateOrders: { ...orderBody, ...over },
  });
}

const dealBody = {
  price: '3.6962',
  quantity: '1.5',
  amount: '5.5443',
  tradeType: 2,
  isMaker: false,
  isSelfTrade: false,
  tradeId: '505979017439002624X',
  clientOrderId: 'q-2',
  orderId: 'C02__2',
  feeAmount: '0.00221772',
  feeCurrency: 'USDT',
  time: 1736417034281,
};

function deal(over: Partial<typeof dealBody> = {}, symbol = 'MXUSDT') {
  return wire({
    channel: 'spot@private.deals.v3.api.pb',
    symbol,
    sendTime: 1736417034290,
    privateDeals: { ...dealBody, ...over },
  });
}

describe('the doc’s protobuf test vectors (B9)', () => {
  it('decodes the depth push and converts every field used', () => {
    const push = decodePush(hex(VECTORS.depth));
    expect(push.channel).toBe('spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT');
    expect(push.body).toBe('publicAggreDepths');
    expect(push.symbol).toBe('BTCUSDT');
    expect(int64(push.sendTime)).toBe(1736411507002);
    expect(push.publicAggreDepths?.fromVersion).toBe('10589632359');
    expect(push.publicAggreDepths?.toVersion).toBe('10589632359');
    expect(push.publicAggreDepths?.bids).toEqual([{ price: '92877.58', quantity: '0.00000000' }]);
    expect(push.publicAggreDepths?.asks ?? []).toEqual([]);
    expect(depthUpdateFromPush(btc, push, 1)).toEqual({
      symbol: 'BTCUSDT',
      fromVersion: 10589632359,
      toVersion: 10589632359,
      ts: 1736411507002,
      // 92877.58 / 0.01 ticks; the zero quantity deletes the level.
      bids: [[9287758, 0]],
      asks: [],
    });
  });

  it('decodes the trade push and converts every field used', () => {
    const push = decodePush(hex(VECTORS.trade));
    expect(push.channel).toBe('spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT');
    expect(push.body).toBe('publicAggreDeals');
    expect(push.symbol).toBe('BTCUSDT');
    expect(int64(push.sendTime)).toBe(1736409765052);
    const d = push.publicAggreDeals?.deals[0];
    expect(d?.price).toBe('93220.00');
    expect(d?.quantity).toBe('0.04438243');
    expect(d?.tradeType).toBe(2);
    expect(int64(d?.time)).toBe(1736409765051);
    expect(tradesFromPush(btc, push)).toEqual([
      {
        symbol: 'BTCUSDT',
        // The vector predates tradeId: the id is built from deal time, send time and position.
        tradeId: '1736409765051-1736409765052-0',
        ts: 1736409765051,
        price: 9322000,
        size: 4438243,
        aggressor: 'sell',
      },
    ]);
  });

  it('decodes the private order push and converts every field used', () => {
    const push = decodePush(hex(VECTORS.order));
    expect(push.channel).toBe('spot@private.orders.v3.api.pb');
    expect(push.body).toBe('privateOrders');
    expect(push.symbol).toBe('MXUSDT');
    const o = push.privateOrders!;
    expect(o.id).toBe('C02__505979017439002624115');
    expect(o.clientId).toBe('my-1');
    expect(o.price).toBe('3.5121');
    expect(o.quantity).toBe('1');
    expect(o.cumulativeQuantity).toBe('1');
    expect(o.status).toBe(2);
    expect(o.orderType).toBe(1);
    expect(o.tradeType).toBe(2);
    expect(int64(o.createTime)).toBe(1736417034259);
    expect(int64(push.sendTime)).toBe(1736417034281);
    expect(orderUpdateFromPush(mx, push)).toEqual({
      type: 'order',
      symbol: 'MXUSDT',
      clientId: 'my-1',
      venueOrderId: 'C02__505979017439002624115',
      side: 'sell',
      orderType: 'limit',
      timeInForce: 'gtc',
      status: 'filled',
      price: 35121,
      size: 100,
      filled: 100,
      ts: 1736417034281,
      updateSeq: orderUpdateSeq(100, 'filled'),
    });
  });
});

describe('depth pushes', () => {
  it('converts levels exactly, any zero deleting, and keeps the versions', () => {
    const u = depthUpdateFromPush(
      btc,
      depth({
        from: '10',
        to: '12',
        bids: [
          ['100.01', '0.5'],
          ['100.00', '0.000000000000'],
        ],
        asks: [['100.02', '0']],
      }),
      5,
    );
    expect(u).toMatchObject({ fromVersion: 10, toVersion: 12, ts: 1736411507002 });
    expect(u.bids).toEqual([
      [10001, 50000000],
      [10000, 0],
    ]);
    expect(u.asks).toEqual([[10002, 0]]);
  });

  it('takes our receive time where the push carries no sendTime', () => {
    const push = wire({
      channel: DEPTH,
      publicAggreDepths: { bids: [], asks: [], eventType: '', fromVersion: '1', toVersion: '1' },
    });
    expect(depthUpdateFromPush(btc, push, 777).ts).toBe(777);
  });

  it('refuses a price beyond the symbol’s precision, naming the level', () => {
    expectRefused(
      () =>
        depthUpdateFromPush(
          btc,
          depth({
            bids: [
              ['100.01', '1'],
              ['100.005', '1'],
            ],
          }),
          0,
        ),
      /MEXC depth BTCUSDT bids\[1\]\.price/,
    );
    expectRefused(
      () => depthUpdateFromPush(btc, depth({ asks: [['100.01', '0.000000001']] }), 0),
      /asks\[0\]\.quantity/,
    );
    expectRefused(() => depthUpdateFromPush(btc, depth({ asks: [['-100.01', '1']] }), 0), /negative/);
  });

  it('refuses bad versions, another symbol and another body', () => {
    expectRefused(
      () => depthUpdateFromPush(btc, depth({ from: '', to: '3' }), 0),
      /fromVersion must be a positive integer/,
    );
    expectRefused(
      () => depthUpdateFromPush(btc, depth({ from: '5', to: '4' }), 0),
      /fromVersion 5 is after toVersion 4/,
    );
    expectRefused(() => depthUpdateFromPush(btc, depth({ from: '1e3', to: '2000' }), 0), /fromVersion/);
    const other = wire({ ...depth({}), symbol: 'ETHUSDT', body: undefined } as PushInput);
    expectRefused(() => depthUpdateFromPush(btc, other, 0), /symbol ETHUSDT given to the BTCUSDT parser/);
    const deals = wire({ channel: DEPTH, symbol: 'BTCUSDT', publicAggreDeals: { deals: [], eventType: '' } });
    expectRefused(() => depthUpdateFromPush(btc, deals, 0), /a publicAggreDeals body on/);
  });
});

describe('trade pushes', () => {
  it('keeps tradeId when present and reads the taker side from tradeType', () => {
    const push = wire({
      channel: DEALS,
      symbol: 'BTCUSDT',
      sendTime: 20,
      publicAggreDeals: {
        eventType: '',
        deals: [
          { price: '100.01', quantity: '0.1', tradeType: 1, time: 10, tradeId: 'T9' },
          { price: '100.02', quantity: '0.2', tradeType: 2, time: 11 },
        ],
      },
    });
    expect(tradesFromPush(btc, push)).toEqual([
      { symbol: 'BTCUSDT', tradeId: 'T9', ts: 10, price: 10001, size: 10000000, aggressor: 'buy' },
      { symbol: 'BTCUSDT', tradeId: '11-20-1', ts: 11, price: 10002, size: 20000000, aggressor: 'sell' },
    ]);
  });

  it('refuses an unknown tradeType, a zero quantity and a missing time', () => {
    const with1 = (d: Record<string, unknown>) =>
      wire({
        channel: DEALS,
        symbol: 'BTCUSDT',
        publicAggreDeals: {
          eventType: '',
          deals: [{ price: '1', quantity: '1', tradeType: 1, time: 5, ...d }],
        },
      });
    expectRefused(() => tradesFromPush(btc, with1({ tradeType: 3 })), /deals\[0\]\.tradeType/);
    expectRefused(() => tradesFromPush(btc, with1({ quantity: '0' })), /deals\[0\]\.quantity/);
    expectRefused(
      () => tradesFromPush(btc, with1({ time: 0 })),
      /deals\[0\]\.time must be a millisecond time/,
    );
  });
});

describe('the REST snapshot', () => {
  it('becomes a BookSnapshot at its version, best first, zero sizes left out', () => {
    const snap = bookFromSnapshot(
      btc,
      {
        version: 1112416,
        bids: [
          ['99.98', '1'],
          ['99.99', '0.5'],
          ['99.97', '0'],
        ],
        asks: [
          ['100.02', '2'],
          ['100.01', '0.25'],
        ],
      },
      42,
    );
    expect(snap).toEqual({
      kind: 'snapshot',
      symbol: 'BTCUSDT',
      seq: 1112416,
      ts: 42,
      bids: [
        [9999, 50000000],
        [9998, 100000000],
      ],
      asks: [
        [10001, 25000000],
        [10002, 200000000],
      ],
    });
  });

  it('refuses an off-grid level and a bad version', () => {
    expectRefused(
      () => bookFromSnapshot(btc, { version: 1, bids: [['1.001', '1']], asks: [] }, 0),
      /bids\[0\]\.price/,
    );
    expectRefused(
      () => bookFromSnapshot(btc, { version: 0, bids: [], asks: [] }, 0),
      /version must be a positive integer/,
    );
    expectRefused(
      () => bookFromSnapshot(btc, { version: 1, bids: [['1'] as unknown as [string, string]], asks: [] }, 0),
      /bids\[0\] must be \[price, quantity\]/,
    );
  });
});

describe('private order pushes', () => {
  it('converts a partly filled limit order exactly', () => {
    expect(orderUpdateFromPush(mx, order())).toEqual({
      type: 'order',
      symbol: 'MXUSDT',
      clientId: 'q-1',
      venueOrderId: 'C02__1',
      side: 'buy',
      orderType: 'limit',
      timeInForce: 'gtc',
      status: 'partially_filled',
      price: 35121,
      size: 1000,
      filled: 500,
      ts: 1736417034300,
      updateSeq: 500 * 2 + 1,
    });
  });

  it('maps every push status and order type, and orders the updateSeq of one order’s life', () => {
    const statuses = [1, 3, 2, 4, 5].map((status) => orderUpdateFromPush(mx, order({ status })).status);
    expect(statuses).toEqual(['new', 'partially_filled', 'filled', 'cancelled', 'cancelled']);
    const types = [1, 2, 3, 4].map((orderType) => {
      const u = orderUpdateFromPush(mx, order({ orderType }));
      return `${u.orderType}/${u.timeInForce}`;
    });
    expect(types).toEqual(['limit/gtc', 'limit/post_only', 'limit/ioc', 'limit/ioc']);
    const life = [
      order({ status: 1, cumulativeQuantity: '0' }),
      order({ status: 3, cumulativeQuantity: '2' }),
      order({ status: 3, cumulativeQuantity: '5' }),
      order({ status: 4, cumulativeQuantity: '5' }),
    ].map((p) => orderUpdateFromPush(mx, p).updateSeq);
    expect([...life].sort((a, b) => a - b)).toEqual(life);
    expect(new Set(life).size).toBe(4);
  });

  it('tells why an IOC or market order ended unfilled', () => {
    const ioc = orderUpdateFromPush(mx, order({ orderType: 3, status: 5, cumulativeQuantity: '5' }));
    expect(ioc.reason).toBe('ioc_unfilled');
    const market = orderUpdateFromPush(mx, order({ orderType: 5, status: 4, cumulativeQuantity: '0' }));
    expect(market).toMatchObject({ orderType: 'market', timeInForce: 'ioc', reason: 'no_liquidity' });
    expect(market.price).toBeUndefined();
    expect(orderUpdateFromPush(mx, order({ status: 4 })).reason).toBeUndefined();
  });

  it('sizes a finished market buy by quote amount by what it filled, and refuses an open one', () => {
    const done = orderUpdateFromPush(
      mx,
      order({ orderType: 5, quantity: '0', status: 2, cumulativeQuantity: '3' }),
    );
    expect(done).toMatchObject({ size: 300, filled: 300, status: 'filled' });
    expectRefused(
      () =>
        orderUpdateFromPush(mx, order({ orderType: 5, quantity: '', status: 1, cumulativeQuantity: '0' })),
      /open market order/,
    );
  });

  it('falls back to createTime without a sendTime', () => {
    expect(orderUpdateFromPush(mx, order({}, 'MXUSDT', null)).ts).toBe(1736417034259);
  });

  it('refuses malformed fields by name', () => {
    expectRefused(() => orderUpdateFromPush(mx, order({ status: 9 })), /MEXC order push MXUSDT status/);
    expectRefused(() => orderUpdateFromPush(mx, order({ orderType: 100 })), /orderType/);
    expectRefused(() => orderUpdateFromPush(mx, order({ tradeType: 0 })), /tradeType/);
    expectRefused(() => orderUpdateFromPush(mx, order({ price: '3.51215' })), /price/);
    expectRefused(() => orderUpdateFromPush(mx, order({ cumulativeQuantity: '11' })), /more than quantity/);
    expectRefused(() => orderUpdateFromPush(mx, order({ id: '' })), /id \(the order id\) is missing/);
    expectRefused(
      () => orderUpdateFromPush(mx, order({}, 'BTCUSDT')),
      /symbol BTCUSDT given to the MXUSDT parser/,
    );
  });
});

describe('private deal pushes', () => {
  it('converts a fill exactly', () => {
    expect(fillFromPush(mx, deal())).toEqual({
      type: 'fill',
      symbol: 'MXUSDT',
      execId: '505979017439002624X',
      clientId: 'q-2',
      venueOrderId: 'C02__2',
      side: 'sell',
      price: 36962,
      size: 150,
      fee: '0.00221772',
      feeAsset: 'USDT',
      liquidity: 'taker',
      ts: 1736417034281,
    });
    expect(fillFromPush(mx, deal({ isMaker: true, tradeType: 1, feeCurrency: 'MX' }))).toMatchObject({
      liquidity: 'maker',
      side: 'buy',
      feeAsset: 'MX',
    });
  });

  it('refuses a fee without an asset, a missing tradeId and an off-grid quantity', () => {
    expectRefused(() => fillFromPush(mx, deal({ feeCurrency: '' })), /without a feeCurrency/);
    expect(fillFromPush(mx, deal({ feeCurrency: '', feeAmount: '0' })).feeAsset).toBe('USDT');
    expectRefused(() => fillFromPush(mx, deal({ tradeId: '' })), /tradeId is missing/);
    expectRefused(() => fillFromPush(mx, deal({ quantity: '1.505' })), /quantity/);
    expectRefused(() => fillFromPush(mx, deal({ feeAmount: 'abc' })), /feeAmount/);
  });
});

describe('private account pushes', () => {
  const account = (balanceAmount: string, frozenAmount: string) =>
    wire({
      channel: 'spot@private.account.v3.api.pb',
      sendTime: 5,
      privateAccount: {
        vcoinName: 'USDT',
        coinId: '128f589271cb4951b03e71e6323eb7be',
        balanceAmount,
        balanceAmountChange: '-10',
        frozenAmount,
        frozenAmountChange: '10',
        type: 'ENTRUST_PLACE',
        time: 4,
      },
    });

  it('sums free and frozen exactly for the total', () => {
    expect(balanceFromPush(account('21.77', '0.1'))).toEqual({
      asset: 'USDT',
      total: '21.87',
      free: '21.77',
    });
    expect(balanceFromPush(account('0.000000010000000001', '1234567890.99999999'))).toEqual({
      asset: 'USDT',
      total: '1234567891.000000000000000001',
      free: '0.000000010000000001',
    });
  });

  it('refuses a malformed amount', () => {
    expectRefused(() => balanceFromPush(account('1,5', '0')), /balanceAmount/);
    expectRefused(() => balanceFromPush(account('1', '-2')), /negative/);
  });
});
