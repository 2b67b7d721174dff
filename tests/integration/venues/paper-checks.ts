import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { Instrument } from '../../../engine/core/instrument.ts';
import type { Trade } from '../../../engine/market/types.ts';
import type { Order } from '../../../engine/oms/order.ts';
import { databaseFile, openDatabase } from '../../../engine/store/database.ts';
import { DEFAULT_PAPER_LATENCY } from '../../../engine/venues/paper/paper-venue.ts';
import type { Fill } from '../../../engine/venues/venue.ts';

/** A fill of a paper session as the node applied it. */
export interface SeenFill {
  fill: Fill;
  order: Readonly<Order> | undefined;
  /** When the node applied it, ms on the session's clock. */
  at: number;
}

/**
 * What every paper session on a real venue's data must show, whichever venue: post-only maker fills
 * at their own price, no sooner than the simulated link allows, charged the instrument's maker rate;
 * fills traceable to the public tape; and only practice records, one paper session with every fill.
 */
export function expectPaperSession(s: {
  inst: Instrument;
  fills: readonly SeenFill[];
  trades: readonly { trade: Trade; at: number }[];
  dataDir: string;
  venueId: string;
}): void {
  const { requestMs, responseMs } = DEFAULT_PAPER_LATENCY;
  for (const { fill, order, at } of s.fills) {
    expect(fill.liquidity).toBe('maker');
    expect(order).toBeDefined();
    expect(fill.price).toBe(order!.price);
    expect(fill.ts - order!.createdAt).toBeGreaterThanOrEqual(requestMs);
    expect(at - order!.createdAt).toBeGreaterThanOrEqual(requestMs + responseMs);
    expect(at - fill.ts).toBeGreaterThanOrEqual(responseMs);
    const notional = s.inst.tickSize.mul(fill.price).mul(s.inst.lotSize.mul(fill.size));
    expect(new Decimal(fill.fee).toFixed()).toBe(notional.mul(s.inst.makerFee).toFixed());
  }
  // Fills come from the public tape: a trade at or through the price, seen before the fill arrived.
  const fromTape = s.fills.filter(({ fill, at }) =>
    s.trades.some(
      ({ trade, at: seen }) =>
        seen <= at && (fill.side === 'buy' ? trade.price <= fill.price : trade.price >= fill.price),
    ),
  );
  expect(fromTape.length).toBeGreaterThan(0);

  expect(readdirSync(s.dataDir).filter((f) => f.endsWith('.sqlite'))).toEqual(['practice.sqlite']);
  const db = openDatabase(databaseFile(s.dataDir, 'practice'), { readonly: true });
  try {
    const session = db.prepare('SELECT mode, venue FROM sessions').all();
    expect(session).toEqual([{ mode: 'paper', venue: s.venueId }]);
    const stored = db.prepare('SELECT exec_id FROM fills ORDER BY id').all() as { exec_id: string }[];
    expect(stored.map((r) => r.exec_id)).toEqual(s.fills.map((f) => f.fill.execId));
  } finally {
    db.close();
  }
}
