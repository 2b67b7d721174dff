/**
 * Migration from schema 1 (the store before records were kept per venue and session) to today's.
 *
 * tests/fixtures/store/schema-v1-practice.sqlite was written by the code of commit ae65452, run from a
 * git worktree of that commit with a throwaway script (not kept): `createSession` from
 * engine/api/session-factory.ts, mode 'sim', seed 7, a temp dataDir, on a SimClock starting
 * 2026-01-05T09:00Z driven with tests/integration/trading/harness.ts (`drive`, `run` in 5 ms steps).
 * Session 1: start, quoting.start, overrides.set { gamma: 0.2, skewTicks: 1 }, quote 60 s, stop.
 * 5 s later, session 2 on the same file: start (recovery), quoting.start, quote 60 s,
 * overrides.set { levels: 2 }, 1 s, risk.kill, 1 s, stop. Then `PRAGMA wal_checkpoint(TRUNCATE)`,
 * `journal_mode = DELETE` and VACUUM, so the one file holds everything (2 sessions, 108 orders, 1994
 * order events, 125 fills, 1 alert, 3 overrides, 122 equity snapshots, 1 risk event, the kill switch).
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import { databaseFile, openDatabase, SCHEMA_VERSION } from '../../../engine/store/database.ts';
import { SqliteJournal } from '../../../engine/store/journal.ts';
import { MIGRATIONS } from '../../../engine/store/migrations.ts';
import { Store } from '../../../engine/store/store.ts';
import type { Fill } from '../../../engine/venues/venue.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/store/schema-v1-practice.sqlite');
const JOURNAL_TABLES = ['orders', 'order_events', 'alerts', 'overrides', 'risk_events', 'equity_snapshots'];

type Row = Record<string, unknown>;

function tables(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
}

function countsOf(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tables(db))
    out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return out;
}

function schemaOf(db: Database.Database): Row[] {
  return db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all() as Row[];
}

/** Everything the test compares, read from the fixture as schema 1 wrote it. */
function readV1(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      counts: countsOf(db),
      sessions: all('SELECT id, venue, symbol, started_at FROM sessions ORDER BY id') as {
        id: number;
        venue: string;
        symbol: string;
        started_at: number;
      }[],
      orders: all('SELECT * FROM orders ORDER BY client_id'),
      orderEvents: all(
        'SELECT e.id, e.client_id, e.status, e.price, e.size, e.filled, e.at, o.session_id FROM order_events e JOIN orders o USING (client_id) ORDER BY e.id',
      ),
      fills: all('SELECT * FROM fills ORDER BY id'),
      alerts: all('SELECT * FROM alerts ORDER BY id'),
      overrides: all('SELECT * FROM overrides ORDER BY id'),
      risk: all('SELECT * FROM risk_events ORDER BY id'),
      equity: all('SELECT * FROM equity_snapshots ORDER BY id'),
      kill: all('SELECT * FROM kill_switch'),
      working: all(
        "SELECT client_id FROM orders WHERE status NOT IN ('filled', 'cancelled', 'rejected', 'expired') ORDER BY created_at, client_id",
      ).map((r) => r.client_id),
    };
  } finally {
    db.close();
  }
}

function copyFixture(): { dataDir: string; file: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'mmws-migrate-'));
  const file = databaseFile(dataDir, 'practice');
  copyFileSync(FIXTURE, file);
  return { dataDir, file };
}

/** The documented rule: the latest session that started at or before the row, else none. */
function sessionAt(sessions: readonly { id: number; started_at: number }[], at: number): number | null {
  let best: { id: number; started_at: number } | null = null;
  for (const s of sessions)
    if (
      s.started_at <= at &&
      (!best || s.started_at > best.started_at || (s.started_at === best.started_at && s.id > best.id))
    )
      best = s;
  return best?.id ?? null;
}

