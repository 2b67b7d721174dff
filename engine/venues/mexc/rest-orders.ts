import { z } from 'zod';
import { parseDecimal, type Decimal } from '../../core/decimal.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { Balance, Fill, OrderAck, OrderUpdate, PlaceRequest, VenueResult } from '../venue.ts';
import {
  amountFromWire,
  checkShape,
  ensure,
  inField,
  msFromWire,
  priceFromWire,
  priceToWire,
  sizeFromWire,
  sizeToWire,
} from '../wire-text.ts';
import { rejectFromAnswer } from './codes.ts';
import {
  orderTypeFromMexc,
  orderTypeToMexc,
  orderUpdateSeq,
  sideFromMexc,
  sideToMexc,
  statusFromMexc,
} from './wire.ts';

/**
 * Request builders and answer parsers for MEXC spot v3 order entry and the reads reconciliation
 * makes (exchange-apis.md B7, B8). Builders turn engine requests into the parameters the REST client
 * signs, with prices and sizes printed exactly on the instrument's grid; parsers check every answer
 * with zod and convert its numbers exactly, or throw an EngineError naming the message and field.
 * Nothing is sent from here: the venue passes the parameters to MexcRest.
 */

export const ORDER_PATH = '/api/v3/order';
export const BATCH_PATH = '/api/v3/batchOrders';
export const OPEN_ORDERS_PATH = '/api/v3/openOrders';
export const MY_TRADES_PATH = '/api/v3/myTrades';
export const ACCOUNT_PATH = '/api/v3/account';

/** At most 20 orders per batch, all on one symbol (B7). */
export const MAX_BATCH = 20;
/** Cancel-all takes up to five symbols, comma-separated. */
export const MAX_CANCEL_ALL_SYMBOLS = 5;
/** myTrades answers at most 100 a page. */
export const TRADES_PAGE = 100;
/**
 * myTrades reaches back "1 month". A month is never shorter than 28 days, so a start inside that
 * is always accepted; what is older is the journal's.
 */
export const TRADES_HISTORY_MS = 28 * 86_400_000;
/** Requests one reconciliation read may make before it stops with an error rather than spin. */
export const MAX_TRADE_PAGES = 200;

// Ids: MEXC prints order ids as strings ("C02__5059…") but its docs' samples as numbers.
const id = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);
const ms = z.union([z.string(), z.number()]);
const text = z.string();

// ---- new order --------------------------------------------------------------------------------

/** An order as the parameters of POST /api/v3/order, in the order they are signed and sent. */
export function orderItem(inst: Instrument, request: PlaceRequest): Record<string, string> {
  ensure(request.symbol === inst.symbol, 'MEXC order', `symbol ${request.symbol} priced on ${inst.symbol}`);
  ensure(request.clientId.length > 0, `MEXC order ${request.symbol}`, 'clientId is empty');
  const item: Record<string, string> = {
    symbol: request.symbol,
    side: sideToMexc(request.side),
    type: orderTypeToMexc(request.type, request.timeInForce),
    // Ours is always a base quantity: quoteOrderQty (spend this much quote) is never sent.
    quantity: sizeToWire(inst, request.size),
  };
  if (request.type === 'limit') {
    if (request.price === undefined) {
      throw new EngineError('invalid_input', `MEXC order ${request.clientId}: a limit order needs a price`);
    }
    item.price = priceToWire(inst, request.price);
  }
  // reduceOnly has no meaning on spot and is accepted without effect, as on the simulators.
  item.newClientOrderId = request.clientId;
  return item;
}

const newOrderAnswer = z.object({
  symbol: text.optional(),
  orderId: id,
  transactTime: ms.optional(),
});

/** The answer to a new order: the venue's id and time (`fallbackTs` where it gives none). */
export function parseNewOrder(body: unknown, clientId: string, fallbackTs: number): OrderAck {
  const where = `MEXC new order ${clientId}`;
  const d = checkShape(newOrderAnswer, body, where);
  const ts =
    d.transactTime === undefined
      ? fallbackTs
      : inField(where, 'transactTime', () => msFromWire(d.transactTime, 'transactTime'));
  return { clientId, venueOrderId: d.orderId, ts };
}

// ---- batch ------------------------------------------------------------------------------------

/**
 * The `batchOrders` parameter: a JSON array of order items. The REST client percent-escapes it
 * (uppercase) before signing, so the signed text is the sent text.
 */
