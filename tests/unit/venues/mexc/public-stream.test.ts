import { afterEach, describe, expect, it } from 'vitest';
import { WallClock } from '../../../../engine/core/clock.ts';
import { defineInstrument, type Instrument } from '../../../../engine/core/instrument.ts';
import { OrderBook } from '../../../../engine/market/order-book.ts';
import type { BookMessage, Trade } from '../../../../engine/market/types.ts';
import { encodePush, type PushInput } from '../../../../engine/venues/mexc/proto/codec.ts';
import {
  MexcPublicStream,
  type DepthSnapshot,
  type MexcPublicStreamOptions,
} from '../../../../engine/venues/mexc/public-stream.ts';
import type { MarketListener, VenueNotice } from '../../../../engine/venues/venue.ts';
import { btc, deferred, FakeMexc, until } from './ws-helpers.ts';

const DEPTH = 'spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT';
const DEALS = 'spot@public.aggre.deals.v3.api.pb@10ms@BTCUSDT';

const fakes: FakeMexc[] = [];
const streams: MexcPublicStream[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) await s.disconnect();
  for (const f of fakes.splice(0)) await f.close();
});

/** A listener that keeps what it heard and applies the book messages to a real OrderBook. */
class Recorder implements MarketListener {
  readonly messages: BookMessage[] = [];
  readonly trades: Trade[] = [];
  readonly errors: string[] = [];
  readonly book = new OrderBook('BTCUSDT', new WallClock());
  readonly results: string[] = [];
  onBook(m: BookMessage): void {
    this.messages.push(m);
    this.results.push(this.book.apply(m));
  }
  onTrade(t: Trade): void {
    this.trades.push(t);
  }
  onFeedError(reason: string): void {
    this.errors.push(reason);
  }
  levels(): { bids: unknown; asks: unknown } {
    return { bids: this.book.levels('buy', 20), asks: this.book.levels('sell', 20) };
  }
}

interface Harness {
  fake: FakeMexc;
  stream: MexcPublicStream;
  /** Snapshot requests in order; each resolves when the test says. */
  snapshots: { symbol: string; d: ReturnType<typeof deferred<DepthSnapshot>> }[];
  notices: VenueNotice[];
  states: string[];
}

async function harness(
  over: Partial<MexcPublicStreamOptions> = {},
  instruments: Record<string, Instrument> = { BTCUSDT: btc },
  fakeOptions: Parameters<typeof FakeMexc.start>[0] = {},
): Promise<Harness> {
  const fake = await FakeMexc.start(fakeOptions);
  fakes.push(fake);
  const h: Harness = {
    fake,
    stream: null as unknown as MexcPublicStream,
    snapshots: [],
    notices: [],
    states: [],
  };
  h.stream = new MexcPublicStream({
    clock: new WallClock(),
    url: fake.url,
    instrument: (s) => instruments[s],
    snapshot: (symbol) => {
      const d = deferred<DepthSnapshot>();
      h.snapshots.push({ symbol, d });
      return d.promise;
    },
    onNotice: (n) => h.notices.push(n),
    socket: { backoff: { baseMs: 10, maxMs: 20 }, random: () => 0 },
    snapshotBackoff: { baseMs: 10, maxMs: 20 },
    ...over,
  });
  streams.push(h.stream);
  h.stream.onConnection((s) => h.states.push(s));
  return h;
}

function depth(
  from: number,
  to: number,
  bids: [string, string][] = [],
  asks: [string, string][] = [],
): PushInput {
  return {
    channel: DEPTH,
    symbol: 'BTCUSDT',
    sendTime: 1_700_000_000_000 + to,
    publicAggreDepths: {
      bids: bids.map(([price, quantity]) => ({ price, quantity })),
      asks: asks.map(([price, quantity]) => ({ price, quantity })),
      eventType: 'spot@public.aggre.depth.v3.api.pb@10ms',
      fromVersion: String(from),
      toVersion: String(to),
    },
  };
}

