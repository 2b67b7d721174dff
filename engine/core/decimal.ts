import { Decimal as DecimalJs } from 'decimal.js';
import { EngineError } from './errors.ts';

/**
 * The engine's one Decimal constructor for money (notional, fees, PnL, balances).
 * 40 significant digits keeps every product of a price and a size exact for the venues we trade:
 * prices and sizes each carry at most ~18 significant digits, so a product needs at most ~36.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

const DECIMAL_RE = /^-?(?:\d+)(?:\.\d+)?$/;

/**
 * Parses a plain decimal string exactly ("0.001", "-12.5"). Exponents, blanks, NaN, infinities and
 * anything a venue would never send are refused with a clear error instead of becoming a number.
 */
export function parseDecimal(text: string, what = 'value'): Decimal {
  if (typeof text !== 'string' || !DECIMAL_RE.test(text)) {
    throw new EngineError(
      'invalid_number',
      `${what} must be a plain decimal string, got ${JSON.stringify(text)}`,
    );
  }
  return new Decimal(text);
}

/**
 * An unsigned digit string with a decimal point `decimals` places from the right ("5", 3 -> "0.005").
 * With `trim`, trailing zeros of the fraction (and a bare point) are dropped, as Decimal's toFixed()
 * prints. Used by the integer printers of prices, sizes and atoms.
 */
export function placePoint(digits: string, decimals: number, trim: boolean): string {
  if (decimals === 0) return digits;
  const padded = digits.length <= decimals ? '0'.repeat(decimals - digits.length + 1) + digits : digits;
  const cut = padded.length - decimals;
  let end = padded.length;
  if (trim) while (end > cut && padded.charCodeAt(end - 1) === 48) end--;
  return end > cut ? `${padded.slice(0, cut)}.${padded.slice(cut, end)}` : padded.slice(0, cut);
}