export function batchParams(inst: Instrument, requests: readonly PlaceRequest[]): { batchOrders: string } {
  if (requests.length === 0 || requests.length > MAX_BATCH) {
    throw new EngineError(
      'invalid_input',
      `MEXC batch takes 1 to ${MAX_BATCH} orders, got ${requests.length}`,
    );
  }
  const ids = new Set<string>();
  const items = requests.map((r) => {
    if (r.symbol !== inst.symbol) {
      throw new EngineError(
        'invalid_input',
        `MEXC batch orders share one symbol: ${r.symbol} in a ${inst.symbol} batch`,
      );
    }
    if (ids.has(r.clientId))
      throw new EngineError('invalid_input', `MEXC batch repeats clientId ${r.clientId}`);
    ids.add(r.clientId);
    return orderItem(inst, r);
  });
  return { batchOrders: JSON.stringify(items) };
}

const batchItem = z.object({
  orderId: id.optional(),
  newClientOrderId: z.union([text, z.number().transform(String)]).optional(),
  code: z
    .union([
      z.number().int(),
      z
        .string()
        .regex(/^-?\d+$/)
        .transform(Number),
    ])
    .optional(),
  msg: text.nullable().optional(),
});

/**
 * Per-order outcomes of a batch, in the order of `requests`. Item i answers request i; an item that
 * names its newClientOrderId is matched by it instead. A request the answer does not account for is
 * `venue_unavailable`: it may or may not rest at the venue, and reconciliation finds out.
 */
export function parseBatch(
  body: unknown,
  requests: readonly PlaceRequest[],
  ts: number,
): VenueResult<OrderAck>[] {
  const list = checkShape(z.array(z.unknown()), body, 'MEXC batch answer');
  const items = list.map((raw, i) => checkShape(batchItem, raw, `MEXC batch item ${i}`));
  const byId = new Map<string, number>();
  requests.forEach((r, i) => byId.set(r.clientId, i));
  const results: (VenueResult<OrderAck> | undefined)[] = requests.map(() => undefined);
  const claim = (index: number, item: z.infer<typeof batchItem>): void => {
    if (results[index] !== undefined) return;
    const request = requests[index]!;
    const failed = item.code !== undefined && item.code !== 0 && item.code !== 200;
    if (failed) {
      const r = rejectFromAnswer({ httpStatus: 200, code: item.code!, msg: item.msg ?? '' });
      results[index] = { ok: false, code: r.code, message: r.message };
    } else if (item.orderId !== undefined) {
      results[index] = { ok: true, value: { clientId: request.clientId, venueOrderId: item.orderId, ts } };
    }
  };
  items.forEach((item, i) => {
    const named = item.newClientOrderId === undefined ? undefined : byId.get(item.newClientOrderId);
    if (named !== undefined) claim(named, item);
    else if (item.newClientOrderId === undefined && items.length === requests.length) claim(i, item);
  });
  return results.map(
    (r, i) =>
      r ?? {
        ok: false,
        code: 'venue_unavailable',
        message: `MEXC batch answer does not account for ${requests[i]!.clientId}; its state is unknown`,
      },
  );
}

// ---- cancel -----------------------------------------------------------------------------------

/** DELETE /api/v3/order by our id (the venue knows it as the order's newClientOrderId). */
export function cancelParams(symbol: string, clientId: string): Record<string, string> {
  ensure(clientId.length > 0, `MEXC cancel ${symbol}`, 'clientId is empty');
  return { symbol, origClientOrderId: clientId };
}

const cancelAnswer = z.object({ symbol: text, orderId: id, origClientOrderId: text.nullable().optional() });

/** The cancel's answer: the venue's order id; the time is ours (`ts`), the answer has none. */
export function parseCancel(body: unknown, clientId: string, ts: number): OrderAck {
  const where = `MEXC cancel ${clientId}`;
  const d = checkShape(cancelAnswer, body, where);
  const named = d.origClientOrderId;
  ensure(
    named === undefined || named === null || named === clientId,
    where,
    `answer is for ${String(named)}`,
  );
  return { clientId, venueOrderId: d.orderId, ts };
}

/** DELETE /api/v3/openOrders for up to five symbols. */
export function cancelAllParams(symbols: readonly string[]): { symbol: string } {
  if (symbols.length === 0 || symbols.length > MAX_CANCEL_ALL_SYMBOLS) {
    throw new EngineError(
      'invalid_input',
      `MEXC cancel-all takes 1 to ${MAX_CANCEL_ALL_SYMBOLS} symbols, got ${symbols.length}`,
    );
  }
  return { symbol: symbols.join(',') };
}

