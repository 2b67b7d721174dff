import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { TradingApp } from '../../../engine/host/trading-app.ts';
import { drive } from '../trading/harness.ts';

const HOUR = 3_600_000;

/**
 * One seeded hour on both instruments. After the start (connect and the first reconciliation, which
 * await the venue), everything runs on the clock: stepping it must not change what happens.
 */
async function tradeAnHour(step: 'fixed-1ms' | 'event-to-event') {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const app = new TradingApp(
    { dataDir: mkdtempSync(join(tmpdir(), 'mmws-det-')), seed: 17, noStore: true },
    clock,
  );
  const orders: string[] = [];
  const fills: string[] = [];
  app.node.bus.subscribe('order.changed', (e) => {
    const o = e.order;
    orders.push(`${e.at}|${o.symbol}|${o.clientId}|${o.status}|${o.side}|${o.price}|${o.size}|${o.filled}`);
  });
  app.node.bus.subscribe('fill.applied', (e) => {
    const f = e.fill;
    fills.push(`${f.ts}|${f.symbol}|${f.execId}|${f.side}|${f.price}|${f.size}|${f.fee}|${f.liquidity}`);
  });
  await drive(clock, app.start());
  // The handlers answer synchronously: no promise stands between a command and its orders.
  void app.handlers['quoting.start']({ symbol: 'BTCUSDT' });
  void app.handlers['quoting.start']({ symbol: 'ETHUSDT' });
  const end = clock.now() + HOUR;
  let steps = 0;
  // Promise callbacks run after every step in both ways; anything that waited for one (a microtask
  // or a promise between a venue event and its orders) would then run at a different simulated time.
  if (step === 'fixed-1ms') {
    while (clock.now() < end) {
      clock.advance(1);
      steps++;
      await Promise.resolve();
    }
  } else {
    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > end) break;
      clock.advanceTo(next);
      steps++;
      await Promise.resolve();
    }
    clock.advanceTo(end);
  }
  const pnl = app.node.desks().map((d) => JSON.stringify(d.portfolio.snapshot(d.book.mid())));
  await drive(clock, app.stop());
  return { orders, fills, pnl, steps };
}

describe('determinism under a replay clock', () => {
  it('the same seeded hour stepped in 1 ms steps and event to event gives the same orders, fills and PnL', async () => {
    const fixed = await tradeAnHour('fixed-1ms');
    const events = await tradeAnHour('event-to-event');
    // Both really traded, on both instruments, and the two ways of stepping differ.
    expect(fixed.fills.length).toBeGreaterThan(500);
    expect(fixed.fills.some((f) => f.includes('|ETHUSDT|'))).toBe(true);
    expect(fixed.fills.some((f) => f.includes('|BTCUSDT|'))).toBe(true);
    expect(events.steps).not.toBe(fixed.steps);
    expect(events.orders).toEqual(fixed.orders);
    expect(events.fills).toEqual(fixed.fills);
    expect(events.pnl).toEqual(fixed.pnl);
  }, 300_000);
});
