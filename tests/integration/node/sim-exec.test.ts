import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { defaultAccountLimits, defaultTradingConfig } from '../../../engine/node/trading-config.ts';
import { TradingNode } from '../../../engine/node/trading-node.ts';
import { NullJournal } from '../../../engine/store/journal.ts';
import { composeVenue } from '../../../engine/venues/compose.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../../../engine/venues/sim/default-sim.ts';
import { SimulatedExecution } from '../../../engine/venues/sim-exec/simulated-execution.ts';
import type { Fill } from '../../../engine/venues/venue.ts';
import { drive, run } from '../trading/harness.ts';

const MINUTE = 60_000;

describe('the trading node on simulated execution over the synthetic market', () => {
  it('quotes BTCUSDT for 10 minutes, fills from the feed, and its position matches the account', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
    // The simulator is only the market data here: its own matching engine never sees our orders.
    const market = createDefaultSim(clock, 23);
    const execution = new SimulatedExecution({
      clock,
      feed: market,
      instruments: [{ ...DEFAULT_SIM_INSTRUMENT }],
      balances: { USDT: '1000000', BTC: '10' },
      id: 'paper-it',
    });
    const venue = composeVenue({ id: 'paper-it', kind: 'paper', market, execution });
    const node = new TradingNode({
      clock,
      venue,
      journal: new NullJournal(),
      symbols: ['BTCUSDT'],
      config: defaultTradingConfig,
      account: defaultAccountLimits(),
    });
    const fills: Fill[] = [];
    node.bus.subscribe('fill.applied', (e) => fills.push(e.fill));
    await drive(clock, node.start());
    const desk = node.desk('BTCUSDT');
    desk.quoting = true;
    desk.requote();
    let quotedBothSides = false;
    await run(clock, 10 * MINUTE, 5, () => {
      quotedBothSides ||= desk.liveOn('buy') && desk.liveOn('sell');
    });
    expect(quotedBothSides).toBe(true);
    expect(node.risk.account.state()).toBe('active');
    await drive(clock, node.stop());

    expect(fills.length).toBeGreaterThan(10);
    expect(new Set(fills.map((f) => f.side))).toEqual(new Set(['buy', 'sell']));
    // Quotes are post-only: every fill is a maker fill from the market's trades or book.
    expect(fills.every((f) => f.liquidity === 'maker')).toBe(true);
    expect(await drive(clock, execution.executionsSince(0))).toEqual(fills);

    const balances = await drive(clock, execution.balances());
    const btc = balances.find((b) => b.asset === 'BTC')!;
    const usdt = balances.find((b) => b.asset === 'USDT')!;
    const position = desk.portfolio.positionLots();
    expect(new Decimal(btc.total).minus(10).toFixed()).toBe(new Decimal('0.001').mul(position).toFixed());
    // The quote asset moved by exactly what the fills say.
    let cash = new Decimal(1_000_000);
    for (const f of fills) {
      const notional = new Decimal('0.1').mul(f.price).mul(new Decimal('0.001').mul(f.size));
      cash = f.side === 'buy' ? cash.minus(notional).minus(f.fee) : cash.plus(notional).minus(f.fee);
    }
    expect(usdt.total).toBe(cash.toFixed());
    // Nothing left open, nothing left locked.
    expect(await drive(clock, execution.openOrders())).toEqual([]);
    expect(desk.oms.openCount()).toBe(0);
    for (const b of balances) expect(b.free, b.asset).toBe(b.total);
    execution.close();
  }, 120_000);
});
