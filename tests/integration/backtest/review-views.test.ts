import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal as DecimalJs } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../engine/api/review-contract.ts';
import { RunDetailPool } from '../../../engine/api/handlers/review-handlers.ts';
import {
  RUN_PAGE_FORMAT,
  runDecision,
  runDetail,
  storedRunPage,
  storeRunPage,
} from '../../../engine/api/review-views.ts';
import { BacktestStore, backtestsFile } from '../../../engine/backtest/results-store.ts';
import { DEFAULT_PARAMS, runBacktest, type BacktestOutcome } from '../../../engine/backtest/runner.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { unpackNumbers } from '../../../renderer/src/review/packed.ts';
import { runColumns } from '../../../renderer/src/review/run-columns.ts';
import { recordSim } from '../../support/sim-recording.ts';

const Exact = DecimalJs.clone({ precision: 100 });
const NAME = 'review-40s';
const GAMMA = '0.2';
const PARAMS = {
  ...DEFAULT_PARAMS,
  set: { gamma: GAMMA },
  // The trader's hand on the run: a skew from 15 s, so decisions after it carry the override.
  overrides: [{ atMs: 15_000, set: { skewTicks: 2 } }],
};

let dir: string;
let store: BacktestStore;
let outcome: BacktestOutcome;
let id: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mmws-review-'));
  await recordSim(dir, NAME, 40, 11);
  const recordings = new RecordingStore(recordingsFile(dir), { readonly: true });
  const info = recordings.get(NAME)!;
  try {
    outcome = await runBacktest(
      {
        name: NAME,
        instruments: info.instruments,
        events: info.events,
        chunks: () => recordings.chunksOf(NAME),
      },
      PARAMS,
    );
  } finally {
    recordings.close();
  }
  store = new BacktestStore(backtestsFile(dir));
  id = store.saveRun(NAME, PARAMS, outcome, 1_700_000_000_000);
}, 120_000);

afterAll(() => store.close());

