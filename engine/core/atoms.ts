import { Decimal, parseDecimal, placePoint } from './decimal.ts';
import { EngineError } from './errors.ts';

/**
 * Money as whole atoms of 10^-decimals in BigInt. Exact like Decimal and without overflow, and
 * several times cheaper per operation, for the per-execution paths (the simulator's ledger, the
 * portfolio). Decimal is used only where amounts come in or go out.
 */
export class AtomScale {
  readonly decimals: number;
  private readonly factor: Decimal;
  /** 10^k as BigInt for k = 0..decimals. */
  private readonly powers: bigint[] = [];

  constructor(decimals: number) {
    if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > 60)
      throw new RangeError('atom decimals must be a whole number from 0 to 60');
    this.decimals = decimals;
    this.factor = new Decimal(10).pow(decimals);
    for (let k = 0; k <= decimals; k++) this.powers.push(10n ** BigInt(k));
  }

  /** An exact amount in atoms; a clear error if it has more decimals than the scale keeps. */
  of(amount: Decimal, what: string): bigint {
    const scaled = amount.mul(this.factor);
    if (!scaled.isInteger())
      throw new EngineError('invalid_number', `${what} needs more than ${this.decimals} decimals`);
    return BigInt(scaled.toFixed(0));
  }

  /** An amount in atoms, rounded half to even where it has more decimals than the scale keeps. */
  ofRounded(amount: Decimal): bigint {
    return BigInt(amount.mul(this.factor).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
  }

  /**
   * Parses a plain decimal string ("-0.0012") straight into atoms, without building a Decimal when it
   * fits the scale (the usual case: a fee on every execution). Digits past the scale are rounded half
   * to even; anything that is not a plain decimal is refused with a clear error.
   */
  parse(text: string, what: string): bigint {
    // Fast path: up to 15 digits fit a double exactly, so the digits are read as a number and
    // scaled by a power of ten; anything else takes the general path below.
    const n = text.length;
    let i = text.charCodeAt(0) === 45 ? 1 : 0;
    let acc = 0;
    let digits = 0;
    let fracLen = -1;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        acc = acc * 10 + (c - 48);
        digits++;
        if (fracLen >= 0) fracLen++;
      } else if (c === 46 && fracLen < 0 && digits > 0 && i < n - 1) {
        fracLen = 0;
      } else break;
    }
    if (i === n && digits > 0 && digits <= 15 && fracLen <= this.decimals) {
      const atoms = BigInt(acc) * this.powers[this.decimals - Math.max(0, fracLen)]!;
      return text.charCodeAt(0) === 45 ? -atoms : atoms;
    }
    return this.parseSlow(text, what);
  }

  private parseSlow(text: string, what: string): bigint {
    const d = PLAIN.exec(text);
    if (d === null) return this.ofRounded(parseDecimal(text, what));
    const frac = d[3] ?? '';
    if (frac.length > this.decimals) return this.ofRounded(parseDecimal(text, what));
    const atoms = BigInt(d[2]! + frac.padEnd(this.decimals, '0'));
    return d[1] === '-' ? -atoms : atoms;
  }

  toDecimal(atoms: bigint): Decimal {
    const digits = atoms.toString();
    // Within Decimal's precision, reading the digits with the point placed is exact and the same value
    // the division gives, without decimal.js's long division (the guard's equity, many times a second).
    if (digits.length <= PRECISION) return new Decimal(this.format(atoms));
    return new Decimal(digits).div(this.factor);
  }

  /**
   * Atoms printed with exactly `places` decimals, rounded half to even as the engine's Decimal
   * rounds, and never "-0.00": what Decimal's toDecimalPlaces(places) then toFixed(places) prints,
   * without a Decimal (the state snapshot prints every PnL figure 25 times a second).
   */
  toFixed(atoms: bigint, places: number): string {
    if (!Number.isSafeInteger(places) || places < 0)
      throw new RangeError('places must be a whole number ≥ 0');
    let scaled: bigint;
    if (places >= this.decimals) scaled = atoms * 10n ** BigInt(places - this.decimals);
    else scaled = divRoundHalfEven(atoms, this.powers[this.decimals - places]!);
    return scaled < 0n
      ? `-${placePoint((-scaled).toString(), places, false)}`
      : placePoint(scaled.toString(), places, false);
  }

  /** Atoms printed as a plain decimal without trailing zeros, as Decimal's toFixed() prints it. */
  format(atoms: bigint): string {
    return atoms < 0n
      ? `-${placePoint((-atoms).toString(), this.decimals, true)}`
      : placePoint(atoms.toString(), this.decimals, true);
  }
}

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;
/** Significant digits Decimal keeps (engine/core/decimal.ts). */
const PRECISION = Decimal.precision;

/** n / d rounded half to even (d > 0). */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d || (twice === d && (q & 1n) !== 0n)) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** ticks x lots as a BigInt, through a plain number when that product is exact (the usual case). */
export function ticksTimesLotsBig(ticks: number, lots: number): bigint {
  const n = ticks * lots;
  return Number.isSafeInteger(n) ? BigInt(n) : BigInt(ticks) * BigInt(lots);
}
