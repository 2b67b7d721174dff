import { describe, expect, it } from 'vitest';
import { hmacHex, signaturesEqual, signRest, signWsAuth } from '../../../../engine/venues/bybit/sign.ts';

/**
 * Bybit's own examples (exchange-apis.md A3) do not publish their secret, so these vectors use a
 * secret of our own and were produced by a second implementation, OpenSSL 3.0:
 *
 *   S='mm-workstation-test-secret-2026'
 *   printf '%s' '1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C' \
 *     | openssl dgst -sha256 -hmac "$S"
 *   printf '%s' '1658385579423XXXXXXXXXX5000{"category": "option"}' | openssl dgst -sha256 -hmac "$S"
 *   printf '%s' '1658384314791XXXXXXXXXX5000' | openssl dgst -sha256 -hmac "$S"
 *   printf '%s' 'GET/realtime1711010121452' | openssl dgst -sha256 -hmac "$S"
 */
const SECRET = 'mm-workstation-test-secret-2026';
const KEY = 'XXXXXXXXXX';
const GET_SIG = 'e9224241fe98f2301b05f884c472e3fcbb1db7d43a15642f4223c972894db736';
const POST_SIG = '597c613197b0c0a590669a9b493d9f9831d466cad8f3a475c9cd103d1f97fcab';
const EMPTY_GET_SIG = '50a1d8f7f85fa69d1dc9d9da5660ae6dcf2994dc4d8b78aa152439bae87b31b9';
const WS_SIG = '7f4f9ad6762af4e49204a014ea8fba404328e9e19d21bea9597a4d8db98d08cb';

describe('Bybit signing', () => {
  it('signs the documented GET string: timestamp + key + recvWindow + query as sent', () => {
    const query = 'category=option&symbol=BTC-29JUL22-25000-C';
    expect(signRest(SECRET, '1658384314791', KEY, '5000', query)).toBe(GET_SIG);
    // The query is signed as sent: reordering it is another signature.
    expect(
      signRest(SECRET, '1658384314791', KEY, '5000', 'symbol=BTC-29JUL22-25000-C&category=option'),
    ).not.toBe(GET_SIG);
  });

  it('signs the documented POST body byte for byte, whitespace included', () => {
    expect(signRest(SECRET, '1658385579423', KEY, '5000', '{"category": "option"}')).toBe(POST_SIG);
    expect(signRest(SECRET, '1658385579423', KEY, '5000', '{"category":"option"}')).not.toBe(POST_SIG);
  });

  it('signs a GET without parameters over an empty tail', () => {
    expect(signRest(SECRET, '1658384314791', KEY, '5000', '')).toBe(EMPTY_GET_SIG);
  });

  it('signs the WS auth as GET/realtime + expires', () => {
    expect(signWsAuth(SECRET, 1711010121452)).toBe(WS_SIG);
    expect(hmacHex(SECRET, 'GET/realtime1711010121452')).toBe(WS_SIG);
    expect(signWsAuth(SECRET, 1711010121453)).not.toBe(WS_SIG);
  });

  it('compares signatures only when equal in length and lowercase hex', () => {
    expect(signaturesEqual(GET_SIG, GET_SIG)).toBe(true);
    expect(signaturesEqual(GET_SIG, POST_SIG)).toBe(false);
    expect(signaturesEqual(GET_SIG, GET_SIG.toUpperCase())).toBe(false);
    expect(signaturesEqual(GET_SIG, GET_SIG.slice(1))).toBe(false);
    expect(signaturesEqual(GET_SIG, '')).toBe(false);
  });
});
