import { z } from 'zod';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, Lots, Side } from '../../core/instrument.ts';
import type { BookMessage, BookSnapshot, Level, Trade } from '../../market/types.ts';
import type { Balance, Fill, OrderType, OrderUpdate, TimeInForce, VenueOrderStatus } from '../venue.ts';
import { reasonFromCancelType, rejectFromReason } from './codes.ts';
import type { BybitCategory } from './instruments.ts';
import {
  amountFromWire,
  checkShape as shape,
  decimalFromWire,
  ensure,
  inField as at,
  msFromWire,
  priceFromWire,
  sizeFromWire,
} from './wire.ts';

/**
 * Parsers for what the Bybit v5 adapter receives (exchange-apis.md A4, A7, A8, A11): zod checks the
 * shape, wire.ts converts the numbers exactly. Each parser returns a complete value or throws an
 * EngineError naming the message, the symbol and the field; nothing is half built.
 */

const ms = z.union([z.string(), z.number()]);
const side = z.enum(['Buy', 'Sell']);
const sideOf = (s: 'Buy' | 'Sell'): Side => (s === 'Buy' ? 'buy' : 'sell');

function sameSymbol(inst: Instrument, symbol: string, where: string): void {
  ensure(symbol === inst.symbol, where, `symbol ${symbol} given to the ${inst.symbol} parser`);
}

function sameCategory(found: string | undefined, category: BybitCategory, where: string): void {
  ensure(found === undefined || found === category, where, `category ${found}, expected ${category}`);
}

// REST envelope and private WS frames

const envelope = z.object({
  retCode: z.number().int(),
  retMsg: z.string(),
  result: z.unknown(),
  retExtInfo: z.unknown(),
  time: z.number().optional(),
});
export type BybitEnvelope = z.infer<typeof envelope>;

/** Every REST body; business errors arrive here too, as HTTP 200 with a non-zero retCode. */
export function parseEnvelope(json: unknown): BybitEnvelope {
  return shape(envelope, json, 'Bybit response');
}

const batchInfo = z.object({ list: z.array(z.object({ code: z.number().int(), msg: z.string() })) });
const batchList = z.object({ list: z.array(z.unknown()) });

/**
 * Per-order outcomes of a batch call: the top-level retCode is 0 even when items fail, and item i of
 * `result.list` is answered by item i of `retExtInfo.list`.
 */
export function parseBatchResults(env: BybitEnvelope): { code: number; msg: string; result: unknown }[] {
  const results = shape(batchList, env.result, 'Bybit batch result').list;
  const infos = shape(batchInfo, env.retExtInfo, 'Bybit batch retExtInfo').list;
  ensure(results.length === infos.length, 'Bybit batch', `${results.length} results, ${infos.length} codes`);
  return infos.map((info, i) => ({ code: info.code, msg: info.msg, result: results[i] }));
}

const privateFrame = z.object({
  id: z.string().optional(),
  topic: z.string().min(1),
  creationTime: z.number(),
  data: z.array(z.unknown()),
});

/** A private-stream push (`order`, `execution`, `position`, `wallet`): its topic and raw items. */
export function parsePrivateFrame(json: unknown): z.infer<typeof privateFrame> {
  return shape(privateFrame, json, 'Bybit private frame');
}

// Schemas live at module level: zod 4 compiles each object schema on its first parse, so one built per
// call recompiled on every private push (a sixth of the tick-to-wire process's busy time, and its GC).
const symbolItem = z.object({ symbol: z.string().min(1) });

/** The `symbol` of a raw item, to pick the instrument before parsing the rest. */
export function itemSymbol(item: unknown, what: string): string {
  return shape(symbolItem, item, `Bybit ${what}`).symbol;
}

// Orders (REST /v5/order/realtime items and the WS `order` topic)

// Untriggered / Triggered are conditional orders before and at their trigger: not on the book, not ours.
// A Map, not an object literal: a venue string such as "constructor" must not find a prototype member.
const STATUS: ReadonlyMap<string, VenueOrderStatus | null> = new Map([
  ['New', 'new'],
  ['PartiallyFilled', 'partially_filled'],
  ['Filled', 'filled'],
  ['Cancelled', 'cancelled'],
  ['PartiallyFilledCanceled', 'cancelled'],
  ['Deactivated', 'cancelled'],
  ['Rejected', 'rejected'],
  ['Untriggered', null],
  ['Triggered', null],
]);