describe('migration from schema 1, on a file written by schema-1 code', () => {
  const v1 = readV1(FIXTURE);

  it('is a schema-1 file with rows in every table the journal writes', () => {
    expect(v1.version).toBe(1);
    for (const t of [...JOURNAL_TABLES, 'sessions', 'fills', 'kill_switch'])
      expect(v1.counts[t]).toBeGreaterThan(0);
    expect(v1.sessions.length).toBe(2);
  });

  it('keeps every row and value, and fills the venue and session columns as documented', () => {
    const { file } = copyFixture();
    const store = new Store(file, new SimClock(0));
    const db = store.db;
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(3);
    expect(tables(db)).toContain('decisions');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // Every table of schema 1 keeps its rows; the decision journal starts empty.
    expect(countsOf(db)).toEqual({ ...v1.counts, decisions: 0 });

    // Orders: every column as it was, plus their session's venue (keyed per venue now) and no
    // decision (schema 1 kept none).
    const orders = all('SELECT * FROM orders ORDER BY client_id');
    expect(orders).toEqual(v1.orders.map((o) => ({ ...o, venue: 'sim', decision: null })));
    const sample = v1.orders.find((o) => o.status === 'filled');
    expect(sample).toBeDefined();
    expect(
      db
        .prepare('SELECT price, size, filled, status FROM orders WHERE venue = ? AND client_id = ?')
        .get('sim', sample?.client_id),
    ).toEqual({ price: sample?.price, size: sample?.size, filled: sample?.filled, status: 'filled' });
    expect(Number.isInteger(sample?.price)).toBe(true);

    // Order events: their order's session and venue.
    expect(
      all(
        'SELECT id, client_id, status, price, size, filled, at, session_id, venue FROM order_events ORDER BY id',
      ),
    ).toEqual(v1.orderEvents.map((e) => ({ ...e, venue: 'sim' })));

    // Fills already had both (and no decision: schema 1 kept none); fees stay exact strings.
    expect(all('SELECT * FROM fills ORDER BY id')).toEqual(v1.fills.map((f) => ({ ...f, decision: null })));
    expect(typeof v1.fills[0]?.fee).toBe('string');
    expect(db.prepare('SELECT fee FROM fills WHERE id = ?').get(v1.fills[0]?.id)).toEqual({
      fee: v1.fills[0]?.fee,
    });

    // Rows that had no session: the latest session started at or before them.
    const expectTimed = (table: string, old: Row[], symbol: (session: number | null) => string | null) => {
      const got = all(`SELECT * FROM ${table} ORDER BY id`);
      expect(got).toEqual(
        old.map((r) => {
          const session = sessionAt(v1.sessions, r.at as number);
          return { ...r, venue: 'sim', session_id: session, symbol: symbol(session) };
        }),
      );
    };
    expectTimed('alerts', v1.alerts, () => null);
    expectTimed('risk_events', v1.risk, () => null);
    expectTimed('overrides', v1.overrides, (s) => v1.sessions.find((x) => x.id === s)?.symbol ?? null);
    // The fixture's overrides were set in both sessions: the rule must tell them apart.
    expect(all('SELECT session_id, symbol FROM overrides ORDER BY id')).toEqual([
      { session_id: 1, symbol: 'BTCUSDT' },
      { session_id: 1, symbol: 'BTCUSDT' },
      { session_id: 2, symbol: 'BTCUSDT' },
    ]);
    expect(all('SELECT session_id FROM risk_events')).toEqual([{ session_id: 2 }]);

    // Equity: its session's venue, symbol NULL (the account).
    expect(all('SELECT * FROM equity_snapshots ORDER BY id')).toEqual(
      v1.equity.map((e) => ({ ...e, venue: 'sim', symbol: null })),
    );
    for (const t of JOURNAL_TABLES)
      expect(all(`SELECT COUNT(*) AS n FROM ${t} WHERE venue IS NULL OR session_id IS NULL`)).toEqual([
        { n: 0 },
      ]);
    expect(all('SELECT * FROM kill_switch')).toEqual(v1.kill);
    store.close();
  });

  it('recovers the same fills and working orders as the old data', () => {
    const { file } = copyFixture();
    const store = new Store(file, new SimClock(0));
    const expected: Fill[] = v1.fills
      .filter((f) => f.venue === 'sim' && f.symbol === 'BTCUSDT')
      .map((f) => ({
        type: 'fill',
        symbol: f.symbol as string,
        execId: f.exec_id as string,
        clientId: f.client_id as string,
        venueOrderId: f.venue_order_id as string,
        side: f.side as 'buy' | 'sell',
        price: f.price as Ticks,
        size: f.size as Lots,
        fee: f.fee as string,
        feeAsset: f.fee_asset as string,
        liquidity: f.liquidity as 'maker' | 'taker',
        ts: f.ts as number,
      }));
    expect(expected.length).toBe(v1.counts.fills);
    const latest = v1.sessions.at(-1)?.id ?? 0;
    const rec = new SqliteJournal(store, { venue: 'sim', sessionId: latest }).recovery('BTCUSDT');
    expect(rec.fills).toEqual(expected);
    expect(rec.lastFillTs).toBe(Math.max(...expected.map((f) => f.ts)));
    expect(rec.openOrders.map((o) => o.clientId)).toEqual(v1.working);
    expect(rec.kill).toEqual({ engaged: v1.kill[0]?.engaged === 1, at: v1.kill[0]?.at, by: v1.kill[0]?.by });
    expect(store.recovery('BTCUSDT', 'bybit-testnet').fills).toEqual([]);
    store.close();
  });

  it('is a no-op when opened again, and takes per-venue rows afterwards', () => {
    const { file } = copyFixture();
    new Store(file, new SimClock(0)).close();
    const before = new Database(file, { readonly: true });
    const schema = schemaOf(before);
    const counts = countsOf(before);
    before.close();
    const again = new Store(file, new SimClock(0));
    expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(schemaOf(again.db)).toEqual(schema);
    expect(countsOf(again.db)).toEqual(counts);
    // A client id of the old data may now exist on another venue too.
    const clientId = v1.orders[0]?.client_id as string;
    const session = again.beginSession('live', 'bybit-testnet', ['BTCUSDT'], Date.UTC(2026, 1, 1));
    again.enqueue({
      t: 'order',
      venue: 'bybit-testnet',
      sessionId: session,
      at: 1,
      order: {
        clientId,
        venueOrderId: null,
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'limit',
        tif: 'post_only',
        price: 1 as Ticks,
        size: 1 as Lots,
        filled: 0 as Lots,
        status: 'pending-new',
        origin: 'manual',
        level: null,
        decision: null,
        createdAt: 1,
        updatedAt: 1,
        reason: null,
      },
    });
    again.writer.flush();
    expect(
      again.db.prepare('SELECT venue FROM orders WHERE client_id = ? ORDER BY venue').all(clientId),
    ).toEqual([{ venue: 'bybit-testnet' }, { venue: 'sim' }]);
    again.close();
  });
});

