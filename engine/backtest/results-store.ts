import { join } from 'node:path';
import type Database from 'better-sqlite3';
import {
  DECISION_SELECT_LIST,
  DECISION_TABLE_COLUMNS,
  DECISION_VALUE_COUNT,
  decisionValues,
} from '../store/decision-rows.ts';
import { openSideDatabase } from '../store/side-database.ts';
import { EngineError } from '../core/errors.ts';
import type { InstrumentSpec } from '../core/instrument.ts';
import type { DecisionRecord } from '../events/decision-record.ts';
import type { BacktestOutcome, BacktestParams } from './runner.ts';

/**
 * Backtest runs, in their own SQLite file (`backtests.sqlite` in the data directory): each run's
 * recording and parameters (everything needed to run it again), its statistics, fills, sampled
 * equity and inventory, and every quote decision. A failed run is kept with its error.
 */
export interface RunSummary {
  readonly id: number;
  readonly recording: string;
  readonly params: BacktestParams;
  readonly createdAt: number;
  readonly status: 'done' | 'failed';
  readonly error: string | null;
  readonly stats: Record<string, unknown> | null;
  /** The sweep the run belongs to, if any. */
  readonly sweep: string | null;
  /** The recording's instruments as the run saw them; null for a failed run or one of schema 1. */
  readonly instruments: InstrumentSpec[] | null;
}

/** A run's stored fill row (ticks and lots), as `fills(id)` gives them. */
export interface StoredFill {
  seq: number;
  ts: number;
  symbol: string;
  client_id: string;
  side: string;
  price_ticks: number;
  size_lots: number;
  fee: string;
  liquidity: string;
  cause: string | null;
  decision: number | null;
}

/** A run's stored equity sample, as `samples(id)` gives them. */
export interface StoredSample {
  ts: number;
  symbol: string;
  mid: string | null;
  position_lots: number;
  equity: string;
  spread: string | null;
  inventory: string | null;
  fees: string | null;
}

const SCHEMA_VERSION = 3;
/**
 * A run's page for the review screen as the api layer packs it (review-views.ts), stored once when
 * the run is stored: a run never changes, and reading and packing 100,000 fills from their rows took
 * most of the time of opening the run. `format` is the packer's version: a page of another is rebuilt.
 */
const PAGES = `
        CREATE TABLE run_pages (
          run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          format INTEGER NOT NULL,
          page TEXT NOT NULL
        );`;
const DECISIONS = `
        CREATE TABLE run_decisions (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          symbol TEXT NOT NULL,
          seq INTEGER NOT NULL,
          at INTEGER NOT NULL,${DECISION_TABLE_COLUMNS},
          PRIMARY KEY (run_id, symbol, seq)
        ) WITHOUT ROWID;
        CREATE INDEX run_decisions_time ON run_decisions(run_id, symbol, at);
        -- The decisions whose best bid or ask differs from the one before (of the instrument): the
        -- quotes over time for a run's price chart, without reading every decision.
        CREATE TABLE run_quotes (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          symbol TEXT NOT NULL,
          seq INTEGER NOT NULL,
          -- 1, 2, 3 … per run and instrument: every n-th change is read without reading the rest.
          n INTEGER NOT NULL,
          at INTEGER NOT NULL,
          bid_ticks INTEGER,
          ask_ticks INTEGER,
          PRIMARY KEY (run_id, symbol, seq)
        ) WITHOUT ROWID;`;
const SCHEMA = `
        CREATE TABLE runs (
          id INTEGER PRIMARY KEY,
          recording TEXT NOT NULL,
          params TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
          error TEXT,
          stats TEXT,
          sweep TEXT,
          instruments TEXT
        );
        CREATE TABLE run_fills (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          symbol TEXT NOT NULL,
          client_id TEXT NOT NULL,
          side TEXT NOT NULL,
          price_ticks INTEGER NOT NULL,
          size_lots INTEGER NOT NULL,
          fee TEXT NOT NULL,
          liquidity TEXT NOT NULL,
          cause TEXT,
          decision INTEGER,
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE run_samples (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          ts INTEGER NOT NULL,
          symbol TEXT NOT NULL,
          mid TEXT,
          position_lots INTEGER NOT NULL,
          equity TEXT NOT NULL,
          spread TEXT,
          inventory TEXT,
          fees TEXT
        );
        CREATE INDEX run_samples_run ON run_samples(run_id, ts);
        ${DECISIONS}
        ${PAGES}
      `;

/**
 * Schema 1 → 2: runs keep their instruments, fills their decision, samples the PnL split, and
 * decisions every input of the journal with a sequence number. Schema-1 decisions are kept, numbered
 * in the order they were stored; the fields they never had stay null.
 */