// FOK never rests, so of the engine's kinds it is an IOC; RPI has post-only semantics (A8).
const TIF: ReadonlyMap<string, TimeInForce> = new Map([
  ['GTC', 'gtc'],
  ['IOC', 'ioc'],
  ['FOK', 'ioc'],
  ['PostOnly', 'post_only'],
  ['RPI', 'post_only'],
]);

const orderItem = z.object({
  category: z.string().optional(),
  symbol: z.string().min(1),
  orderId: z.string().min(1),
  orderLinkId: z.string(),
  side,
  orderType: z.enum(['Market', 'Limit']),
  timeInForce: z.string(),
  orderStatus: z.string(),
  price: z.string(),
  qty: z.string(),
  cumExecQty: z.string(),
  updatedTime: ms,
  rejectReason: z.string().optional(),
  cancelType: z.string().optional(),
  marketUnit: z.string().optional(),
});
type OrderItem = z.infer<typeof orderItem>;

/**
 * Bybit has no per-order sequence, so one is derived from what only grows: `updatedTime` (ms) first,
 * then, for two pushes in the same millisecond (a taker order filling level after level), the filled
 * fraction in 1/1023 steps, then whether the state is final. That is updatedTime × 2048 + progress × 2
 * + final: safe integers until the year 2109. Two partial fills in one millisecond closer than 1/1023
 * of the size get one number, and the second is taken for a repeat; its fill still arrives on the
 * execution stream under its own execId, so only the order's cumulative figure waits for the next push.
 */
export function orderUpdateSeq(updatedMs: number, filled: number, size: number, final: boolean): number {
  if (!Number.isSafeInteger(updatedMs) || updatedMs < 0 || updatedMs > MAX_SEQ_MS) {
    throw new EngineError('invalid_number', `order updatedTime ${updatedMs} is out of range`);
  }
  const progress = size > 0 ? Number((BigInt(Math.min(filled, size)) * 1023n) / BigInt(size)) : 0;
  return updatedMs * 2048 + progress * 2 + (final ? 1 : 0);
}
const MAX_SEQ_MS = Math.floor((Number.MAX_SAFE_INTEGER - 2047) / 2048);

/** An order object for `inst`; `category` is the one asked for (REST) or pushed (WS `category`). */
export function parseOrder(inst: Instrument, category: BybitCategory, item: unknown): OrderUpdate {
  const where = `Bybit order ${inst.symbol}`;
  const d = shape(orderItem, item, where);
  sameSymbol(inst, d.symbol, where);
  sameCategory(d.category, category, where);
  const status = STATUS.get(d.orderStatus);
  ensure(status !== undefined, where, `unknown orderStatus ${JSON.stringify(d.orderStatus)}`);
  ensure(status !== null, where, `conditional order status ${d.orderStatus} is not supported`);
  const timeInForce = TIF.get(d.timeInForce);
  ensure(timeInForce !== undefined, where, `unknown timeInForce ${JSON.stringify(d.timeInForce)}`);
  const ts = at(where, 'updatedTime', () => msFromWire(d.updatedTime, 'updatedTime'));
  const orderType: OrderType = d.orderType === 'Market' ? 'market' : 'limit';
  const filled = at(where, 'cumExecQty', () => sizeFromWire(inst, d.cumExecQty, true));
  const final = status === 'filled' || status === 'cancelled' || status === 'rejected';
  // A spot market Buy states qty in the quote coin unless marketUnit is baseCoin (A7); a quote amount
  // has no size in lots. Once such an order is over its filled quantity is its size; while it is open
  // there is no honest size, so it is refused.
  const unit = d.marketUnit ?? '';
  const quoteQty =
    category === 'spot' &&
    orderType === 'market' &&
    (unit === 'quoteCoin' || (unit === '' && d.side === 'Buy'));
  ensure(!quoteQty || final, where, `open market order with qty in ${inst.quote} has no size in lots`);
  const size = quoteQty ? filled : at(where, 'qty', () => sizeFromWire(inst, d.qty));
  const reason = final && status !== 'filled' ? reasonOf(d, timeInForce, orderType, filled) : undefined;
  const base = {
    type: 'order' as const,
    symbol: d.symbol,
    clientId: d.orderLinkId,
    venueOrderId: d.orderId,
    side: sideOf(d.side),
    orderType,
    timeInForce,
    status,
    size,
    filled,
    ts,
    updateSeq: orderUpdateSeq(ts, filled, size, final),
  };
  // A market order's price is Bybit's slippage guard (linear) or "0" (spot), not a limit: left out.
  const price = orderType === 'limit' ? at(where, 'price', () => priceFromWire(inst, d.price)) : undefined;
  const withPrice = price === undefined ? base : { ...base, price };
  return reason === undefined ? withPrice : { ...withPrice, reason };
}

