import { Decimal, parseDecimal, placePoint } from './decimal.ts';
import { EngineError } from './errors.ts';

/** Integer count of price ticks. A branded number so a lot count cannot be passed where a price is due. */
export type Ticks = number & { readonly __unit: 'ticks' };
/** Integer count of size lots. */
export type Lots = number & { readonly __unit: 'lots' };

export type Side = 'buy' | 'sell';

/**
 * How to bring a price that is not a tick multiple onto the grid. Bids round down and asks round up,
 * so a rounded quote is never more aggressive than the model asked for.
 */
export type Rounding = 'exact' | 'down' | 'up';

export interface InstrumentSpec {
  /** Venue symbol, e.g. "BTCUSDT". */
  symbol: string;
  base: string;
  quote: string;
  /** Price increment as the venue prints it, e.g. "0.10". */
  tickSize: string;
  /** Size increment as the venue prints it, e.g. "0.001". */
  lotSize: string;
  /** Smallest order size, a multiple of lotSize. */
  minSize: string;
  /** Smallest order notional in quote currency ("0" where the venue has none). */
  minNotional: string;
  /** Fee rates as fractions ("0.0001" = 1 bp); a negative maker fee is a rebate. */
  makerFee: string;
  takerFee: string;
}

export interface Instrument {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minLots: Lots;
  readonly minNotional: Decimal;
  /** The minimum notional as whole tick × lot units (rounded up), for exact integer checks on the hot path. */
  readonly minNotionalUnits: number;
  readonly makerFee: Decimal;
  readonly takerFee: Decimal;
  /** Digits after the point needed to print any price / size exactly. */
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  /** The tick and lot as whole numbers of 10^-decimals ("0.25" with 2 decimals is 25), for exact printing. */
  readonly tickScaled: number;
  readonly lotScaled: number;
  /** tickSize x lotSize: the notional of one lot at one tick. */
  readonly unitNotional: Decimal;
  readonly spec: Readonly<InstrumentSpec>;
}

function positiveStep(text: string, what: string): Decimal {
  const d = parseDecimal(text, what);
  if (!d.isPositive() || d.isZero())
    throw new EngineError('invalid_number', `${what} must be positive, got ${text}`);
  return d;
}

/** Builds a validated instrument; every field is checked so a bad config never reaches the hot path. */
export function defineInstrument(spec: InstrumentSpec): Instrument {
  if (!/^[A-Z0-9._-]{1,40}$/i.test(spec.symbol)) {
    throw new EngineError('invalid_input', `symbol ${JSON.stringify(spec.symbol)} is not a valid symbol`);
  }
  const tickSize = positiveStep(spec.tickSize, `${spec.symbol} tickSize`);
  const lotSize = positiveStep(spec.lotSize, `${spec.symbol} lotSize`);
  const minSize = parseDecimal(spec.minSize, `${spec.symbol} minSize`);
  const minNotional = parseDecimal(spec.minNotional, `${spec.symbol} minNotional`);
  if (minNotional.isNegative())
    throw new EngineError('invalid_number', `${spec.symbol} minNotional is negative`);
  const minLots = toUnits(minSize, lotSize, 'up', `${spec.symbol} minSize`) as Lots;
  if (minLots < 1) throw new EngineError('invalid_number', `${spec.symbol} minSize must be at least one lot`);
  const priceDecimals = fractionDigits(spec.tickSize);
  const sizeDecimals = fractionDigits(spec.lotSize);
  return Object.freeze({
    symbol: spec.symbol,
    base: spec.base,
    quote: spec.quote,
    tickSize,
    lotSize,
    minLots,
    minNotional,
    minNotionalUnits: minNotional.div(tickSize.mul(lotSize)).ceil().toNumber(),
    makerFee: parseDecimal(spec.makerFee, `${spec.symbol} makerFee`),
    takerFee: parseDecimal(spec.takerFee, `${spec.symbol} takerFee`),
    // Decimals come from the step as the venue writes it ("0.10" prints prices with two decimals).
    priceDecimals,
    sizeDecimals,
    unitNotional: tickSize.mul(lotSize),
    tickScaled: scaledStep(tickSize, priceDecimals),
    lotScaled: scaledStep(lotSize, sizeDecimals),
    spec: Object.freeze({ ...spec }),
  });
}