describe('a run for the review screen', () => {
  it('links every model fill to the decision that priced its order, with the run’s own values', () => {
    const detail = runDetail(store, id);
    // Read as the page reads it: unpacked, and printed from ticks as the engine prints a price.
    const { fills, samples } = runColumns(detail);
    expect(detail.fills.ts.length).toBe(outcome.stats.fills);
    expect(fills.count).toBe(outcome.stats.fills);
    expect(fills.count).toBeGreaterThan(10);
    let checked = 0;
    for (let i = 0; i < fills.count; i++) {
      const seq = fills.decision(i);
      expect(seq).not.toBeNull();
      const d = runDecision(store, id, { seq: seq! })!;
      expect(d.seq).toBe(seq);
      // The decision came before the fill, and quoted the price the order rested at (one level).
      expect(d.at).toBeLessThanOrEqual(fills.ts[i]!);
      expect(fills.side(i) === 'buy' ? d.bid : d.ask).toBe(fills.priceText(i));
      expect(fills.price[i]).toBe(Number(fills.priceText(i)));
      expect(d.gamma).toBe(Number(GAMMA));
      expect(d.tradingState).toBe('active');
      if (d.at >= samples.ts[0]! + 15_000) expect(d.overrides).toEqual({ skewTicks: '2' });
      checked++;
    }
    expect(checked).toBe(outcome.stats.fills);
  });

  it('finds the decision in force at a moment, and none before the first', () => {
    const first = outcome.decisions[0]!;
    const mid = outcome.decisions[Math.floor(outcome.decisions.length / 2)]!;
    expect(runDecision(store, id, { at: first.ts - 1 })).toBeNull();
    const atMid = runDecision(store, id, { at: mid.ts })!;
    const lastAtThatTime = outcome.decisions.filter((d) => d.ts === mid.ts).at(-1)!;
    expect(atMid.seq).toBe(lastAtThatTime.seq);
    expect(runDecision(store, id, { seq: 10_000_000 })).toBeNull();
    expect(() => runDecision(store, id + 1000, { seq: 1 })).toThrow(/no backtest run/);
    // By instrument: the run's own gives the same decision; one it did not trade is refused.
    expect(runDecision(store, id, { at: mid.ts }, 'BTCUSDT')).toEqual(atMid);
    expect(() => runDecision(store, id, { at: mid.ts }, 'ETHUSDT')).toThrow(/did not trade ETHUSDT/);
  });

  it('samples the PnL split so that it adds up exactly to the change of equity', () => {
    const packed = runDetail(store, id).samples;
    // The decimal columns as the engine printed them, exact.
    const s = {
      ts: unpackNumbers(packed.ts),
      equity: packed.equity.split(','),
      spread: packed.spread.split(','),
      inventory: packed.inventory.split(','),
      fees: packed.fees.split(','),
    };
    expect(s.ts.length).toBeGreaterThan(30);
    for (const column of [s.equity, s.spread, s.inventory, s.fees]) expect(column).toHaveLength(s.ts.length);
    const e0 = new Exact(s.equity[0]!);
    const p0 = new Exact(s.spread[0]!).minus(s.fees[0]!).plus(s.inventory[0]!);
    for (let i = 0; i < s.ts.length; i++) {
      const parts = new Exact(s.spread[i]!).minus(s.fees[i]!).plus(s.inventory[i]!);
      expect(parts.minus(p0).toFixed()).toBe(new Exact(s.equity[i]!).minus(e0).toFixed());
    }
    const last = s.ts.length - 1;
    expect(new Exact(s.spread[last]!).gt(0)).toBe(true);
  });

  it('gives the quotes at each change, thinned past the cap and saying so', () => {
    const quotes = (detail: RunDetail) => ({
      thinned: detail.quotes.thinned,
      ts: unpackNumbers(detail.quotes.ts),
      bid: unpackNumbers(detail.quotes.bid),
      ask: unpackNumbers(detail.quotes.ask),
    });
    const full = quotes(runDetail(store, id));
    expect(full.thinned).toBe(false);
    expect(full.ts.length).toBeGreaterThan(20);
    for (let i = 1; i < full.ts.length; i++) {
      expect(full.ts[i]!).toBeGreaterThan(full.ts[i - 1]!);
      // NaN (a side withheld) is never equal to itself: compare as Object.is does.
      const same = Object.is(full.bid[i], full.bid[i - 1]) && Object.is(full.ask[i], full.ask[i - 1]);
      expect(same).toBe(false);
    }
    const thin = quotes(runDetail(store, id, 10));
    expect(thin.thinned).toBe(true);
    expect(thin.ts.length).toBeLessThanOrEqual(11);
    expect(thin.ts.at(-1)).toBe(full.ts.at(-1));
  });
});

describe('a run’s kept page', () => {
  it('is the page built from the run’s rows, read back whole; none is kept for a failed run', () => {
    const own = store.saveRun(NAME, PARAMS, outcome, 1_700_000_000_001);
    try {
      expect(storedRunPage(store, own)).toBeUndefined();
      expect(storeRunPage(store, own)).toBe(true);
      const built = runDetail(store, own);
      expect(storedRunPage(store, own)).toEqual(built);
      // The run's view is not kept with the page: it is read at each open.
      expect(JSON.parse(store.page(own, RUN_PAGE_FORMAT)!)).not.toHaveProperty('run');
      // A page of another format is not this version's: it is as if none were kept.
      expect(store.page(own, RUN_PAGE_FORMAT + 1)).toBeUndefined();
      store.savePage(own, RUN_PAGE_FORMAT + 1, '{}');
      expect(storedRunPage(store, own)).toBeUndefined();
      // What is kept but is not a page (a damaged file) counts as none: the page is built again.
      for (const damaged of ['{"fills":', '[]', '{"fills":{}}']) {
        store.savePage(own, RUN_PAGE_FORMAT, damaged);
        expect(storedRunPage(store, own), damaged).toBeUndefined();
      }
      const failed = store.saveFailure(NAME, PARAMS, 'chunk 3 is corrupt', 1_700_000_000_002);
      expect(storeRunPage(store, failed)).toBe(false);
      expect(store.page(failed, RUN_PAGE_FORMAT)).toBeUndefined();
      expect(() => storeRunPage(store, failed + 100)).toThrow(/no backtest run/);
      store.deleteMany([failed]);
    } finally {
      // Deleting the run deletes its page.
      store.deleteMany([own]);
    }
    expect(store.page(own, RUN_PAGE_FORMAT + 1)).toBeUndefined();
  });

  it('is what the host’s worker threads open, and the same page as one they build from the rows', async () => {
    const own = store.saveRun(NAME, PARAMS, outcome, 1_700_000_000_003);
    const pool = new RunDetailPool();
    try {
      const built = await pool.detail(store.file, own);
      expect(built).toEqual(runDetail(store, own));
      expect(await pool.store(store.file, own)).toBe(true);
      expect(store.page(own, RUN_PAGE_FORMAT)).toBeDefined();
      expect(await pool.detail(store.file, own)).toEqual(built);
      await expect(pool.detail(store.file, own + 100)).rejects.toThrow(/no backtest run/);
    } finally {
      await pool.close();
      store.deleteMany([own]);
    }
    // Closed, the pool starts no threads again.
    await expect(pool.store(store.file, own)).rejects.toThrow(/host is stopping/);
  }, 60_000);
});

