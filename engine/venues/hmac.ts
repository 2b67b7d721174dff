import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 as both venues sign with it (Bybit v5, MEXC v3): keyed by the API secret, lowercase
 * hex. Used by the adapters, which sign, and the protocol simulators, which recompute a signature
 * over the bytes they received.
 */
export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** Compares two hex signatures in constant time (false for any length or format mismatch). */
export function signaturesEqual(expected: string, given: string): boolean {
  if (expected.length !== given.length || !/^[0-9a-f]*$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'));
}