function fractionDigits(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

/** The step in units of 10^-decimals; 0 when that is not a safe integer (printing then goes through Decimal). */
function scaledStep(step: Decimal, decimals: number): number {
  const n = step.mul(new Decimal(10).pow(decimals)).toNumber();
  return Number.isSafeInteger(n) ? n : 0;
}

function toUnits(value: Decimal, step: Decimal, rounding: Rounding, what: string): number {
  const ratio = value.div(step);
  let units: Decimal;
  if (ratio.isInteger()) units = ratio;
  else if (rounding === 'down') units = ratio.floor();
  else if (rounding === 'up') units = ratio.ceil();
  else
    throw new EngineError(
      'invalid_number',
      `${what} ${value.toFixed()} is not a multiple of ${step.toFixed()}`,
    );
  const n = units.toNumber();
  if (!Number.isSafeInteger(n))
    throw new EngineError('invalid_number', `${what} ${value.toFixed()} is out of range`);
  return n;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal string ("65000.10") as whole steps of a grid with `decimals` digits and a step of
 * `scaled` units of 10^-decimals, by integer arithmetic on its digits: exact, with no Decimal and no
 * float, for the feeds' hot path (a Decimal parse and division per number was most of the cost of a
 * book frame). Returns -1 for anything it does not take exactly — a sign, an exponent, a stray
 * character, a value off the grid or past 2^53 — so the caller falls back to the Decimal path, which
 * accepts or explains. `start` and `end` read a part of `text` in place (a number inside a frame).
 */
export function stepsFromText(
  text: string,
  decimals: number,
  scaled: number,
  start = 0,
  end = text.length,
): number {
  const n = end - start;
  if (n <= 0 || n > 32 || scaled <= 0 || decimals > 15) return -1;
  let whole = 0;
  let frac = 0;
  let fracDigits = 0;
  let point = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (point >= 0 || i === start || i === end - 1) return -1;
      point = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    if (point < 0) whole = whole * 10 + d;
    else if (fracDigits < decimals) {
      frac = frac * 10 + d;
      fracDigits++;
    } else if (d !== 0) return -1;
  }
  const v = whole * POW10[decimals]! + frac * POW10[decimals - fracDigits]!;
  if (!Number.isSafeInteger(v) || !Number.isSafeInteger(whole * POW10[decimals]!)) return -1;
  const steps = v / scaled;
  return Number.isInteger(steps) ? steps : -1;
}

/**
 * `stepsFromText` on the ASCII bytes of a text inside a binary frame (MEXC's protobuf depth), step for
 * step, so the two agree on every input; a decoder reads prices without building a string. The loop
 * is the same as above on purpose: reading through a shared char-code callback costs a call per byte
 * on the book path. Whole
 * steps of a grid with `decimals` digits and a step of `scaled` units of 10^-decimals, or -1 for a
 * sign, an exponent, a stray or non-ASCII byte, too many digits, a value off the grid or past 2^53.
 */
export function stepsFromBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  decimals: number,
  scaled: number,
): number {
  const n = end - start;
  if (n === 0 || n > 32 || scaled <= 0 || decimals > 15) return -1;
  let whole = 0;
  let frac = 0;
  let fracDigits = 0;
  let point = -1;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 46 /* . */) {
      if (point >= 0 || i === start || i === end - 1) return -1;
      point = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    if (point < 0) whole = whole * 10 + d;
    else if (fracDigits < decimals) {
      frac = frac * 10 + d;
      fracDigits++;
    } else if (d !== 0) return -1;
  }
  const v = whole * POW10[decimals]! + frac * POW10[decimals - fracDigits]!;
  if (!Number.isSafeInteger(v) || !Number.isSafeInteger(whole * POW10[decimals]!)) return -1;
  const steps = v / scaled;
  return Number.isInteger(steps) ? steps : -1;
}