let markerSeq = 0;
/**
 * A trade push sent after the frames under test: once the listener hears it, the stream has
 * handled everything sent before it on that connection (frames are handled in order).
 */
async function settle(h: Harness, rec: Recorder): Promise<void> {
  const n = rec.trades.length;
  h.fake.push({
    channel: DEALS,
    symbol: 'BTCUSDT',
    sendTime: 1,
    publicAggreDeals: {
      eventType: '',
      deals: [{ price: '1.00', quantity: '1', tradeType: 1, time: 1, tradeId: `m${++markerSeq}` }],
    },
  });
  await until(() => rec.trades.length > n, 'marker trade');
}

const SNAP: DepthSnapshot = {
  version: 100,
  bids: [
    ['100.00', '1'],
    ['99.99', '2'],
  ],
  asks: [
    ['100.01', '1'],
    ['100.02', '3'],
  ],
};

/** Connects, subscribes BTCUSDT and brings its book live at version 100 (the SNAP levels). */
async function live(h: Harness, rec = new Recorder()): Promise<Recorder> {
  await h.stream.connect();
  h.stream.subscribe('BTCUSDT', rec);
  await until(() => h.snapshots.length === 1, 'snapshot asked');
  h.snapshots[0]!.d.resolve(SNAP);
  await until(() => rec.messages.length === 1, 'snapshot heard');
  return rec;
}

