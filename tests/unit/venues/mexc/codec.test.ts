import { describe, expect, it } from 'vitest';
import {
  decodePush,
  encodePush,
  int64,
  MexcDecodeError,
} from '../../../../engine/venues/mexc/proto/codec.ts';
import {
  orderTypeFromMexc,
  orderTypeFromPush,
  orderTypeToMexc,
  orderUpdateSeq,
  statusFromMexc,
  statusFromPush,
} from '../../../../engine/venues/mexc/wire.ts';

/** The protobuf test vectors of exchange-apis.md B9 (computed with protobufjs from the official schema). */
const DEPTH =
  '0a2f73706f74407075626c69632e61676772652e64657074682e76332e6170692e7062403130306d7340425443555344541a074254435553445430bad2c3d1c432ca135b12160a0839323837372e3538120a302e30303030303030301a2773706f74407075626c69632e61676772652e64657074682e76332e6170692e7062403130306d73220b31303538393633323335392a0b3130353839363332333539';
const DEAL =
  '0a2f73706f74407075626c69632e61676772652e6465616c732e76332e6170692e7062403130306d7340425443555344541a074254435553445430bca9d9d0c432d2134a0a1f0a0839333232302e3030120a302e3034343338323433180220bba9d9d0c432122773706f74407075626c69632e61676772652e6465616c732e76332e6170692e7062403130306d73';
const ORDER =
  '0a1d73706f7440707269766174652e6f72646572732e76332e6170692e70621a064d585553445430a98095d4c43282135c0a1a4330325f5f35303539373930313734333930303236323431313512046d792d311a06332e353132312201312a01303206332e363936323801400248005201305a01306201316a01317206332e3639363278028001938095d4c432';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('MEXC push codec', () => {
  it('decodes the documented depth push: field 313, one bid deleted, versions as strings', () => {
    const m = decodePush(bytes(DEPTH));
    expect(m.body).toBe('publicAggreDepths');
    expect(m.channel).toBe('spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT');
    expect(m.symbol).toBe('BTCUSDT');
    expect(int64(m.sendTime)).toBe(1736411507002);
    const d = m.publicAggreDepths!;
    expect(d.asks).toEqual([]);
    expect(d.bids).toEqual([{ price: '92877.58', quantity: '0.00000000' }]);
    expect([d.fromVersion, d.toVersion]).toEqual(['10589632359', '10589632359']);
  });

  it('decodes the documented trade and private order pushes', () => {
    const deal = decodePush(bytes(DEAL));
    expect(deal.body).toBe('publicAggreDeals');
    const t = deal.publicAggreDeals!.deals[0]!;
    expect([t.price, t.quantity, t.tradeType, int64(t.time)]).toEqual([
      '93220.00',
      '0.04438243',
      2,
      1736409765051,
    ]);

    const order = decodePush(bytes(ORDER));
    expect([order.body, order.channel, order.symbol]).toEqual([
      'privateOrders',
      'spot@private.orders.v3.api.pb',
      'MXUSDT',
    ]);
    const o = order.privateOrders!;
    expect(o).toMatchObject({
      id: 'C02__505979017439002624115',
      clientId: 'my-1',
      price: '3.5121',
      quantity: '1',
      cumulativeQuantity: '1',
      status: 2,
      orderType: 1,
      tradeType: 2,
    });
    expect(statusFromMexc(statusFromPush(o.status))).toBe('filled');
    expect(orderTypeFromMexc(orderTypeFromPush(o.orderType))).toEqual({ type: 'limit', tif: 'gtc' });
  });

  it('encodes what it decodes to the same bytes', () => {
    for (const hex of [DEPTH, DEAL, ORDER]) {
      expect(Buffer.from(encodePush(decodePush(bytes(hex)))).toString('hex')).toBe(hex);
    }
  });

  it('refuses truncated bytes, a frame without a channel and one without a body', () => {
    expect(() => decodePush(bytes(DEPTH).subarray(0, 40))).toThrow(MexcDecodeError);
    // The same truncation in a Node Buffer (what ws hands over) fails too, rather than clipping a string.
    expect(() => decodePush(Buffer.from(DEPTH, 'hex').subarray(0, 40))).toThrow(MexcDecodeError);
    expect(() => decodePush(encodePush({ channel: '', symbol: 'BTCUSDT' }))).toThrow(/without a channel/);
    expect(() => decodePush(encodePush({ channel: 'spot@x', symbol: 'BTCUSDT' }))).toThrow(/without a body/);
    expect(() => decodePush(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(MexcDecodeError);
  });
});

describe('MEXC enums and the order update sequence', () => {
  it('maps the engine order types to MEXC ones and back', () => {
    expect(orderTypeToMexc('limit', 'post_only')).toBe('LIMIT_MAKER');
    expect(orderTypeToMexc('limit', 'ioc')).toBe('IMMEDIATE_OR_CANCEL');
    expect(orderTypeToMexc('limit', 'gtc')).toBe('LIMIT');
    expect(orderTypeToMexc('market', 'ioc')).toBe('MARKET');
    expect(orderTypeFromMexc('LIMIT_MAKER')).toEqual({ type: 'limit', tif: 'post_only' });
    expect(() => orderTypeFromMexc('LIMIT_ORDER')).toThrow(/unknown MEXC order type/);
    expect(() => statusFromPush(9)).toThrow(/unknown MEXC order push status 9/);
  });

  it('ranks every later state of an order above every earlier one', () => {
    const life = [
      orderUpdateSeq(0, 'new'),
      orderUpdateSeq(3, 'partially_filled'),
      orderUpdateSeq(7, 'partially_filled'),
      orderUpdateSeq(7, 'cancelled'),
    ];
    expect([...life].sort((a, b) => a - b)).toEqual(life);
    expect(new Set(life).size).toBe(life.length);
    expect(orderUpdateSeq(0, 'cancelled')).toBeGreaterThan(orderUpdateSeq(0, 'new'));
    expect(orderUpdateSeq(10, 'filled')).toBeGreaterThan(orderUpdateSeq(9, 'partially_filled'));
  });
});
