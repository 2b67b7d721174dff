import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { importTardis, splitSymbol, type ImportSummary } from '../../../engine/backtest/tardis-import.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import type { RecordedEvent } from '../../../engine/market/recording-codec.ts';
import { OrderBook } from '../../../engine/market/order-book.ts';
import type { Trade } from '../../../engine/market/types.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { backtestCli } from '../../support/backtest-cli.ts';

const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const T0 = 1_700_000_000_000_000; // µs

/** µs after T0 as Tardis writes it. */
const us = (offset: number) => String(T0 + offset);

const BOOK_ROWS = [
  // snapshot at local +1500 µs
  `bybit,BTCUSDT,${us(100)},${us(1500)},true,bid,100.5,1.25`,
  `bybit,BTCUSDT,${us(100)},${us(1500)},true,bid,100.4,2`,
  `bybit,BTCUSDT,${us(100)},${us(1500)},true,ask,100.6,0.5`,
  `bybit,BTCUSDT,${us(100)},${us(1500)},true,ask,100.8,3`,
  // delta at local +3999 µs: the best bid goes, an ask level comes
  `bybit,BTCUSDT,${us(2000)},${us(3999)},false,bid,100.5,0`,
  `bybit,BTCUSDT,${us(2000)},${us(3999)},false,ask,100.7,1.5`,
  // delta at local +6000 µs, the same µs as trade t2
  `bybit,BTCUSDT,${us(5000)},${us(6000)},false,bid,100.55,0.75`,
];
const TRADE_ROWS = [
  `bybit,BTCUSDT,${us(1000)},${us(2500)},t1,buy,100.6,0.25`,
  `bybit,BTCUSDT,${us(5000)},${us(6000)},t2,sell,100.5,1`,
  `bybit,BTCUSDT,${us(7000)},${us(8000)},t3,unknown,100.7,0.1`,
];

const csv = (header: string, rows: readonly string[]) => `${header}\n${rows.join('\n')}\n`;

let stores: RecordingStore[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});

