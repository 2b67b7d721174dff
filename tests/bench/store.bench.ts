/**
 * Fills persisted end to end through the write-behind path (enqueue on the trading side, batched
 * transactions on the timer), against a plain batched better-sqlite3 insert of the same rows into
 * the same schema in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimClock } from '../../engine/core/clock.ts';
import type { Lots, Ticks } from '../../engine/core/instrument.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { Store } from '../../engine/store/store.ts';
import type { Fill } from '../../engine/venues/venue.ts';
import type { Emit } from './figure.ts';

const N = 200_000;
const BATCH = 1000;

function makeFills(tag: string): Fill[] {
  const out: Fill[] = [];
  for (let i = 0; i < N; i++) {
    out.push({
      type: 'fill',
      symbol: 'BTCUSDT',
      execId: `${tag}-${i}`,
      clientId: `c-${i >> 2}`,
      venueOrderId: `v-${i >> 2}`,
      side: i & 1 ? 'buy' : 'sell',
      price: (650_000 + (i % 200)) as Ticks,
      size: (1 + (i % 17)) as Lots,
      fee: '0.0065',
      feeAsset: 'USDT',
      liquidity: 'maker',
      ts: 1_700_000_000_000 + i,
    });
  }
  return out;
}

function ours(dir: string, fills: Fill[]): number {
  const clock = new SimClock(0);
  const store = new Store(join(dir, 'ours.sqlite'), clock, { batchRows: BATCH, flushMs: 5 });
  const session = store.beginSession('sim', 'sim', ['BTCUSDT'], 0);
  const t0 = performance.now();
  for (let i = 0; i < fills.length; i++) {
    store.enqueue({ t: 'fill', sessionId: session, venue: 'sim', fill: fills[i]! });
    // The engine's clock moves on between bursts; full batches are committed on the next timer turn.
    if ((i + 1) % BATCH === 0) clock.advance(1);
  }
  clock.advance(10);
  const ms = performance.now() - t0;
  if (store.stats().depth !== 0 || store.counts().fills !== fills.length)
    throw new Error('write-behind did not persist every fill');
  store.close();
  return ms;
}

function raw(dir: string, fills: Fill[]): number {
  const db = openDatabase(join(dir, 'raw.sqlite'));
  const session = Number(
    db
      .prepare("INSERT INTO sessions (mode, venue, symbol, started_at) VALUES ('sim', 'sim', 'BTCUSDT', 0)")
      .run().lastInsertRowid,
  );
  const insert =
    db.prepare(`INSERT OR IGNORE INTO fills (venue, exec_id, session_id, client_id, venue_order_id, symbol, side, price, size, fee, fee_asset, liquidity, ts)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const batch = db.transaction((rows: Fill[]) => {
    for (const f of rows)
      insert.run(
        'sim',
        f.execId,
        session,
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
  });
  const t0 = performance.now();
  for (let i = 0; i < fills.length; i += BATCH) batch(fills.slice(i, i + BATCH));
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

export default function storeBench(emit: Emit): void {
  let bestOurs = Infinity;
  let bestRaw = Infinity;
  for (let round = 0; round < 4; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-storebench-'));
    const fills = makeFills(`r${round}`);
    // Alternate which goes first so file-system caching favours neither.
    if (round % 2 === 0) {
      bestOurs = Math.min(bestOurs, ours(dir, fills));
      bestRaw = Math.min(bestRaw, raw(dir, fills));
    } else {
      bestRaw = Math.min(bestRaw, raw(dir, fills));
      bestOurs = Math.min(bestOurs, ours(dir, fills));
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const oursRate = (N / bestOurs) * 1000;
  const rawRate = (N / bestRaw) * 1000;
  emit({
    figure: 'store.fills_per_s',
    value: Math.round(oursRate),
    unit: 'fills/s',
    fills: N,
    batch: BATCH,
    synchronous: 'NORMAL',
    journal: 'WAL',
  });
  emit({
    figure: 'store.raw_fills_per_s',
    value: Math.round(rawRate),
    unit: 'fills/s',
    note: 'plain batched better-sqlite3 insert, same schema and rows',
  });
  emit({ figure: 'store.vs_raw_ratio', value: Math.round((oursRate / rawRate) * 100) / 100, unit: 'ratio' });
}
