import { describe, expect, it } from 'vitest';
import { AtomScale, divRoundHalfEven } from '../../../engine/core/atoms.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { Rng } from '../../../engine/core/random.ts';

describe('AtomScale', () => {
  it('round-trips amounts exactly, parses and prints them as Decimal does', () => {
    const scale = new AtomScale(18);
    const rng = new Rng(9);
    const samples = [
      '0',
      '1',
      '-1',
      '0.000000000000000001',
      '123456789.123456789123456789',
      '-0.5',
      '007.50',
    ];
    for (let i = 0; i < 2000; i++) {
      const whole = rng.int(0, 1_000_000_000);
      const frac =
        String(rng.int(0, 999_999_999)).padStart(9, '0') + String(rng.int(0, 999_999_999)).padStart(9, '0');
      samples.push(`${rng.bool() ? '-' : ''}${whole}.${frac.slice(0, rng.int(1, 18))}`);
    }
    for (const text of samples) {
      const d = new Decimal(text);
      const atoms = scale.of(d, 'amount');
      expect(scale.parse(text, 'amount')).toBe(atoms);
      expect(scale.toDecimal(atoms).eq(d)).toBe(true);
      expect(scale.format(atoms)).toBe(d.toFixed());
    }
    expect(new AtomScale(0).format(-42n)).toBe('-42');
  });

  it('prints atoms to fixed places as Decimal rounds and prints them, never as "-0.00"', () => {
    const scale = new AtomScale(6);
    const rng = new Rng(31);
    const decimalFixed = (d: Decimal, places: number): string => {
      const r = d.toDecimalPlaces(places);
      return (r.isZero() ? new Decimal(0) : r).toFixed(places);
    };
    // Ties both ways (half to even), tiny negatives, and more places than the scale keeps.
    const cases: [bigint, number][] = [
      [5000n, 2],
      [15000n, 2],
      [25000n, 2],
      [-5000n, 2],
      [-15000n, 2],
      [-4999n, 2],
      [-1n, 2],
      [0n, 0],
      [123456789n, 9],
      [-123456789n, 0],
    ];
    for (let i = 0; i < 3000; i++) {
      const magnitude = BigInt(rng.int(0, 2_000_000_000)) * BigInt(rng.int(1, 1_000_000));
      cases.push([rng.bool() ? -magnitude : magnitude, rng.int(0, 9)]);
    }
    for (const [atoms, places] of cases) {
      const want = decimalFixed(new Decimal(atoms.toString()).div(1_000_000), places);
      expect(scale.toFixed(atoms, places), `${atoms} to ${places}`).toBe(want);
    }
    expect(scale.toFixed(-4999n, 2)).toBe('0.00');
    expect(() => scale.toFixed(1n, -1)).toThrow(RangeError);
  });

  it('turns atoms into the Decimal that dividing by the scale gives, past Decimal’s precision too', () => {
    const rng = new Rng(21);
    for (const decimals of [0, 2, 18, 28]) {
      const scale = new AtomScale(decimals);
      const factor = new Decimal(10).pow(decimals);
      for (let i = 0; i < 500; i++) {
        // From one digit to 50, so both sides of the 40 significant digits Decimal keeps are covered.
        let text = String(rng.int(1, 9));
        const len = rng.int(0, 49);
        while (text.length <= len) text += String(rng.int(0, 9));
        const atoms = BigInt(rng.bool() ? `-${text}` : text);
        const got = scale.toDecimal(atoms);
        const want = new Decimal(atoms.toString()).div(factor);
        expect(got.eq(want), `${atoms} at ${decimals} decimals`).toBe(true);
        expect(got.toFixed()).toBe(want.toFixed());
      }
    }
  });

  it('rounds digits past the scale half to even, and refuses what is not a plain decimal', () => {
    const scale = new AtomScale(2);
    expect(scale.parse('0.125', 'fee')).toBe(12n);
    expect(scale.parse('0.135', 'fee')).toBe(14n);
    expect(scale.parse('-0.125', 'fee')).toBe(-12n);
    expect(scale.parse('0.1251', 'fee')).toBe(13n);
    expect(() => scale.of(new Decimal('0.001'), 'fee')).toThrow(/fee needs more than 2 decimals/);
    for (const bad of ['', '1e-5', 'NaN', ' 1', '0x10', '1.', '.5']) {
      expect(() => scale.parse(bad, 'fee')).toThrow(/fee must be a plain decimal/);
    }
  });

  it('divides with half-to-even rounding for both signs', () => {
    const cases: [bigint, bigint, bigint][] = [
      [7n, 2n, 4n],
      [5n, 2n, 2n],
      [-5n, 2n, -2n],
      [-7n, 2n, -4n],
      [10n, 3n, 3n],
      [-10n, 3n, -3n],
      [11n, 3n, 4n],
      [0n, 5n, 0n],
    ];
    for (const [n, d, q] of cases) expect(divRoundHalfEven(n, d)).toBe(q);
    const rng = new Rng(4);
    for (let i = 0; i < 2000; i++) {
      const n = BigInt(rng.int(-1_000_000, 1_000_000));
      const d = BigInt(rng.int(1, 999));
      const want = new Decimal(n.toString()).div(d.toString()).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
      expect(divRoundHalfEven(n, d).toString()).toBe(want.toFixed(0));
    }
  });
});
