import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { BybitRateLimiter } from '../../../../engine/venues/bybit/rate-limit.ts';
import type { BybitRest, RestAnswer } from '../../../../engine/venues/bybit/rest-client.ts';
import type { BybitSocket } from '../../../../engine/venues/bybit/socket.ts';
import { BybitTradeChannel, type TradeAnswer } from '../../../../engine/venues/bybit/trade-channel.ts';

interface Sent {
  reqId: string;
  op: string;
  args: [Record<string, unknown>];
  header: Record<string, string>;
}

function rig(options: { connected?: boolean } = {}) {
  const clock = new SimClock(Date.UTC(2026, 0, 5));
  const sent: Sent[] = [];
  const socket = {
    connectionState: () => (options.connected === false ? 'reconnecting' : 'connected'),
    send: (text: string) => {
      sent.push(JSON.parse(text) as Sent);
      return true;
    },
  } as unknown as BybitSocket;
  const posted: { path: string; body: Record<string, unknown> }[] = [];
  const rest = {
    clockOffsetMs: () => 25,
    signedPost: (path: string, body: Record<string, unknown>): Promise<RestAnswer> => {
      posted.push({ path, body });
      return Promise.resolve({
        ok: true,
        result: { orderId: 'rest-1', orderLinkId: body.orderLinkId },
        retExtInfo: {},
        time: 7,
      });
    },
  } as unknown as BybitRest;
  const limiter = new BybitRateLimiter(clock);
  const channel = new BybitTradeChannel({ clock, socket, rest, limiter, timeoutMs: 1000 });
  return { clock, sent, posted, channel, limiter };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const ipLeft = (limiter: BybitRateLimiter): number =>
  limiter.headroom().find((h) => h.endpoint === 'ip')!.remaining;
const createLeft = (limiter: BybitRateLimiter): number =>
  limiter.headroom().find((h) => h.endpoint === '/v5/order/create' && h.category === 'linear')!.remaining;

describe('BybitTradeChannel', () => {
  it('spends the order quota on either path, and the per-IP REST limit only over REST', async () => {
    const up = rig();
    void up.channel.request('create', 'linear', { symbol: 'BTCUSDT', orderLinkId: 'q-1' });
    await flush();
    expect(up.sent).toHaveLength(1);
    expect(createLeft(up.limiter)).toBe(9);
    expect(ipLeft(up.limiter)).toBe(600);

    const down = rig({ connected: false });
    void down.channel.request('create', 'linear', { symbol: 'BTCUSDT', orderLinkId: 'q-2' });
    await flush();
    expect(down.posted).toHaveLength(1);
    expect(createLeft(down.limiter)).toBe(9);
    expect(ipLeft(down.limiter)).toBe(599);
  });

  it('sends a lone request as a single op with the venue-time header', async () => {
    const { sent, channel, clock } = rig();
    const answer = channel.request('create', 'linear', { symbol: 'BTCUSDT', orderLinkId: 'a-1' });
    await flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.op).toBe('order.create');
    expect(sent[0]!.args[0]).toEqual({ category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'a-1' });
    expect(sent[0]!.header['X-BAPI-TIMESTAMP']).toBe(String(clock.now() + 25));
    channel.onFrame({
      reqId: sent[0]!.reqId,
      retCode: 0,
      retMsg: 'OK',
      op: 'order.create',
      data: { orderId: 'v-1', orderLinkId: 'a-1' },
      header: { Timenow: '123', 'X-Bapi-Limit': '10', 'X-Bapi-Limit-Status': '9' },
    });
    expect(await answer).toEqual({ ok: true, orderId: 'v-1', orderLinkId: 'a-1', time: 123 });
  });

  it('batches requests of one turn per operation, and answers each from its item', async () => {
    const { sent, channel } = rig();
    const a = channel.request('amend', 'linear', { symbol: 'BTCUSDT', orderLinkId: 'b', price: '1' });
    const b = channel.request('amend', 'linear', { symbol: 'BTCUSDT', orderLinkId: 'c', price: '2' });
    const c = channel.request('cancel', 'linear', { symbol: 'BTCUSDT', orderLinkId: 'd' });
    await flush();
    expect(sent.map((s) => s.op)).toEqual(['order.amend-batch', 'order.cancel']);
    expect(sent[0]!.args[0]).toEqual({
      category: 'linear',
      request: [
        { symbol: 'BTCUSDT', orderLinkId: 'b', price: '1' },
        { symbol: 'BTCUSDT', orderLinkId: 'c', price: '2' },
      ],
    });
    channel.onFrame({
      reqId: sent[0]!.reqId,
      retCode: 0,
      retMsg: 'OK',
      data: {
        list: [
          { orderId: 'v-b', orderLinkId: 'b' },
          { orderId: '', orderLinkId: 'c' },
        ],
      },
      retExtInfo: {
        list: [
          { code: 0, msg: 'OK' },
          { code: 110001, msg: 'order not exists or too late to replace' },
        ],
      },
      header: {},
    });
    channel.onFrame({
      reqId: sent[1]!.reqId,
      retCode: 110001,
      retMsg: 'order not exists',
      data: {},
      header: {},
    });
    const [ra, rb, rc]: TradeAnswer[] = await Promise.all([a, b, c]);
    expect(ra).toMatchObject({ ok: true, orderId: 'v-b' });
    expect(rb).toEqual({ ok: false, retCode: 110001, retMsg: 'order not exists or too late to replace' });
    expect(rc).toEqual({ ok: false, retCode: 110001, retMsg: 'order not exists' });
  });

  it('splits a batch at the venue’s item limit (spot: 10)', async () => {
    const { sent, channel } = rig();
    for (let i = 0; i < 12; i++)
      void channel.request('create', 'spot', { symbol: 'BTCUSDT', orderLinkId: `x${i}` });
    await flush();
    expect(sent.map((s) => s.op)).toEqual(['order.create-batch', 'order.create-batch']);
    expect((sent[0]!.args[0].request as unknown[]).length).toBe(10);
    expect((sent[1]!.args[0].request as unknown[]).length).toBe(2);
  });

  it('answers a request that gets no reply within the timeout, and ignores the late reply', async () => {
    const { sent, channel, clock } = rig();
    const answer = channel.request('cancel', 'spot', { symbol: 'BTCUSDT', orderLinkId: 'late' });
    await flush();
    clock.advance(1001);
    expect(await answer).toMatchObject({ ok: false, retCode: -1 });
    expect(() =>
      channel.onFrame({ reqId: sent[0]!.reqId, retCode: 0, data: { orderId: 'z', orderLinkId: 'late' } }),
    ).not.toThrow();
  });

  it('falls back to REST while the trade socket is down', async () => {
    const { sent, posted, channel } = rig({ connected: false });
    const answer = await channel.request('create', 'spot', { symbol: 'BTCUSDT', orderLinkId: 'r-1' });
    expect(sent).toHaveLength(0);
    expect(posted).toEqual([
      { path: '/v5/order/create', body: { category: 'spot', symbol: 'BTCUSDT', orderLinkId: 'r-1' } },
    ]);
    expect(answer).toEqual({ ok: true, orderId: 'rest-1', orderLinkId: 'r-1', time: 7 });
  });

  it('answers everything in flight when the trade connection drops', async () => {
    const { channel } = rig();
    const answer = channel.request('create', 'spot', { symbol: 'BTCUSDT', orderLinkId: 'd-1' });
    await flush();
    channel.onDisconnected();
    expect(await answer).toMatchObject({
      ok: false,
      retCode: -1,
      retMsg: expect.stringMatching(/dropped/) as string,
    });
  });
});