describe('the backtest database of schema 1', () => {
  it('is upgraded in place: its runs and decisions kept, numbered in order, and new runs stored beside', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mmws-review-v1-')), 'backtests.sqlite');
    const db = new Database(file);
    db.exec(`
      CREATE TABLE runs (id INTEGER PRIMARY KEY, recording TEXT NOT NULL, params TEXT NOT NULL,
        created_at INTEGER NOT NULL, status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
        error TEXT, stats TEXT, sweep TEXT);
      CREATE TABLE run_fills (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, ts INTEGER NOT NULL, symbol TEXT NOT NULL, client_id TEXT NOT NULL,
        side TEXT NOT NULL, price_ticks INTEGER NOT NULL, size_lots INTEGER NOT NULL, fee TEXT NOT NULL,
        liquidity TEXT NOT NULL, cause TEXT, PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
      CREATE TABLE run_samples (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        ts INTEGER NOT NULL, symbol TEXT NOT NULL, mid TEXT, position_lots INTEGER NOT NULL, equity TEXT NOT NULL);
      CREATE INDEX run_samples_run ON run_samples(run_id, ts);
      CREATE TABLE run_decisions (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        ts INTEGER NOT NULL, symbol TEXT NOT NULL, s REAL, sigma REAL, q REAL, gamma REAL, kappa REAL,
        reservation REAL, bid_ticks INTEGER, ask_ticks INTEGER, bid_withheld TEXT, ask_withheld TEXT);
      CREATE INDEX run_decisions_run ON run_decisions(run_id, ts);
      INSERT INTO runs VALUES (7, 'old', '{"set":{},"queue":"risk-averse","latencyMs":5,"balances":{},"overrides":[]}',
        1, 'done', NULL, '{"symbol":"BTCUSDT","fills":0}', NULL);
      INSERT INTO run_decisions VALUES (7, 100, 'BTCUSDT', 650000, 1, 0, 0.1, 1.5, 650000, 649990, 650010, NULL, NULL);
      INSERT INTO run_decisions VALUES (7, 200, 'BTCUSDT', 650001, 1, 0, 0.1, 1.5, 650001, 649991, 650011, NULL, NULL);
      PRAGMA user_version = 1;`);
    db.close();
    const upgraded = new BacktestStore(file);
    try {
      expect(upgraded.get(7)).toMatchObject({ recording: 'old', instruments: null });
      expect(upgraded.decision(7, 'BTCUSDT', { seq: 2 })).toMatchObject({ ts: 200, bid: 649991, sent: 0 });
      expect(upgraded.decision(7, 'BTCUSDT', { at: 150 })).toMatchObject({ seq: 1, ask: 650010 });
      // A schema-1 run has no instruments to format its prices: the page says to run it again.
      expect(() => runDetail(upgraded, 7)).toThrow(/older version.*run it again/);
      const fresh = upgraded.saveRun(NAME, PARAMS, outcome, 2);
      expect(runDetail(upgraded, fresh).fills.ts.length).toBe(outcome.stats.fills);
      // Upgraded through schema 2 to 3, it keeps pages.
      expect(storeRunPage(upgraded, fresh)).toBe(true);
      expect(storedRunPage(upgraded, fresh)).toEqual(runDetail(upgraded, fresh));
      expect(upgraded.deleteMany([7, fresh, 999])).toBe(2);
      expect(upgraded.list()).toEqual([]);
    } finally {
      upgraded.close();
    }
  });
});