function reasonOf(d: OrderItem, tif: TimeInForce, type: OrderType, filled: Lots): OrderUpdate['reason'] {
  const fromReject = rejectFromReason(d.rejectReason ?? '');
  // The rest of an IOC or market order that found nothing is told as the simulators tell it.
  const unfilledRest = type === 'market' && filled === 0 ? 'no_liquidity' : 'ioc_unfilled';
  if (fromReject === 'no_liquidity') return tif === 'ioc' ? unfilledRest : 'no_liquidity';
  if (fromReject !== undefined) return fromReject;
  const fromCancel = reasonFromCancelType(d.cancelType ?? '');
  if (fromCancel !== undefined) return fromCancel;
  return tif === 'ioc' && d.orderStatus !== 'Rejected' ? unfilledRest : undefined;
}

// Executions (REST /v5/execution/list and the WS `execution` topic)

export interface FundingPayment {
  readonly kind: 'funding';
  readonly symbol: string;
  /** `execFee` as Bybit prints it: positive is paid by the account, negative received. */
  readonly amount: string;
  readonly asset: string;
  readonly ts: number;
  readonly execId: string;
}

/** Not a fill of an order: ADL, liquidation, delivery and the like. They still move the position. */
export interface IgnoredExecution {
  readonly kind: 'ignored';
  readonly execType: string;
  readonly symbol: string;
  readonly execId: string;
}

export type ExecutionItem =
  { readonly kind: 'fill'; readonly fill: Fill } | FundingPayment | IgnoredExecution;

const execHead = z.object({
  category: z.string().optional(),
  symbol: z.string().min(1),
  execId: z.string().min(1),
  execType: z.string(),
  execTime: ms,
});
const execTrade = z.object({
  orderId: z.string().min(1),
  orderLinkId: z.string(),
  side,
  execPrice: z.string(),
  execQty: z.string(),
  execFee: z.string(),
  feeRate: z.string(),
  feeCurrency: z.string().optional(),
  isMaker: z.boolean(),
});
const execFunding = z.object({ execFee: z.string(), feeCurrency: z.string().optional() });

export function parseExecution(inst: Instrument, category: BybitCategory, item: unknown): ExecutionItem {
  const head = shape(execHead, item, `Bybit execution ${inst.symbol}`);
  const where = `Bybit execution ${inst.symbol} ${head.execId}`;
  sameSymbol(inst, head.symbol, where);
  sameCategory(head.category, category, where);
  const ts = at(where, 'execTime', () => msFromWire(head.execTime, 'execTime'));
  if (head.execType === 'Funding') {
    const f = shape(execFunding, item, where);
    const amount = at(where, 'execFee', () => amountFromWire(f.execFee, 'execFee'));
    const asset = f.feeCurrency || inst.quote;
    return { kind: 'funding', symbol: head.symbol, amount, asset, ts, execId: head.execId };
  }
  if (head.execType !== 'Trade') {
    return { kind: 'ignored', execType: head.execType, symbol: head.symbol, execId: head.execId };
  }
  const d = shape(execTrade, item, where);
  const s = sideOf(d.side);
  const rebate = at(where, 'feeRate', () => decimalFromWire(d.feeRate, 'feeRate')).isNegative();
  const fill: Fill = {
    type: 'fill',
    symbol: head.symbol,
    execId: head.execId,
    clientId: d.orderLinkId,
    venueOrderId: d.orderId,
    side: s,
    price: at(where, 'execPrice', () => priceFromWire(inst, d.execPrice)),
    size: at(where, 'execQty', () => sizeFromWire(inst, d.execQty)),
    fee: at(where, 'execFee', () => amountFromWire(d.execFee, 'execFee')),
    feeAsset: d.feeCurrency || feeAsset(inst, category, s, d.isMaker && rebate),
    liquidity: d.isMaker ? 'maker' : 'taker',
    ts,
  };
  return { kind: 'fill', fill };
}

/**
 * Where Bybit leaves `feeCurrency` blank. Linear fees are in the settle coin (the quote of USDT and
 * USDC contracts). Spot follows Bybit's rule (enum "Spot fee currency"): a fee comes out of what is
 * received (base on a buy, quote on a sell), but a maker rebate is paid in what is given.
 */
