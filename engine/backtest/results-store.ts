import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openSideDatabase } from '../store/side-database.ts';
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
}

const SCHEMA_VERSION = 1;
const SCHEMA = `
        CREATE TABLE runs (
          id INTEGER PRIMARY KEY,
          recording TEXT NOT NULL,
          params TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
          error TEXT,
          stats TEXT,
          sweep TEXT
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
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE run_samples (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          ts INTEGER NOT NULL,
          symbol TEXT NOT NULL,
          mid TEXT,
          position_lots INTEGER NOT NULL,
          equity TEXT NOT NULL
        );
        CREATE INDEX run_samples_run ON run_samples(run_id, ts);
        CREATE TABLE run_decisions (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          ts INTEGER NOT NULL,
          symbol TEXT NOT NULL,
          s REAL, sigma REAL, q REAL, gamma REAL, kappa REAL, reservation REAL,
          bid_ticks INTEGER, ask_ticks INTEGER, bid_withheld TEXT, ask_withheld TEXT
        );
        CREATE INDEX run_decisions_run ON run_decisions(run_id, ts);
      `;

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
}

export class BacktestStore {
  private readonly db: Database.Database;
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    this.db = openSideDatabase(file, 'backtest', SCHEMA_VERSION, SCHEMA);
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
            "INSERT INTO runs (recording, params, created_at, status, stats, sweep) VALUES (?, ?, ?, 'done', ?, ?)",
          )
          .run(recording, JSON.stringify(params), createdAt, JSON.stringify(outcome.stats), sweep ?? null)
          .lastInsertRowid,
      );
      const fill = this.db.prepare('INSERT INTO run_fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
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
        );
      });
      const sample = this.db.prepare('INSERT INTO run_samples VALUES (?, ?, ?, ?, ?, ?)');
      for (const s of outcome.samples) sample.run(id, s.ts, s.symbol, s.mid, s.positionLots, s.equity);
      const decision = this.db.prepare(
        'INSERT INTO run_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const d of outcome.decisions)
        decision.run(
          id,
          d.ts,
          d.symbol,
          d.s,
          d.sigma,
          d.q,
          d.gamma,
          d.kappa,
          d.reservation,
          d.bid,
          d.ask,
          d.bidWithheld,
          d.askWithheld,
        );
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

  fills(id: number): Record<string, unknown>[] {
    return this.db.prepare('SELECT * FROM run_fills WHERE run_id = ? ORDER BY seq').all(id) as Record<
      string,
      unknown
    >[];
  }

  samples(id: number): Record<string, unknown>[] {
    return this.db.prepare('SELECT * FROM run_samples WHERE run_id = ? ORDER BY ts').all(id) as Record<
      string,
      unknown
    >[];
  }

  decisionCount(id: number): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM run_decisions WHERE run_id = ?').get(id) as { n: number }
    ).n;
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
  };
}
