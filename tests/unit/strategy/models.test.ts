import { describe, expect, it } from 'vitest';
import { avellanedaStoikov, glft } from '../../../engine/strategy/models.ts';
import { IntensityEstimator, VolatilityEstimator } from '../../../engine/strategy/estimators.ts';
import { Rng } from '../../../engine/core/random.ts';
import { runPaper, PAPER } from '../../../engine/host/as-paper.ts';

const base = { s: 100, q: 0, sigma: 2, gamma: 0.1, kappa: 1.5, tau: 0.5 };

describe('Avellaneda-Stoikov', () => {
  it('matches the closed form on hand-computed values', () => {
    const r = avellanedaStoikov({ ...base, q: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // r = 100 − 3·0.1·4·0.5 = 99.4; spread = 0.1·4·0.5 + 20·ln(1 + 0.1/1.5) = 0.2 + 1.29077…
    expect(r.value.reservation).toBeCloseTo(99.4, 12);
    expect(r.value.spread).toBeCloseTo(0.2 + 20 * Math.log(1 + 0.1 / 1.5), 12);
    expect(r.value.bidDistance + r.value.askDistance).toBeCloseTo(r.value.spread, 12);
  });

  it('moves the reservation price against the inventory', () => {
    const long = avellanedaStoikov({ ...base, q: 2 });
    const flat = avellanedaStoikov(base);
    const short = avellanedaStoikov({ ...base, q: -2 });
    if (!long.ok || !flat.ok || !short.ok) throw new Error('model refused');
    expect(long.value.reservation).toBeLessThan(flat.value.reservation);
    expect(short.value.reservation).toBeGreaterThan(flat.value.reservation);
    expect(flat.value.reservation).toBe(100);
    // Long: the bid moves further away than the ask.
    expect(long.value.bidDistance).toBeGreaterThan(long.value.askDistance);
  });

  it('narrows the spread as the session end approaches', () => {
    const spreads = [1, 0.5, 0.1, 0].map((tau) => {
      const r = avellanedaStoikov({ ...base, tau });
      if (!r.ok) throw new Error('refused');
      return r.value.spread;
    });
    for (let i = 1; i < spreads.length; i++) expect(spreads[i]).toBeLessThan(spreads[i - 1]!);
    expect(spreads[3]).toBeCloseTo(20 * Math.log(1 + 0.1 / 1.5), 12);
  });

  it('withholds the quote with a reason instead of returning NaN', () => {
    for (const bad of [
      { gamma: 0 },
      { gamma: -1 },
      { kappa: 0 },
      { sigma: Number.NaN },
      { sigma: -1 },
      { s: Number.POSITIVE_INFINITY },
      { q: Number.NaN },
      { tau: -1 },
      { gamma: 1e-320 },
    ]) {
      const r = avellanedaStoikov({ ...base, ...bad });
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });
});

describe('GLFT', () => {
  const g = { ...base, A: 140, delta: 1 };
  it('is symmetric at zero inventory and skews with it', () => {
    const flat = glft(g);
    const long = glft({ ...g, q: 2 });
    if (!flat.ok || !long.ok) throw new Error('refused');
    expect(flat.value.bidDistance).toBeCloseTo(flat.value.askDistance, 12);
    expect(flat.value.reservation).toBeCloseTo(100, 12);
    expect(long.value.bidDistance).toBeGreaterThan(flat.value.bidDistance);
    expect(long.value.askDistance).toBeLessThan(flat.value.askDistance);
    expect(long.value.reservation).toBeLessThan(100);
    const c1 = Math.log(1 + 0.1 / 1.5) / 0.1;
    const c2 = Math.sqrt((0.1 / (2 * 140 * 1.5)) * Math.pow(1 + 0.1 / 1.5, 1.5 / 0.1 + 1));
    expect(flat.value.bidDistance).toBeCloseTo(c1 + 0.5 * 2 * c2, 12);
  });
  it('needs a valid A', () => {
    expect(glft({ ...g, A: 0 }).ok).toBe(false);
    expect(glft({ ...base }).ok).toBe(false);
  });
});

describe('estimators', () => {
  it('recovers σ of a seeded random walk sampled unevenly', () => {
    const rng = new Rng(5);
    const est = new VolatilityEstimator(1e6, 10);
    const sigma = 3;
    let t = 0;
    let x = 1000;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const dt = 0.05 + rng.next() * 0.5;
      t += dt * 1000;
      x += sigma * Math.sqrt(dt) * rng.normal();
      est.update(t, x);
    }
    expect(est.ready()).toBe(true);
    // Relative standard error of a variance estimate from n samples is about √(2/n): allow 5 of them.
    expect(Math.abs(est.sigma()! / sigma - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('reports warm-up and ignores bad samples', () => {
    const est = new VolatilityEstimator(60, 3);
    expect(est.sigma()).toBeUndefined();
    est.update(0, 100);
    est.update(1000, Number.NaN);
    est.update(500, 101);
    expect(est.remaining()).toBe(2);
    expect(() => new VolatilityEstimator(0)).toThrow(/half-life/);
  });

  it('recovers A and κ from synthetic arrivals', () => {
    const rng = new Rng(8);
    const A = 5;
    const kappa = 0.4;
    const est = new IntensityEstimator(3_600_000, 60, 30);
    // Market orders arrive at rate A and reach depth ≥ δ with probability e^(−κδ): exponential depths.
    let t = 0;
    while (t < 3_600_000) {
      t += rng.exponential(A) * 1000;
      est.record(t, rng.exponential(kappa));
    }
    const fit = est.fit(t);
    expect(fit).toBeDefined();
    expect(Math.abs(fit!.kappa / kappa - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit!.A / A - 1)).toBeLessThan(0.3);
  });
});

describe('the 2008 paper experiment', () => {
  it('shows the inventory strategy trading mean profit for much lower variance, deterministically', () => {
    const params = { ...PAPER, runs: 200, gammas: [0.1] };
    const rows = runPaper(params);
    const inv = rows.find((r) => r.strategy === 'inventory')!;
    const sym = rows.find((r) => r.strategy === 'symmetric')!;
    expect(inv.std_profit).toBeLessThan(sym.std_profit * 0.7);
    expect(inv.std_final_q).toBeLessThan(sym.std_final_q * 0.5);
    expect(inv.profit).toBeGreaterThan(40);
    expect(inv.spread).toBeCloseTo(sym.spread, 12);
    expect(runPaper(params)).toEqual(rows);
    expect(runPaper({ ...params, seed: 2 })).not.toEqual(rows);
  });
});