/** How many orders cancel-all cancelled (every item is checked to be a cancelled order). */
export function parseCancelAll(body: unknown): number {
  const list = checkShape(z.array(cancelAnswer), body, 'MEXC cancel-all answer');
  return list.length;
}

// ---- order records ------------------------------------------------------------------------------

const orderRecord = z.object({
  symbol: z.string().min(1),
  orderId: id,
  clientOrderId: text.nullable().optional(),
  price: text,
  origQty: text.optional(),
  // The query-order sample of the docs prints origQty as "Qty".
  Qty: text.optional(),
  executedQty: text,
  status: text,
  type: text,
  side: text,
  time: ms.nullable().optional(),
  updateTime: ms.nullable().optional(),
});

/**
 * An order record (query order, open orders, all orders) as an OrderUpdate. The time is the last
 * update's, else the creation's. MEXC numbers no order states, so updateSeq is orderUpdateSeq of the
 * filled lots and the status, as the push parser computes it: a REST listing and a push of the same
 * state agree.
 */
export function parseOrder(inst: Instrument, item: unknown): OrderUpdate {
  const head = checkShape(z.object({ orderId: id.optional() }), item, `MEXC order ${inst.symbol}`);
  const where = `MEXC order ${inst.symbol} ${head.orderId ?? '?'}`;
  const d = checkShape(orderRecord, item, where);
  ensure(d.symbol === inst.symbol, where, `symbol ${d.symbol} given to the ${inst.symbol} parser`);
  const status = inField(where, 'status', () => statusFromMexc(d.status));
  const kind = inField(where, 'type', () => orderTypeFromMexc(d.type));
  const side = inField(where, 'side', () => sideFromMexc(d.side));
  const stamp = d.updateTime ?? d.time;
  ensure(stamp !== undefined && stamp !== null, where, 'neither updateTime nor time');
  const ts = inField(where, d.updateTime == null ? 'time' : 'updateTime', () => msFromWire(stamp, 'time'));
  const filled = inField(where, 'executedQty', () => sizeFromWire(inst, d.executedQty, true));
  const qtyText = d.origQty ?? d.Qty;
  ensure(qtyText !== undefined, where, 'origQty is missing');
  let size = inField(where, 'origQty', () => sizeFromWire(inst, qtyText, true));
  const final = status === 'filled' || status === 'cancelled';
  if (size === 0) {
    // A market order sized in quote (quoteOrderQty) has no base size; once over, its fills are its size.
    ensure(final && filled > 0, where, 'origQty is 0 on an order that is not over');
    size = filled;
  }
  ensure(filled <= size, where, `executedQty ${d.executedQty} exceeds origQty ${qtyText}`);
  const price =
    kind.type === 'limit' ? inField(where, 'price', () => priceFromWire(inst, d.price)) : undefined;
  let reason: OrderUpdate['reason'];
  if (status === 'cancelled' && kind.tif === 'ioc') {
    reason = kind.type === 'market' && filled === 0 ? 'no_liquidity' : 'ioc_unfilled';
  }
  // Every update has the same fields in the same order, absent ones undefined (one object shape).
  return {
    type: 'order',
    symbol: d.symbol,
    clientId: d.clientOrderId ?? '',
    venueOrderId: d.orderId,
    side,
    orderType: kind.type,
    timeInForce: kind.tif,
    status,
    price,
    size,
    filled,
    ts,
    updateSeq: orderUpdateSeq(filled, status),
    reason,
  };
}

/** A list of order records (open orders, all orders). */
export function parseOrders(inst: Instrument, body: unknown): OrderUpdate[] {
  return checkShape(z.array(z.unknown()), body, `MEXC orders ${inst.symbol}`).map((item) =>
    parseOrder(inst, item),
  );
}

/** GET /api/v3/order for one of ours. */
export function queryOrderParams(symbol: string, clientId: string): Record<string, string> {
  return { symbol, origClientOrderId: clientId };
}

// ---- trades -------------------------------------------------------------------------------------

const tradeRecord = z.object({
  symbol: z.string().min(1),
  id,
  orderId: id,
  clientOrderId: text.nullable().optional(),
  price: text,
  qty: text,
  commission: text,
  commissionAsset: text.nullable().optional(),
  time: ms,
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});

