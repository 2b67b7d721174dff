import { describe, expect, it } from 'vitest';
import {
  CANCEL_TYPES,
  REJECT_REASONS,
  RET_CODES,
  reasonFromCancelType,
  rejectFromReason,
  rejectFromRetCode,
  retCodeAction,
} from '../../../../engine/venues/bybit/codes.ts';
import { parseEnvelope } from '../../../../engine/venues/bybit/messages.ts';
import { fixture } from './helpers.ts';

/** Every code of exchange-apis.md A5 (the REST table and the WS order-entry list), with its class. */
const A5: Record<number, string> = {
  10001: 'invalid_order',
  10002: 'venue_unavailable',
  10003: 'other',
  10004: 'other',
  10005: 'other',
  10006: 'rate_limited',
  10007: 'other',
  10010: 'other',
  10014: 'duplicate_client_id',
  10016: 'venue_unavailable',
  10017: 'unsupported',
  10027: 'other',
  10029: 'invalid_order',
  110001: 'unknown_order',
  110003: 'invalid_order',
  110004: 'insufficient_funds',
  110007: 'insufficient_funds',
  110008: 'unknown_order',
  110010: 'unknown_order',
  110012: 'insufficient_funds',
  110017: 'invalid_order',
  110020: 'invalid_order',
  110072: 'duplicate_client_id',
  110079: 'venue_unavailable',
  110094: 'invalid_order',
  170131: 'insufficient_funds',
  170134: 'invalid_order',
  170137: 'invalid_order',
  170136: 'invalid_order',
  170140: 'invalid_order',
  170141: 'duplicate_client_id',
  170139: 'unknown_order',
  170142: 'unknown_order',
  170213: 'unknown_order',
  170217: 'post_only_would_take',
  170218: 'post_only_would_take',
  170810: 'invalid_order',
  // WS order entry
  10403: 'rate_limited',
  10404: 'unsupported',
  10429: 'rate_limited',
  20003: 'rate_limited',
  20006: 'other',
  10019: 'venue_unavailable',
  20001: 'other',
};

describe('Bybit retCode actions', () => {
  it('sorts codes into what the transport does next', () => {
    expect(retCodeAction(0)).toBe('ok');
    expect(retCodeAction(10002)).toBe('resync_time');
    for (const c of [10003, 10004, 10005, 10007, 10010]) expect(retCodeAction(c)).toBe('auth');
    for (const c of [10006, 10403, 10429, 20003]) expect(retCodeAction(c)).toBe('rate_limited');
    for (const c of [10016, 10019, 110079]) expect(retCodeAction(c)).toBe('retry');
    for (const c of [10001, 110007, 170213, 170218, 20006, 999999, -1])
      expect(retCodeAction(c)).toBe('reject');
  });
});

describe('Bybit retCode rejects', () => {
  it('maps every A5 code, and the table holds exactly those', () => {
    for (const [code, expected] of Object.entries(A5)) {
      const r = rejectFromRetCode(Number(code), 'venue words');
      expect({ code, reject: r.code }).toEqual({ code, reject: expected });
      expect(r.message).toBe(`Bybit ${code}: venue words`);
    }
    expect([...RET_CODES.keys()].sort()).toEqual(Object.keys(A5).map(Number).sort());
  });

  it('keeps the venue message and number, as in the documented 110007 body', () => {
    const body = parseEnvelope((fixture('errors.json') as unknown[])[0]);
    expect(rejectFromRetCode(body.retCode, body.retMsg)).toEqual({
      code: 'insufficient_funds',
      message: 'Bybit 110007: ab not enough for new order',
    });
  });

  it('maps each documented error body, never throwing', () => {
    const codes = (fixture('errors.json') as unknown[]).map((b) => {
      const env = parseEnvelope(b);
      return [env.retCode, rejectFromRetCode(env.retCode, env.retMsg).code, retCodeAction(env.retCode)];
    });
    expect(codes).toEqual([
      [110007, 'insufficient_funds', 'reject'],
      [10002, 'venue_unavailable', 'resync_time'],
      [10004, 'other', 'auth'],
      [10006, 'rate_limited', 'rate_limited'],
      [10016, 'venue_unavailable', 'retry'],
      [170131, 'insufficient_funds', 'reject'],
    ]);
  });

  it('turns an unknown code into other with its number, and an empty message into words', () => {
    expect(rejectFromRetCode(123456, 'something new')).toEqual({
      code: 'other',
      message: 'Bybit 123456: something new',
    });
    expect(rejectFromRetCode(110007, '')).toEqual({
      code: 'insufficient_funds',
      message: 'Bybit 110007: no message',
    });
  });
});

describe('Bybit order reject reasons', () => {
  it('maps the documented reasons', () => {
    expect(rejectFromReason('EC_PostOnlyWillTakeLiquidity')).toBe('post_only_would_take');
    expect(rejectFromReason('EC_DuplicatedClOrdID')).toBe('duplicate_client_id');
    expect(rejectFromReason('EC_OrderNotExist')).toBe('unknown_order');
    expect(rejectFromReason('EC_OrigClOrdIDDoesNotExist')).toBe('unknown_order');
    expect(rejectFromReason('EC_BySelfMatch')).toBe('self_trade');
    expect(rejectFromReason('EC_NoImmediateQtyToFill')).toBe('no_liquidity');
    expect(rejectFromReason('EC_NoEnoughQtyToFill')).toBe('no_liquidity');
    expect(rejectFromReason('EC_MarketOrderCannotBePostOnly')).toBe('invalid_order');
    expect(rejectFromReason('EC_ReachRiskPriceLimit')).toBe('invalid_order');
  });

  it('has no reason for EC_NoError or a blank, and other for anything unlisted', () => {
    expect(rejectFromReason('EC_NoError')).toBeUndefined();
    expect(rejectFromReason('')).toBeUndefined();
    expect(rejectFromReason('EC_Others')).toBe('other');
    expect(rejectFromReason('EC_CancelByMMP')).toBe('other');
    expect(rejectFromReason('EC_SomethingAddedNextYear')).toBe('other');
    for (const reason of REJECT_REASONS.keys()) expect(reason).toMatch(/^EC_/);
  });

  it('reads cancelType: user, disconnect, self-trade, else other', () => {
    expect(reasonFromCancelType('CancelByUser')).toBe('user');
    expect(reasonFromCancelType('CancelByDCP')).toBe('disconnect');
    expect(reasonFromCancelType('CancelBySmp')).toBe('self_trade');
    expect(reasonFromCancelType('CancelByPrepareLiq')).toBe('other');
    expect(reasonFromCancelType('UNKNOWN')).toBeUndefined();
    expect(reasonFromCancelType('')).toBeUndefined();
    expect(CANCEL_TYPES.size).toBeGreaterThan(0);
  });
});
