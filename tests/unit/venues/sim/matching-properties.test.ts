import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../../engine/core/decimal.ts';
import type { Lots, Side, Ticks } from '../../../../engine/core/instrument.ts';
import { Rng } from '../../../../engine/core/random.ts';
import { Ledger } from '../../../../engine/venues/sim/ledger.ts';
import { MatchingEngine } from '../../../../engine/venues/sim/matching-engine.ts';
import type { SimTimeInForce } from '../../../../engine/venues/sim/matching-engine.ts';
import { Recorder, ReferenceBook, sum, testInstrument } from './helpers.ts';

const OWNERS = 5;

/** Drives one engine with a seeded random stream and checks every invariant after every operation. */
function runStream(seed: number, ops: number): { fills: number; refusals: number; stp: number } {
  const rng = new Rng(seed);
  const inst = testInstrument();
  const ledger = new Ledger();
  const owners: number[] = [];
  for (let i = 0; i < OWNERS; i++) {
    const o = ledger.addOwner(`o${i}`);
    ledger.deposit(o, 'USD', String(2000 + i * 1500));
    ledger.deposit(o, 'TST', String(20 + i * 10));
    owners.push(o);
  }
  const baseStart = sum(owners.map((o) => ledger.total(o, 'TST')));
  const quoteStart = sum(owners.map((o) => ledger.total(o, 'USD')));
  const engine = new MatchingEngine(inst, ledger);
  const rec = new Recorder();
  const violations: string[] = [];
  rec.hook = (_kind, maker, taker, price) => {
    // Checked at the moment of the fill, while the maker is still queued.
    const head = engine.queueAt(maker.side, price)[0];
    if (head !== maker.id) violations.push(`fill ${maker.id} was not first in its queue (head ${head})`);
    const best = maker.side === 'sell' ? engine.bestAsk() : engine.bestBid();
    if (best !== price) violations.push(`fill at ${price} while best was ${best}`);
    if (price !== maker.price) violations.push('fill away from the maker price');
    if (taker.type === 'limit' && (taker.side === 'buy' ? price > taker.price : price < taker.price)) {
      violations.push('fill through the taker limit');
    }
  };
  engine.setListener(rec);
  const ref = new ReferenceBook();
  let refusals = 0;
  const mid = 10_000;

  for (let i = 0; i < ops; i++) {
    const u = rng.next();
    const resting = engine.restingOrders();
    if (u < 0.6 || resting.length === 0) {
      const owner = owners[rng.int(0, OWNERS - 1)]!;
      const side: Side = rng.bool() ? 'buy' : 'sell';
      const size = rng.int(1, 40) as Lots;
      const v = rng.next();
      if (v < 0.08) {
        if (engine.submit(owner, side, 'market', 'gtc', 0, size) === 0) refusals++;
      } else {
        const tif: SimTimeInForce = v < 0.25 ? 'post_only' : v < 0.4 ? 'ioc' : 'gtc';
        const price = (mid + rng.int(-25, 25)) as Ticks;
        if (engine.submit(owner, side, 'limit', tif, price, size) === 0) refusals++;
      }
    } else if (u < 0.8) {
      const o = resting[rng.int(0, resting.length - 1)]!;
      const price = rng.bool() ? ((o.price + rng.int(-6, 6)) as Ticks) : 0;
      const size = rng.bool() ? (rng.int(1, 45) as Lots) : 0;
      if (!engine.amend(o.id, price, size)) refusals++;
    } else if (u < 0.98) {
      const o = resting[rng.int(0, resting.length - 1)]!;
      expect(engine.cancel(o.id)).toBe(true);
    } else {
      engine.cancelAll(owners[rng.int(0, OWNERS - 1)]!);
    }

    const change = engine.flushL2();
    if (change) ref.apply(change.bids, change.asks);
    expect(ref.levels('buy')).toEqual(engine.depth('buy'));
    expect(ref.levels('sell')).toEqual(engine.depth('sell'));

    const bid = engine.bestBid();
    const ask = engine.bestAsk();
    if (bid !== undefined && ask !== undefined) expect(bid).toBeLessThan(ask);

    for (const o of owners) {
      const hasOrders = engine.restingOrders(o).length > 0;
      for (const asset of ['USD', 'TST']) {
        expect(ledger.total(o, asset).isNegative()).toBe(false);
        expect(ledger.locked(o, asset).isNegative()).toBe(false);
        expect(ledger.free(o, asset).isNegative()).toBe(false);
        if (!hasOrders) expect(ledger.locked(o, asset).isZero()).toBe(true);
      }
    }
  }
  expect(violations).toEqual([]);

  // No self-trade, post-only never takes, every fill positive.
  for (const f of rec.fills) {
    expect(f.makerOwner).not.toBe(f.takerOwner);
    expect(f.takerTif).not.toBe('post_only');
    expect(f.lots).toBeGreaterThan(0);
  }

  // Quantity: every order's filled size is exactly the sum of the fills it took part in, on both sides.
  const filledBy = new Map<number, number>();
  for (const f of rec.fills) {
    filledBy.set(f.makerId, (filledBy.get(f.makerId) ?? 0) + f.lots);
    filledBy.set(f.takerId, (filledBy.get(f.takerId) ?? 0) + f.lots);
  }
  for (const d of rec.done) expect(d.filled).toBe(filledBy.get(d.id) ?? 0);
  for (const o of engine.restingOrders()) expect(o.filled).toBe(filledBy.get(o.id) ?? 0);

  // Money: base is conserved, quote is conserved minus the fees charged on both sides.
  const fees = sum(
    rec.fills.map((f) => engine.fee(f.price, f.lots, 'maker').plus(engine.fee(f.price, f.lots, 'taker'))),
  );
  expect(sum(owners.map((o) => ledger.total(o, 'TST'))).eq(baseStart)).toBe(true);
  expect(
    sum(owners.map((o) => ledger.total(o, 'USD')))
      .plus(fees)
      .eq(quoteStart),
  ).toBe(true);
  expect(fees.gt(new Decimal(0))).toBe(rec.fills.length > 0);

  const stp = rec.done.filter((d) => d.reason === 'self_trade').length;
  return { fills: rec.fills.length, refusals, stp };
}

describe('matching engine under seeded random order streams', () => {
  it.each([1, 2, 3, 4, 5])('keeps every invariant (seed %i)', (seed) => {
    const r = runStream(seed, 2500);
    // The stream must actually exercise matching, funding refusals and self-trade prevention.
    expect(r.fills).toBeGreaterThan(200);
    expect(r.refusals).toBeGreaterThan(0);
    expect(r.stp).toBeGreaterThan(0);
  });
});