/** One myTrades record as a Fill: execId is the trade id, the fee MEXC's commission exactly. */
export function parseTrade(inst: Instrument, item: unknown): Fill {
  const head = checkShape(z.object({ id: id.optional() }), item, `MEXC trade ${inst.symbol}`);
  const where = `MEXC trade ${inst.symbol} ${head.id ?? '?'}`;
  const d = checkShape(tradeRecord, item, where);
  ensure(d.symbol === inst.symbol, where, `symbol ${d.symbol} given to the ${inst.symbol} parser`);
  const side = d.isBuyer ? 'buy' : 'sell';
  // A zero fee may come with no asset; what a fill pays from is what it receives.
  const feeAsset = d.commissionAsset || (side === 'buy' ? inst.base : inst.quote);
  return {
    type: 'fill',
    symbol: d.symbol,
    execId: d.id,
    clientId: d.clientOrderId ?? '',
    venueOrderId: d.orderId,
    side,
    price: inField(where, 'price', () => priceFromWire(inst, d.price)),
    size: inField(where, 'qty', () => sizeFromWire(inst, d.qty)),
    fee: inField(where, 'commission', () => amountFromWire(d.commission, 'commission')),
    feeAsset,
    liquidity: d.isMaker ? 'maker' : 'taker',
    ts: inField(where, 'time', () => msFromWire(d.time, 'time')),
  };
}

export interface TradesQuery {
  inst: Instrument;
  /** Venue time from which executions are wanted (inclusive). */
  sinceMs: number;
  /** The venue's clock now (the end of the range). */
  nowMs: number;
  /** One signed GET /api/v3/myTrades with these parameters; resolves with the body or throws. */
  page: (params: Record<string, string | number>) => Promise<unknown>;
}

/**
 * Our executions on one symbol with venue time in [sinceMs, nowMs], oldest first, each once.
 * myTrades takes a time range and at most 100 records and documents neither a `fromId` nor which end
 * of the range a full page comes from, so a full page is split around what it covered: the range
 * before its oldest record and the one after its newest are asked again (the edges overlap by a
 * millisecond, and ids already seen are dropped). A page that brings nothing new while full — more
 * than 100 trades in one millisecond — cannot be paged past, and throws rather than answer short.
 */
export async function fetchTradesSince(query: TradesQuery): Promise<Fill[]> {
  const { inst } = query;
  const end = Math.floor(query.nowMs);
  const start = Math.max(Math.floor(query.sinceMs), end - TRADES_HISTORY_MS);
  const seen = new Map<string, Fill>();
  const ranges: [number, number][] = start <= end ? [[start, end]] : [];
  let requests = 0;
  while (ranges.length > 0) {
    const [from, to] = ranges.pop()!;
    if (++requests > MAX_TRADE_PAGES) {
      throw new EngineError(
        'venue_error',
        `MEXC myTrades ${inst.symbol}: more than ${MAX_TRADE_PAGES} pages; stopped`,
      );
    }
    const body = await query.page({ symbol: inst.symbol, startTime: from, endTime: to, limit: TRADES_PAGE });
    const list = checkShape(z.array(z.unknown()), body, `MEXC myTrades ${inst.symbol}`);
    let fresh = 0;
    let oldest = Infinity;
    let newest = -Infinity;
    for (const item of list) {
      const fill = parseTrade(inst, item);
      oldest = Math.min(oldest, fill.ts);
      newest = Math.max(newest, fill.ts);
      if (!seen.has(fill.execId)) {
        seen.set(fill.execId, fill);
        fresh++;
      }
    }
    if (list.length < TRADES_PAGE) continue;
    if (fresh === 0 || from === to) {
      throw new EngineError(
        'venue_error',
        `MEXC myTrades ${inst.symbol}: over ${TRADES_PAGE} trades in one millisecond near ${oldest}; cannot page past them`,
      );
    }
    if (oldest > from) ranges.push([from, oldest]);
    if (newest < to) ranges.push([newest, to]);
  }
  return [...seen.values()]
    .filter((f) => f.ts >= start && f.ts <= end)
    .sort((a, b) => a.ts - b.ts || (a.execId < b.execId ? -1 : a.execId > b.execId ? 1 : 0));
}

// ---- account ------------------------------------------------------------------------------------

const account = z.object({
  balances: z.array(z.object({ asset: z.string().min(1), free: text, locked: text })),
});

/** GET /api/v3/account balances: total = free + locked, exactly. */
export function parseAccount(body: unknown): Balance[] {
  const d = checkShape(account, body, 'MEXC account');
  return d.balances.map((b) => {
    const where = `MEXC balance ${b.asset}`;
    const free = inField(where, 'free', () => parseDecimal(b.free, 'free'));
    const locked = inField(where, 'locked', () => parseDecimal(b.locked, 'locked'));
    const total: Decimal = free.plus(locked);
    return { asset: b.asset, total: total.toFixed(), free: free.toFixed() };
  });
}
