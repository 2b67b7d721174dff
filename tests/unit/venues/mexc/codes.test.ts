import { describe, expect, it } from 'vitest';
import {
  codeAction,
  MEXC_CODES,
  NO_CREDENTIALS,
  rejectFromAnswer,
  THROTTLED_LOCALLY,
  TRANSPORT_FAILED,
} from '../../../../engine/venues/mexc/codes.ts';
import type { VenueRejectCode } from '../../../../engine/venues/venue.ts';
import { mexcFixture } from './rest-helpers.ts';

/** Every code of exchange-apis.md B5, as the table lists them. */
const B5 = [
  -2011, 26, 400, 401, 403, 429, 500, 503, 504, 602, 10001, 10007, 10072, 10073, 10101, 30000, 30001, 30002,
  30003, 30004, 30005, 30010, 30014, 30021, 30016, 30018, 30019, 30020, 30025, 30026, 30027, 30028, 30029,
  30041, 33333, 44444, 70011, 700001, 700002, 700003, 700004, 700005, 700006, 700007, 700008, 730001, 730002,
];

const errors = mexcFixture('errors.json') as { httpStatus: number; body: { code: number; msg: string } }[];

describe('MEXC error codes', () => {
  it('maps every code of B5, and nothing else', () => {
    for (const code of B5) expect(MEXC_CODES.has(code), `code ${code}`).toBe(true);
    expect([...MEXC_CODES.keys()].sort((a, b) => a - b)).toEqual([...B5].sort((a, b) => a - b));
  });

  it('tells the documented answers as the OMS needs them, keeping the venue’s words', () => {
    const told = errors.map((e) => rejectFromAnswer({ httpStatus: e.httpStatus, ...e.body }));
    expect(told.map((t) => t.code)).toEqual<VenueRejectCode[]>([
      'invalid_order',
      'venue_unavailable',
      'invalid_order',
      'unknown_order',
      'insufficient_funds',
    ]);
    expect(told[0]!.message).toBe(
      "MEXC 700004: Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    );
    expect(told[4]!.message).toBe('MEXC 10101: 资金不足');
  });

  it('classifies what the transport does next', () => {
    expect(codeAction(0)).toBe('ok');
    expect(codeAction(200)).toBe('ok');
    expect(codeAction(700003)).toBe('resync_time');
    expect(codeAction(10073)).toBe('resync_time');
    for (const c of [602, 700001, 700002, 700006, 700007, 10072, NO_CREDENTIALS])
      expect(codeAction(c)).toBe('auth');
    expect(codeAction(429)).toBe('rate_limited');
    expect(codeAction(30004)).toBe('reject');
    expect(codeAction(123456)).toBe('reject');
  });

  it('takes an unknown code as other, with its number and message, without failing', () => {
    expect(rejectFromAnswer({ httpStatus: 400, code: 987654, msg: 'something new' })).toEqual({
      code: 'other',
      message: 'MEXC 987654: something new',
    });
    expect(rejectFromAnswer({ httpStatus: 400, code: 31337, msg: '' }).message).toBe(
      'MEXC 31337: no message',
    );
  });

  it('reads the HTTP status before the code: 429 / 418 rate limited, 5xx unknown outcome', () => {
    expect(rejectFromAnswer({ httpStatus: 429, code: TRANSPORT_FAILED, msg: 'not JSON' }).code).toBe(
      'rate_limited',
    );
    expect(rejectFromAnswer({ httpStatus: 418, code: 30004, msg: 'banned' }).code).toBe('rate_limited');
    expect(rejectFromAnswer({ httpStatus: 503, code: 30004, msg: 'x' }).code).toBe('venue_unavailable');
    const r = rejectFromAnswer({ httpStatus: 502, code: TRANSPORT_FAILED, msg: 'bad gateway page' });
    expect(r).toEqual({ code: 'venue_unavailable', message: 'MEXC: bad gateway page' });
    expect(rejectFromAnswer({ httpStatus: 500, code: 30002, msg: 'm' }).message).toBe(
      'MEXC 30002: m (HTTP 500)',
    );
  });

  it('takes a 403 as the firewall (rate limited) unless it carries a specific API code', () => {
    expect(rejectFromAnswer({ httpStatus: 403, code: TRANSPORT_FAILED, msg: '<html>' }).code).toBe(
      'rate_limited',
    );
    expect(rejectFromAnswer({ httpStatus: 403, code: 403, msg: 'access denied' }).code).toBe('rate_limited');
    expect(rejectFromAnswer({ httpStatus: 403, code: 700007, msg: 'no permission' }).code).toBe('other');
    // As a body code with a plain 400, 403 is a permission refusal.
    expect(rejectFromAnswer({ httpStatus: 400, code: 403, msg: 'access denied' }).code).toBe('other');
  });

  it('tells a transport failure as venue_unavailable and a local throttle as rate_limited', () => {
    expect(rejectFromAnswer({ httpStatus: 0, code: TRANSPORT_FAILED, msg: 'timed out' })).toEqual({
      code: 'venue_unavailable',
      message: 'MEXC: timed out',
    });
    expect(rejectFromAnswer({ httpStatus: 0, code: THROTTLED_LOCALLY, msg: 'wait' }).code).toBe(
      'rate_limited',
    );
    expect(rejectFromAnswer({ httpStatus: 0, code: NO_CREDENTIALS, msg: 'no key' }).code).toBe('other');
  });

  it('does not find prototype members for odd codes', () => {
    expect(rejectFromAnswer({ httpStatus: 400, code: Number.NaN, msg: 'x' }).code).toBe('other');
  });
});
