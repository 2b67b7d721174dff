import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../../../engine/venues/mexc/hmac-sha256.ts';
import {
  encodeQuery,
  escapeComponent,
  signaturesEqual,
  signedQuery,
  signMexc,
  splitSignature,
} from '../../../../engine/venues/mexc/sign.ts';

/**
 * The docs' own example (exchange-apis.md B3): key mx0aBYs33eIilxBWC5, secret below. Examples 2 and 3
 * print correct signatures; example 1's printed value (323c96ab…a117) is not the HMAC of its string
 * (recomputed with OpenSSL: it equals example 2's).
 */
const SECRET = '45d0b3c26f2644f19bfb98b07741b2f5';
const PARAMS =
  'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087';
const EX2 = 'fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a';
const EX3 = 'd1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592';
const DOC_EX1 = '323c96ab85a745712e95e63cad28903dd8292e4a905e99c4ee3932023843a117';
/** The adapter's keyed signer for SECRET. */
const SIGNER = new HmacSha256(SECRET);

describe('MEXC signing', () => {
  it('signs example 2 (everything in the query string)', () => {
    expect(signMexc(SECRET, PARAMS)).toBe(EX2);
  });

  it('signs example 1 (everything in the body) to the same value, not the doc’s printed one', () => {
    expect(signMexc(SECRET, '', PARAMS)).toBe(EX2);
    expect(signMexc(SECRET, '', PARAMS)).not.toBe(DOC_EX1);
  });

  it('signs example 3: query and body joined with no separator', () => {
    const query = 'symbol=BTCUSDT&side=BUY&type=LIMIT';
    const body = 'quantity=1&price=11&recvWindow=5000&timestamp=1644489390087';
    expect(signMexc(SECRET, query, body)).toBe(EX3);
    // With an '&' between them it is another signature.
    expect(signMexc(SECRET, `${query}&`, body)).toBe(EX2);
    expect(signMexc(SECRET, `${query}&`, body)).not.toBe(EX3);
  });

  it('builds the query in the given order and appends the signature over exactly that text', () => {
    const q = signedQuery(SIGNER, [
      ['symbol', 'BTCUSDT'],
      ['side', 'BUY'],
      ['type', 'LIMIT'],
      ['quantity', '1'],
      ['price', '11'],
      ['recvWindow', 5000],
      ['timestamp', 1644489390087],
    ]);
    expect(q).toBe(`${PARAMS}&signature=${EX2}`);
    expect(splitSignature(q)).toEqual({ signed: PARAMS, signature: EX2 });
  });

  it('signs a request without parameters over the empty string', () => {
    const q = signedQuery(SIGNER, []);
    expect(q).toBe(`signature=${signMexc(SECRET, '')}`);
    expect(splitSignature(q).signed).toBe('');
  });

  it('percent-escapes batch JSON in uppercase, RFC 3986 style, and signs the escaped text', () => {
    const json = JSON.stringify([{ symbol: 'BTCUSDT', price: '40000', newClientOrderId: "a b!'()*~" }]);
    const q = encodeQuery([['batchOrders', json]]);
    expect(q).toBe(
      'batchOrders=%5B%7B%22symbol%22%3A%22BTCUSDT%22%2C%22price%22%3A%2240000%22%2C%22newClientOrderId%22%3A%22a%20b%21%27%28%29%2A~%22%7D%5D',
    );
    expect(q).not.toMatch(/%[0-9A-F]?[a-f]/);
    expect(decodeURIComponent(q.slice('batchOrders='.length))).toBe(json);
    const signed = signedQuery(SIGNER, [['batchOrders', json]]);
    expect(splitSignature(signed).signature).toBe(signMexc(SECRET, q));
    expect(escapeComponent('é,')).toBe('%C3%A9%2C');
  });

  it('compares signatures in constant time, refusing other lengths and non-hex', () => {
    expect(signaturesEqual(EX2, EX2)).toBe(true);
    expect(signaturesEqual(EX2, EX3)).toBe(false);
    expect(signaturesEqual(EX2, EX2.slice(1))).toBe(false);
    expect(signaturesEqual(EX2, EX2.toUpperCase())).toBe(false);
  });

  it('finds the signature wherever it stands in what arrived', () => {
    expect(splitSignature(`signature=abc&${PARAMS}`)).toEqual({ signed: PARAMS, signature: 'abc' });
    expect(splitSignature(PARAMS)).toEqual({ signed: PARAMS, signature: undefined });
  });
});
