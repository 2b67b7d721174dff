/**
 * Reading the review's packed columns (review-contract.ts `PackedNumbers`, `DecimalColumn`): typed
 * arrays from base64, floats for plotting from decimal text, and the decimal strings themselves,
 * cut out one at a time for the rows on screen. Pure.
 */
import type { DecimalColumn, PackedNumbers } from '../../../engine/api/contract.ts';

/** Chromium 140+ decodes base64 natively; older engines (and some test runtimes) go through atob. */
const fromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64;

function bytesOf(base64: string): Uint8Array {
  if (fromBase64) return fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const BYTES = { u8: 1, i32: 4, f64: 8 } as const;

/** The column as the typed array it was packed from (NaN for null in an `f64` column). */
export function unpackNumbers(column: PackedNumbers): Uint8Array | Int32Array | Float64Array {
  const bytes = bytesOf(column.base64);
  const { kind, length } = column;
  if (bytes.byteLength !== length * BYTES[kind])
    throw new Error(`a packed column of ${String(length)} ${kind} has ${String(bytes.byteLength)} bytes`);
  // A fresh buffer starts at offset 0, so it is aligned for any element size.
  const buffer = bytes.byteOffset === 0 ? bytes.buffer : bytes.slice().buffer;
  if (kind === 'u8') return new Uint8Array(buffer, 0, length);
  if (kind === 'i32') return new Int32Array(buffer, 0, length);
  return new Float64Array(buffer, 0, length);
}

/** The decimals of a column as floats, for drawing; NaN where a row has none. */
export function decimalFloats(column: DecimalColumn, length: number): Float64Array {
  const out = new Float64Array(length);
  if (length === 0) return out;
  const cells = column.split(',');
  for (let i = 0; i < length; i++) {
    const v = cells[i];
    out[i] = v === undefined || v === '' ? NaN : Number(v);
  }
  return out;
}

/**
 * A column's decimal strings by row, cut from the text when asked for (the fills table shows a few
 * dozen rows of a hundred thousand: splitting the text up front would make an object per row).
 */
export class DecimalCells {
  private readonly text: DecimalColumn;
  /** Where row i starts; row i ends one before where row i + 1 starts. */
  private readonly starts: Int32Array;

  constructor(text: DecimalColumn, length: number) {
    this.text = text;
    this.starts = new Int32Array(length + 1);
    let row = 1;
    for (let comma = text.indexOf(','); comma >= 0 && row < length; comma = text.indexOf(',', comma + 1))
      this.starts[row++] = comma + 1;
    // Past the text (and rows a short text lacks): an empty cell.
    for (; row <= length; row++) this.starts[row] = text.length + 1;
  }

  get length(): number {
    return this.starts.length - 1;
  }

  /** Row i's decimal, null where it has none (or there is no row i). */
  at(i: number): string | null {
    if (!(i >= 0 && i < this.length)) return null;
    const cell = this.text.slice(this.starts[i], this.starts[i + 1]! - 1);
    return cell === '' ? null : cell;
  }
}