function fixture(files: Record<string, string | Buffer>): {
  dir: string;
  path: (name: string) => string;
  store: RecordingStore;
} {
  const dir = mkdtempSync(join(tmpdir(), 'mmws-tardis-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const store = new RecordingStore(recordingsFile(join(dir, 'data')));
  stores.push(store);
  return { dir, path: (name) => join(dir, name), store };
}

function replay(
  store: RecordingStore,
  name: string,
): { book: OrderBook; trades: Trade[]; events: RecordedEvent[] } {
  const book = new OrderBook('BTCUSDT', new SimClock(0));
  const trades: Trade[] = [];
  const events: RecordedEvent[] = [];
  store.replay(name, (ev) => {
    events.push(ev);
    if (ev.kind === 'book') expect(book.apply(ev.message)).toBe('ok');
    else trades.push(ev.trade);
  });
  return { book, trades, events };
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected the import to fail');
}

describe('importTardis', () => {
  it('imports a snapshot, deltas and trades merged in local time, with the grid inferred', async () => {
    const f = fixture({
      'book.csv': csv(BOOK_HEADER, BOOK_ROWS),
      'trades.csv': csv(TRADES_HEADER, TRADE_ROWS),
    });
    const summary = await importTardis({
      bookFile: f.path('book.csv'),
      tradesFile: f.path('trades.csv'),
      name: 'btc-day',
      store: f.store,
      now: () => 42,
    });
    const ms = T0 / 1000;
    expect(summary).toMatchObject({
      name: 'btc-day',
      symbol: 'BTCUSDT',
      venue: 'bybit',
      events: 6,
      book_events: 3,
      trade_events: 3,
      first_ts: ms + 1,
      last_ts: ms + 8,
      best_bid: '100.55',
      best_ask: '100.60',
      tick_size: '0.01',
      lot_size: '0.01',
      tick_inferred: true,
      lot_inferred: true,
      maker_fee: '0.0001',
      taker_fee: '0.0006',
      skipped_deltas: 0,
      inferred_sides: 1,
    } satisfies Partial<ImportSummary>);

    const info = f.store.get('btc-day')!;
    expect(info.status).toBe('complete');
    expect(info.createdAt).toBe(42);
    expect(info.instruments).toEqual([
      {
        symbol: 'BTCUSDT',
        base: 'BTC',
        quote: 'USDT',
        tickSize: '0.01',
        lotSize: '0.01',
        minSize: '0.01',
        minNotional: '0',
        makerFee: '0.0001',
        takerFee: '0.0006',
      },
    ]);

    const { book, trades, events } = replay(f.store, 'btc-day');
    // Local time order, a trade before the book message of the same µs; µs floored to ms.
    expect(events.map((e) => [e.kind, e.local])).toEqual([
      ['book', ms + 1],
      ['trade', ms + 2],
      ['book', ms + 3],
      ['trade', ms + 6],
      ['book', ms + 6],
      ['trade', ms + 8],
    ]);
    const messages = events.flatMap((e) => (e.kind === 'book' ? [e.message] : []));
    expect(messages.map((m) => [m.kind, m.seq, m.ts])).toEqual([
      ['snapshot', 1, ms],
      ['delta', 2, ms + 2],
      ['delta', 3, ms + 5],
    ]);
    expect(book.levels('buy', 10)).toEqual([
      [10055, 75],
      [10040, 200],
    ]);
    expect(book.levels('sell', 10)).toEqual([
      [10060, 50],
      [10070, 150],
      [10080, 300],
    ]);
    expect(trades).toEqual([
      { symbol: 'BTCUSDT', tradeId: 't1', ts: ms + 1, price: 10060, size: 25, aggressor: 'buy' },
      { symbol: 'BTCUSDT', tradeId: 't2', ts: ms + 5, price: 10050, size: 100, aggressor: 'sell' },
      // `unknown`: above the mid (100.575) at the time, so a buyer.
      { symbol: 'BTCUSDT', tradeId: 't3', ts: ms + 7, price: 10070, size: 10, aggressor: 'buy' },
    ]);
  });

  it('infers the largest power-of-ten step from every price and amount of both files', async () => {
    const book = [
      `binance,ETHBTC,${us(0)},${us(0)},true,bid,65000.10,0.0100`,
      `binance,ETHBTC,${us(0)},${us(0)},true,ask,65001,2`,
      `binance,ETHBTC,${us(10)},${us(10)},false,ask,65002.0,5e-05`,
    ];
    const trades = [`binance,ETHBTC,${us(20)},${us(20)},x,buy,65001,0.003`];
    const f = fixture({ 'b.csv': csv(BOOK_HEADER, book), 't.csv': csv(TRADES_HEADER, trades) });
    const summary = await importTardis({
      bookFile: f.path('b.csv'),
      tradesFile: f.path('t.csv'),
      name: 'eth',
      store: f.store,
    });
    // Trailing zeros do not count (65000.10 needs 0.1); 5e-05 is read exactly and needs 0.00001.
    expect(summary.tick_size).toBe('0.1');
    expect(summary.lot_size).toBe('0.00001');
    expect(f.store.get('eth')!.instruments[0]).toMatchObject({ base: 'ETH', quote: 'BTC' });
    const { book: b } = replay(f.store, 'eth');
    expect(b.levels('sell', 5)).toEqual([
      [650010, 200_000],
      [650020, 5],
    ]);

    const whole = fixture({
      'b.csv': csv(BOOK_HEADER, [`x,ABCUSD,1,1,true,bid,7,3`, `x,ABCUSD,1,1,true,ask,9,4`]),
    });
    const s2 = await importTardis({ bookFile: whole.path('b.csv'), name: 'whole', store: whole.store });
    expect([s2.tick_size, s2.lot_size, s2.best_bid, s2.best_ask]).toEqual(['1', '1', '7', '9']);
  });

  it('uses a given tick and lot, and names the line of a price off that grid', async () => {
    const f = fixture({ 'book.csv': csv(BOOK_HEADER, BOOK_ROWS) });
    const summary = await importTardis({
      bookFile: f.path('book.csv'),
      name: 'coarse',
      store: f.store,
      tickSize: '0.05',
      lotSize: '0.05',
      makerFee: '-0.0001',
    });
    expect(summary).toMatchObject({
      tick_size: '0.05',
      tick_inferred: false,
      best_bid: '100.55',
      maker_fee: '-0.0001',
    });
    expect(replay(f.store, 'coarse').book.bestBid()).toBe(2011);

    const err = await failure(
      importTardis({
        bookFile: f.path('book.csv'),
        name: 'too-coarse',
        store: f.store,
        tickSize: '0.1',
        lotSize: '0.01',
      }),
    );
    expect(err.message).toContain(`${f.path('book.csv')} line 8: `);
    expect(err.message).toMatch(/100\.55 is not a multiple of 0\.1/);
    expect(f.store.get('too-coarse')).toBeUndefined();
  });

  it('detects gzip by its magic bytes, not by the file name', async () => {
    const f = fixture({
      // gzipped under a plain name, plain under a .gz name
      'book.csv': gzipSync(csv(BOOK_HEADER, BOOK_ROWS)),
      'trades.csv.gz': csv(TRADES_HEADER, TRADE_ROWS),
    });
    const summary = await importTardis({
      bookFile: f.path('book.csv'),
      tradesFile: f.path('trades.csv.gz'),
      name: 'gz',
      store: f.store,
    });
    expect([summary.events, summary.best_bid, summary.best_ask]).toEqual([6, '100.55', '100.60']);
  });

  it('refuses a truncated gzip file, naming it, and keeps nothing', async () => {
    const whole = gzipSync(
      csv(
        BOOK_HEADER,
        Array.from({ length: 2000 }, (_, i) => BOOK_ROWS[i % 4]!),
      ),
    );
    const f = fixture({ 'cut.csv.gz': whole.subarray(0, Math.floor(whole.length / 2)) });
    const err = await failure(importTardis({ bookFile: f.path('cut.csv.gz'), name: 'cut', store: f.store }));
    expect(err.message).toContain(`${f.path('cut.csv.gz')} cannot be read after line`);
    expect(f.store.list()).toEqual([]);
  });

  describe('a bad row', () => {
    const cases: [what: string, row: string, reason: RegExp][] = [
      [
        'a wrong column count',
        `bybit,BTCUSDT,${us(7000)},${us(7000)},false,bid,100.5`,
        /7 columns, expected 8/,
      ],
      [
        'a non-numeric price',
        `bybit,BTCUSDT,${us(7000)},${us(7000)},false,bid,abc,1`,
        /price "abc" is not a number/,
      ],
      [
        'a negative size',
        `bybit,BTCUSDT,${us(7000)},${us(7000)},false,ask,100.5,-1`,
        /amount -1 is negative/,
      ],
      [
        'an unknown side',
        `bybit,BTCUSDT,${us(7000)},${us(7000)},false,buy,100.5,1`,
        /side must be bid or ask/,
      ],
      [
        'a bad snapshot flag',
        `bybit,BTCUSDT,${us(7000)},${us(7000)},yes,bid,100.5,1`,
        /is_snapshot must be true or false/,
      ],
      [
        'a local time going back',
        `bybit,BTCUSDT,${us(7000)},${us(5999)},false,bid,100.5,1`,
        /goes back from/,
      ],
      [
        'a second symbol',
        `bybit,ETHUSDT,${us(7000)},${us(7000)},false,bid,100.5,1`,
        /import one symbol at a time/,
      ],
    ];
    it.each(cases)(
      '(%s) names its file and line, keeps nothing and leaves other recordings intact',
      async (_what, row, reason) => {
        const f = fixture({
          'good.csv': csv(BOOK_HEADER, BOOK_ROWS),
          'bad.csv': csv(BOOK_HEADER, [...BOOK_ROWS, row]),
        });
        await importTardis({ bookFile: f.path('good.csv'), name: 'keep', store: f.store });
        const before = replay(f.store, 'keep').events;
        const err = await failure(importTardis({ bookFile: f.path('bad.csv'), name: 'bad', store: f.store }));
        expect(err.code).toBe('invalid_input');
        expect(err.message).toContain(`${f.path('bad.csv')} line 9: `);
        expect(err.message).toMatch(reason);
        expect(f.store.get('bad')).toBeUndefined();
        expect(f.store.list().map((r) => r.name)).toEqual(['keep']);
        expect(replay(f.store, 'keep').events).toEqual(before);
      },
    );

    it('in the trades file, names that file and its line', async () => {
      const trades = [...TRADE_ROWS.slice(0, 2), `bybit,BTCUSDT,${us(7000)},${us(8000)},t3,maybe,100.7,0.1`];
      const f = fixture({
        'book.csv': csv(BOOK_HEADER, BOOK_ROWS),
        'trades.csv': csv(TRADES_HEADER, trades),
      });
      const err = await failure(
        importTardis({
          bookFile: f.path('book.csv'),
          tradesFile: f.path('trades.csv'),
          name: 'x',
          store: f.store,
        }),
      );
      expect(err.message).toContain(`${f.path('trades.csv')} line 4: side must be buy, sell or unknown`);
    });

    it('found after chunks were written (no first pass) deletes the partial recording', async () => {
      // 10,000 deltas: past the writer's 8192-event chunk, so part of the recording is on disk.
      const deltas = Array.from(
        { length: 10_000 },
        (_, i) =>
          `bybit,BTCUSDT,${us(10_000 + i)},${us(10_000 + i)},false,bid,${(90 + (i % 10) / 10).toFixed(1)},${(i % 7) + 1}`,
      );
      const bad = `bybit,BTCUSDT,${us(30_000)},${us(30_000)},false,bid,100.5,NaN`;
      const f = fixture({
        'good.csv': csv(BOOK_HEADER, BOOK_ROWS),
        'bad.csv': csv(BOOK_HEADER, [...BOOK_ROWS, ...deltas, bad]),
      });
      await importTardis({
        bookFile: f.path('good.csv'),
        name: 'keep',
        store: f.store,
        tickSize: '0.01',
        lotSize: '0.01',
      });
      const err = await failure(
        importTardis({
          bookFile: f.path('bad.csv'),
          name: 'partial',
          store: f.store,
          tickSize: '0.01',
          lotSize: '0.01',
        }),
      );
      expect(err.message).toContain(
        `${f.path('bad.csv')} line ${BOOK_ROWS.length + deltas.length + 2}: amount "NaN"`,
      );
      expect(f.store.get('partial')).toBeUndefined();
      expect(f.store.list().map((r) => [r.name, r.events])).toEqual([['keep', 3]]);
    });
  });

  it('refuses a name already taken before reading any file', async () => {
    const f = fixture({ 'book.csv': csv(BOOK_HEADER, BOOK_ROWS) });
    await importTardis({ bookFile: f.path('book.csv'), name: 'taken', store: f.store });
    const err = await failure(
      importTardis({ bookFile: f.path('missing.csv'), name: 'taken', store: f.store }),
    );
    expect(err.code).toBe('conflict');
    expect(f.store.get('taken')!.events).toBe(3);
  });

  it('refuses a file that is not an incremental_book_L2 file, and one without a snapshot', async () => {
    const f = fixture({
      'trades.csv': csv(TRADES_HEADER, TRADE_ROWS),
      'deltas.csv': csv(BOOK_HEADER, BOOK_ROWS.slice(4)),
    });
    const err = await failure(importTardis({ bookFile: f.path('trades.csv'), name: 'a', store: f.store }));
    expect(err.message).toContain(`${f.path('trades.csv')} line 1: not a Tardis incremental_book_L2 file`);
    const err2 = await failure(importTardis({ bookFile: f.path('deltas.csv'), name: 'b', store: f.store }));
    expect(err2.message).toMatch(/holds no snapshot/);
    expect(f.store.list()).toEqual([]);
  });

  it('starts a new snapshot on a snapshot row after deltas, and drops deltas before the first snapshot', async () => {
    const rows = [
      `bybit,BTCUSDT,${us(0)},${us(0)},false,bid,99,1`,
      ...BOOK_ROWS,
      `bybit,BTCUSDT,${us(9000)},${us(9000)},true,bid,50,1`,
      // same snapshot although the local time moved on
      `bybit,BTCUSDT,${us(9001)},${us(9001)},true,ask,51,2`,
    ];
    const f = fixture({ 'book.csv': csv(BOOK_HEADER, rows) });
    const summary = await importTardis({ bookFile: f.path('book.csv'), name: 'resnap', store: f.store });
    expect(summary).toMatchObject({
      skipped_deltas: 1,
      book_events: 4,
      best_bid: '50.00',
      best_ask: '51.00',
    });
    const { book, events } = replay(f.store, 'resnap');
    expect(events.map((e) => (e.kind === 'book' ? e.message.kind : e.kind))).toEqual([
      'snapshot',
      'delta',
      'delta',
      'snapshot',
    ]);
    expect(book.levels('buy', 5)).toEqual([[5000, 100]]);
  });

  it('splits base and quote from common symbol shapes', () => {
    expect(splitSymbol('BTCUSDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(splitSymbol('XBTUSD')).toEqual({ base: 'XBT', quote: 'USD' });
    expect(splitSymbol('BTCTUSD')).toEqual({ base: 'BTC', quote: 'TUSD' });
    expect(splitSymbol('ARUSDT')).toEqual({ base: 'AR', quote: 'USDT' });
    expect(splitSymbol('ETH-USD-SWAP')).toEqual({ base: 'ETH', quote: 'USD' });
    expect(splitSymbol('sol_usdc')).toEqual({ base: 'SOL', quote: 'USDC' });
    expect(splitSymbol('BTC-PERPETUAL')).toBeUndefined();
  });
});

const runCli = backtestCli;

describe('backtest-cli import', () => {
  it('prints one JSON line on success, exits 1 on a failed import and 2 on a usage error', async () => {
    const f = fixture({
      'book.csv.gz': gzipSync(csv(BOOK_HEADER, BOOK_ROWS)),
      'trades.csv': csv(TRADES_HEADER, TRADE_ROWS),
    });
    const dataDir = join(f.dir, 'cli-data');
    const args = [
      'import',
      '--tardis-book',
      f.path('book.csv.gz'),
      '--tardis-trades',
      f.path('trades.csv'),
      '--data-dir',
      dataDir,
    ];

    const ok = await runCli([...args, '--name', 'cli-btc', '--taker-fee', '0.0005']);
    expect(ok.code).toBe(0);
    const lines = ok.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const summary = JSON.parse(lines[0]!) as ImportSummary;
    expect(summary).toMatchObject({
      name: 'cli-btc',
      events: 6,
      first_ts: T0 / 1000 + 1,
      last_ts: T0 / 1000 + 8,
      best_bid: '100.55',
      best_ask: '100.60',
      maker_fee: '0.0001',
      taker_fee: '0.0005',
    });
    const store = new RecordingStore(recordingsFile(dataDir));
    stores.push(store);
    expect(store.get('cli-btc')!.events).toBe(6);

    const again = await runCli([...args, '--name', 'cli-btc']);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^backtest: a recording named cli-btc already exists\n$/);

    const bad = fixture({ 'bad.csv': csv(BOOK_HEADER, [...BOOK_ROWS, 'bybit,BTCUSDT,1,2']) });
    const failed = await runCli([
      'import',
      '--tardis-book',
      bad.path('bad.csv'),
      '--name',
      'broken',
      '--data-dir',
      dataDir,
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${bad.path('bad.csv')} line 9: 4 columns, expected 8`);
    expect(store.list().map((r) => r.name)).toEqual(['cli-btc']);

    const noName = await runCli(['import', '--tardis-book', f.path('book.csv.gz'), '--data-dir', dataDir]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toBe('backtest: import needs --name NAME\n');
    const badTick = await runCli([...args, '--name', 'x', '--tick-size', '0']);
    expect(badTick.code).toBe(2);
    expect(badTick.stderr).toMatch(/--tick-size must be a positive decimal/);
  });
});