/** A schema-1 file built by hand, for the cases a real run cannot produce. */
function handMadeV1(build: (db: Database.Database) => void): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mmws-migrate-rules-')), 'practice.sqlite');
  const db = new Database(file);
  db.exec(MIGRATIONS[0] ?? '');
  db.pragma('user_version = 1');
  build(db);
  db.close();
  return file;
}

describe('migration rules for rows without a session', () => {
  it('uses the latest earlier session, or NULL and the shared venue when none started before', () => {
    const file = handMadeV1((db) => {
      db.exec(`
        INSERT INTO sessions (id, mode, venue, symbol, started_at, ended_at) VALUES (1, 'paper', 'paper-x', 'ETHUSDT', 100, 200);
        INSERT INTO sessions (id, mode, venue, symbol, started_at, ended_at) VALUES (2, 'paper', 'paper-x', 'BTCUSDT', 300, NULL);
        INSERT INTO alerts (id, at, severity, code, message) VALUES (1, 50, 'info', 'early', 'before any session');
        INSERT INTO alerts (id, at, severity, code, message) VALUES (2, 250, 'info', 'between', 'after session 1 ended');
        INSERT INTO alerts (id, at, severity, code, message) VALUES (3, 300, 'info', 'start', 'as session 2 started');
        INSERT INTO overrides (id, at, field, value) VALUES (1, 50, 'gamma', '0.1');
        INSERT INTO overrides (id, at, field, value) VALUES (2, 150, 'gamma', '0.2');
        INSERT INTO order_events (id, client_id, status, price, size, filled, at, reason) VALUES (1, 'gone', 'new', 5, 1, 0, 320, NULL);
      `);
    });
    const store = new Store(file, new SimClock(0));
    const all = (sql: string) => store.db.prepare(sql).all();
    expect(all('SELECT id, venue, session_id FROM alerts ORDER BY id')).toEqual([
      { id: 1, venue: 'paper-x', session_id: null },
      { id: 2, venue: 'paper-x', session_id: 1 },
      { id: 3, venue: 'paper-x', session_id: 2 },
    ]);
    expect(all('SELECT id, venue, session_id, symbol FROM overrides ORDER BY id')).toEqual([
      { id: 1, venue: 'paper-x', session_id: null, symbol: null },
      { id: 2, venue: 'paper-x', session_id: 1, symbol: 'ETHUSDT' },
    ]);
    // An event whose order row is missing falls back to the time rule.
    expect(all('SELECT venue, session_id FROM order_events')).toEqual([{ venue: 'paper-x', session_id: 2 }]);
    store.close();
  });

  it("falls back to 'sim' where sessions disagree on the venue and none fits", () => {
    const file = handMadeV1((db) => {
      db.exec(`
        INSERT INTO sessions (id, mode, venue, symbol, started_at) VALUES (1, 'sim', 'sim', 'BTCUSDT', 100);
        INSERT INTO sessions (id, mode, venue, symbol, started_at) VALUES (2, 'testnet', 'bybit-testnet', 'BTCUSDT', 200);
        INSERT INTO risk_events (id, at, kind, detail) VALUES (1, 10, 'state_halted', 'early');
        INSERT INTO risk_events (id, at, kind, detail) VALUES (2, 210, 'state_halted', 'late');
        INSERT INTO orders (client_id, session_id, symbol, side, type, tif, price, size, status, origin, created_at, updated_at)
          VALUES ('c1', 2, 'BTCUSDT', 'buy', 'limit', 'gtc', 10, 1, 'new', 'manual', 210, 210);
      `);
    });
    const store = new Store(file, new SimClock(0));
    expect(store.db.prepare('SELECT id, venue, session_id FROM risk_events ORDER BY id').all()).toEqual([
      { id: 1, venue: 'sim', session_id: null },
      { id: 2, venue: 'bybit-testnet', session_id: 2 },
    ]);
    expect(store.recovery('BTCUSDT', 'bybit-testnet').openOrders.map((o) => o.clientId)).toEqual(['c1']);
    expect(store.recovery('BTCUSDT', 'sim').openOrders).toEqual([]);
    store.close();
  });

  it('changes nothing when a step fails, and says so', () => {
    const file = handMadeV1((db) => {
      // A row schema 1 could only hold with foreign keys off: it cannot be copied.
      db.pragma('foreign_keys = OFF');
      db.exec(`INSERT INTO orders (client_id, session_id, symbol, side, type, tif, price, size, status, origin, created_at, updated_at)
        VALUES ('orphan', 99, 'BTCUSDT', 'buy', 'limit', 'gtc', 10, 1, 'new', 'manual', 1, 1)`);
    });
    let thrown: unknown;
    try {
      openDatabase(file).close();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EngineError);
    expect((thrown as Error).message).toMatch(/from schema 1 to 3, the file was not changed/);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(raw)).not.toContain('orders_v2');
    expect(raw.prepare('SELECT client_id FROM orders').all()).toEqual([{ client_id: 'orphan' }]);
    raw.close();
  });
});
