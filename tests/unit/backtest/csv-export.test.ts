import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { equityCsv, fillsCsv, instrumentsBySymbol } from '../../../engine/backtest/csv-export.ts';
import { BacktestStore, backtestsFile } from '../../../engine/backtest/results-store.ts';
import type { BacktestOutcome } from '../../../engine/backtest/runner.ts';
import { DEFAULT_PARAMS } from '../../../engine/backtest/runner.ts';
import { importTardis } from '../../../engine/backtest/tardis-import.ts';
import type { InstrumentSpec, Lots, Ticks } from '../../../engine/core/instrument.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { backtestCli } from '../../support/backtest-cli.ts';

const BTC: InstrumentSpec = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.10',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '0',
  makerFee: '0.0001',
  takerFee: '0.0006',
};

/** A finished run as the runner hands it to the store: two fills and two equity samples. */
function outcome(): BacktestOutcome {
  const fill = (i: number, side: 'buy' | 'sell', price: number, size: number, clientId: string) => ({
    type: 'fill' as const,
    symbol: 'BTCUSDT',
    execId: `e${i}`,
    clientId,
    venueOrderId: `v${i}`,
    side,
    price: price as Ticks,
    size: size as Lots,
    fee: '0.0065005',
    feeAsset: 'USDT',
    liquidity: 'maker' as const,
    ts: Date.UTC(2026, 0, 5, 9, 0, i),
    cause: 'trade' as const,
    decision: i,
  });
  return {
    stats: { events: 10, recording: 'rec', fills: 2 } as unknown as BacktestOutcome['stats'],
    instruments: [BTC],
    fills: [fill(1, 'buy', 650_001, 1_000, 'q-1'), fill(2, 'sell', 650_012, 250, 'odd,"id"')],
    decisions: [],
    samples: [
      {
        ts: Date.UTC(2026, 0, 5, 9, 0, 1),
        symbol: 'BTCUSDT',
        mid: '65000.15',
        positionLots: 1_000,
        equity: '100000.5',
        spread: '1',
        inventory: '0.5',
        fees: '0.25',
      },
      {
        ts: Date.UTC(2026, 0, 5, 9, 0, 2),
        symbol: 'BTCUSDT',
        mid: null,
        positionLots: -750,
        equity: '99999.25',
        spread: null,
        inventory: null,
        fees: null,
      },
    ],
  };
}

let open: { close(): void }[] = [];
afterEach(() => {
  for (const s of open) s.close();
  open = [];
});

function savedRun(dataDir: string, recording = 'rec'): { store: BacktestStore; id: number } {
  const store = new BacktestStore(backtestsFile(dataDir));
  open.push(store);
  return { store, id: store.saveRun(recording, DEFAULT_PARAMS, outcome(), 1) };
}

describe('csv export', () => {
  const instruments = instrumentsBySymbol([BTC]);

  it('prints fills with a header, exact prices, sizes and notionals on the instrument grid', () => {
    const { store, id } = savedRun(mkdtempSync(join(tmpdir(), 'mmws-csv-')));
    expect(fillsCsv(store.fills(id), instruments)).toBe(
      [
        'ts,time,symbol,side,price,size,notional,fee,liquidity,cause,client_id',
        `${Date.UTC(2026, 0, 5, 9, 0, 1)},2026-01-05T09:00:01.000Z,BTCUSDT,buy,65000.10,1.000,65000.1,0.0065005,maker,trade,q-1`,
        // 65001.2 x 0.25, and a client id quoted as RFC 4180 wants
        `${Date.UTC(2026, 0, 5, 9, 0, 2)},2026-01-05T09:00:02.000Z,BTCUSDT,sell,65001.20,0.250,16250.3,0.0065005,maker,trade,"odd,""id"""`,
        '',
      ].join('\n'),
    );
  });

  it('prints equity samples with the position in base units, a short position negative, no mid empty', () => {
    const { store, id } = savedRun(mkdtempSync(join(tmpdir(), 'mmws-csv-')));
    expect(equityCsv(store.samples(id), instruments)).toBe(
      [
        'ts,time,symbol,mid,position,equity',
        `${Date.UTC(2026, 0, 5, 9, 0, 1)},2026-01-05T09:00:01.000Z,BTCUSDT,65000.15,1.000,100000.5`,
        `${Date.UTC(2026, 0, 5, 9, 0, 2)},2026-01-05T09:00:02.000Z,BTCUSDT,,-0.750,99999.25`,
        '',
      ].join('\n'),
    );
  });

  it('prints only the header for a run without fills', () => {
    expect(fillsCsv([], instruments)).toBe(
      'ts,time,symbol,side,price,size,notional,fee,liquidity,cause,client_id\n',
    );
  });

  it('refuses a row of another shape or of an instrument the recording does not have', () => {
    const { store, id } = savedRun(mkdtempSync(join(tmpdir(), 'mmws-csv-')));
    const [row] = store.fills(id);
    expect(() => fillsCsv([{ ...row, price_ticks: '650001' }], instruments)).toThrow(
      /fill 1 has no whole-number price_ticks/,
    );
    expect(() => fillsCsv([{ ...row, symbol: 'ETHUSDT' }], instruments)).toThrow(EngineError);
    expect(() => equityCsv([{ ...store.samples(id)[0], equity: 5 }], instruments)).toThrow(
      /sample 1 has no text equity/,
    );
  });
});

const runCli = backtestCli;

describe('backtest-cli export', () => {
  it('writes a run of an imported recording to stdout or a file, and refuses bad requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-csv-cli-'));
    const dataDir = join(dir, 'data');
    // The run's recording gives the grid: a tick of 0.1 and a lot of 0.001, as BTC above.
    writeFileSync(
      join(dir, 'book.csv'),
      'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n' +
        'bybit,BTCUSDT,1,1,true,bid,65000.1,0.001\nbybit,BTCUSDT,1,1,true,ask,65000.2,1\n',
    );
    const recordings = new RecordingStore(recordingsFile(dataDir));
    open.push(recordings);
    await importTardis({ bookFile: join(dir, 'book.csv'), name: 'rec', store: recordings });
    const { store, id } = savedRun(dataDir);

    const fills = await runCli(['export', '--run', String(id), '--what', 'fills', '--data-dir', dataDir]);
    expect(fills.code).toBe(0);
    expect(fills.stdout).toBe(fillsCsv(store.fills(id), instruments()));
    expect(fills.stdout.split('\n')[1]).toContain(',65000.1,1.000,');

    const out = join(dir, 'equity.csv');
    const equity = await runCli([
      'export',
      '--run',
      String(id),
      '--what',
      'equity',
      '--out',
      out,
      '--data-dir',
      dataDir,
    ]);
    expect([equity.code, equity.stdout]).toEqual([0, '']);
    expect(readFileSync(out, 'utf8')).toBe(equityCsv(store.samples(id), instruments()));

    const what = await runCli(['export', '--run', String(id), '--what', 'orders', '--data-dir', dataDir]);
    expect(what.code).toBe(2);
    expect(what.stderr).toBe('backtest: export needs --what fills or --what equity\n');
    const missing = await runCli(['export', '--run', '999', '--what', 'fills', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no backtest run 999/);
    const orphan = savedRun(dataDir, 'deleted-recording').id;
    const gone = await runCli(['export', '--run', String(orphan), '--what', 'fills', '--data-dir', dataDir]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/recording deleted-recording, which is gone/);

    function instruments() {
      return instrumentsBySymbol(recordings.get('rec')!.instruments);
    }
  });
});
