import type { Clock } from '../../core/clock.ts';
import { Decimal } from '../../core/decimal.ts';
import type { Lots, Ticks } from '../../core/instrument.ts';
import { notional } from '../../core/instrument.ts';
import type { MexcOrderType, MexcSide } from '../../venues/mexc/wire.ts';
import { MEXC_ORDER_TYPES } from '../../venues/mexc/wire.ts';
import type { IdSource } from '../bybit/ids.ts';
import { fillableLots, lotsForQuote } from '../bybit/order-checks.ts';
import type { MexcAccount } from './account.ts';
import type { Checked } from './order-checks.ts';
import {
  accept,
  belowMinQty,
  belowMinValue,
  checkLimitSize,
  parseScaled,
  refuse,
  walkCost,
} from './order-checks.ts';
import type { MexcOrder, MexcSymbol } from './orders.ts';
import { cancelObject, isOpen, newOrderObject, orderObject } from './orders.ts';
import type { Params, Reply } from './wire.ts';
import { badParam, fail, intParam, isRecord, missing, ok, param, replyCode, wireMs } from './wire.ts';

/**
 * What a LIMIT_MAKER order that would take liquidity gets. MEXC does not document it (B8): `cancel`
 * acknowledges the order and cancels it at once, unfilled (status CANCELED, its push with status 4);
 * `reject` refuses it with 30041 ("current order type can not place order", the table's refusal of an
 * order its type cannot place). The default is `cancel`: its answer looks like a success, so it is
 * the case an adapter most easily gets wrong (it must learn the end from the push or a query).
 */
export type LimitMakerCross = 'reject' | 'cancel';

export interface TradingOptions {
  clock: Clock;
  ids: IdSource;
  symbol(name: string): MexcSymbol | undefined;
  limitMakerCross: LimitMakerCross;
}

/** Orders per batch request (B7). */
export const BATCH_MAX = 20;
/** Open orders per account (B6). */
const MAX_OPEN = 500;
const DAY_MS = 24 * 3600 * 1000;
const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const ZERO = new Decimal(0);

const INVALID_SYMBOL = fail(30014, 'Invalid symbol.');
const UNKNOWN_ORDER = fail(-2011, 'Unknown order sent.');
const NO_SUCH_ORDER = fail(-2013, 'Order does not exist.');
const INSUFFICIENT = fail(30004, 'Insufficient position');
const IDS_REQUIRED = fail(
  700004,
  "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
);

/** The matching engine's time in force for each MEXC order type (v3 carries it in the type, B7). */
const ENGINE_TIF = {
  LIMIT: 'gtc',
  LIMIT_MAKER: 'post_only',
  IMMEDIATE_OR_CANCEL: 'ioc',
  FILL_OR_KILL: 'ioc',
  MARKET: 'gtc',
} as const;

interface Shaped {
  price: number;
  lots: number;
  quantityText: string;
  quoteOrderQty: string;
}

/**
 * The order entry of the venue: checks a request as MEXC does (B5, B7, B10.3), carries it out on the
 * matching engine and answers; what the order then does reaches the pushes when the operation ends.
 * An IOC or FOK that cannot fill, and (by default) a LIMIT_MAKER that would take, are acknowledged
 * and end CANCELED at once.
 */
export class MexcTrading {
  private readonly options: TradingOptions;

  constructor(options: TradingOptions) {
    this.options = options;
  }