describe('MexcPublicStream books', () => {
  it('builds the book from the snapshot and the pushes that chain onto it; older pushes are dropped', async () => {
    const h = await harness();
    await h.stream.connect();
    const rec = new Recorder();
    h.stream.subscribe('BTCUSDT', rec);
    // The snapshot is asked once the venue confirmed the channels (so pushes are being buffered).
    await until(() => h.snapshots.length === 1, 'snapshot asked');
    expect(h.snapshots[0]!.symbol).toBe('BTCUSDT');
    expect([...h.fake.last().channels]).toEqual([DEPTH, DEALS]);
    h.fake.push(depth(90, 95, [['99.98', '9']])); // ends before the snapshot: dropped
    h.fake.push(depth(96, 101, [['100.00', '1.5']], [['100.01', '0']])); // holds version 100: the first applied
    h.fake.push(depth(102, 103, [['99.99', '0.00000000']], [['100.03', '0.25']]));
    await settle(h, rec);
    expect(rec.messages).toEqual([]);
    h.snapshots[0]!.d.resolve(SNAP);
    await until(() => rec.messages.length === 3, 'snapshot and deltas');
    expect(rec.messages[0]).toMatchObject({
      kind: 'snapshot',
      symbol: 'BTCUSDT',
      seq: 100,
      bids: [
        [10000, 100000000],
        [9999, 200000000],
      ],
      asks: [
        [10001, 100000000],
        [10002, 300000000],
      ],
    });
    expect(rec.messages[1]).toEqual({
      kind: 'delta',
      symbol: 'BTCUSDT',
      seq: 101,
      prevSeq: 100,
      ts: 1_700_000_000_101,
      bids: [[10000, 150000000]],
      asks: [[10001, 0]],
    });
    expect(rec.messages[2]).toMatchObject({ kind: 'delta', seq: 103, prevSeq: 101 });
    h.fake.push(depth(104, 104, [['99.97', '0.1']]));
    await until(() => rec.messages.length === 4, 'live delta');
    expect(rec.messages[3]).toMatchObject({ kind: 'delta', seq: 104, prevSeq: 103 });
    expect(rec.results).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(rec.levels()).toEqual({
      bids: [
        [10000, 150000000],
        [9997, 10000000],
      ],
      asks: [
        [10002, 300000000],
        [10003, 25000000],
      ],
    });
    expect(h.notices).toEqual([]);
    expect(rec.errors).toEqual([]);
  });

  it('continues a snapshot taken between two pushes with the push starting at its version + 1', async () => {
    const h = await harness();
    const rec = await live(h);
    h.fake.push(depth(101, 102, [['99.50', '1']]));
    await until(() => rec.messages.length === 2, 'delta');
    expect(rec.messages[1]).toMatchObject({ seq: 102, prevSeq: 100 });
    expect(rec.results).toEqual(['ok', 'ok']);
  });

  it('takes another snapshot, telling the listeners nothing, when the buffered pushes start after it', async () => {
    const h = await harness();
    await h.stream.connect();
    const rec = new Recorder();
    h.stream.subscribe('BTCUSDT', rec);
    await until(() => h.snapshots.length === 1, 'snapshot asked');
    h.fake.push(depth(150, 151, [['100.00', '4']]));
    await settle(h, rec);
    h.snapshots[0]!.d.resolve(SNAP); // version 100: older than the stream
    await until(() => h.snapshots.length === 2, 'second snapshot');
    expect(rec.messages).toEqual([]);
    expect(rec.errors).toEqual([]);
    expect(h.notices.map((n) => n.code)).toEqual(['book_resync']);
    h.snapshots[1]!.d.resolve({ ...SNAP, version: 150 });
    await until(() => rec.messages.length === 2, 'book');
    expect(rec.messages.map((m) => [m.kind, m.seq])).toEqual([
      ['snapshot', 150],
      ['delta', 151],
    ]);
  });

  it('on a version gap tells the listeners, resyncs from a fresh snapshot and keeps the push that showed it', async () => {
    const h = await harness();
    const rec = await live(h);
    h.fake.push(depth(101, 103, [['99.99', '5']]));
    await until(() => rec.messages.length === 2, 'delta');
    const before = rec.levels();
    h.fake.push(depth(105, 106, [['99.98', '7']])); // 104 is missing
    await until(() => h.snapshots.length === 2, 'resync');
    expect(rec.errors).toHaveLength(1);
    expect(rec.errors[0]).toMatch(/push versions 105-106 do not follow 103; book resynced/);
    expect(h.notices).toMatchObject([{ severity: 'warning', code: 'book_gap', symbol: 'BTCUSDT' }]);
    // Nothing of the push was applied, and nothing more is passed on until the new snapshot.
    h.fake.push(depth(107, 107, [['99.97', '1']]));
    await settle(h, rec);
    expect(rec.messages).toHaveLength(2);
    expect(rec.levels()).toEqual(before);
    h.snapshots[1]!.d.resolve({ version: 105, bids: [['99.90', '1']], asks: [['100.10', '1']] });
    await until(() => rec.messages.length === 5, 'resynced');
    expect(rec.messages.slice(2).map((m) => [m.kind, m.seq])).toEqual([
      ['snapshot', 105],
      ['delta', 106],
      ['delta', 107],
    ]);
    expect(rec.levels()).toEqual({
      bids: [
        [9990, 100000000],
        [9998, 700000000],
        [9997, 100000000],
      ].sort((a, b) => b[0]! - a[0]!),
      asks: [[10010, 100000000]],
    });
  });

  it('retries a failed snapshot with backoff', async () => {
    const h = await harness();
    await h.stream.connect();
    const rec = new Recorder();
    h.stream.subscribe('BTCUSDT', rec);
    await until(() => h.snapshots.length === 1, 'snapshot asked');
    h.snapshots[0]!.d.reject(new Error('HTTP 429'));
    await until(() => h.snapshots.length === 2, 'retry');
    expect(h.notices[0]).toMatchObject({ code: 'book_snapshot_failed', symbol: 'BTCUSDT' });
    expect(h.notices[0]!.message).toMatch(/HTTP 429; retrying/);
    h.snapshots[1]!.d.resolve({ ...SNAP, bids: [['100.001', '1']] }); // off the grid: also a failure
    await until(() => h.snapshots.length === 3, 'second retry');
    expect(h.notices[1]!.message).toMatch(/bids\[0\]\.price/);
    h.snapshots[2]!.d.resolve(SNAP);
    await until(() => rec.messages.length === 1, 'book');
  });

  it('gives a second listener its own snapshot', async () => {
    const h = await harness();
    const first = await live(h);
    const second = new Recorder();
    h.stream.subscribe('BTCUSDT', second);
    await until(() => h.snapshots.length === 2, 'fresh snapshot');
    h.snapshots[1]!.d.resolve({ ...SNAP, version: 120 });
    await until(() => second.messages.length === 1, 'second hears');
    expect(second.messages[0]).toMatchObject({ kind: 'snapshot', seq: 120 });
    expect(first.messages.map((m) => m.seq)).toEqual([100, 120]);
  });
});

