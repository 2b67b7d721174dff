import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal as DecimalJs } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDecision, runDetail } from '../../../engine/api/review-views.ts';
import { BacktestStore, backtestsFile } from '../../../engine/backtest/results-store.ts';
import { DEFAULT_PARAMS, runBacktest, type BacktestOutcome } from '../../../engine/backtest/runner.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
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
    expect(detail.fills.ts.length).toBe(outcome.stats.fills);
    expect(detail.fills.ts.length).toBeGreaterThan(10);
    let checked = 0;
    for (let i = 0; i < detail.fills.ts.length; i++) {
      const seq = detail.fills.decision[i];
      expect(seq).not.toBeNull();
      const d = runDecision(store, id, { seq: seq! })!;
      expect(d.seq).toBe(seq);
      // The decision came before the fill, and quoted the price the order rested at (one level).
      expect(d.at).toBeLessThanOrEqual(detail.fills.ts[i]!);
      expect(detail.fills.side[i] === 'buy' ? d.bid : d.ask).toBe(detail.fills.price[i]);
      expect(d.gamma).toBe(Number(GAMMA));
      expect(d.tradingState).toBe('active');
      if (d.at >= detail.samples.ts[0]! + 15_000) expect(d.overrides).toEqual({ skewTicks: '2' });
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
    const s = runDetail(store, id).samples;
    expect(s.ts.length).toBeGreaterThan(30);
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
    const full = runDetail(store, id);
    expect(full.quotes.thinned).toBe(false);
    expect(full.quotes.ts.length).toBeGreaterThan(20);
    for (let i = 1; i < full.quotes.ts.length; i++) {
      expect(full.quotes.ts[i]!).toBeGreaterThan(full.quotes.ts[i - 1]!);
      const same =
        full.quotes.bid[i] === full.quotes.bid[i - 1] && full.quotes.ask[i] === full.quotes.ask[i - 1];
      expect(same).toBe(false);
    }
    const thin = runDetail(store, id, 10);
    expect(thin.quotes.thinned).toBe(true);
    expect(thin.quotes.ts.length).toBeLessThanOrEqual(11);
    expect(thin.quotes.ts.at(-1)).toBe(full.quotes.ts.at(-1));
  });
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
      expect(upgraded.deleteMany([7, fresh, 999])).toBe(2);
      expect(upgraded.list()).toEqual([]);
    } finally {
      upgraded.close();
    }
  });
});
