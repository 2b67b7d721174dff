import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../engine/core/decimal.ts';
import { drive, run, startSimEngine } from '../trading/harness.ts';

describe('several instruments on one node', () => {
  it('quotes BTCUSDT and ETHUSDT at once, each in its own units; an account-level loss limit halts both', async () => {
    const app = await startSimEngine(41, undefined, {
      noStore: true,
      account: {
        maxGrossNotional: new Decimal('500000'),
        maxDrawdown: new Decimal('100000'),
        dailyLossLimit: new Decimal('5'),
      },
    });
    const { clock, engine, desk, state } = app;
    await run(clock, 3_000, 5);
    expect(await drive(clock, engine.invoke('quoting.start', { symbol: 'BTCUSDT' }))).toMatchObject({
      ok: true,
    });
    expect(await drive(clock, engine.invoke('quoting.start', { symbol: 'ETHUSDT' }))).toMatchObject({
      ok: true,
    });
    let bothLive = false;
    const filled = new Set<string>();
    app.session.node.bus.subscribe('fill.applied', (e) => filled.add(e.fill.symbol));
    for (let t = 0; t < 3_600_000 && app.session.node.risk.account.state() !== 'halted'; t += 1_000) {
      await run(clock, 1_000, 5);
      bothLive ||= ['BTCUSDT', 'ETHUSDT'].every((s) => desk(s).liveOn('buy') && desk(s).liveOn('sell'));
    }
    expect(bothLive).toBe(true);
    expect([...filled].sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    // The account's loss, not either instrument's own limit, halted trading.
    const s = state();
    expect(s.account.tradingState).toBe('halted');
    expect(s.account.reason).toMatch(/account daily loss .* reached its limit/);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) expect(desk(symbol).risk.state.state()).toBe('active');
    await run(clock, 2_000, 5);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      expect(desk(symbol).oms.openCount(), symbol).toBe(0);
      expect(desk(symbol).decision.quotes.bid.withheld).toBe('halted');
    }
    const summaries = state().instruments;
    expect(summaries.map((i) => [i.symbol, i.tradingState])).toEqual([
      ['BTCUSDT', 'halted'],
      ['ETHUSDT', 'halted'],
    ]);
    const again = await drive(clock, engine.invoke('quoting.start', { symbol: 'ETHUSDT' }));
    expect(again).toMatchObject({ ok: false, error: { code: 'rejected' } });
    await drive(clock, engine.stop());
  }, 120_000);

  it('keeps each instrument to its own parameters and speaks in its units', async () => {
    const app = await startSimEngine(42, undefined, { noStore: true });
    const { clock, engine, state } = app;
    await run(clock, 3_000, 5);
    await drive(clock, engine.invoke('overrides.set', { symbol: 'ETHUSDT', orderSize: '0.30' }));
    await drive(clock, engine.invoke('quoting.start', { symbol: 'ETHUSDT' }));
    await run(clock, 5_000, 5);
    expect(state().selected).toBe('BTCUSDT');
    expect(state().overrides.active).toEqual({});
    expect(await drive(clock, engine.invoke('instruments.select', { symbol: 'ETHUSDT' }))).toMatchObject({
      ok: true,
    });
    await run(clock, 100, 5);
    expect(state().instrument?.symbol).toBe('ETHUSDT');
    expect(state().overrides.active).toEqual({ orderSize: '0.30' });
    expect(state().quoting.bid.levels.every((l) => l.size === '0.30')).toBe(true);
    // A refusal reads in ETH, not in lots.
    const big = await drive(
      clock,
      engine.invoke('orders.place', { side: 'buy', price: '3000.00', size: '1000', postOnly: true }),
    );
    expect(big).toMatchObject({ ok: false, error: { code: 'risk_rejected' } });
    if (!big.ok) expect(big.error.message).toMatch(/^order of 1000\.00 ETH exceeds the 2\.00 ETH limit$/);
    const unknown = await drive(clock, engine.invoke('instruments.select', { symbol: 'DOGEUSDT' }));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(state().selected).toBe('ETHUSDT');
    await drive(clock, engine.stop());
  }, 60_000);
});