describe('MexcPublicStream bad frames: nothing applied, the book resynced', () => {
  const cases: { name: string; send: (h: Harness) => void; reason: RegExp; code: string }[] = [
    {
      name: 'an undecodable protobuf frame',
      // Field 1 (channel) announces 16 bytes and the frame ends after one.
      send: (h) => h.fake.sendBinary(Uint8Array.from([0x0a, 0x10, 0x41])),
      reason: /undecodable protobuf frame/,
      code: 'bad_venue_frame',
    },
    {
      name: 'a price beyond the symbol’s precision (after a good level)',
      send: (h) => h.fake.push(depth(101, 101, [['100.00', '9']], [['100.015', '1']])),
      reason: /MEXC depth BTCUSDT asks\[0\]\.price/,
      code: 'bad_venue_frame',
    },
    {
      name: 'a push on a channel we did not subscribe',
      send: (h) =>
        h.fake.sendBinary(
          encodePush({
            channel: 'spot@public.aggre.bookTicker.v3.api.pb@10ms@BTCUSDT',
            symbol: 'BTCUSDT',
            publicAggreBookTicker: { bidPrice: '1', bidQuantity: '1', askPrice: '2', askQuantity: '1' },
          }),
        ),
      reason:
        /a push on spot@public\.aggre\.bookTicker\.v3\.api\.pb@10ms@BTCUSDT, which we did not subscribe/,
      code: 'bad_venue_frame',
    },
    {
      name: 'a depth channel carrying another body',
      send: (h) =>
        h.fake.sendBinary(
          encodePush({ channel: DEPTH, symbol: 'BTCUSDT', publicAggreDeals: { deals: [], eventType: '' } }),
        ),
      reason: /a publicAggreDeals body on/,
      code: 'bad_venue_frame',
    },
    {
      name: 'a version gap',
      send: (h) => h.fake.push(depth(102, 102, [['100.00', '9']])),
      reason: /push versions 102-102|starts at 102/,
      code: 'book_gap',
    },
  ];

  for (const c of cases)
    it(c.name, async () => {
      const h = await harness();
      const rec = await live(h);
      const before = rec.levels();
      c.send(h);
      await until(() => rec.errors.length === 1, 'feed error');
      await settle(h, rec);
      expect(rec.errors[0]).toMatch(c.reason);
      expect(rec.errors[0]).toMatch(/book resynced/);
      expect(h.notices).toHaveLength(1);
      expect(h.notices[0]).toMatchObject({ severity: 'warning', code: c.code, symbol: 'BTCUSDT' });
      expect(h.notices[0]!.message).toMatch(c.reason);
      expect(rec.messages).toHaveLength(1);
      expect(rec.levels()).toEqual(before);
      expect(rec.book.status()).toBe('ok');
      // A fresh snapshot rebuilds it.
      await until(() => h.snapshots.length === 2, 'resync');
      h.snapshots[1]!.d.resolve({ ...SNAP, version: 200, bids: [['90.00', '1']] });
      await until(() => rec.messages.length === 2, 'new snapshot');
      expect(rec.messages[1]).toMatchObject({ kind: 'snapshot', seq: 200 });
      expect(rec.levels().bids).toEqual([[9000, 100000000]]);
    });

  it('a push on a channel of a symbol we do not follow is a notice only', async () => {
    const h = await harness();
    const rec = await live(h);
    h.fake.sendBinary(
      encodePush({
        ...depth(1, 1),
        channel: 'spot@public.aggre.depth.v3.api.pb@10ms@ETHUSDT',
        symbol: 'ETHUSDT',
      }),
    );
    await settle(h, rec);
    expect(h.notices).toMatchObject([{ code: 'unknown_channel' }]);
    expect(h.notices[0]!.message).toMatch(/ETHUSDT, which we did not subscribe; ignored/);
    expect(rec.errors).toEqual([]);
    expect(h.snapshots).toHaveLength(1);
  });

  it('a bad trade push is dropped whole with a notice; the book is untouched', async () => {
    const h = await harness();
    const rec = await live(h);
    h.fake.push({
      channel: DEALS,
      symbol: 'BTCUSDT',
      publicAggreDeals: {
        eventType: '',
        deals: [
          { price: '100.00', quantity: '1', tradeType: 1, time: 5, tradeId: 'ok' },
          { price: '100.005', quantity: '1', tradeType: 1, time: 5, tradeId: 'bad' },
        ],
      },
    });
    await settle(h, rec);
    expect(rec.trades.map((t) => t.tradeId)).toEqual([`m${markerSeq}`]);
    expect(h.notices).toMatchObject([{ code: 'bad_venue_frame', symbol: 'BTCUSDT' }]);
    expect(h.notices[0]!.message).toMatch(/deals\[1\]\.price.*trades ignored/);
    expect(rec.errors).toEqual([]);
  });
});