function feeAsset(inst: Instrument, category: BybitCategory, s: Side, makerRebate: boolean): string {
  if (category === 'linear') return inst.quote;
  return (s === 'buy') !== makerRebate ? inst.base : inst.quote;
}

// Wallet (REST wallet-balance `result`, WS `wallet` items) and positions

// Bybit blanks coin fields that do not apply (the WS example blanks totalOrderIM); a blank `locked`
// is read as nothing locked rather than failing the whole wallet.
const coinItem = z.object({ coin: z.string().min(1), walletBalance: z.string(), locked: z.string() });
const walletAccount = z.object({ accountType: z.string().optional(), coin: z.array(z.unknown()) });

/** One account (`result.list[i]` or a WS `wallet` item): total = walletBalance, free = total − locked. */
export function parseWalletAccount(account: unknown): Balance[] {
  const a = shape(walletAccount, account, 'Bybit wallet');
  return a.coin.map((raw, i) => {
    const c = shape(coinItem, raw, `Bybit wallet coin ${i}`);
    const where = `Bybit wallet ${c.coin}`;
    const total = at(where, 'walletBalance', () => decimalFromWire(c.walletBalance, 'walletBalance'));
    const locked = at(where, 'locked', () => decimalFromWire(c.locked || '0', 'locked'));
    return { asset: c.coin, total: total.toFixed(), free: total.minus(locked).toFixed() };
  });
}

const walletResult = z.object({ list: z.array(z.unknown()) });

/** The REST wallet-balance `result`: balances of `list[0]` (one account type is asked for). */
export function parseWalletResult(result: unknown): Balance[] {
  const list = shape(walletResult, result, 'Bybit wallet result').list;
  return list.length === 0 ? [] : parseWalletAccount(list[0]);
}

export interface BybitPosition {
  readonly symbol: string;
  readonly side: Side | 'flat';
  /** Always ≥ 0; the side says which way. */
  readonly sizeLots: Lots;
  /** Average entry price, exact ("0" when flat); not on the tick grid in general. */
  readonly avgPrice: string;
  /** 0 one-way, 1 / 2 the buy / sell side in hedge mode. */
  readonly positionIdx: number;
  readonly ts: number;
}

const positionItem = z.object({
  symbol: z.string().min(1),
  side: z.enum(['Buy', 'Sell', '']),
  size: z.string(),
  // REST names it avgPrice; the WS `position` topic entryPrice.
  avgPrice: z.string().optional(),
  entryPrice: z.string().optional(),
  positionIdx: z.number().int().min(0).max(2).optional(),
  updatedTime: ms,
});

export function parsePosition(inst: Instrument, item: unknown): BybitPosition {
  const where = `Bybit position ${inst.symbol}`;
  const d = shape(positionItem, item, where);
  sameSymbol(inst, d.symbol, where);
  const sizeLots = at(where, 'size', () => sizeFromWire(inst, d.size, true));
  const flat = sizeLots === 0;
  ensure(flat || d.side !== '', where, `size ${d.size} with no side`);
  const price = d.avgPrice ?? d.entryPrice;
  ensure(price !== undefined, where, 'neither avgPrice nor entryPrice');
  // A flat position on a symbol never traded may carry blanks; only then are "0" and 0 fair answers.
  const avgPrice =
    flat && price === '' ? '0' : at(where, 'avgPrice', () => amountFromWire(price, 'avgPrice'));
  const ts =
    flat && d.updatedTime === '' ? 0 : at(where, 'updatedTime', () => msFromWire(d.updatedTime, 'ts'));
  const positionSide = d.side === 'Buy' ? 'buy' : 'sell';
  return {
    symbol: d.symbol,
    side: flat ? 'flat' : positionSide,
    sizeLots,
    avgPrice,
    positionIdx: d.positionIdx ?? 0,
    ts,
  };
}

// Public trades and order books

const tradeItem = z.object({
  T: ms,
  s: z.string(),
  S: side,
  v: z.string(),
  p: z.string(),
  i: z.string().min(1),
});

/** One `publicTrade` data entry; S is the taker's side. */
export function parsePublicTrade(inst: Instrument, item: unknown): Trade {
  const where = `Bybit publicTrade.${inst.symbol}`;
  const d = shape(tradeItem, item, where);
  sameSymbol(inst, d.s, where);
  return {
    symbol: d.s,
    tradeId: d.i,
    ts: at(where, 'T', () => msFromWire(d.T, 'T')),
    price: at(where, 'p', () => priceFromWire(inst, d.p)),
    size: at(where, 'v', () => sizeFromWire(inst, d.v)),
    aggressor: sideOf(d.S),
  };
}