  /** POST /api/v3/order, or with `test` POST /api/v3/order/test (checks only, answers `{}`). */
  create(account: MexcAccount, p: Params, test = false): Reply {
    const target = this.tradable(p);
    if (!target.ok) return target.reply;
    const symbol = target.value;
    const sideText = param(p, 'side');
    if (sideText === undefined) return missing('side');
    if (sideText !== 'BUY' && sideText !== 'SELL') return badParam('side');
    const side: MexcSide = sideText;
    const typeText = param(p, 'type');
    if (typeText === undefined) return missing('type');
    if (!(MEXC_ORDER_TYPES as readonly string[]).includes(typeText)) return badParam('type');
    const type = typeText as MexcOrderType;
    if (!symbol.listing.orderTypes.includes(type))
      return fail(30041, 'current order type can not place order');
    const sides = symbol.listing.tradeSideType;
    if ((sides === '2' && side === 'SELL') || (sides === '3' && side === 'BUY') || sides === '4') {
      return fail(30001, 'The current transaction direction is not allowed to place an order');
    }
    const clientOrderId = param(p, 'newClientOrderId') ?? '';
    if (clientOrderId !== '' && !CLIENT_ID.test(clientOrderId)) return badParam('newClientOrderId');
    const buy = side === 'BUY';
    const shaped = type === 'MARKET' ? this.marketSize(symbol, buy, p) : this.limitSize(symbol, p);
    if (!shaped.ok) return shaped.reply;
    const { price, lots, quantityText, quoteOrderQty } = shaped.value;
    const resting = type === 'LIMIT' || type === 'LIMIT_MAKER';
    if (resting && account.openCount() >= MAX_OPEN)
      return fail(30029, 'Cannot exceed the maximum order limit');
    if (!this.affordable(account, symbol, buy, price, lots, quoteOrderQty)) return INSUFFICIENT;
    if (test) return ok({});

    const market = symbol.market;
    const now = wireMs(this.options.clock.now());
    const order: MexcOrder = {
      orderId: `C02__${this.options.ids.digits()}`,
      clientOrderId,
      symbol,
      side,
      type,
      price,
      lots,
      quantityText,
      quoteOrderQty,
      status: 'NEW',
      filledLots: 0,
      filledQuote: ZERO,
      fee: ZERO,
      time: now,
      updateTime: now,
      engineId: 0,
      n: account.orderN(),
      changed: false,
      lastDealLots: 0,
      lastMaker: type === 'LIMIT_MAKER',
    };
    if (type === 'LIMIT_MAKER' && this.wouldTake(symbol, buy, price)) {
      if (this.options.limitMakerCross === 'reject')
        return fail(30041, 'current order type can not place order');
      return this.unplaced(account, order);
    }
    if (type === 'FILL_OR_KILL' && fillableLots(market, buy, price) < lots)
      return this.unplaced(account, order);
    const id = market.engine.submit(
      account.owner,
      buy ? 'buy' : 'sell',
      type === 'MARKET' ? 'market' : 'limit',
      ENGINE_TIF[type],
      price as Ticks | 0,
      lots as Lots,
      order,
    );
    if (id === 0) {
      market.endOperation();
      if (market.engine.lastReject === 'post_only_would_take') {
        if (this.options.limitMakerCross === 'reject')
          return fail(30041, 'current order type can not place order');
        return this.unplaced(account, order);
      }
      return INSUFFICIENT;
    }
    account.addOrder(order);
    market.endOperation();
    return ok(newOrderObject(order));
  }

  /** DELETE /api/v3/order. */
  cancel(account: MexcAccount, p: Params): Reply {
    const target = this.listed(p);
    if (!target.ok) return target.reply;
    const found = this.find(account, target.value, p);
    if (!found.ok) return found.reply;
    const order = found.value;
    if (order === undefined || !isOpen(order)) return UNKNOWN_ORDER;
    order.symbol.market.engine.cancel(order.engineId, 'user');
    order.symbol.market.endOperation();
    return ok(cancelObject(order, param(p, 'newClientOrderId')));
  }

  /** DELETE /api/v3/openOrders: every open order of up to five symbols. */
  cancelAll(account: MexcAccount, p: Params): Reply {
    const names = param(p, 'symbol');
    if (names === undefined) return missing('symbol');
    const list = names.split(',');
    if (list.length > 5) return badParam('symbol', 'takes at most 5 symbols');
    const symbols: MexcSymbol[] = [];
    for (const name of list) {
      const symbol = this.options.symbol(name);
      if (symbol === undefined) return INVALID_SYMBOL;
      symbols.push(symbol);
    }
    const done: Record<string, unknown>[] = [];
    for (const symbol of symbols) {
      for (const order of account.openOrders(symbol.market.symbol)) {
        if (symbol.market.engine.cancel(order.engineId, 'user')) done.push(cancelObject(order));
      }
      symbol.market.endOperation();
    }
    return ok(done);
  }

