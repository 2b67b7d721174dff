import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { Lots, Ticks } from '../core/instrument.ts';
import type { Order } from '../oms/order.ts';
import type { KillSwitchState } from '../risk/trading-state.ts';
import type { Fill } from '../venues/venue.ts';
import { openDatabase, storageError, type Db } from './database.ts';
import { WriteBehind, type WriteBehindOptions, type WriteBehindStats } from './write-behind.ts';

export type StoreRow =
  | { t: 'order'; sessionId: number; order: Readonly<Order>; at: number }
  | { t: 'fill'; sessionId: number; venue: string; fill: Fill }
  | { t: 'alert'; at: number; severity: string; code: string; message: string }
  | { t: 'override'; at: number; field: string; value: string }
  | { t: 'equity'; sessionId: number; at: number; equity: string; mid: string | null }
  | { t: 'risk'; at: number; kind: string; detail: string };

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

const SECRET_KEY = /secret|password|passphrase|api[_-]?key|private[_-]?key|token/i;

/**
 * The trader's local record of everything the engine did, on better-sqlite3. Writes from the trading
 * path go through the write-behind queue; the kill switch and settings are written through at once.
 */
export class Store {
  readonly file: string;
  readonly db: Db;
  readonly writer: WriteBehind<StoreRow>;
  private readonly stmts;

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
        db.prepare(`INSERT INTO orders (client_id, session_id, venue_order_id, symbol, side, type, tif, price, size, filled, status, origin, level, created_at, updated_at, reason)
        VALUES (@clientId, @sessionId, @venueOrderId, @symbol, @side, @type, @tif, @price, @size, @filled, @status, @origin, @level, @createdAt, @updatedAt, @reason)
        ON CONFLICT(client_id) DO UPDATE SET venue_order_id = excluded.venue_order_id, price = excluded.price, size = excluded.size,
          filled = excluded.filled, status = excluded.status, updated_at = excluded.updated_at, reason = excluded.reason`),
      orderEvent: db.prepare(
        `INSERT INTO order_events (client_id, status, price, size, filled, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      fill: db.prepare(`INSERT OR IGNORE INTO fills (venue, exec_id, session_id, client_id, venue_order_id, symbol, side, price, size, fee, fee_asset, liquidity, ts)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      alert: db.prepare(`INSERT INTO alerts (at, severity, code, message) VALUES (?, ?, ?, ?)`),
      override: db.prepare(`INSERT INTO overrides (at, field, value) VALUES (?, ?, ?)`),
      equity: db.prepare(`INSERT INTO equity_snapshots (session_id, at, equity, mid) VALUES (?, ?, ?, ?)`),
      risk: db.prepare(`INSERT INTO risk_events (at, kind, detail) VALUES (?, ?, ?)`),
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
    });
  }

  private write(r: StoreRow): void {
    const s = this.stmts;
    switch (r.t) {
      case 'order': {
        const o = r.order;
        s.upsertOrder.run({
          clientId: o.clientId,
          sessionId: r.sessionId,
          venueOrderId: o.venueOrderId,
          symbol: o.symbol,
          side: o.side,
          type: o.type,
          tif: o.tif,
          price: o.price ?? null,
          size: o.size,
          filled: o.filled,
          status: o.status,
          origin: o.origin,
          level: o.level,
          createdAt: o.createdAt,
          updatedAt: o.updatedAt,
          reason: o.reason,
        });
        s.orderEvent.run(o.clientId, o.status, o.price ?? null, o.size, o.filled, r.at, o.reason);
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
        );
        break;
      }
      case 'alert':
        s.alert.run(r.at, r.severity, r.code, r.message);
        break;
      case 'override':
        s.override.run(r.at, r.field, r.value);
        break;
      case 'equity':
        s.equity.run(r.sessionId, r.at, r.equity, r.mid);
        break;
      case 'risk':
        s.risk.run(r.at, r.kind, r.detail);
        break;
    }
  }

  enqueue(row: StoreRow): void {
    this.writer.enqueue(row);
  }

  stats(): WriteBehindStats {
    return this.writer.snapshot();
  }

  beginSession(mode: string, venue: string, symbol: string, at: number): number {
    return this.now(() =>
      Number(
        this.db
          .prepare('INSERT INTO sessions (mode, venue, symbol, started_at) VALUES (?, ?, ?, ?)')
          .run(mode, venue, symbol, at).lastInsertRowid,
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

  /** What a restart needs: every stored fill, the orders that were working, the kill switch. */
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
            `SELECT client_id, venue_order_id, side, price, size, filled, status, origin FROM orders WHERE symbol = ? AND status NOT IN ('filled', 'cancelled', 'rejected', 'expired')`,
          )
          .all(symbol) as {
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

  /** Marks orders the venue no longer has as closed after reconciliation. */
  closeOrder(clientId: string, status: 'cancelled' | 'filled', at: number): void {
    this.now(() =>
      this.db
        .prepare('UPDATE orders SET status = ?, updated_at = ? WHERE client_id = ?')
        .run(status, at, clientId),
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

export const KEY_TABLES = [
  'sessions',
  'orders',
  'order_events',
  'fills',
  'alerts',
  'equity_snapshots',
] as const;

export function tableCounts(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of KEY_TABLES)
    out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return out;
}
