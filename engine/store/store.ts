import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { InstrumentSpec, Lots, Ticks } from '../core/instrument.ts';
import type { Order } from '../oms/order.ts';
import type { KillSwitchState } from '../risk/trading-state.ts';
import type { Fill } from '../venues/venue.ts';
import type { DecisionRecord } from '../events/decision-record.ts';
import { openDatabase, storageError, type Db } from './database.ts';
import { DECISION_SELECT_LIST, DECISION_VALUE_COUNT, decisionValues } from './decision-rows.ts';
import { WriteBehind, type WriteBehindOptions, type WriteBehindStats } from './write-behind.ts';

/**
 * The fields of an order a row keeps. The OMS's order object is live state that changes after the
 * event, so a row holds this copy (see `orderRecord`), never the order itself.
 */
export type OrderRecord = Pick<
  Order,
  | 'clientId'
  | 'venueOrderId'
  | 'symbol'
  | 'side'
  | 'type'
  | 'tif'
  | 'price'
  | 'size'
  | 'filled'
  | 'status'
  | 'origin'
  | 'level'
  | 'decision'
  | 'createdAt'
  | 'updatedAt'
  | 'reason'
>;

export function orderRecord(order: Readonly<Order>): OrderRecord {
  return {
    clientId: order.clientId,
    venueOrderId: order.venueOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    tif: order.tif,
    price: order.price,
    size: order.size,
    filled: order.filled,
    status: order.status,
    origin: order.origin,
    level: order.level,
    decision: order.decision,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    reason: order.reason,
  };
}

/** Every journal row names the venue and the session it belongs to. */
interface Scoped {
  venue: string;
  sessionId: number;
}

export type StoreRow = Scoped &
  (
    | { t: 'order'; order: OrderRecord; at: number }
    /** `decision`: the quote decision that had priced the fill's order (null: not the model's). */
    | { t: 'fill'; fill: Fill; decision?: number | null }
    | { t: 'alert'; symbol: string | null; at: number; severity: string; code: string; message: string }
    | { t: 'override'; symbol: string | null; at: number; field: string; value: string }
    /** `symbol` null: the whole account's equity. */
    | { t: 'equity'; symbol: string | null; at: number; equity: string; mid: string | null }
    | { t: 'risk'; symbol: string | null; at: number; kind: string; detail: string }
    /** A quote decision the journal keeps; `prune` > 0 then trims the table to that many rows. */
    | { t: 'decision'; decision: DecisionRecord; prune: number }
  );

export interface RecoveryState {
  fills: Fill[];
  /** Orders the database saw working: each needs reconciliation with the venue. */
  openOrders: StoredOrder[];
  /** Venue time of the last recorded execution, for `executionsSince`. */
  lastFillTs: number | null;
  kill: KillSwitchState | undefined;
}

export interface StoredOrder {
  clientId: string;
  venueOrderId: string | null;
  side: 'buy' | 'sell';
  price: number | null;
  size: number;
  filled: number;
  status: string;
  origin: string;
}

/** The fields of an instrument spec, in the order they are stored. */
const SPEC_FIELDS = [
  'symbol',
  'base',
  'quote',
  'tickSize',
  'lotSize',
  'minSize',
  'minNotional',
  'makerFee',
  'takerFee',
] as const satisfies readonly (keyof InstrumentSpec)[];

const SECRET_KEY = /secret|password|passphrase|api[_-]?key|private[_-]?key|token/i;

/**
 * The trader's local record of everything the engine did, on better-sqlite3. Writes from the trading
 * path go through the write-behind queue; the kill switch, instruments and settings are written
 * through at once. One Store serves every journal (venue and session) writing to its file.
 */
export class Store {
  readonly file: string;
  readonly db: Db;
  readonly writer: WriteBehind<StoreRow>;
  private readonly stmts;
  private readonly failureListeners = new Set<(err: unknown) => void>();
  private failing: string | null = null;

