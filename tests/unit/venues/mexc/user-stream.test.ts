import { afterEach, describe, expect, it } from 'vitest';
import { WallClock } from '../../../../engine/core/clock.ts';
import type { Instrument } from '../../../../engine/core/instrument.ts';
import { encodePush } from '../../../../engine/venues/mexc/proto/codec.ts';
import {
  MexcUserStream,
  PRIVATE_ACCOUNT,
  PRIVATE_DEALS,
  PRIVATE_ORDERS,
  type ListenKeyApi,
  type MexcUserStreamOptions,
} from '../../../../engine/venues/mexc/user-stream.ts';
import { orderUpdateSeq } from '../../../../engine/venues/mexc/wire.ts';
import type { Balance, ExecutionEvent, VenueNotice } from '../../../../engine/venues/venue.ts';
import { FakeMexc, hex, mx, until, VECTORS, type FakeOptions } from './ws-helpers.ts';

const fakes: FakeMexc[] = [];
const streams: MexcUserStream[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) await s.disconnect();
  for (const f of fakes.splice(0)) await f.close();
});

/** The REST listenKey calls, recorded; keys the venue takes are in `valid`. */
class Keys implements ListenKeyApi {
  readonly created: string[] = [];
  readonly kept: string[] = [];
  readonly closed: string[] = [];
  readonly valid = new Set<string>();
  failKeepAlive = false;
  failCreate = false;
  private n = 0;
  create(): Promise<string> {
    if (this.failCreate) return Promise.reject(new Error('HTTP 401 api key required'));
    const key = `key-${++this.n}`;
    this.created.push(key);
    this.valid.add(key);
    return Promise.resolve(key);
  }
  keepAlive(key: string): Promise<void> {
    this.kept.push(key);
    return this.failKeepAlive
      ? Promise.reject(new Error('HTTP 400 listenKey does not exist'))
      : Promise.resolve();
  }
  close(key: string): Promise<void> {
    this.closed.push(key);
    this.valid.delete(key);
    return Promise.resolve();
  }
}

interface Harness {
  fake: FakeMexc;
  keys: Keys;
  stream: MexcUserStream;
  events: ExecutionEvent[];
  balances: Balance[];
  notices: VenueNotice[];
  states: string[];
}

async function harness(
  over: Partial<MexcUserStreamOptions> = {},
  fakeOptions: FakeOptions = {},
): Promise<Harness> {
  const keys = new Keys();
  // The venue answers an unknown key with its text on the new connection (B7).
  const fake = await FakeMexc.start({
    onConnect: (c) => {
      if (!keys.valid.has(c.query.get('listenKey') ?? '')) c.ws.send('Invalid listen key');
    },
    ...fakeOptions,
  });
  fakes.push(fake);
  const instruments: Record<string, Instrument> = { MXUSDT: mx };
  const h: Harness = {
    fake,
    keys,
    stream: null as unknown as MexcUserStream,
    events: [],
    balances: [],
    notices: [],
    states: [],
  };
  h.stream = new MexcUserStream({
    clock: new WallClock(),
    url: fake.url,
    listenKeys: keys,
    instrument: (s) => instruments[s],
    onExecution: (e) => h.events.push(e),
    onBalance: (b) => h.balances.push(b),
    onNotice: (n) => h.notices.push(n),
    socket: { backoff: { baseMs: 10, maxMs: 20 }, random: () => 0 },
    ...over,
  });
  h.stream.onConnection((s) => h.states.push(s));
  streams.push(h.stream);
  return h;
}

const CHANNELS = [PRIVATE_ORDERS, PRIVATE_DEALS, PRIVATE_ACCOUNT];

const dealPush = (over: Record<string, unknown> = {}, symbol = 'MXUSDT') =>
  encodePush({
    channel: PRIVATE_DEALS,
    symbol,
    sendTime: 1736417034290,
    privateDeals: {
      price: '3.6962',
      quantity: '1.5',
      amount: '5.5443',
      tradeType: 1,
      isMaker: true,
      isSelfTrade: false,
      tradeId: 'T-77',
      clientOrderId: 'my-1',
      orderId: 'C02__505979017439002624115',
      feeAmount: '0.0000',
      feeCurrency: 'MX',
      time: 1736417034281,
      ...over,
    },
  });

