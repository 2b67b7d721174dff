import type { z } from 'zod';
import { parseDecimal, type Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import {
  assertLots,
  assertTicks,
  formatPrice,
  formatSize,
  priceToTicks,
  sizeToLots,
  stepsFromText,
  type Instrument,
  type Lots,
  type Ticks,
} from '../core/instrument.ts';

/**
 * Venues (Bybit, MEXC) send every price, size and amount as a decimal string. These convert them to the engine's
 * integer ticks and lots (and back) exactly, through Decimal, never through a float: a float would
 * turn "0.3" into 0.29999… and a price would land one tick off. Parsing is strict: a value off the
 * instrument's grid is an error, not something to round, because it means the instrument is stale or
 * the message belongs to another symbol.
 */

/** A price for an order request, printed with the instrument's decimals ("65000.10"). */
export function priceToWire(inst: Instrument, ticks: Ticks): string {
  return formatPrice(inst, assertTicks(inst, ticks));
}

/** A size for an order request; always at least one lot. */
export function sizeToWire(inst: Instrument, lots: Lots): string {
  return formatSize(inst, assertLots(inst, lots));
}

/** A price the venue sent: positive, plain, on the tick grid. */
export function priceFromWire(inst: Instrument, text: string): Ticks {
  const fast = stepsFromText(text, inst.priceDecimals, inst.tickScaled);
  if (fast > 0) return fast as Ticks;
  refuseSign(text, `${inst.symbol} price`);
  return priceToTicks(inst, parseDecimal(text, `${inst.symbol} price`));
}

/**
 * A size the venue sent, on the lot grid. Zero is refused unless `allowZero`: a book level of "0"
 * deletes it and a cumulative filled quantity starts at "0", but an order's size never is zero.
 */
export function sizeFromWire(inst: Instrument, text: string, allowZero = false): Lots {
  const fast = stepsFromText(text, inst.sizeDecimals, inst.lotScaled);
  if (fast > 0 || (fast === 0 && allowZero)) return fast as Lots;
  refuseSign(text, `${inst.symbol} size`);
  return sizeToLots(inst, parseDecimal(text, `${inst.symbol} size`), 'exact', allowZero);
}

/** A money amount (fee, balance, funding), signed, exact; `what` names the field for the error. */
export function decimalFromWire(text: string, what: string): Decimal {
  return parseDecimal(text, what);
}

/** An amount as a canonical exact decimal string ("0.0100" → "0.01"), for fields that cross as text. */
export function amountFromWire(text: string, what: string): string {
  return parseDecimal(text, what).toFixed();
}

const MS_RE = /^\d{1,16}$/;

/**
 * A venue timestamp in ms. Venues write them as strings ("1672364262457") or numbers (Bybit's frame
 * `ts`, MEXC's `serverTime`); both are accepted, nothing else.
 */
export function msFromWire(value: unknown, what: string): number {
  const n = typeof value === 'string' && MS_RE.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new EngineError('invalid_number', `${what} must be a millisecond timestamp, got ${show(value)}`);
  }
  return n;
}

// "-0" and "-0.000" pass a plain-decimal check and would become a zero; a venue price or size is never
// signed, so any sign is refused by name before parsing.
function refuseSign(text: string, what: string): void {
  if (typeof text === 'string' && text.startsWith('-')) {
    throw new EngineError('invalid_number', `${what} must not be negative, got ${JSON.stringify(text)}`);
  }
}

function show(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}

/** `value` checked against a zod schema; the first problem names its field ("Bybit order BTCUSDT qty: …"). */
export function checkShape<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
  throw new EngineError('invalid_input', `${where} ${path}: ${issue?.message ?? 'invalid'}`);
}

/** Runs a conversion, prefixing its error with the message and field it came from. */
export function inField<T>(where: string, field: string, convert: () => T): T {
  try {
    return convert();
  } catch (err) {
    const code = err instanceof EngineError ? err.code : 'invalid_input';
    throw new EngineError(code, `${where} ${field}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Throws `invalid_input` unless `ok`; keeps the parsers' many small checks to one line each. */
export function ensure(ok: boolean, where: string, problem: string): asserts ok {
  if (!ok) throw new EngineError('invalid_input', `${where}: ${problem}`);
}