  constructor(
    file: string,
    clock: Clock,
    hooks: Pick<
      WriteBehindOptions<StoreRow>,
      'onBackpressure' | 'onFailure' | 'onRecovered' | 'softCap' | 'hardCap' | 'batchRows' | 'flushMs'
    > = {},
  ) {
    this.file = file;
    this.db = openDatabase(file);
    const db = this.db;
    this.stmts = {
      upsertOrder:
        db.prepare(`INSERT INTO orders (venue, client_id, session_id, venue_order_id, symbol, side, type, tif, price, size, filled, status, origin, level, decision, created_at, updated_at, reason)
        VALUES (@venue, @clientId, @sessionId, @venueOrderId, @symbol, @side, @type, @tif, @price, @size, @filled, @status, @origin, @level, @decision, @createdAt, @updatedAt, @reason)
        ON CONFLICT(venue, client_id) DO UPDATE SET venue_order_id = excluded.venue_order_id, price = excluded.price, size = excluded.size,
          filled = excluded.filled, status = excluded.status, decision = excluded.decision, updated_at = excluded.updated_at, reason = excluded.reason`),
      decision: db.prepare(
        `INSERT OR REPLACE INTO decisions VALUES (?, ?, ${Array.from({ length: DECISION_VALUE_COUNT }, () => '?').join(', ')})`,
      ),
      pruneDecisions: db.prepare(
        `DELETE FROM decisions WHERE at < (SELECT at FROM decisions ORDER BY at DESC LIMIT 1 OFFSET ?)`,
      ),
      orderEvent: db.prepare(
        `INSERT INTO order_events (venue, session_id, client_id, status, price, size, filled, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      fill: db.prepare(`INSERT OR IGNORE INTO fills (venue, exec_id, session_id, client_id, venue_order_id, symbol, side, price, size, fee, fee_asset, liquidity, ts, decision)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      alert: db.prepare(
        `INSERT INTO alerts (venue, session_id, symbol, at, severity, code, message) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      override: db.prepare(
        `INSERT INTO overrides (venue, session_id, symbol, at, field, value) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      equity: db.prepare(
        `INSERT INTO equity_snapshots (venue, session_id, symbol, at, equity, mid) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      risk: db.prepare(
        `INSERT INTO risk_events (venue, session_id, symbol, at, kind, detail) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      instrument: db.prepare(
        `INSERT INTO instruments (venue, symbol, spec, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(venue, symbol) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`,
      ),
    };
    const commitBatch = db.transaction((rows: readonly StoreRow[]) => {
      for (const r of rows) this.write(r);
    });
    this.writer = new WriteBehind<StoreRow>({
      clock,
      commit: (rows) => {
        commitBatch(rows);
      },
      isCritical: (r) => r.t === 'fill' || r.t === 'order' || r.t === 'risk',
      ...hooks,
      onFailure: (err) => {
        this.failing = err instanceof Error ? err.message : String(err);
        // Journals first: they must stop enqueuing even if the host's hook throws.
        for (const listener of this.failureListeners) listener(err);
        hooks.onFailure?.(err);
      },
      onRecovered: () => {
        this.failing = null;
        hooks.onRecovered?.();
      },
    });
  }

  /**
   * Calls `listener` when the write-behind queue starts failing (once per failure, like the
   * constructor's `onFailure` hook); returns the unsubscribe. Journals use it to stop enqueuing.
   */
  onFailure(listener: (err: unknown) => void): () => void {
    this.failureListeners.add(listener);
    return () => {
      this.failureListeners.delete(listener);
    };
  }

  /** Why the write-behind queue is failing now, or null while it commits. */
  failure(): string | null {
    return this.failing;
  }

  private write(r: StoreRow): void {
    const s = this.stmts;
    switch (r.t) {
      case 'order': {
        const o = r.order;
        const price = o.price ?? null;
        s.upsertOrder.run({
          venue: r.venue,
          clientId: o.clientId,
          sessionId: r.sessionId,
          venueOrderId: o.venueOrderId,
          symbol: o.symbol,
          side: o.side,
          type: o.type,
          tif: o.tif,
          price,
          size: o.size,
          filled: o.filled,
          status: o.status,
          origin: o.origin,
          level: o.level,
          decision: o.decision,
          createdAt: o.createdAt,
          updatedAt: o.updatedAt,
          reason: o.reason,
        });
        s.orderEvent.run(r.venue, r.sessionId, o.clientId, o.status, price, o.size, o.filled, r.at, o.reason);
        break;
      }
      case 'fill': {
        const f = r.fill;
        s.fill.run(
          r.venue,
          f.execId,
          r.sessionId,
          f.clientId,
          f.venueOrderId,
          f.symbol,
          f.side,
          f.price,
          f.size,
          f.fee,
          f.feeAsset,
          f.liquidity,
          f.ts,
          r.decision ?? null,
        );
        break;
      }
      case 'alert':
        s.alert.run(r.venue, r.sessionId, r.symbol, r.at, r.severity, r.code, r.message);
        break;
      case 'override':
        s.override.run(r.venue, r.sessionId, r.symbol, r.at, r.field, r.value);
        break;
      case 'equity':
        s.equity.run(r.venue, r.sessionId, r.symbol, r.at, r.equity, r.mid);
        break;
      case 'risk':
        s.risk.run(r.venue, r.sessionId, r.symbol, r.at, r.kind, r.detail);
        break;
      case 'decision': {
        s.decision.run(r.venue, r.sessionId, ...decisionValues(r.decision));
        if (r.prune > 0) s.pruneDecisions.run(r.prune);
        break;
      }
    }
  }

  enqueue(row: StoreRow): void {
    this.writer.enqueue(row);
  }

  stats(): WriteBehindStats {
    return this.writer.snapshot();
  }

  /**
   * Opens a session row and returns its id. A session trades several instruments: their symbols are
   * stored comma-separated in `sessions.symbol` (see migration 2).
   */
  beginSession(mode: string, venue: string, symbols: readonly string[], at: number): number {
    if (symbols.length === 0 || symbols.some((s) => s.length === 0 || s.includes(',')))
      throw new EngineError(
        'invalid_input',
        `a session names at least one symbol and no symbol contains a comma, got ${JSON.stringify(symbols)}`,
      );
    return this.now(() =>
      Number(
        this.db
          .prepare('INSERT INTO sessions (mode, venue, symbol, started_at) VALUES (?, ?, ?, ?)')
          .run(mode, venue, symbols.join(','), at).lastInsertRowid,
      ),
    );
  }

  endSession(id: number, at: number): void {
    this.now(() => this.db.prepare('UPDATE sessions SET ended_at = ? WHERE id = ?').run(at, id));
  }

  /** The kill switch is written through at once: it must survive a crash a millisecond later. */
  saveKill(state: KillSwitchState): void {
    this.now(() =>
      this.db
        .prepare(
          'INSERT INTO kill_switch (id, engaged, at, by) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET engaged = excluded.engaged, at = excluded.at, by = excluded.by',
        )
        .run(state.engaged ? 1 : 0, state.at, state.by),
    );
  }

  loadKill(): KillSwitchState | undefined {
    const row = this.now(() =>
      this.db.prepare('SELECT engaged, at, by FROM kill_switch WHERE id = 1').get(),
    ) as { engaged: number; at: number | null; by: string | null } | undefined;
    return row ? { engaged: row.engaged === 1, at: row.at, by: row.by } : undefined;
  }

  /**
   * Stores the venue's instrument specs (written through, in one transaction), so ticks and lots in
   * stored rows can be turned back into prices and sizes later, even after the venue changed a step.
   */
  saveInstruments(venue: string, specs: readonly InstrumentSpec[], at: number): void {
    const save = this.db.transaction(() => {
      for (const spec of specs) {
        // Only the spec's own fields, in a fixed order: an adapter's extra properties stay out.
        const stored: Record<string, string> = {};
        for (const field of SPEC_FIELDS) stored[field] = spec[field];
        this.stmts.instrument.run(venue, spec.symbol, JSON.stringify(stored), at);
      }
    });
    this.now(() => save.immediate());
  }

  /** The stored spec of one instrument, or undefined if it was never stored. */
  instrument(venue: string, symbol: string): InstrumentSpec | undefined {
    const row = this.now(() =>
      this.db.prepare('SELECT spec FROM instruments WHERE venue = ? AND symbol = ?').get(venue, symbol),
    ) as { spec: string } | undefined;
    if (!row) return undefined;
    const bad = (why: string) =>
      new EngineError(
        'unavailable',
        `the stored instrument ${venue}/${symbol} in ${this.file} is not a valid spec (${why}); restore a backup or let the venue list it again`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.spec);
    } catch (err) {
      throw bad(err instanceof Error ? err.message : String(err));
    }
    if (typeof parsed !== 'object' || parsed === null) throw bad('not an object');
    const fields = parsed as Record<string, unknown>;
    const spec: Partial<Record<(typeof SPEC_FIELDS)[number], string>> = {};
    for (const field of SPEC_FIELDS) {
      const value = fields[field];
      if (typeof value !== 'string') throw bad(`${field} is not a string`);
      spec[field] = value;
    }
    return spec as InstrumentSpec;
  }

  /** Settings and profiles never hold a secret: credentials live in the OS keychain. */
  setSetting(key: string, value: string): void {
    if (SECRET_KEY.test(key))
      throw new EngineError(
        'invalid_input',
        `setting "${key}" looks like a credential; credentials belong in the OS keychain, not the database`,
      );
    this.now(() =>
      this.db
        .prepare(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        )
        .run(key, value),
    );
  }

  getSetting(key: string): string | undefined {
    const row = this.now(() => this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key)) as
      { value: string } | undefined;
    return row?.value;
  }

  /**
   * What a restart needs for one instrument of one venue: its stored fills, the orders that were
   * working, the last execution time, and the kill switch (one per file).
   */
  recovery(symbol: string, venue: string): RecoveryState {
    return this.now(() => {
      const fills = (
        this.db
          .prepare(
            'SELECT exec_id, client_id, venue_order_id, symbol, side, price, size, fee, fee_asset, liquidity, ts FROM fills WHERE symbol = ? AND venue = ? ORDER BY id',
          )
          .all(symbol, venue) as {
          exec_id: string;
          client_id: string;
          venue_order_id: string;
          symbol: string;
          side: 'buy' | 'sell';
          price: number;
          size: number;
          fee: string;
          fee_asset: string;
          liquidity: 'maker' | 'taker';
          ts: number;
        }[]
      ).map((r): Fill => ({
        type: 'fill',
        symbol: r.symbol,
        execId: r.exec_id,
        clientId: r.client_id,
        venueOrderId: r.venue_order_id,
        side: r.side,
        price: r.price as Ticks,
        size: r.size as Lots,
        fee: r.fee,
        feeAsset: r.fee_asset,
        liquidity: r.liquidity,
        ts: r.ts,
      }));
      const openOrders = (
        this.db
          .prepare(
            `SELECT client_id, venue_order_id, side, price, size, filled, status, origin FROM orders WHERE venue = ? AND symbol = ? AND status NOT IN ('filled', 'cancelled', 'rejected', 'expired') ORDER BY created_at, client_id`,
          )
          .all(venue, symbol) as {
          client_id: string;
          venue_order_id: string | null;
          side: 'buy' | 'sell';
          price: number | null;
          size: number;
          filled: number;
          status: string;
          origin: string;
        }[]
      ).map((r) => ({
        clientId: r.client_id,
        venueOrderId: r.venue_order_id,
        side: r.side,
        price: r.price,
        size: r.size,
        filled: r.filled,
        status: r.status,
        origin: r.origin,
      }));
      const last = this.db
        .prepare('SELECT MAX(ts) AS ts FROM fills WHERE symbol = ? AND venue = ?')
        .get(symbol, venue) as { ts: number | null };
      return { fills, openOrders, lastFillTs: last.ts, kill: this.loadKill() };
    });
  }

  /**
   * The journaled decision that last priced one of our orders on `venue` (of any session, the order's
   * own), or undefined: an order not the model's, or a decision the journal did not keep.
   */
  orderDecision(venue: string, clientId: string): DecisionRecord | undefined {
    return this.decisionOf('orders', 'client_id', venue, clientId);
  }

  /** The journaled decision that had priced a fill's order when it filled, or undefined. */
  fillDecision(venue: string, execId: string): DecisionRecord | undefined {
    return this.decisionOf('fills', 'exec_id', venue, execId);
  }

  /** The decision a row of `table` (orders or fills, keyed by venue and `key`) names. */
  private decisionOf(
    table: 'orders' | 'fills',
    key: 'client_id' | 'exec_id',
    venue: string,
    value: string,
  ): DecisionRecord | undefined {
    return this.now(
      () =>
        this.db
          .prepare(
            `SELECT ${DECISION_SELECT_LIST} FROM decisions WHERE (venue, session_id, symbol, seq) =
            (SELECT venue, session_id, symbol, decision FROM ${table} WHERE venue = ? AND ${key} = ?)`,
          )
          .get(venue, value) as DecisionRecord | undefined,
    );
  }

  /** Marks orders the venue no longer has as closed after reconciliation. */
  closeOrder(venue: string, clientId: string, status: 'cancelled' | 'filled', at: number): void {
    this.now(() =>
      this.db
        .prepare('UPDATE orders SET status = ?, updated_at = ? WHERE venue = ? AND client_id = ?')
        .run(status, at, venue, clientId),
    );
  }

  counts(): Record<string, number> {
    return this.now(() => tableCounts(this.db));
  }

  /** Flushes the queue and closes the file (orderly shutdown). */
  close(): void {
    this.writer.flush();
    if (this.db.open) this.db.close();
  }

  private now<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storageError(err, this.file);
    }
  }
}

/** Tables a backup must hold at least the source's rows of (every one exists since schema 1). */
export const KEY_TABLES = [
  'sessions',
  'instruments',
  'orders',
  'order_events',
  'fills',
  'alerts',
  'overrides',
  'equity_snapshots',
  'risk_events',
] as const;

export function tableCounts(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of KEY_TABLES)
    out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return out;
}
