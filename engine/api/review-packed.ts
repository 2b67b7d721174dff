/**
 * Packing a run's number columns for the review's wire format (review-contract.ts `PackedNumbers`).
 * Runs on the worker that builds a run's page, so the host's thread only copies the strings.
 */
import type { PackedNumbers } from './review-contract.ts';

/** The narrowest kind that holds every value exactly (null only fits `f64`, as NaN). */
function kindFor(values: ArrayLike<number | null>): PackedNumbers['kind'] {
  let kind: PackedNumbers['kind'] = 'u8';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (v | 0) !== v) return 'f64';
    if (kind === 'u8' && (v < 0 || v > 255)) kind = 'i32';
  }
  return kind;
}

/** Numbers as the bytes of a typed array in base64; null as NaN. */
export function packNumbers(values: ArrayLike<number | null>): PackedNumbers {
  const kind = kindFor(values);
  const n = values.length;
  const typed = kind === 'u8' ? new Uint8Array(n) : kind === 'i32' ? new Int32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) typed[i] = values[i] ?? NaN;
  const bytes = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  return { kind, length: n, base64: bytes.toString('base64') };
}
