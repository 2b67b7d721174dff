import type { OrderUpdate, VenueRejectCode } from '../venue.ts';

/**
 * Bybit v5 retCodes and order reject reasons (exchange-apis.md A5, A8). Two questions are kept apart:
 * what the transport does next (`retCodeAction`: resync the clock, stop for credentials, wait, retry)
 * and what the order request's caller is told (`rejectFromRetCode`: a VenueRejectCode).
 */
export type RetCodeAction = 'ok' | 'resync_time' | 'auth' | 'rate_limited' | 'retry' | 'reject';

const AUTH = new Set([10003, 10004, 10005, 10007, 10010]);
// 10403 / 10429 / 20003 are the WS order-entry dialect of the same condition as REST 10006.
const RATE_LIMITED = new Set([10006, 10403, 10429, 20003]);
// Service restarting (10016 REST and WS, 10019 WS trade) and "order is processing" (110079).
const RETRY = new Set([10016, 10019, 110079]);

export function retCodeAction(retCode: number): RetCodeAction {
  if (retCode === 0) return 'ok';
  if (retCode === 10002) return 'resync_time';
  if (AUTH.has(retCode)) return 'auth';
  if (RATE_LIMITED.has(retCode)) return 'rate_limited';
  if (RETRY.has(retCode)) return 'retry';
  return 'reject';
}

/**
 * Every retCode of A5 (REST and WS order entry) with the closest VenueRejectCode. Exported so tests
 * (and the protocol simulator) can walk the whole table.
 *
 * Choices worth knowing:
 * - `venue_unavailable` tells the OMS it cannot know whether the venue acted, so it reconciles. That
 *   fits a server error or restart (10016, 10019) and "order is processing" (110079). 10002 (clock out
 *   of the recv window) is certain not to have acted, but the cause is transient and on our side, so it
 *   is treated like an unreachable venue rather than a verdict on the order.
 * - Credential failures (10003-10010) are `other`: the order is certainly not placed, and the transport
 *   acts on `retCodeAction` = 'auth'. On the WS trade stream 10003 means "too many sessions" instead.
 * - "Already filled / cancelled / does not exist" are all `unknown_order`: the order is no longer open,
 *   and the stream says how it ended.
 * - 170217 ("only LIMIT-MAKER allowed on this pair") is grouped with 170218 (LIMIT-MAKER would cross):
 *   both mean "only a resting maker order is acceptable here".
 * - 20006 is a repeated WS `reqId`, not a repeated orderLinkId, so it is `other`, not a duplicate order.
 */
export const RET_CODES: ReadonlyMap<number, VenueRejectCode> = new Map<number, VenueRejectCode>([
  [10001, 'invalid_order'],
  [10002, 'venue_unavailable'],
  [10003, 'other'],
  [10004, 'other'],
  [10005, 'other'],
  [10006, 'rate_limited'],
  [10007, 'other'],
  [10010, 'other'],
  [10014, 'duplicate_client_id'],
  [10016, 'venue_unavailable'],
  [10017, 'unsupported'],
  [10019, 'venue_unavailable'],
  [10027, 'other'],
  [10029, 'invalid_order'],
  [10403, 'rate_limited'],
  [10404, 'unsupported'],
  [10429, 'rate_limited'],
  [20001, 'other'],
  [20003, 'rate_limited'],
  [20006, 'other'],
  [110001, 'unknown_order'],
  [110003, 'invalid_order'],
  [110004, 'insufficient_funds'],
  [110007, 'insufficient_funds'],
  [110008, 'unknown_order'],
  [110010, 'unknown_order'],
  [110012, 'insufficient_funds'],
  [110017, 'invalid_order'],
  [110020, 'invalid_order'],
  [110072, 'duplicate_client_id'],
  [110079, 'venue_unavailable'],
  [110094, 'invalid_order'],
  [170131, 'insufficient_funds'],
  [170134, 'invalid_order'],
  [170136, 'invalid_order'],
  [170137, 'invalid_order'],
  [170139, 'unknown_order'],
  [170140, 'invalid_order'],
  [170141, 'duplicate_client_id'],
  [170142, 'unknown_order'],
  [170213, 'unknown_order'],
  [170217, 'post_only_would_take'],
  [170218, 'post_only_would_take'],
  [170810, 'invalid_order'],
]);

