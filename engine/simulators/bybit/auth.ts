import type { IncomingHttpHeaders } from 'node:http';
import type { Account } from './account.ts';
import type { Reply } from './wire.ts';
import { fail } from './wire.ts';

/** Finds the account of an API key. */
export type AccountLookup = (apiKey: string) => Account | undefined;

export type Authenticated =
  { readonly ok: true; readonly account: Account } | { readonly ok: false; readonly reply: Reply };

const DEFAULT_RECV_WINDOW = '5000';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The timing rule of A2, shared by REST and the trade stream's per-request header: accept iff
 * `serverTime - recvWindow <= timestamp < serverTime + 1000`, else 10002 in the venue's words.
 */
export function checkTiming(timestamp: string, recvWindow: string, now: number): Reply | undefined {
  if (!/^\d{1,16}$/.test(timestamp))
    return fail(10001, `params error: X-BAPI-TIMESTAMP invalid: ${timestamp}`);
  if (!/^\d{1,9}$/.test(recvWindow) || Number(recvWindow) === 0) {
    return fail(10001, `params error: X-BAPI-RECV-WINDOW invalid: ${recvWindow}`);
  }
  const ts = Number(timestamp);
  const server = Math.floor(now);
  if (server - Number(recvWindow) <= ts && ts < server + 1000) return undefined;
  return fail(
    10002,
    `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${server}],recv_window[${recvWindow}]`,
  );
}

/**
 * Authenticates a private REST request (A2): the headers present, a known key (10003), the timing
 * rule (10002), then the HMAC recomputed over `payload` — the raw query string of a GET or the raw
 * body of a POST, exactly as received — (10004). X-BAPI-SIGN-TYPE is accepted and ignored.
 */
export function authenticateRest(
  lookup: AccountLookup,
  headers: IncomingHttpHeaders,
  payload: string,
  now: number,
): Authenticated {
  const apiKey = header(headers, 'x-bapi-api-key') ?? '';
  const timestamp = header(headers, 'x-bapi-timestamp') ?? '';
  const signature = header(headers, 'x-bapi-sign') ?? '';
  const recvWindow = header(headers, 'x-bapi-recv-window') ?? DEFAULT_RECV_WINDOW;
  if (apiKey === '' || timestamp === '' || signature === '') {
    return {
      ok: false,
      reply: fail(
        10001,
        `empty value: apiTimestamp[${timestamp}] apiKey[${apiKey}] apiSignature[${signature}]: openapi sign params error!`,
      ),
    };
  }
  const account = lookup(apiKey);
  if (account === undefined) {
    return {
      ok: false,
      reply: fail(
        10003,
        'API key is invalid. Check whether the key and domain are matched, there are 4 env: mainnet, testnet, mainnet-demo, testnet-demo',
      ),
    };
  }
  const late = checkTiming(timestamp, recvWindow, now);
  if (late !== undefined) return { ok: false, reply: late };
  if (!account.verifyRest(timestamp, recvWindow, payload, signature)) {
    return {
      ok: false,
      reply: fail(10004, `error sign! origin_string[${timestamp}${apiKey}${recvWindow}${payload}]`),
    };
  }
  return { ok: true, account };
}

export type WsAuthFailure = 'params' | 'key' | 'sign';

/**
 * Checks the args of a WebSocket `auth` op: `[apiKey, expires, signature]` with `expires` a future
 * ms timestamp (a number; a digit string is tolerated) and the signature of `GET/realtime{expires}`.
 */
export function authenticateWs(
  lookup: AccountLookup,
  args: unknown,
  now: number,
): { ok: true; account: Account } | { ok: false; failure: WsAuthFailure } {
  if (!Array.isArray(args) || args.length !== 3) return { ok: false, failure: 'params' };
  const [apiKey, expiresRaw, signature] = args as unknown[];
  const expires =
    typeof expiresRaw === 'number'
      ? expiresRaw
      : typeof expiresRaw === 'string' && /^\d{1,16}$/.test(expiresRaw)
        ? Number(expiresRaw)
        : NaN;
  if (typeof apiKey !== 'string' || typeof signature !== 'string' || !Number.isSafeInteger(expires)) {
    return { ok: false, failure: 'params' };
  }
  if (expires <= now) return { ok: false, failure: 'params' };
  const account = lookup(apiKey);
  if (account === undefined) return { ok: false, failure: 'key' };
  if (!account.verifyWs(expires, signature)) return { ok: false, failure: 'sign' };
  return { ok: true, account };
}