const tradeFrame = z.object({ topic: z.string(), ts: ms, data: z.array(z.unknown()) });

/** A whole `publicTrade.{symbol}` push, oldest first as sent. */
export function parseTradeFrame(inst: Instrument, json: unknown): Trade[] {
  const where = `Bybit publicTrade.${inst.symbol}`;
  const f = shape(tradeFrame, json, where);
  ensure(f.topic === `publicTrade.${inst.symbol}`, where, `frame of topic ${f.topic}`);
  return f.data.map((item) => parsePublicTrade(inst, item));
}

const levels = z.array(z.tuple([z.string(), z.string()]));
const bookData = z.object({
  s: z.string(),
  b: levels,
  a: levels,
  u: z.number().int().positive(),
  ts: ms.optional(),
});

// Size "0" deletes a level in a delta; it is accepted in a snapshot too, where OrderBook ignores it.
// Checked by hand rather than through a schema: this runs for every book frame, and a zod parse of
// every level plus a closure per number cost more than the rest of decoding and applying the frame.
function toLevels(inst: Instrument, raw: unknown, where: string, sideName: string): Level[] {
  ensure(Array.isArray(raw), where, `${sideName} must be a list of [price, size] levels`);
  const out: Level[] = new Array<Level>(raw.length);
  let i = 0;
  let field = 'price';
  try {
    for (; i < raw.length; i++) {
      const level: unknown = raw[i];
      if (!Array.isArray(level) || level.length !== 2)
        throw new EngineError('invalid_input', 'a level must be [price, size]');
      const [p, q] = level as unknown[];
      if (typeof p !== 'string' || typeof q !== 'string')
        throw new EngineError('invalid_input', 'price and size must be text');
      field = 'price';
      const price = priceFromWire(inst, p);
      field = 'size';
      out[i] = [price, sizeFromWire(inst, q, true)];
    }
  } catch (err) {
    const code = err instanceof EngineError ? err.code : 'invalid_input';
    throw new EngineError(
      code,
      `${where} ${sideName}[${i}] ${field}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return out;
}

function bookBody(inst: Instrument, d: Record<string, unknown>, ts: unknown, where: string) {
  ensure(typeof d.s === 'string', where, 'data.s must be the symbol');
  sameSymbol(inst, d.s, where);
  const u = d.u;
  ensure(
    typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
    where,
    'data.u must be a positive integer',
  );
  const bids = toLevels(inst, d.b, where, 'b');
  const asks = toLevels(inst, d.a, where, 'a');
  return { symbol: d.s, seq: u, ts: at(where, 'ts', () => msFromWire(ts, 'ts')), bids, asks };
}

/**
 * An `orderbook.{depth}.{symbol}` push. seq is Bybit's update id `u` for both kinds: OrderBook treats
 * a delta whose u is not the last + 1 as a gap, and a snapshot (including the `u = 1` one Bybit sends
 * after a restart) replaces the book whatever its u. ts is the frame's `ts` (when Bybit produced the
 * push); `cts`, the matching-engine time, is not carried.
 */
export function parseBookFrame(inst: Instrument, json: unknown): BookMessage {
  const where = `Bybit orderbook ${inst.symbol}`;
  ensure(isRecord(json), where, 'the frame must be a JSON object');
  const { topic, type, data } = json;
  ensure(typeof topic === 'string', where, 'topic must be text');
  ensure(
    type === 'snapshot' || type === 'delta',
    where,
    `type must be snapshot or delta, got ${JSON.stringify(type)}`,
  );
  ensure(isRecord(data), where, 'data must be an object');
  const prefix = 'orderbook.';
  const dot = topic.indexOf('.', prefix.length);
  ensure(
    topic.startsWith(prefix) && dot > prefix.length && topic.slice(dot + 1) === inst.symbol,
    where,
    `topic ${topic} is not an order book of ${inst.symbol}`,
  );
  const body = bookBody(inst, data, json.ts, where);
  return type === 'snapshot' ? { kind: 'snapshot', ...body } : { kind: 'delta', ...body };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The REST /v5/market/orderbook `result`, a snapshot whose u continues the 1000-level stream. */
export function parseBookRest(inst: Instrument, result: unknown): BookSnapshot {
  const where = `Bybit orderbook REST ${inst.symbol}`;
  const d = shape(bookData, result, where);
  return { kind: 'snapshot', ...bookBody(inst, d, d.ts, where) };
}
