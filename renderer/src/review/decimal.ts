/**
 * Exact arithmetic on the engine's decimal strings ("-12.50", "0.001"), and on the plain numbers some
 * statistics are (a Sharpe ratio), for the compare view's differences and the runs table's sorting.
 * A scaled BigInt underneath: no float ever touches a figure that is shown.
 */

/** A decimal as an integer and the count of digits after the point: value = units / 10^scale. */
export interface ScaledDecimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** Far beyond any price or figure; keeps a hostile exponent from building a huge BigInt. */
const MAX_EXPONENT = 400;

/**
 * Parses "12.5", "-0.001", "+3", ".5", "1e-7" (what `String(number)` can print) or a finite number;
 * null for anything else (null, "", "n/a", NaN, Infinity).
 */
export function parseDecimal(value: unknown): ScaledDecimal | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = String(value);
  } else if (typeof value === 'string') text = value.trim();
  else return null;
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign = '', int = '', frac = '', exp] = m;
  if (int === '' && frac === '') return null;
  const e = exp === undefined ? 0 : Number(exp);
  if (Math.abs(e) > MAX_EXPONENT) return null;
  let digits = `${int}${frac}`;
  let scale = frac.length - e;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const magnitude = BigInt(digits === '' ? '0' : digits);
  return { units: sign === '-' ? -magnitude : magnitude, scale };
}

function rescale(d: ScaledDecimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

/** Prints units / 10^scale with exactly `scale` fraction digits and no exponent ("-0.50", "3"). */
export function formatScaled(d: ScaledDecimal): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const int = digits.slice(0, digits.length - d.scale);
  const frac = digits.slice(digits.length - d.scale);
  return `${negative ? '-' : ''}${int}${d.scale > 0 ? `.${frac}` : ''}`;
}

/**
 * a − b, exactly, with as many fraction digits as the more precise operand ("10.50" − "0.125" =
 * "10.375", "1" − "1.00" = "0.00"); null when either is not a number.
 */
export function subtractDecimal(a: unknown, b: unknown): string | null {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  return formatScaled({ units: rescale(x, scale) - rescale(y, scale), scale });
}

/** −1, 0 or 1 as a is below, equal to or above b, exactly; null when either is not a number. */
export function compareDecimal(a: unknown, b: unknown): -1 | 0 | 1 | null {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * `units` whole steps of `step` ("0.1") printed with `decimals` fraction digits, exactly, as the
 * engine prints a price from its ticks or a size from its lots (formatPrice, formatSize): 6500003
 * ticks of 0.1 at 2 decimals is "650000.30". Null when the step is not a decimal or needs more digits.
 */
export function formatSteps(units: number, step: string, decimals: number): string | null {
  const s = parseDecimal(step);
  if (!s || s.scale > decimals || !Number.isSafeInteger(units)) return null;
  return formatScaled({ units: BigInt(units) * rescale(s, decimals), scale: decimals });
}
