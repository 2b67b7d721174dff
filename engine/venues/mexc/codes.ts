import type { VenueRejectCode } from '../venue.ts';

/**
 * MEXC spot v3 error codes (exchange-apis.md B4, B5). As for Bybit, two questions are kept apart:
 * what the transport does next (`codeAction`: resync the clock, stop for credentials, wait) and what
 * an order request's caller is told (`rejectFromAnswer`: a VenueRejectCode). MEXC answers errors
 * with an HTTP 4xx and `{code, msg}`, and the HTTP status says things the code does not: 429 / 418
 * (rate limit, IP ban), 403 (the web application firewall), 5xx (the outcome is unknown).
 */
export type CodeAction = 'ok' | 'resync_time' | 'auth' | 'rate_limited' | 'reject';

/** Codes of our own for answers the venue never gave (MEXC's own negative codes are Binance-style, ≤ -1000). */
export const TRANSPORT_FAILED = -1;
export const THROTTLED_LOCALLY = -2;
export const NO_CREDENTIALS = -3;

// Key missing, key or signature invalid, IP not whitelisted, key or endpoint without permission.
const AUTH = new Set([400, 401, 403, 602, 10072, 700001, 700002, 700006, 700007]);

export function codeAction(code: number): CodeAction {
  if (code === 0 || code === 200) return 'ok';
  // 10073 is the header-signed (v2 / contract) dialect of the same timing check as 700003.
  if (code === 700003 || code === 10073) return 'resync_time';
  if (AUTH.has(code) || code === NO_CREDENTIALS) return 'auth';
  if (code === 429 || code === THROTTLED_LOCALLY) return 'rate_limited';
  return 'reject';
}

/**
 * Every code of B5 with the closest VenueRejectCode. Exported so tests (and the protocol simulator)
 * can walk the whole table.
 *
 * Choices worth knowing:
 * - Credential and permission failures (400-403 as body codes, 602, 10072, 700001/2/6/7, 30020,
 *   70011) are `other`: the order is certainly not placed, and the transport acts on `codeAction`.
 * - 700003 / 10073 (timestamp outside the recv window) certainly did not act, but the cause is our
 *   clock, which the client resyncs; like Bybit's 10002 it is told as `venue_unavailable` rather
 *   than as a verdict on the order.
 * - 500 / 503 / 504 as body codes mean the same as the HTTP statuses: the venue may have acted.
 * - The symbol's state (10007, 30000, 30014, 30016, 30021) and the size checks (30002, 30003) are
 *   `invalid_order`; market orders switched off (30018, 30019) and 30041 are `unsupported`.
 * - 30004 and 30005 (not enough of the coin to sell) and 10101 are `insufficient_funds`.
 * - 30025 (no opposite order for a market order) is `no_liquidity`; 30010 (no valid trade price) is
 *   `invalid_order`, as ccxt reads it: it is a price check, not an empty book.
 * - 30026 (invalid order ids) is `invalid_order`, not `unknown_order`: the id may be malformed
 *   rather than the order gone, and `unknown_order` would let the OMS take the order as ended.
 * - 30027 / 30028 / 30029 (position limit, risk control, the 500 open orders cap) are `other`:
 *   waiting does not clear them and the order itself is not at fault.
 */
export const MEXC_CODES: ReadonlyMap<number, VenueRejectCode> = new Map<number, VenueRejectCode>([
  [-2011, 'unknown_order'],
  [26, 'other'],
  [400, 'other'],
  [401, 'other'],
  [403, 'other'],
  [429, 'rate_limited'],
  [500, 'venue_unavailable'],
  [503, 'venue_unavailable'],
  [504, 'venue_unavailable'],
  [602, 'other'],
  [10001, 'other'],
  [10007, 'invalid_order'],
  [10072, 'other'],
  [10073, 'venue_unavailable'],
  [10101, 'insufficient_funds'],
  [30000, 'invalid_order'],
  [30001, 'invalid_order'],
  [30002, 'invalid_order'],
  [30003, 'invalid_order'],
  [30004, 'insufficient_funds'],
  [30005, 'insufficient_funds'],
  [30010, 'invalid_order'],
  [30014, 'invalid_order'],
  [30016, 'invalid_order'],
  [30018, 'unsupported'],
  [30019, 'unsupported'],
  [30020, 'other'],
  [30021, 'invalid_order'],
  [30025, 'no_liquidity'],
  [30026, 'invalid_order'],
  [30027, 'other'],
  [30028, 'other'],
  [30029, 'other'],
  [30041, 'unsupported'],
  [33333, 'invalid_order'],
  [44444, 'invalid_order'],
  [70011, 'other'],
  [700001, 'other'],
  [700002, 'other'],
  [700003, 'venue_unavailable'],
  [700004, 'invalid_order'],
  [700005, 'invalid_order'],
  [700006, 'other'],
  [700007, 'other'],
  [700008, 'invalid_order'],
  [730001, 'invalid_order'],
  [730002, 'invalid_order'],
]);

/** What an answer that is not a success carries (the REST client's refusal). */
export interface Refusal {
  /** 0 when no HTTP answer came at all. */
  readonly httpStatus: number;
  /** MEXC's code, or one of ours (TRANSPORT_FAILED, THROTTLED_LOCALLY, NO_CREDENTIALS). */
  readonly code: number;
  readonly msg: string;
}

/**
 * The reject an order request resolves with. The HTTP status is read before the code:
 * - 429 and 418 are the rate limit and the IP ban, whatever the body says;
 * - 403 is the web application firewall (B4). Its page is not the API's JSON, and nothing about the
 *   order is wrong: the caller should slow down, so it is `rate_limited`, and the limiter holds every
 *   request for a while. A 403 that does carry one of the API's specific codes (say 700007, no
 *   permission) is told by that code instead;
 * - 5xx, a timeout, a dropped connection or a body that is not JSON leave the outcome unknown
 *   (the order may exist): `venue_unavailable`, and the OMS reconciles before trying again.
 * The venue's number and words stay in the message; an unknown code is `other`, with its number.
 */
export function rejectFromAnswer(answer: Refusal): { code: VenueRejectCode; message: string } {
  const text = typeof answer.msg === 'string' && answer.msg.length > 0 ? answer.msg : 'no message';
  const message =
    answer.code < 0 ? `MEXC: ${text}` : `MEXC ${answer.code}: ${text}${httpNote(answer.httpStatus)}`;
  return { code: rejectCode(answer), message };
}

function rejectCode(answer: Refusal): VenueRejectCode {
  if (answer.code === THROTTLED_LOCALLY) return 'rate_limited';
  if (answer.code === NO_CREDENTIALS) return 'other';
  const status = answer.httpStatus;
  if (status === 429 || status === 418) return 'rate_limited';
  if (status === 403 && !specific(answer.code)) return 'rate_limited';
  if (status >= 500) return 'venue_unavailable';
  if (answer.code === TRANSPORT_FAILED) return 'venue_unavailable';
  return MEXC_CODES.get(answer.code) ?? 'other';
}

/** A code that says more than the HTTP status it came with. */
function specific(code: number): boolean {
  return code > 0 && code !== 403 && MEXC_CODES.has(code);
}

function httpNote(status: number): string {
  return status === 0 || (status >= 200 && status < 300) || status === 400 ? '' : ` (HTTP ${status})`;
}