/** Waits until the stream heard everything sent before: an account push goes last and is awaited. */
async function settle(h: Harness): Promise<void> {
  const n = h.balances.length;
  h.fake.sendBinary(
    encodePush({
      channel: PRIVATE_ACCOUNT,
      privateAccount: {
        vcoinName: 'MARK',
        coinId: '',
        balanceAmount: '1',
        balanceAmountChange: '0',
        frozenAmount: '0',
        frozenAmountChange: '0',
        type: '',
        time: 1,
      },
    }),
  );
  await until(() => h.balances.length > n, 'marker');
}

describe('MexcUserStream', () => {
  it('takes a listenKey, connects with it and subscribes the three private channels', async () => {
    const h = await harness();
    await h.stream.connect();
    expect(h.keys.created).toEqual(['key-1']);
    expect(h.fake.conns).toHaveLength(1);
    expect(h.fake.last().query.get('listenKey')).toBe('key-1');
    expect(h.fake.last().received[0]).toMatchObject({ method: 'SUBSCRIPTION', params: CHANNELS });
    expect([...h.fake.last().channels]).toEqual(CHANNELS);
    expect(h.stream.connectionState()).toBe('connected');
    expect(h.states).toEqual(['connecting', 'connected']);
    expect(h.notices).toEqual([]);
  });

  it('keeps the key alive on schedule', async () => {
    const h = await harness({ keepAliveMs: 30 });
    await h.stream.connect();
    await until(() => h.keys.kept.length >= 3, 'keep-alives');
    expect(new Set(h.keys.kept)).toEqual(new Set(['key-1']));
    expect(h.fake.conns).toHaveLength(1);
  });

  it('takes a new key and reconnects when a keep-alive fails, asking to reconcile', async () => {
    const h = await harness({ keepAliveMs: 30 });
    await h.stream.connect();
    h.keys.failKeepAlive = true;
    await until(() => h.fake.conns.length === 2 && h.stream.connectionState() === 'connected', 'renewed');
    h.keys.failKeepAlive = false;
    expect(h.keys.created).toEqual(['key-1', 'key-2']);
    expect(h.keys.closed).toContain('key-1');
    expect(h.fake.conns[1]!.query.get('listenKey')).toBe('key-2');
    expect(h.fake.conns[1]!.received[0]).toMatchObject({ method: 'SUBSCRIPTION', params: CHANNELS });
    expect(h.notices).toHaveLength(1);
    expect(h.notices[0]).toMatchObject({ code: 'listen_key_renewed', reconcile: true });
    expect(h.notices[0]!.message).toMatch(/could not be kept alive \(HTTP 400 listenKey does not exist\)/);
    // The key never appears in what the trader is told.
    expect(h.notices[0]!.message).not.toMatch(/key-1/);
    expect(h.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    await until(() => h.keys.kept.includes('key-2'), 'new key kept alive');
  });

  it('takes a new key when the venue says "Invalid listen key"', async () => {
    const h = await harness();
    await h.stream.connect();
    h.fake.last().ws.send('Invalid listen key');
    await until(() => h.fake.conns.length === 2 && h.stream.connectionState() === 'connected', 'renewed');
    expect(h.fake.conns[1]!.query.get('listenKey')).toBe('key-2');
    expect(h.notices).toMatchObject([{ code: 'listen_key_renewed', reconcile: true }]);
    expect(h.notices[0]!.message).toMatch(/MEXC refused the listenKey \("Invalid listen key"\)/);
    expect(h.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('gets through a first connect whose key the venue refuses', async () => {
    const h = await harness();
    // The first key is already dead when the connection opens.
    const create = h.keys.create.bind(h.keys);
    let first = true;
    h.keys.create = async () => {
      const key = await create();
      if (first) h.keys.valid.delete(key);
      first = false;
      return key;
    };
    await h.stream.connect();
    expect(h.keys.created).toEqual(['key-1', 'key-2']);
    expect(h.fake.last().query.get('listenKey')).toBe('key-2');
    expect(h.stream.connectionState()).toBe('connected');
  });

  it('fails connect clearly when no key can be taken', async () => {
    const h = await harness();
    h.keys.failCreate = true;
    await expect(h.stream.connect()).rejects.toThrow(/MEXC user stream: .*HTTP 401 api key required/);
    expect(h.stream.connectionState()).toBe('disconnected');
  });

  it('closes the key on disconnect', async () => {
    const h = await harness();
    await h.stream.connect();
    await h.stream.disconnect();
    expect(h.keys.closed).toEqual(['key-1']);
    expect(h.stream.connectionState()).toBe('disconnected');
  });

  it('converts the doc’s order push vector exactly', async () => {
    const h = await harness();
    await h.stream.connect();
    h.fake.sendBinary(hex(VECTORS.order));
    await until(() => h.events.length === 1, 'order');
    expect(h.events[0]).toEqual({
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

  it('converts a deal push to a fill and an account push to a balance, exactly', async () => {
    const h = await harness();
    await h.stream.connect();
    h.fake.push({
      channel: PRIVATE_ACCOUNT,
      sendTime: 3,
      privateAccount: {
        vcoinName: 'USDT',
        coinId: 'x',
        balanceAmount: '94.553',
        balanceAmountChange: '-5.5443',
        frozenAmount: '5.5443',
        frozenAmountChange: '5.5443',
        type: 'ENTRUST_PLACE',
        time: 2,
      },
    });
    h.fake.sendBinary(dealPush());
    await until(() => h.events.length === 1 && h.balances.length === 1, 'pushes');
    expect(h.events[0]).toEqual({
      type: 'fill',
      symbol: 'MXUSDT',
      execId: 'T-77',
      clientId: 'my-1',
      venueOrderId: 'C02__505979017439002624115',
      side: 'buy',
      price: 36962,
      size: 150,
      fee: '0',
      feeAsset: 'MX',
      liquidity: 'maker',
      ts: 1736417034281,
    });
    expect(h.balances[0]).toEqual({ asset: 'USDT', total: '100.0973', free: '94.553' });
  });

  it('makes an unknown symbol, a malformed field or an undecodable frame a notice to reconcile, never a throw', async () => {
    const h = await harness();
    await h.stream.connect();
    h.fake.sendBinary(dealPush({}, 'DOGEUSDT'));
    h.fake.sendBinary(dealPush({ price: '3.69625' }));
    h.fake.sendBinary(Uint8Array.from([0x0a, 0x10, 0x41]));
    h.fake.sendBinary(
      encodePush({
        channel: PRIVATE_ACCOUNT,
        privateAccount: {
          vcoinName: 'USDT',
          coinId: '',
          balanceAmount: 'lots',
          balanceAmountChange: '0',
          frozenAmount: '0',
          frozenAmountChange: '0',
          type: '',
          time: 1,
        },
      }),
    );
    await settle(h);
    expect(h.events).toEqual([]);
    expect(h.balances.map((b) => b.asset)).toEqual(['MARK']);
    expect(h.notices.map((n) => [n.code, n.reconcile, n.symbol])).toEqual([
      ['unknown_symbol', true, 'DOGEUSDT'],
      ['bad_venue_frame', true, 'MXUSDT'],
      ['bad_venue_frame', true, undefined],
      ['bad_venue_frame', true, undefined],
    ]);
    expect(h.notices[0]!.message).toMatch(/DOGEUSDT, which we do not know; reconciling/);
    expect(h.notices[1]!.message).toMatch(/MEXC deal push MXUSDT price/);
    expect(h.notices[2]!.message).toMatch(/undecodable protobuf frame/);
    expect(h.notices[3]!.message).toMatch(/balanceAmount/);
    expect(h.stream.connectionState()).toBe('connected');
  });

  it('reports a push whose channel does not match its body', async () => {
    const h = await harness();
    await h.stream.connect();
    h.fake.sendBinary(
      encodePush({
        channel: PRIVATE_ORDERS,
        symbol: 'MXUSDT',
        privateDeals: {
          price: '1',
          quantity: '1',
          amount: '1',
          tradeType: 1,
          isMaker: true,
          isSelfTrade: false,
          tradeId: 'x',
          clientOrderId: '',
          orderId: 'o',
          feeAmount: '0',
          feeCurrency: 'MX',
          time: 1,
        },
      }),
    );
    await settle(h);
    expect(h.events).toEqual([]);
    expect(h.notices).toMatchObject([{ code: 'unknown_channel', reconcile: true }]);
  });

  it('says so when the venue refuses a private channel', async () => {
    const h = await harness({}, { refuse: (c) => c === PRIVATE_DEALS });
    await h.stream.connect();
    expect(h.notices).toMatchObject([{ severity: 'critical', code: 'subscribe_refused', reconcile: true }]);
    expect(h.notices[0]!.message).toMatch(/spot@private\.deals\.v3\.api\.pb.*Blocked!/);
  });
});