const MIGRATIONS: Readonly<Record<number, string>> = {
  1: `
        ALTER TABLE runs ADD COLUMN instruments TEXT;
        ALTER TABLE run_fills ADD COLUMN decision INTEGER;
        ALTER TABLE run_samples ADD COLUMN spread TEXT;
        ALTER TABLE run_samples ADD COLUMN inventory TEXT;
        ALTER TABLE run_samples ADD COLUMN fees TEXT;
        ALTER TABLE run_decisions RENAME TO run_decisions_v1;
        DROP INDEX run_decisions_run;
        ${DECISIONS}
        INSERT INTO run_decisions (run_id, symbol, seq, at, s, sigma, q, gamma, kappa, reservation,
            bid_ticks, ask_ticks, bid_withheld, ask_withheld, state, feed, sent)
          SELECT run_id, symbol, ROW_NUMBER() OVER (PARTITION BY run_id, symbol ORDER BY rowid), ts, s,
            sigma, q, gamma, kappa, reservation, bid_ticks, ask_ticks, bid_withheld, ask_withheld,
            'active', 'ok', 0
          FROM run_decisions_v1;
        DROP TABLE run_decisions_v1;
        INSERT INTO run_quotes
          SELECT run_id, symbol, seq, ROW_NUMBER() OVER (PARTITION BY run_id, symbol ORDER BY seq), at,
            bid_ticks, ask_ticks FROM (
            SELECT *, ROW_NUMBER() OVER w AS n, LAG(bid_ticks) OVER w AS pb, LAG(ask_ticks) OVER w AS pa
            FROM run_decisions WINDOW w AS (PARTITION BY run_id, symbol ORDER BY seq))
          WHERE n = 1 OR bid_ticks IS NOT pb OR ask_ticks IS NOT pa;
      `,
  // Schema 2 → 3: runs' pages are kept; the runs stored before have none and are packed when opened.
  2: PAGES,
};

const DECISION_SELECT = `SELECT ${DECISION_SELECT_LIST} FROM run_decisions`;

export function backtestsFile(dataDir: string): string {
  return join(dataDir, 'backtests.sqlite');
}

interface RunRow {
  id: number;
  recording: string;
  params: string;
  created_at: number;
  status: string;
  error: string | null;
  stats: string | null;
  sweep: string | null;
  instruments: string | null;
}

