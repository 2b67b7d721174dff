import type { IncomingHttpHeaders } from 'node:http';
import { hmacHex, signaturesEqual } from '../../venues/hmac.ts';
import type { Reply } from './wire.ts';
import { fail, missing } from './wire.ts';

/** What authentication needs of an account: its key, and a check of a signature (the secret stays inside). */
export interface Signer {
  readonly apiKey: string;
  verify(totalParams: string, signature: string): boolean;
}

export type Authenticated<A> =
  { readonly ok: true; readonly account: A } | { readonly ok: false; readonly reply: Reply };

const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60_000;
/** What an API key may look like here: the venue's keys are short alphanumeric strings. */
const KEY_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;

/** `lowercase hex(HMAC_SHA256(secret, totalParams))` (B3). */
export function signMexc(secret: string, totalParams: string): string {
  return hmacHex(secret, totalParams);
}

export function verifyMexc(secret: string, totalParams: string, signature: string): boolean {
  return signaturesEqual(signMexc(secret, totalParams), signature);
}

/**
 * A query string or form body with its `signature` pair taken out, every other byte as received. The
 * venue signs `queryString + requestBody` exactly as transmitted (B3), so nothing is decoded or
 * re-encoded; a client's percent-escapes stay as it sent them.
 */
export function withoutSignature(raw: string): string {
  if (raw === '') return raw;
  return raw
    .split('&')
    .filter((pair) => pair.slice(0, pair.includes('=') ? pair.indexOf('=') : pair.length) !== 'signature')
    .join('&');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface SignedRequest {
  readonly headers: IncomingHttpHeaders;
  /** The signed text: `queryString + requestBody` as received, each without a signature pair (B3). */
  readonly totalParams: string;
  /** The request's parameters (query first). */
  readonly params: Readonly<Record<string, string>>;
  readonly now: number;
}

/**
 * Authenticates a SIGNED request (B3, B10.1), in this order: the X-MEXC-APIKEY header (absent: 400
 * "api key required"; not key-shaped: 700001; unknown: 10072), the `signature` and `timestamp`
 * parameters (700004), recvWindow (default 5000, above 60000: 700005), the timing rule
 * `timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow` (700003), then the HMAC over
 * the query string plus the body, each without its signature pair, joined with no separator (700002).
 */
export function authenticate<A extends Signer>(
  lookup: (apiKey: string) => A | undefined,
  request: SignedRequest,
): Authenticated<A> {
  const refuse = (reply: Reply): Authenticated<A> => ({ ok: false, reply });
  const apiKey = header(request.headers, 'x-mexc-apikey');
  if (apiKey === undefined || apiKey === '') return refuse(fail(400, 'api key required'));
  if (!KEY_FORMAT.test(apiKey)) return refuse(fail(700001, 'API-key format invalid.'));
  const account = lookup(apiKey);
  if (account === undefined) return refuse(fail(10072, 'Api key info invalid'));
  const { params } = request;
  const signature = params['signature'];
  if (signature === undefined || signature === '') {
    return refuse(
      fail(700004, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."),
    );
  }
  const timestamp = params['timestamp'];
  if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp)) return refuse(missing('timestamp'));
  const windowText = params['recvWindow'];
  let recvWindow = DEFAULT_RECV_WINDOW;
  if (windowText !== undefined && windowText !== '') {
    if (!/^\d{1,12}$/.test(windowText)) return refuse(missing('recvWindow'));
    recvWindow = Number(windowText);
    if (recvWindow > MAX_RECV_WINDOW) return refuse(fail(700005, 'recvWindow must less than 60000'));
  }
  const ts = Number(timestamp);
  const server = Math.floor(request.now);
  if (!(ts < server + 1000 && server - ts <= recvWindow)) {
    return refuse(fail(700003, 'Timestamp for this request is outside of the recvWindow.'));
  }
  if (!account.verify(request.totalParams, signature))
    return refuse(fail(700002, 'Signature for this request is not valid.'));
  return { ok: true, account };
}