  /** POST /api/v3/batchOrders: up to 20 orders of one symbol, each answered alone (B7). */
  batch(account: MexcAccount, p: Params): Reply {
    const text = param(p, 'batchOrders');
    if (text === undefined) return missing('batchOrders');
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch {
      return badParam('batchOrders', 'is not a JSON array');
    }
    if (!Array.isArray(items) || items.length === 0) return badParam('batchOrders', 'is not a JSON array');
    if (items.length > BATCH_MAX) return badParam('batchOrders', `takes at most ${BATCH_MAX} orders`);
    const orders: Record<string, string>[] = [];
    for (const item of items) {
      if (!isRecord(item)) return badParam('batchOrders', 'holds an item that is not an object');
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(item)) {
        if (typeof v === 'string') fields[k] = v;
        else if (typeof v === 'number' && Number.isFinite(v)) fields[k] = String(v);
      }
      orders.push(fields);
    }
    const symbols = new Set(orders.map((o) => o['symbol']));
    if (symbols.size !== 1) return badParam('batchOrders', 'must be orders of one symbol');
    return ok(
      orders.map((fields) => {
        const reply = this.create(account, fields);
        const code = replyCode(reply);
        const clientId = fields['newClientOrderId'];
        if (code === undefined) {
          const body = reply.body as { symbol: string; orderId: string };
          return {
            symbol: body.symbol,
            orderId: body.orderId,
            orderListId: -1,
            ...(clientId === undefined ? {} : { newClientOrderId: clientId }),
          };
        }
        return { newClientOrderId: clientId ?? null, msg: (reply.body as { msg: string }).msg, code };
      }),
    );
  }

  /** GET /api/v3/order. */
  query(account: MexcAccount, p: Params): Reply {
    const target = this.listed(p);
    if (!target.ok) return target.reply;
    const found = this.find(account, target.value, p);
    if (!found.ok) return found.reply;
    return found.value === undefined ? NO_SUCH_ORDER : ok(orderObject(found.value));
  }

  /** GET /api/v3/openOrders (the symbol is required). */
  openOrders(account: MexcAccount, p: Params): Reply {
    const target = this.listed(p);
    if (!target.ok) return target.reply;
    return ok(account.openOrders(target.value.market.symbol).map(orderObject));
  }

  /** GET /api/v3/allOrders: by default the last 24 h, at most 7 days, at most `limit` (≤1000, default 500). */
  allOrders(account: MexcAccount, p: Params, now: number): Reply {
    const target = this.listed(p);
    if (!target.ok) return target.reply;
    const span = timeSpan(p, now, DAY_MS, 7 * DAY_MS);
    if (!span.ok) return span.reply;
    const limit = intParam(p, 'limit', 1, 1000);
    if (limit === null) return badParam('limit');
    const { start, end } = span.value;
    const list = account
      .allOrders(target.value.market.symbol)
      .filter((o) => o.time >= start && o.time <= end)
      .slice(-(limit ?? 500));
    return ok(list.map(orderObject));
  }

  /** GET /api/v3/myTrades: by default the last month, at most `limit` (≤100, default 100). */
  myTrades(account: MexcAccount, p: Params, now: number): Reply {
    const target = this.listed(p);
    if (!target.ok) return target.reply;
    const span = timeSpan(p, now, 30 * DAY_MS, 30 * DAY_MS);
    if (!span.ok) return span.reply;
    const limit = intParam(p, 'limit', 1, 100);
    if (limit === null) return badParam('limit');
    const orderId = param(p, 'orderId');
    const { start, end } = span.value;
    const list = account
      .tradesOf(target.value.market.symbol)
      .filter((t) => t.time >= start && t.time <= end && (orderId === undefined || t.orderId === orderId))
      .slice(-(limit ?? 100));
    return ok(list.map((t) => t.wire));
  }

  // ---- internals -------------------------------------------------------------------------------

  /** A listed symbol, for queries and cancels. */
  private listed(p: Params): Checked<MexcSymbol> {
    const name = param(p, 'symbol');
    if (name === undefined) return refuse(missing('symbol'));
    const symbol = this.options.symbol(name);
    return symbol === undefined ? refuse(INVALID_SYMBOL) : accept(symbol);
  }

  /** A symbol that trades now, for new orders: listed (30014) and online (30000). */
  private tradable(p: Params): Checked<MexcSymbol> {
    const listed = this.listed(p);
    if (!listed.ok) return listed;
    if (listed.value.listing.status !== '1')
      return refuse(fail(30000, 'suspended transaction for the symbol'));
    return listed;
  }

  private find(account: MexcAccount, symbol: MexcSymbol, p: Params): Checked<MexcOrder | undefined> {
    const orderId = param(p, 'orderId');
    const clientId = param(p, 'origClientOrderId');
    if (orderId === undefined && clientId === undefined) return refuse(IDS_REQUIRED);
    const order = account.findOrder(orderId, clientId);
    return accept(order !== undefined && order.symbol === symbol ? order : undefined);
  }

  /** LIMIT, LIMIT_MAKER, IOC and FOK: `quantity` and `price`, each within the symbol's decimals. */
  private limitSize(symbol: MexcSymbol, p: Params): Checked<Shaped> {
    const priceText = param(p, 'price');
    if (priceText === undefined) return refuse(missing('price'));
    const quantityText = param(p, 'quantity');
    if (quantityText === undefined) return refuse(missing('quantity'));
    const price = parseScaled(priceText, symbol.listing.quoteAssetPrecision, 'price');
    if (!price.ok) return price;
    const lots = parseScaled(quantityText, symbol.listing.baseAssetPrecision, 'quantity');
    if (!lots.ok) return lots;
    const size = checkLimitSize(symbol, price.value, lots.value);
    if (size !== undefined) return refuse(size);
    return accept({ price: price.value, lots: lots.value, quantityText, quoteOrderQty: '' });
  }

  /** MARKET: `quantity` in base, or `quoteOrderQty` to spend (buy) or raise (sell) in quote (B7). */
  private marketSize(symbol: MexcSymbol, buy: boolean, p: Params): Checked<Shaped> {
    const quantityText = param(p, 'quantity');
    const quoteText = param(p, 'quoteOrderQty');
    const market = symbol.market;
    if (quantityText !== undefined) {
      const lots = parseScaled(quantityText, symbol.listing.baseAssetPrecision, 'quantity');
      if (!lots.ok) return lots;
      if (lots.value < market.instrument.minLots) return refuse(belowMinQty(symbol));
      const walked = walkCost(symbol, buy, lots.value);
      if (walked.lots === 0) return refuse(fail(30025, 'no exist opponent order'));
      if (walked.cost.lt(market.instrument.minNotional)) return refuse(belowMinValue(symbol));
      return accept({ price: 0, lots: lots.value, quantityText, quoteOrderQty: '' });
    }
    if (quoteText === undefined) return refuse(missing('quantity'));
    const quoteUnits = parseScaled(quoteText, symbol.listing.quoteAssetPrecision, 'quoteOrderQty');
    if (!quoteUnits.ok) return quoteUnits;
    const quote = new Decimal(quoteText);
    if (quote.lt(market.instrument.minNotional)) return refuse(belowMinValue(symbol));
    const lots = lotsForQuote(market, buy, quote);
    if (lots === 0) return refuse(fail(30025, 'no exist opponent order'));
    return accept({ price: 0, lots, quantityText: '', quoteOrderQty: quoteText });
  }

  /** The balance check (30004): a limit buy needs its notional plus the worst fee, a sell its base. */
  private affordable(
    account: MexcAccount,
    symbol: MexcSymbol,
    buy: boolean,
    price: number,
    lots: number,
    quoteOrderQty: string,
  ): boolean {
    const inst = symbol.market.instrument;
    const ledger = account.ledger;
    if (!buy) return ledger.free(account.owner, inst.base).gte(inst.lotSize.mul(lots));
    const freeQuote = ledger.free(account.owner, inst.quote);
    if (quoteOrderQty !== '') return freeQuote.gte(quoteOrderQty);
    const fee = Decimal.max(inst.makerFee, inst.takerFee, 0);
    const cost = price === 0 ? walkCost(symbol, true, lots).cost : notional(inst, price, lots);
    return freeQuote.gte(cost.mul(fee.plus(1)));
  }

  private wouldTake(symbol: MexcSymbol, buy: boolean, price: number): boolean {
    const engine = symbol.market.engine;
    const far = buy ? engine.bestAsk() : engine.bestBid();
    return far !== undefined && (buy ? price >= far : price <= far);
  }

  /** An order acknowledged and cancelled at once, unfilled. */
  private unplaced(account: MexcAccount, order: MexcOrder): Reply {
    order.status = 'CANCELED';
    account.addOrder(order);
    account.markOrder(order);
    order.symbol.market.endOperation();
    return ok(newOrderObject(order));
  }
}

/** startTime / endTime of a history query, defaulting to the last `defaultMs`, spanning at most `maxMs`. */
function timeSpan(
  p: Params,
  now: number,
  defaultMs: number,
  maxMs: number,
): Checked<{ start: number; end: number }> {
  const endRaw = intParam(p, 'endTime', 0, Number.MAX_SAFE_INTEGER);
  const startRaw = intParam(p, 'startTime', 0, Number.MAX_SAFE_INTEGER);
  if (endRaw === null) return refuse(badParam('endTime'));
  if (startRaw === null) return refuse(badParam('startTime'));
  const end =
    endRaw ?? (startRaw === undefined ? Math.floor(now) : Math.min(Math.floor(now), startRaw + maxMs));
  const start = startRaw ?? end - defaultMs;
  if (start > end) return refuse(badParam('startTime', 'is after endTime'));
  if (end - start > maxMs) return refuse(badParam('startTime', 'spans too long a period'));
  return accept({ start, end });
}