export class BacktestStore {
  private readonly db: Database.Database;
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    this.db = openSideDatabase(file, 'backtest', SCHEMA_VERSION, SCHEMA, { migrations: MIGRATIONS });
  }

  /** Stores a finished run with everything it produced, in one transaction; returns its id. */
  saveRun(
    recording: string,
    params: BacktestParams,
    outcome: BacktestOutcome,
    createdAt: number,
    sweep?: string,
  ): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            "INSERT INTO runs (recording, params, created_at, status, stats, sweep, instruments) VALUES (?, ?, ?, 'done', ?, ?, ?)",
          )
          .run(
            recording,
            JSON.stringify(params),
            createdAt,
            JSON.stringify(outcome.stats),
            sweep ?? null,
            JSON.stringify(outcome.instruments),
          ).lastInsertRowid,
      );
      const fill = this.db.prepare('INSERT INTO run_fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      outcome.fills.forEach((f, i) => {
        fill.run(
          id,
          i,
          f.ts,
          f.symbol,
          f.clientId,
          f.side,
          f.price,
          f.size,
          f.fee,
          f.liquidity,
          f.cause ?? null,
          f.decision,
        );
      });
      const sample = this.db.prepare('INSERT INTO run_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const s of outcome.samples)
        sample.run(id, s.ts, s.symbol, s.mid, s.positionLots, s.equity, s.spread, s.inventory, s.fees);
      const decision = this.db.prepare(
        `INSERT INTO run_decisions VALUES (?, ${Array.from({ length: DECISION_VALUE_COUNT }, () => '?').join(', ')})`,
      );
      const quote = this.db.prepare('INSERT INTO run_quotes VALUES (?, ?, ?, ?, ?, ?, ?)');
      const lastQuote = new Map<string, { bid: number | null; ask: number | null; n: number }>();
      for (const d of outcome.decisions) {
        decision.run(id, ...decisionValues(d));
        const last = lastQuote.get(d.symbol);
        if (last === undefined || last.bid !== d.bid || last.ask !== d.ask) {
          const n = (last?.n ?? 0) + 1;
          quote.run(id, d.symbol, d.seq, n, d.ts, d.bid, d.ask);
          lastQuote.set(d.symbol, { bid: d.bid, ask: d.ask, n });
        }
      }
      return id;
    })();
  }

  /** Keeps a run that failed, with the engine's error, so the list shows what happened. */
  saveFailure(
    recording: string,
    params: BacktestParams,
    error: string,
    createdAt: number,
    sweep?: string,
  ): number {
    return Number(
      this.db
        .prepare(
          "INSERT INTO runs (recording, params, created_at, status, error, sweep) VALUES (?, ?, ?, 'failed', ?, ?)",
        )
        .run(recording, JSON.stringify(params), createdAt, error, sweep ?? null).lastInsertRowid,
    );
  }

  /** Keeps a run's packed page (replacing one it had); `format` is the packer's version. */
  savePage(id: number, format: number, page: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO run_pages (run_id, format, page) VALUES (?, ?, ?)')
      .run(id, format, page);
  }

  /** The run's packed page if it was stored in `format`; undefined if none was, or in another. */
  page(id: number, format: number): string | undefined {
    return this.db
      .prepare('SELECT page FROM run_pages WHERE run_id = ? AND format = ?')
      .pluck()
      .get(id, format) as string | undefined;
  }

  list(): RunSummary[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RunRow[]).map(summary);
  }

  get(id: number): RunSummary | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && summary(row);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }

  /** Deletes the runs named (with their fills, samples and decisions) in one transaction; how many. */
  deleteMany(ids: readonly number[]): number {
    const del = this.db.prepare('DELETE FROM runs WHERE id = ?');
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(id).changes, 0))();
  }

  /** The run, or an EngineError naming the id (for a command's answer). */
  require(id: number): RunSummary {
    const run = this.get(id);
    if (!run) throw new EngineError('not_found', `there is no backtest run ${id}`);
    return run;
  }

  fills(id: number): StoredFill[] {
    return this.db.prepare('SELECT * FROM run_fills WHERE run_id = ? ORDER BY seq').all(id) as StoredFill[];
  }

  samples(id: number): StoredSample[] {
    return this.db
      .prepare('SELECT * FROM run_samples WHERE run_id = ? ORDER BY ts')
      .all(id) as StoredSample[];
  }

  decisionCount(id: number): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM run_decisions WHERE run_id = ?').get(id) as { n: number }
    ).n;
  }

  /** One decision of a run: by its sequence number, or the last one at or before a moment. */
  decision(id: number, symbol: string, by: { seq: number } | { at: number }): DecisionRecord | undefined {
    const row =
      'seq' in by
        ? this.db
            .prepare(`${DECISION_SELECT} WHERE run_id = ? AND symbol = ? AND seq = ?`)
            .get(id, symbol, by.seq)
        : this.db
            .prepare(
              `${DECISION_SELECT} WHERE run_id = ? AND symbol = ? AND at <= ? ORDER BY at DESC, seq DESC LIMIT 1`,
            )
            .get(id, symbol, by.at);
    return row as DecisionRecord | undefined;
  }

  /**
   * The run's best quote per side at each change (the decisions where either price changed), for the
   * price chart; with more than `max` changes, thinned to every n-th change (`thinned` says so).
   */
  quoteChanges(
    id: number,
    symbol: string,
    max: number,
  ): { ts: number[]; bid: (number | null)[]; ask: (number | null)[]; thinned: boolean } {
    const ts: number[] = [];
    const bid: (number | null)[] = [];
    const ask: (number | null)[] = [];
    let lastBid: number | null | undefined;
    let lastAsk: number | null | undefined;
    // Far more changes than the chart gets: only every step-th is read (and the first and last).
    const count =
      (
        this.db
          .prepare('SELECT MAX(n) AS n FROM run_quotes WHERE run_id = ? AND symbol = ?')
          .get(id, symbol) as {
          n: number | null;
        }
      ).n ?? 0;
    const step = count > 2 * max ? Math.ceil(count / max) : 1;
    const rows = this.db
      .prepare(
        'SELECT at, bid_ticks, ask_ticks FROM run_quotes WHERE run_id = ? AND symbol = ? AND (n % ? = 0 OR n = 1 OR n = ?) ORDER BY seq',
      )
      .raw()
      .all(id, symbol, step, count) as [number, number | null, number | null][];
    for (const [t, b, a] of rows) {
      if (b === lastBid && a === lastAsk) continue;
      lastBid = b;
      lastAsk = a;
      // Several changes in one millisecond: the last one stands for it, and none at all where it
      // only returned to the quotes before them.
      const n = ts.length;
      if (n > 0 && ts[n - 1] === t) {
        if (n > 1 && bid[n - 2] === b && ask[n - 2] === a) {
          ts.pop();
          bid.pop();
          ask.pop();
        } else {
          bid[n - 1] = b;
          ask[n - 1] = a;
        }
        continue;
      }
      ts.push(t);
      bid.push(b);
      ask.push(a);
    }
    if (ts.length <= max) return { ts, bid, ask, thinned: step > 1 };
    const every = Math.ceil(ts.length / max);
    const keep = (_: unknown, i: number) => i % every === 0 || i === ts.length - 1;
    return { ts: ts.filter(keep), bid: bid.filter(keep), ask: ask.filter(keep), thinned: true };
  }

  close(): void {
    this.db.close();
  }
}

function summary(r: RunRow): RunSummary {
  return {
    id: r.id,
    recording: r.recording,
    params: JSON.parse(r.params) as BacktestParams,
    createdAt: r.created_at,
    status: r.status === 'done' ? 'done' : 'failed',
    error: r.error,
    stats: r.stats === null ? null : (JSON.parse(r.stats) as Record<string, unknown>),
    sweep: r.sweep,
    instruments: r.instruments === null ? null : (JSON.parse(r.instruments) as InstrumentSpec[]),
  };
}
