import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import {
  backupStore,
  listBackups,
  restoreBackup,
  verifyBackup,
  type BackupResult,
} from '../../../engine/store/backup.ts';
import { databaseFile, openDatabase, SCHEMA_VERSION } from '../../../engine/store/database.ts';
import { Store } from '../../../engine/store/store.ts';
import { WriteBehind } from '../../../engine/store/write-behind.ts';
import type { Fill } from '../../../engine/venues/venue.ts';
import { order } from './records.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'mmws-store-'));
const fill = (execId: string, side: 'buy' | 'sell' = 'buy', size = 3, ts = 1000): Fill => ({
  type: 'fill',
  symbol: 'BTCUSDT',
  execId,
  clientId: 'c1',
  venueOrderId: 'v1',
  side,
  price: 650_000 as Ticks,
  size: size as Lots,
  fee: '0.0195',
  feeAsset: 'USDT',
  liquidity: 'maker',
  ts,
});

function open(file = join(dir(), 'practice.sqlite'), clock = new SimClock(0)) {
  const store = new Store(file, clock);
  const session = store.beginSession('sim', 'sim', ['BTCUSDT'], 0);
  return { store, session, clock, file };
}

function expectStorageError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a storage error');
}

describe('database', () => {
  it('creates the schema at the current version with WAL, foreign keys and NORMAL sync', () => {
    const file = join(dir(), 'a.sqlite');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    for (const t of [
      'sessions',
      'instruments',
      'orders',
      'order_events',
      'fills',
      'position_snapshots',
      'equity_snapshots',
      'risk_events',
      'kill_switch',
      'overrides',
      'alerts',
      'settings',
      'profiles',
      'recordings',
      'recording_chunks',
      'backtest_runs',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('reopens an existing file without touching its data', () => {
    const { store, file } = open();
    store.setSetting('layout', 'dense');
    store.close();
    const again = new Store(file, new SimClock(0));
    expect(again.getSetting('layout')).toBe('dense');
    again.close();
  });

  it('refuses a database written by a newer version, with a clear message', () => {
    const file = join(dir(), 'new.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    expectStorageError(() => openDatabase(file), /newer version of the app/);
  });

  it('keeps one file per venue family and environment, practice where it always was', () => {
    const families = ['practice', 'bybit-testnet', 'bybit-demo', 'bybit-live', 'mexc-live'];
    const files = families.map((f) => databaseFile('/d', f));
    expect(new Set(files).size).toBe(families.length);
    // Existing practice files (sim and paper records) migrate in place under the same name.
    expect(databaseFile('/d', 'practice')).toBe(join('/d', 'practice.sqlite'));
    expect(databaseFile('/d', 'bybit-testnet')).toBe(join('/d', 'bybit-testnet.sqlite'));
  });

  it('refuses a family name that is not a plain lower-case name', () => {
    for (const bad of [
      '',
      'Practice',
      '../live',
      'bybit_live',
      'bybit--live',
      '-live',
      'live-',
      'a b',
      'x.sqlite',
    ]) {
      try {
        databaseFile('/d', bad);
        throw new Error(`accepted ${JSON.stringify(bad)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(EngineError);
        expect((err as EngineError).code).toBe('invalid_input');
        expect((err as Error).message).toMatch(/not a valid name/);
      }
    }
  });

  it('gives a clear error for a corrupt file', () => {
    const file = join(dir(), 'bad.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 7));
    expectStorageError(() => openDatabase(file), /corrupt or not a database/);
  });

  it('gives a clear error for a file it cannot write', () => {
    if (process.getuid?.() === 0) {
      // Root ignores file permissions; a read-only open of a store still must refuse writes.
      const { store, file } = open();
      store.close();
      const ro = openDatabase(file, { readonly: true });
      expect(() => ro.prepare("INSERT INTO settings (key, value) VALUES ('a', 'b')").run()).toThrow(
        /readonly/,
      );
      ro.close();
      return;
    }
    const d = dir();
    const file = join(d, 'ro.sqlite');
    openDatabase(file).close();
    chmodSync(file, 0o444);
    chmodSync(d, 0o555);
    expectStorageError(
      () => new Store(file, new SimClock(0)).beginSession('sim', 'sim', ['X'], 0),
      /read-only|cannot be/,
    );
  });
});

describe('records', () => {
  it('stores a replayed fill once', () => {
    const { store, session } = open();
    for (let i = 0; i < 3; i++)
      store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill('e1') });
    store.writer.flush();
    expect(store.counts().fills).toBe(1);
    store.enqueue({ t: 'fill', sessionId: session, venue: 'other', fill: fill('e1') });
    store.writer.flush();
    expect(store.counts().fills).toBe(2);
    store.close();
  });

  it('keeps each order current and every state change in its history', () => {
    const { store, session } = open();
    store.enqueue({ t: 'order', venue: 'sim', sessionId: session, order: order('o1', 'pending-new'), at: 1 });
    store.enqueue({ t: 'order', venue: 'sim', sessionId: session, order: { ...order('o1', 'new') }, at: 2 });
    store.enqueue({
      t: 'order',
      venue: 'sim',
      sessionId: session,
      order: { ...order('o1', 'filled'), filled: 10 as Lots },
      at: 3,
    });
    store.writer.flush();
    expect(store.db.prepare('SELECT status, filled FROM orders').all()).toEqual([
      { status: 'filled', filled: 10 },
    ]);
    expect(
      (store.db.prepare('SELECT status FROM order_events ORDER BY id').all() as { status: string }[]).map(
        (r) => r.status,
      ),
    ).toEqual(['pending-new', 'new', 'filled']);
    store.close();
  });

  it('rebuilds fills, working orders, the last execution time and the kill switch', () => {
    const { store, session, file } = open();
    store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill('a', 'buy', 5, 100) });
    store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill('b', 'sell', 2, 200) });
    store.enqueue({ t: 'order', venue: 'sim', sessionId: session, order: order('w1', 'new'), at: 1 });
    store.enqueue({ t: 'order', venue: 'sim', sessionId: session, order: order('d1', 'cancelled'), at: 1 });
    store.saveKill({ engaged: true, at: 150, by: 'trader' });
    store.close();
    const again = new Store(file, new SimClock(0));
    const rec = again.recovery('BTCUSDT', 'sim');
    expect(rec.fills.map((f) => [f.execId, f.side, f.size])).toEqual([
      ['a', 'buy', 5],
      ['b', 'sell', 2],
    ]);
    expect(rec.openOrders.map((o) => o.clientId)).toEqual(['w1']);
    expect(rec.lastFillTs).toBe(200);
    expect(rec.kill).toEqual({ engaged: true, at: 150, by: 'trader' });
    again.close();
  });

  it('never stores something that looks like a credential', () => {
    const { store } = open();
    for (const key of ['bybit.apiKey', 'API_SECRET', 'mexc.api-key', 'password', 'webhook token']) {
      expect(() => store.setSetting(key, 'x')).toThrow(/keychain/);
    }
    expect(store.getSetting('bybit.apiKey')).toBeUndefined();
    store.close();
  });
});

describe('write-behind', () => {
  it('never writes on the caller, commits batches on the timer, flushes on close', () => {
    const { store, session, clock } = open();
    store.enqueue({
      t: 'alert',
      venue: 'sim',
      sessionId: session,
      symbol: null,
      at: 1,
      severity: 'info',
      code: 'x',
      message: 'm',
    });
    expect(store.counts().alerts).toBe(0);
    clock.advance(5);
    expect(store.counts().alerts).toBe(1);
    for (let i = 0; i < 10; i++)
      store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill(`f${i}`) });
    expect(store.stats().depth).toBe(10);
    store.close();
    const reopened = new Database(store.file, { readonly: true });
    expect((reopened.prepare('SELECT COUNT(*) n FROM fills').get() as { n: number }).n).toBe(10);
    reopened.close();
  });

  it('commits a full batch at once, in one transaction per batch', () => {
    const clock = new SimClock(0);
    const batches: number[] = [];
    const wb = new WriteBehind<number>({
      clock,
      commit: (b) => batches.push(b.length),
      isCritical: () => true,
      batchRows: 4,
      flushMs: 1000,
    });
    for (let i = 0; i < 10; i++) wb.enqueue(i);
    clock.advance(0);
    expect(batches).toEqual([4, 4, 2]);
    expect(wb.snapshot()).toMatchObject({ batches: 3, rows: 10, depth: 0 });
  });

  it('raises backpressure at the soft cap and refuses only non-critical rows at the hard cap', () => {
    const clock = new SimClock(0);
    const pressure: number[] = [];
    const wb = new WriteBehind<{ critical: boolean }>({
      clock,
      commit: () => undefined,
      isCritical: (r) => r.critical,
      softCap: 3,
      hardCap: 5,
      batchRows: 1000,
      onBackpressure: (d) => pressure.push(d),
    });
    for (let i = 0; i < 5; i++) wb.enqueue({ critical: false });
    wb.enqueue({ critical: false });
    wb.enqueue({ critical: true });
    expect(pressure).toEqual([3]);
    expect(wb.snapshot()).toMatchObject({ depth: 6, dropped: 1 });
  });

  it('keeps rows through a failing commit, reports once, and recovers', () => {
    const clock = new SimClock(0);
    let fail = true;
    const committed: number[] = [];
    const failures: string[] = [];
    let recovered = 0;
    const wb = new WriteBehind<number>({
      clock,
      commit: (b) => {
        if (fail) throw new Error('disk I/O error');
        committed.push(...b);
      },
      isCritical: () => true,
      onFailure: (e) => failures.push((e as Error).message),
      onRecovered: () => recovered++,
    });
    wb.enqueue(1);
    wb.enqueue(2);
    clock.advance(5);
    clock.advance(200);
    expect(failures).toEqual(['disk I/O error']);
    expect(wb.depth()).toBe(2);
    fail = false;
    clock.advance(10_000);
    expect(committed).toEqual([1, 2]);
    expect(recovered).toBe(1);
  });

  it('reports a full database as a clear failure instead of crashing', () => {
    const { store, session, clock } = open();
    store.db.pragma('max_page_count = ' + String(store.db.pragma('page_count', { simple: true })));
    const failures: string[] = [];
    const full = new Store(store.file, clock, { onFailure: (e) => failures.push((e as Error).message) });
    full.db.pragma('max_page_count = ' + String(full.db.pragma('page_count', { simple: true })));
    for (let i = 0; i < 2000; i++)
      full.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill(`x${i}`) });
    clock.advance(10);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/full/i);
    expect(full.stats().depth).toBe(2000);
    store.db.close();
  });
});

describe('backups', () => {
  it('writes a verified online backup and keeps only the last N', async () => {
    const { store, session } = open();
    for (let i = 0; i < 50; i++)
      store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill(`b${i}`) });
    const bdir = join(dir(), 'backups');
    const results: BackupResult[] = [];
    for (let k = 0; k < 4; k++) results.push(await backupStore(store, bdir, 2, Date.UTC(2026, 0, 1, k)));
    expect(results[0]!.counts.fills).toBe(50);
    const kept = listBackups(bdir, 'practice');
    expect(kept).toEqual([results[2]!.file, results[3]!.file]);
    expect(existsSync(results[0]!.file)).toBe(false);
    expect(() => verifyBackup(results[3]!.file, { fills: 50 })).not.toThrow();
    expect(() => verifyBackup(results[3]!.file, { fills: 51 })).toThrow(/holds 50 rows of fills/);
    store.close();
  });

  it("rotates one family's backups without touching a longer family's", async () => {
    const d = dir();
    const bdir = join(d, 'backups');
    const short = new Store(join(d, 'bybit.sqlite'), new SimClock(0));
    const long = new Store(join(d, 'bybit-testnet.sqlite'), new SimClock(0));
    const kept = await backupStore(long, bdir, 5, Date.UTC(2026, 0, 1));
    for (let k = 0; k < 3; k++) await backupStore(short, bdir, 1, Date.UTC(2026, 0, 2, k));
    expect(listBackups(bdir, 'bybit-testnet')).toEqual([kept.file]);
    expect(listBackups(bdir, 'bybit')).toHaveLength(1);
    expect(existsSync(kept.file)).toBe(true);
    short.close();
    long.close();
  });

  it('rejects a damaged backup', () => {
    const file = join(dir(), 'practice-x.sqlite');
    writeFileSync(file, 'not a database at all, just text'.repeat(200));
    expect(() => verifyBackup(file, {})).toThrow(/corrupt or not a database/);
  });

  it('refuses to restore while trading, and restores when stopped', async () => {
    const { store, session, file } = open();
    store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill('keep') });
    const b = await backupStore(store, join(dir(), 'b'), 3, 1);
    store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fill('after-backup') });
    store.close();
    expect(() => restoreBackup(b.file, file, () => true)).toThrow(/while a session is trading/);
    const before = new Store(file, new SimClock(0));
    expect(before.counts().fills).toBe(2);
    before.close();
    restoreBackup(b.file, file, () => false);
    const after = new Store(file, new SimClock(0));
    expect(after.counts().fills).toBe(1);
    expect(existsSync(`${file}.before-restore`)).toBe(true);
    after.close();
  });
});
