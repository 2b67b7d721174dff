import { describe, expect, it } from 'vitest';
import type { DecisionView } from '../../../engine/api/contract.ts';
import { drive, run, startSimEngine } from './harness.ts';

describe('a trading session on the simulated exchange', () => {
  it('quotes for a simulated hour within every limit, then the kill switch leaves nothing working', async () => {
    const { clock, session, engine, events, state, desk } = await startSimEngine(7);
    const limits = desk().config.limits;
    await run(clock, 5_000, 5);
    expect(await drive(clock, engine.invoke('quoting.start', {}))).toMatchObject({ ok: true });
    let maxAbsPos = 0;
    let maxOpen = 0;
    let maxExposure = 0;
    const oms = desk().oms;
    await run(clock, 3_600_000, 5, () => {
      const pos = desk().portfolio.positionLots();
      maxAbsPos = Math.max(maxAbsPos, Math.abs(pos));
      maxOpen = Math.max(maxOpen, oms.openCount());
      maxExposure = Math.max(maxExposure, pos + oms.workingLotsOn('buy'), -(pos - oms.workingLotsOn('sell')));
    });
    const fills = events.filter((e) => e.name === 'fill.executed');
    // The session really traded, and never beyond its limits.
    expect(fills.length).toBeGreaterThan(1000);
    expect(maxAbsPos).toBeLessThanOrEqual(limits.maxPositionLots);
    expect(maxExposure).toBeLessThanOrEqual(limits.maxPositionLots);
    expect(maxOpen).toBeLessThanOrEqual(limits.maxOpenOrders);
    const s = state();
    for (const g of s.risk.gauges) expect(g.value, g.name).toBeLessThanOrEqual(g.limit);
    expect(s.quoting.bid.live || s.quoting.ask.live).toBe(true);
    expect(s.risk.tradingState).toBe('active');

    // Kill switch: cancel everything, halt; once the venue has answered nothing of ours rests.
    expect(await drive(clock, engine.invoke('risk.kill', {}))).toMatchObject({ ok: true });
    await run(clock, 200, 1);
    expect(desk().oms.openCount()).toBe(0);
    expect(state().risk.tradingState).toBe('halted');
    const venueOpen = await drive(clock, session.venue.openOrders('BTCUSDT'));
    expect(venueOpen).toEqual([]);
    // Halted means halted: starting again is refused until the trader resets.
    const again = await drive(clock, engine.invoke('quoting.start', {}));
    expect(again).toMatchObject({ ok: false, error: { code: 'rejected' } });
    await run(clock, 5_000, 5);
    expect(desk().oms.openCount()).toBe(0);
    await drive(clock, engine.stop());
  }, 120_000);

  it('is deterministic for a seed: same fills, same prices, same times', async () => {
    const fillsOf = async (seed: number) => {
      const { clock, engine, events } = await startSimEngine(seed);
      await run(clock, 2_000, 5);
      await drive(clock, engine.invoke('quoting.start', {}));
      await run(clock, 300_000, 5);
      await drive(clock, engine.stop());
      return events.filter((e) => e.name === 'fill.executed').map((e) => JSON.stringify(e.payload));
    };
    const a = await fillsOf(11);
    const b = await fillsOf(11);
    const c = await fillsOf(12);
    expect(a.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  }, 120_000);

  it('refuses bad parameters with a clear error and changes nothing', async () => {
    const { clock, engine, state } = await startSimEngine(3);
    await run(clock, 1_000, 5);
    await drive(clock, engine.invoke('overrides.set', { gamma: 0.01, skewTicks: 2 }));
    await run(clock, 100, 5);
    const before = state().overrides;
    const cases: [string, object, RegExp][] = [
      ['overrides.set', { gamma: 0 }, /gamma/],
      ['overrides.set', { kappa: -1 }, /kappa/],
      ['overrides.set', { orderSize: '0.0005' }, /not a multiple of 0\.001/],
      ['overrides.set', { pinBid: '65000.05' }, /not a multiple of 0\.1/],
      ['overrides.set', { pinBid: '65010.00', pinAsk: '65000.00' }, /pinned bid must be below pinned ask/],
      ['overrides.set', { maxPosition: '1000' }, /can only be lowered/],
      ['overrides.set', { levels: 99 }, /levels/],
      ['orders.place', { side: 'buy', price: '65000.05', size: '0.01', postOnly: true }, /not a multiple/],
      [
        'orders.place',
        { side: 'buy', price: '1.0', size: '0.01', postOnly: true },
        /away from the mid|notional/,
      ],
      ['orders.place', { side: 'buy', price: '65000.0', size: '100', postOnly: true }, /exceeds/],
    ];
    for (const [name, input, pattern] of cases) {
      const r = await drive(clock, engine.invoke(name, input));
      expect(r.ok, `${name} ${JSON.stringify(input)}`).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(pattern);
    }
    await run(clock, 100, 5);
    expect(state().overrides.active).toEqual(before.active);
    expect(state().overrides.active).toEqual({ gamma: 0.01, skewTicks: 2 });
    expect(state().orders).toEqual([]);
    await drive(clock, engine.stop());
  }, 60_000);
});

describe('the live decision journal', () => {
  it('answers, for a fill of the session, the decision that priced its order', async () => {
    const { clock, engine, events } = await startSimEngine(3);
    await run(clock, 5_000, 5);
    await drive(clock, engine.invoke('overrides.set', { gamma: 0.2 }));
    await drive(clock, engine.invoke('quoting.start', {}));
    await run(clock, 600_000, 5, () => undefined);
    const fills = events.flatMap((e) => (e.name === 'fill.executed' ? [e.payload] : []));
    expect(fills.length).toBeGreaterThan(3);
    for (const f of fills.slice(0, 20)) {
      const r = await drive(
        clock,
        engine.invoke('journal.decision', { clientId: f.clientId, execId: f.execId }),
      );
      if (!r.ok) throw new Error(r.error.message);
      const d = r.value as DecisionView;
      expect(d.symbol).toBe(f.symbol);
      expect(d.at).toBeLessThanOrEqual(f.ts);
      // One level per side: the order rested at the decision's best quote on its side.
      expect(f.side === 'buy' ? d.bid : d.ask).toBe(f.price);
      expect(d.gamma).toBe(0.2);
      expect(d.overrides).toEqual({ gamma: '0.2' });
      expect(d.tradingState).toBe('active');
    }
    const unknown = await drive(clock, engine.invoke('journal.decision', { clientId: 'not-ours' }));
    expect(unknown).toEqual({ ok: true, value: null });
    await drive(clock, engine.stop());
  }, 120_000);
});
