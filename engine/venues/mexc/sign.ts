import { hmacHex } from '../hmac.ts';
import type { HmacSha256 } from './hmac-sha256.ts';

export { signaturesEqual } from '../bybit/sign.ts';

/**
 * MEXC spot v3 signing (exchange-apis.md B3). The signature is the lowercase hex HMAC-SHA256, keyed
 * by the API secret, of `queryString + body` joined with nothing between them. The venue recomputes
 * it over the text it received, so what is signed must be the very text sent: the adapter builds the
 * query string once, signs it and appends `&signature=…`; the protocol simulator strips that pair
 * from what arrived and signs the rest.
 */
export function signMexc(secret: string, queryString: string, body = ''): string {
  return hmacHex(secret, queryString + body);
}

/** A parameter value as it travels: text, or a number printed by the caller's own rules. */
export type ParamValue = string | number;

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

/**
 * `k=v&k=v` in the order given, every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`)
 * percent-escaped in uppercase hex. The batch endpoint carries a JSON array in one parameter; its
 * braces, quotes, colons and commas must reach the venue escaped exactly as they were signed, and
 * uppercase escapes are what the venue's own check expects (B3). `encodeURIComponent` already prints
 * uppercase hex but leaves `! ' ( ) *` bare, so those are escaped on top.
 */
export function encodeQuery(params: Iterable<readonly [string, ParamValue]>): string {
  const parts: string[] = [];
  for (const [key, value] of params) parts.push(`${escapeComponent(key)}=${escapeComponent(String(value))}`);
  return parts.join('&');
}

export function escapeComponent(text: string): string {
  // Symbols, sides, decimals and ids are unreserved already: left as they are, nothing allocated.
  if (UNRESERVED.test(text)) return text;
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The query string of a signed request: the parameters, then `signature` over exactly that text.
 * Everything goes in the URL and the body stays empty (B3's practical rule: a signature or timestamp
 * in the body has been refused as missing since early 2025).
 */
export function signedQuery(signer: HmacSha256, params: Iterable<readonly [string, ParamValue]>): string {
  const query = encodeQuery(params);
  // The secret's keyed signer (hmac-sha256.ts): the same HMAC as signMexc, cheaper on the order path.
  const signature = signer.hex(query);
  return query === '' ? `signature=${signature}` : `${query}&signature=${signature}`;
}

/**
 * Splits a received query string into the part that was signed and the signature, for the
 * simulator: the `signature` pair is removed wherever it stands, the rest kept byte for byte.
 */
export function splitSignature(queryString: string): { signed: string; signature: string | undefined } {
  const pairs = queryString === '' ? [] : queryString.split('&');
  let signature: string | undefined;
  const rest: string[] = [];
  for (const pair of pairs) {
    if (signature === undefined && pair.startsWith('signature=')) signature = pair.slice('signature='.length);
    else rest.push(pair);
  }
  return { signed: rest.join('&'), signature };
}