/** The reject an order request resolves with; the venue's own number and words stay in the message. */
export function rejectFromRetCode(
  retCode: number,
  retMsg: string,
): { code: VenueRejectCode; message: string } {
  const code = RET_CODES.get(retCode) ?? 'other';
  const text = typeof retMsg === 'string' && retMsg.length > 0 ? retMsg : 'no message';
  return { code, message: `Bybit ${retCode}: ${text}` };
}

/** Order-object `rejectReason` values (A8) with a VenueRejectCode; `EC_NoError` and '' mean none. */
export const REJECT_REASONS: ReadonlyMap<string, VenueRejectCode> = new Map<string, VenueRejectCode>([
  ['EC_PostOnlyWillTakeLiquidity', 'post_only_would_take'],
  ['EC_DuplicatedClOrdID', 'duplicate_client_id'],
  ['EC_OrderNotExist', 'unknown_order'],
  ['EC_OrigClOrdIDDoesNotExist', 'unknown_order'],
  ['EC_TooLateToCancel', 'unknown_order'],
  ['EC_BySelfMatch', 'self_trade'],
  ['EC_StopBySelfMatch', 'self_trade'],
  ['EC_NoImmediateQtyToFill', 'no_liquidity'],
  ['EC_NoEnoughQtyToFill', 'no_liquidity'],
  ['EC_CancelForNoFullFill', 'no_liquidity'],
  ['EC_MarketOrderCannotBePostOnly', 'invalid_order'],
  ['EC_MarketOrderPriceIsNotZero', 'invalid_order'],
  ['EC_MarketOrderNoSupportTIF', 'invalid_order'],
  ['EC_LimitOrderInvalidPrice', 'invalid_order'],
  ['EC_InvalidPriceScale', 'invalid_order'],
  ['EC_QtyCannotBeZero', 'invalid_order'],
  ['EC_EcInvalidQty', 'invalid_order'],
  ['EC_InvalidAmount', 'invalid_order'],
  ['EC_InvalidBaseValue', 'invalid_order'],
  ['EC_UnknownOrderType', 'invalid_order'],
  ['EC_UnknownSide', 'invalid_order'],
  ['EC_UnknownTimeInForce', 'invalid_order'],
  ['EC_MissingClOrdID', 'invalid_order'],
  ['EC_MissingOrigClOrdID', 'invalid_order'],
  ['EC_ClOrdIDOrigClOrdIDAreTheSame', 'invalid_order'],
  ['EC_InvalidSymbolStatus', 'invalid_order'],
  ['EC_InvalidSmpType', 'invalid_order'],
  ['EC_MarketQuoteNoSuppSell', 'invalid_order'],
  ['EC_ReachRiskPriceLimit', 'invalid_order'],
  ['EC_ReachMarketPriceLimit', 'invalid_order'],
]);

/**
 * Why Bybit rejected or cancelled an order, from the order object's `rejectReason`. Unlisted reasons
 * (EC_Others, EC_CancelByMMP, EC_InCallAuctionStatus, new ones) are `other`; there is no reason for
 * `EC_NoError` or an empty field.
 */
export function rejectFromReason(rejectReason: string): VenueRejectCode | undefined {
  if (rejectReason === '' || rejectReason === 'EC_NoError') return undefined;
  return REJECT_REASONS.get(rejectReason) ?? 'other';
}

/** Order-object `cancelType` values (A8) that say more than `other`; UNKNOWN and '' say nothing. */
export const CANCEL_TYPES: ReadonlyMap<string, NonNullable<OrderUpdate['reason']>> = new Map<
  string,
  NonNullable<OrderUpdate['reason']>
>([
  ['CancelByUser', 'user'],
  ['CancelByDCP', 'disconnect'],
  ['CancelBySmp', 'self_trade'],
  ['CancelByCrossSelfMuch', 'self_trade'],
  ['CancelByCannotAffordOrderCost', 'insufficient_funds'],
]);

/**
 * Who cancelled an order, from `cancelType`. The rest (reduce-only, liquidation, ADL, admin,
 * settlement, TP/SL clean-up…) is `other`: not ours, and nothing the strategy can act on.
 */
export function reasonFromCancelType(cancelType: string): OrderUpdate['reason'] {
  if (cancelType === '' || cancelType === 'UNKNOWN') return undefined;
  return CANCEL_TYPES.get(cancelType) ?? 'other';
}