/** Parses a venue price string into ticks. Zero and negative prices cannot be built. */
export function priceToTicks(inst: Instrument, price: string | Decimal, rounding: Rounding = 'exact'): Ticks {
  const d = typeof price === 'string' ? parseDecimal(price, `${inst.symbol} price`) : price;
  if (!d.isFinite()) throw new EngineError('invalid_number', `${inst.symbol} price is not finite`);
  const t = toUnits(d, inst.tickSize, rounding, `${inst.symbol} price`);
  if (t <= 0)
    throw new EngineError('invalid_number', `${inst.symbol} price must be positive, got ${d.toFixed()}`);
  return t as Ticks;
}

/**
 * Parses a size string into lots. `allowZero` is for book levels and deltas, where a zero size
 * means "delete the level"; order sizes are never zero.
 */
export function sizeToLots(
  inst: Instrument,
  size: string | Decimal,
  rounding: Rounding = 'exact',
  allowZero = false,
): Lots {
  const d = typeof size === 'string' ? parseDecimal(size, `${inst.symbol} size`) : size;
  if (!d.isFinite()) throw new EngineError('invalid_number', `${inst.symbol} size is not finite`);
  const l = toUnits(d, inst.lotSize, rounding, `${inst.symbol} size`);
  if (l < 0 || (l === 0 && !allowZero)) {
    throw new EngineError('invalid_number', `${inst.symbol} size must be positive, got ${d.toFixed()}`);
  }
  return l as Lots;
}

/** Checks a tick count computed in the hot path (not parsed) before it leaves the engine. */
export function assertTicks(inst: Instrument, t: number): Ticks {
  if (!Number.isSafeInteger(t) || t <= 0)
    throw new EngineError('invalid_number', `${inst.symbol} price ticks ${t} invalid`);
  return t as Ticks;
}

export function assertLots(inst: Instrument, l: number, allowZero = false): Lots {
  if (!Number.isSafeInteger(l) || l < 0 || (l === 0 && !allowZero)) {
    throw new EngineError('invalid_number', `${inst.symbol} size lots ${l} invalid`);
  }
  return l as Lots;
}

export function ticksToDecimal(inst: Instrument, t: number): Decimal {
  return inst.tickSize.mul(t);
}

export function lotsToDecimal(inst: Instrument, l: number): Decimal {
  return inst.lotSize.mul(l);
}

/** Prints a price exactly with the instrument's decimals, as a venue expects it. */
export function formatPrice(inst: Instrument, t: number): string {
  return formatUnits(t, inst.tickScaled, inst.priceDecimals, inst.tickSize);
}

export function formatSize(inst: Instrument, l: number): string {
  return formatUnits(l, inst.lotScaled, inst.sizeDecimals, inst.lotSize);
}

/**
 * `units` steps printed with `decimals` digits. On the hot path (every order event) this is integer
 * arithmetic on the scaled step and a string split; a product past 2^53 falls back to Decimal.
 */
function formatUnits(units: number, scaled: number, decimals: number, step: Decimal): string {
  const v = units * scaled;
  if (scaled === 0 || !Number.isSafeInteger(v)) return step.mul(units).toFixed(decimals);
  return v < 0 ? `-${placePoint(String(-v), decimals, false)}` : placePoint(String(v), decimals, false);
}

/** True when `lots` at `ticks` falls short of the venue's minimum notional (exact, integer arithmetic). */
export function belowMinNotional(inst: Instrument, t: number, l: number): boolean {
  return t * l < inst.minNotionalUnits;
}

/** Notional of `lots` at `ticks` in quote currency, exact: one Decimal product on the hot path. */
export function notional(inst: Instrument, t: number, l: number): Decimal {
  return inst.unitNotional.mul(ticksTimesLots(t, l));
}

/** ticks x lots as a number when that is exact (the usual case), else as a Decimal. */
function ticksTimesLots(t: number, l: number): number | Decimal {
  const n = t * l;
  return Number.isSafeInteger(n) ? n : new Decimal(t).mul(l);
}

export function oppositeSide(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}
