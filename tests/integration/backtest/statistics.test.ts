import { describe, expect, it } from 'vitest';
import { StatisticsCollector } from '../../../engine/backtest/statistics.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { Lots } from '../../../engine/core/instrument.ts';
import { defaultAccountLimits, defaultTradingConfig } from '../../../engine/node/trading-config.ts';
import { TradingNode } from '../../../engine/node/trading-node.ts';
import { NullJournal } from '../../../engine/store/journal.ts';
import { composeVenue } from '../../../engine/venues/compose.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../../../engine/venues/sim/default-sim.ts';
import { SimulatedExecution } from '../../../engine/venues/sim-exec/simulated-execution.ts';
import type { Fill } from '../../../engine/venues/venue.ts';
import { drive, run } from '../trading/harness.ts';

const MINUTE = 60_000;

describe('backtest statistics on a trading node over the synthetic market', () => {
  it('counts every fill on the bus and its PnL parts add up to the change of marked equity', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
    const market = createDefaultSim(clock, 31);
    const execution = new SimulatedExecution({
      clock,
      feed: market,
      instruments: [{ ...DEFAULT_SIM_INSTRUMENT }],
      balances: { USDT: '1000000', BTC: '10' },
      id: 'stats-it',
    });
    const venue = composeVenue({ id: 'stats-it', kind: 'paper', market, execution });
    const node = new TradingNode({
      clock,
      venue,
      journal: new NullJournal(),
      symbols: ['BTCUSDT'],
      config: defaultTradingConfig,
      account: defaultAccountLimits(),
    });
    await drive(clock, node.start());
    const desk = node.desk('BTCUSDT');
    const inst = desk.instrument;
    const startPosition = desk.portfolio.positionLots();
    const stats = new StatisticsCollector({
      bus: node.bus,
      clock,
      instrument: inst,
      midTicks: () => desk.book.mid(),
      startPosition: startPosition as Lots,
    });
    const fills: Fill[] = [];
    node.bus.subscribe('fill.applied', (e) => fills.push(e.fill));
    desk.quoting = true;
    desk.requote();
    await run(clock, 4 * MINUTE, 5);

    const mid = desk.book.mid();
    expect(mid).toBeDefined();
    const s = stats.finish();
    stats.close();
    await drive(clock, node.stop());
    execution.close();

    expect(fills.length).toBeGreaterThan(5);
    expect(s.fills).toBe(fills.length);
    expect(s.buy_fills).toBe(fills.filter((f) => f.side === 'buy').length);

    const d = (x: string | null): Decimal => new Decimal(x ?? 'NaN');
    expect(d(s.spread_capture).plus(d(s.inventory_pnl)).minus(d(s.fees)).eq(d(s.pnl_total))).toBe(true);
    // Equity from the fills seen here: cash + position · mid − fees, from a flat start.
    expect(startPosition).toBe(0);
    let cash = new Decimal(0);
    let fees = new Decimal(0);
    let position = 0;
    for (const f of fills) {
      const value = inst.tickSize.mul(f.price).mul(inst.lotSize.mul(f.size));
      cash = f.side === 'buy' ? cash.minus(value) : cash.plus(value);
      fees = fees.plus(f.fee);
      const size: number = f.size;
      position += f.side === 'buy' ? size : -size;
    }
    const equity = cash.plus(inst.lotSize.mul(position).mul(inst.tickSize.mul(mid!))).minus(fees);
    expect(d(s.pnl_total).eq(equity)).toBe(true);
    expect(d(s.fees).eq(fees)).toBe(true);
    // The portfolio, on its own average-cost books, agrees to the last digit.
    expect(d(s.pnl_total).eq(desk.portfolio.equity(mid))).toBe(true);
    expect(s.position_end).toBe(inst.lotSize.mul(position).toFixed());

    // A quoting run: both sides were up most of the time, and part of what was quoted filled.
    expect(s.quote_uptime).toBeGreaterThan(0.5);
    expect(s.quote_uptime).toBeLessThanOrEqual(1);
    expect(s.fill_ratio).toBeGreaterThan(0);
    expect(s.fill_ratio).toBeLessThanOrEqual(1);
    expect(s.maker_share).toBe(1);
    expect(s.markout_1s).not.toBeNull();
    expect(s.samples).toBe(4 * 60);
    expect(s.sharpe).not.toBeNull();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  }, 120_000);
});