describe('MexcPublicStream subscriptions and connections', () => {
  it('passes trades on in ticks and lots with the taker side', async () => {
    const h = await harness();
    const rec = await live(h);
    h.fake.push({
      channel: DEALS,
      symbol: 'BTCUSDT',
      sendTime: 9,
      publicAggreDeals: {
        eventType: '',
        deals: [{ price: '100.01', quantity: '0.5', tradeType: 2, time: 8, tradeId: 'T1' }],
      },
    });
    await until(() => rec.trades.length === 1, 'trade');
    expect(rec.trades[0]).toEqual({
      symbol: 'BTCUSDT',
      tradeId: 'T1',
      ts: 8,
      price: 10001,
      size: 50000000,
      aggressor: 'sell',
    });
  });

  it('reports a refused book channel, takes no snapshot for it and still passes trades on', async () => {
    const h = await harness({}, { BTCUSDT: btc }, { refuse: (c) => c === DEPTH });
    await h.stream.connect();
    const rec = new Recorder();
    h.stream.subscribe('BTCUSDT', rec);
    await until(() => rec.errors.length === 1, 'refusal heard');
    expect(rec.errors[0]).toMatch(/MEXC refused the book channel .*Blocked!/);
    expect(h.notices).toMatchObject([{ code: 'subscribe_refused', symbol: 'BTCUSDT' }]);
    await settle(h, rec);
    expect(h.snapshots).toEqual([]);
  });

  it('after a drop resubscribes everything, takes a fresh snapshot and goes reconnecting → connected', async () => {
    const h = await harness();
    const rec = await live(h);
    expect(h.states).toEqual(['connecting', 'connected']);
    h.fake.last().ws.terminate();
    await until(() => h.snapshots.length === 2, 'fresh snapshot');
    expect(h.fake.conns).toHaveLength(2);
    expect(h.fake.conns[1]!.received[0]).toMatchObject({ method: 'SUBSCRIPTION', params: [DEPTH, DEALS] });
    await until(() => h.states.length === 4, 'states');
    expect(h.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    h.snapshots[1]!.d.resolve({ ...SNAP, version: 300 });
    await until(() => rec.messages.length === 2, 'new book');
    expect(rec.messages[1]).toMatchObject({ kind: 'snapshot', seq: 300 });
    h.fake.push(depth(301, 302, [['100.00', '2']]));
    await until(() => rec.messages.length === 3, 'delta');
    expect(rec.results).toEqual(['ok', 'ok', 'ok']);
  });

  it('drops a snapshot that was on its way when the connection fell', async () => {
    const h = await harness();
    await h.stream.connect();
    const rec = new Recorder();
    h.stream.subscribe('BTCUSDT', rec);
    await until(() => h.snapshots.length === 1, 'snapshot asked');
    h.fake.last().ws.terminate();
    await until(() => h.fake.conns.length === 2 && h.stream.connectionState() === 'connected', 'back');
    // The old answer lands after the reconnect: it may predate it, so it is not used.
    h.snapshots[0]!.d.resolve(SNAP);
    await until(() => h.snapshots.length === 2, 'fresh snapshot');
    expect(rec.messages).toEqual([]);
    h.snapshots[1]!.d.resolve({ ...SNAP, version: 400 });
    await until(() => rec.messages.length === 1, 'book');
    expect(rec.messages[0]).toMatchObject({ seq: 400 });
  });

  it('puts 15 symbols (30 channels) on a connection and opens another for more', async () => {
    const instruments: Record<string, Instrument> = {};
    for (let i = 0; i < 17; i++) {
      const symbol = `C${i}USDT`;
      instruments[symbol] = defineInstrument({ ...btc.spec, symbol, base: `C${i}` });
    }
    const h = await harness({}, instruments);
    await h.stream.connect();
    for (const s of Object.keys(instruments)) h.stream.subscribe(s, new Recorder());
    await until(() => h.snapshots.length === 17, 'all subscribed');
    const counts = h.fake.open().map((c) => c.channels.size);
    expect(counts).toEqual([30, 4]);
    expect(h.stream.connectionState()).toBe('connected');
  });

  it('refuses clearly when every allowed connection is full', async () => {
    const instruments: Record<string, Instrument> = {};
    for (let i = 0; i < 16; i++) {
      const symbol = `C${i}USDT`;
      instruments[symbol] = defineInstrument({ ...btc.spec, symbol, base: `C${i}` });
    }
    const h = await harness({ maxConnections: 1 }, instruments);
    await h.stream.connect();
    const symbols = Object.keys(instruments);
    for (const s of symbols.slice(0, 15)) h.stream.subscribe(s, new Recorder());
    expect(() => h.stream.subscribe(symbols[15]!, new Recorder())).toThrow(
      /MEXC allows 30 channels per connection \(15 symbols with book and trades\); all 1 connections are full/,
    );
  });

  it('refuses a symbol without an instrument', async () => {
    const h = await harness();
    expect(() => h.stream.subscribe('NOPEUSDT', new Recorder())).toThrow(/MEXC lists no instrument NOPEUSDT/);
  });

  it('unsubscribes when the last listener goes, and a late push on that channel is dropped quietly', async () => {
    const h = await harness();
    await h.stream.connect();
    const rec = new Recorder();
    const off = h.stream.subscribe('BTCUSDT', rec);
    await until(() => h.snapshots.length === 1, 'subscribed');
    off();
    await until(() => h.fake.last().channels.size === 0, 'unsubscribed');
    expect(h.fake.last().received.at(-1)).toMatchObject({ method: 'UNSUBSCRIPTION', params: [DEPTH, DEALS] });
    h.fake.sendBinary(encodePush(depth(1, 1)));
    const other = new Recorder();
    h.stream.subscribe('BTCUSDT', other);
    await until(() => h.snapshots.length === 2, 'subscribed again');
    expect(h.notices).toEqual([]);
  });

  it('subscribes symbols added before connect in the first SUBSCRIPTION', async () => {
    const h = await harness({ interval: '100ms' });
    h.stream.subscribe('BTCUSDT', new Recorder());
    await h.stream.connect();
    expect(h.fake.last().received[0]).toMatchObject({
      method: 'SUBSCRIPTION',
      params: [
        'spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT',
        'spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT',
      ],
    });
    await until(() => h.snapshots.length === 1, 'snapshot asked');
  });

  it('fails connect clearly when the venue is not there', async () => {
    const h = await harness({ url: 'ws://127.0.0.1:1/ws' });
    await expect(h.stream.connect()).rejects.toThrow(/MEXC public stream: MEXC public-1: the connection/);
    expect(h.stream.connectionState()).toBe('disconnected');
  });
});
