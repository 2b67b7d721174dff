import type { Clock } from '../../core/clock.ts';
import { Decimal } from '../../core/decimal.ts';
import type { Lots, Ticks } from '../../core/instrument.ts';
import type { SimDoneReason } from '../../venues/sim/matching-engine.ts';
import type { Account } from './account.ts';
import type { IdSource } from './ids.ts';
import type { SimMarket } from './market.ts';
import type { Checked } from './order-checks.ts';
import {
  accept,
  checkNotional,
  fillableLots,
  LINK_ID,
  lotsForQuote,
  parsePrice,
  parseQty,
  parseQuoteAmount,
  refuse,
} from './order-checks.ts';
import type { BybitOrder, WireTimeInForce } from './orders.ts';
import { isOpen } from './orders.ts';
import type { Category, Params, Reply } from './wire.ts';
import { fail, flag, isRecord, nonEmpty, ok, text, TOO_MANY_VISITS } from './wire.ts';

export interface TradingOptions {
  clock: Clock;
  ids: IdSource;
  market(category: Category, symbol: string): SimMarket | undefined;
}

export type BatchOp = 'create' | 'amend' | 'cancel';

/** Items per batch request (A7). */
export const BATCH_MAX: Readonly<Record<Category, number>> = { spot: 10, linear: 20 };
const MAX_OPEN = 500;
const ZERO = new Decimal(0);
const TIME_IN_FORCE: readonly string[] = ['GTC', 'IOC', 'FOK', 'PostOnly'];

/**
 * The order entry of the venue, shared by REST and the WebSocket trade stream: checks a request as
 * Bybit does (A5, A9, A12), carries it out on the matching engine, and answers with the
 * acknowledgement only. What the order then does reaches the account's pushes when the operation ends.
 * A post-only order that would take, a fill-or-kill that cannot fill and a market post-only are
 * acknowledged and then cancelled with their rejectReason, as the venue does (A10).
 */
export class Trading {
  private readonly options: TradingOptions;

  constructor(options: TradingOptions) {
    this.options = options;
  }

  create(account: Account, p: Params): Reply {
    const target = this.target(p);
    if (!target.ok) return target.reply;
    const market = target.value;
    const spot = market.category === 'spot';
    const side = text(p, 'side');
    if (side !== 'Buy' && side !== 'Sell') return fail(10001, 'params error: side invalid');
    const orderType = text(p, 'orderType');
    if (orderType !== 'Limit' && orderType !== 'Market')
      return fail(10001, 'params error: orderType invalid');
    const tifText = text(p, 'timeInForce') ?? 'GTC';
    if (!TIME_IN_FORCE.includes(tifText)) return fail(10001, 'params error: timeInForce invalid');
    const link = text(p, 'orderLinkId') ?? '';
    if (link !== '' && !LINK_ID.test(link)) return fail(10001, 'params error: orderLinkId invalid');
    if (link !== '' && account.linkIdUsed(market.category, link)) {
      return spot ? fail(170141, 'Duplicate clientOrderId.') : fail(110072, 'OrderLinkedID is duplicate');
    }
    const positionIdx = text(p, 'positionIdx');
    if (!spot && positionIdx !== undefined && positionIdx !== '0') {
      return fail(10001, 'position idx not match position mode');
    }
    const buy = side === 'Buy';
    const reduceOnly = !spot && flag(p, 'reduceOnly') === true;
    const size = this.size(market, orderType, buy, p);
    if (!size.ok) return size.reply;
    let { lots } = size.value;
    const { price, qtyText, marketUnit } = size.value;
    if (
      orderType === 'Limit' &&
      account.openCount(market.category, spot ? undefined : market.symbol) >= MAX_OPEN
    ) {
      return spot
        ? fail(170810, 'Open orders exceeded the limit.')
        : fail(110020, 'Not allowed to have more than 500 active orders.');
    }
    if (reduceOnly) {
      const position = account.positions.get(market);
      if (position.size === 0 || position.size > 0 === buy) {
        return fail(110017, 'Reduce-only order has same side with current position');
      }
      lots = Math.min(lots, Math.abs(position.size));
    } else if (!spot) {
      const need = account.positions.margin(market, price === 0 ? market.markTicks() : price, lots);
      if (account.positions.available().lt(need)) return fail(110007, 'ab not enough for new order');
    }
    const now = Math.floor(this.options.clock.now());
    const tif = tifText as WireTimeInForce;
    const order: BybitOrder = {
      orderId: spot ? this.options.ids.digits() : this.options.ids.uuid(),
      orderLinkId: link,
      market,
      side,
      orderType,
      timeInForce: orderType === 'Market' ? 'IOC' : tif,
      price,
      qty: lots,
      qtyText,
      marketUnit,
      reduceOnly,
      status: 'New',
      cancelType: 'UNKNOWN',
      rejectReason: 'EC_NoError',
      cumLots: 0,
      cumValue: ZERO,
      cumFee: ZERO,
      createdTime: now,
      updatedTime: now,
      engineId: 0,
      n: account.orderN(),
      changed: false,
    };
    if (orderType === 'Market' && tif === 'PostOnly')
      return this.unplaced(account, order, 'EC_MarketOrderCannotBePostOnly');
    if (lots === 0) return this.unplaced(account, order, 'EC_NoImmediateQtyToFill');
    if (orderType === 'Limit' && tif === 'FOK' && fillableLots(market, buy, price) < lots)
      return this.unplaced(account, order, 'EC_NoEnoughQtyToFill');
    const id = market.engine.submit(
      spot ? account.spotOwner : account.linearOwner,
      buy ? 'buy' : 'sell',
      orderType === 'Limit' ? 'limit' : 'market',
      orderType === 'Market' ? 'gtc' : tif === 'PostOnly' ? 'post_only' : tif === 'GTC' ? 'gtc' : 'ioc',
      price as Ticks | 0,
      lots as Lots,
      order,
    );
    if (id === 0) {
      if (market.engine.lastReject === 'post_only_would_take') {
        return this.unplaced(account, order, 'EC_PostOnlyWillTakeLiquidity');
      }
      market.endOperation();
      return spot ? fail(170131, 'Insufficient balance.') : fail(110007, 'ab not enough for new order');
    }
    account.addOrder(order);
    market.endOperation();
    return ok({ orderId: order.orderId, orderLinkId: order.orderLinkId });
  }

  amend(account: Account, p: Params): Reply {
    const target = this.target(p);
    if (!target.ok) return target.reply;
    const market = target.value;
    const found = this.findOpen(account, market, p, 'replace');
    if (!found.ok) return found.reply;
    const order = found.value;
    let price = order.price;
    let qty = order.qty;
    const priceText = nonEmpty(p, 'price');
    if (priceText !== undefined) {
      const parsed = parsePrice(market, priceText);
      if (!parsed.ok) return parsed.reply;
      price = parsed.value;
    }
    const qtyText = nonEmpty(p, 'qty');
    if (qtyText !== undefined) {
      const parsed = parseQty(market, qtyText, market.listed.maxOrderQty);
      if (!parsed.ok) return parsed.reply;
      qty = parsed.value;
    }
    if (price === order.price && qty === order.qty) {
      return fail(10001, 'The order remains unchanged as the parameters entered match the existing ones.');
    }
    if (qty > order.cumLots) {
      const n = checkNotional(market, price, qty);
      if (!n.ok) return n.reply;
    }
    if (market.category === 'linear') {
      const positions = account.positions;
      const more = positions
        .margin(market, price, Math.max(0, qty - order.cumLots))
        .minus(positions.margin(market, order.price, order.qty - order.cumLots));
      if (more.gt(0) && positions.available().lt(more)) return fail(110007, 'ab not enough for new order');
    }
    const engine = market.engine;
    if (
      !engine.amend(
        order.engineId,
        price === order.price ? 0 : (price as Ticks),
        qty === order.qty ? 0 : (qty as Lots),
      )
    ) {
      if (engine.lastReject === 'post_only_would_take') {
        // The venue accepts the amend and its matching engine then cancels the post-only order.
        order.rejectReason = 'EC_PostOnlyWillTakeLiquidity';
        engine.cancel(order.engineId, null);
      } else {
        market.endOperation();
        return market.category === 'spot'
          ? fail(170131, 'Insufficient balance.')
          : fail(110007, 'ab not enough for new order');
      }
    }
    market.endOperation();
    return ok({ orderId: order.orderId, orderLinkId: order.orderLinkId });
  }

  cancel(account: Account, p: Params): Reply {
    const target = this.target(p);
    if (!target.ok) return target.reply;
    const market = target.value;
    const found = this.findOpen(account, market, p, 'cancel');
    if (!found.ok) return found.reply;
    const order = found.value;
    market.engine.cancel(order.engineId, 'user');
    market.endOperation();
    return ok({ orderId: order.orderId, orderLinkId: order.orderLinkId });
  }

  cancelAll(account: Account, p: Params): Reply {
    const category = this.category(p);
    if (!category.ok) return category.reply;
    const cat = category.value;
    const symbol = nonEmpty(p, 'symbol');
    const baseCoin = nonEmpty(p, 'baseCoin');
    const settleCoin = nonEmpty(p, 'settleCoin');
    if (cat === 'linear' && symbol === undefined && baseCoin === undefined && settleCoin === undefined) {
      return fail(10001, 'Missing some parameters that must be filled in, symbol or settleCoin or baseCoin');
    }
    if (symbol !== undefined && this.options.market(cat, symbol) === undefined) {
      return fail(10001, 'params error: symbol invalid');
    }
    // Priority symbol, then baseCoin, then settleCoin (A7).
    const orders = account
      .openOrders(cat)
      .filter((o) =>
        symbol !== undefined
          ? o.market.symbol === symbol
          : baseCoin !== undefined
            ? o.market.instrument.base === baseCoin
            : settleCoin === undefined || o.market.instrument.quote === settleCoin,
      );
    return ok({ list: cancelOrders(orders, 'user'), success: '1' });
  }

  /** Cancels the account's open orders of one category after its connections died (DCP). */
  cancelForDcp(account: Account, category: Category): number {
    return cancelOrders(account.openOrders(category), 'disconnect').length;
  }

  /**
   * A batch of one kind: per item the same checks and answer as the single request, aligned in
   * `result.list` and `retExtInfo.list`; the items past `allowed` (the rate limit's remainder) fail
   * alone with 10006 (A6). The top-level retCode is 0 even when items fail.
   */
  batch(op: BatchOp, account: Account, p: Params, allowed: number): Reply {
    const category = this.category(p);
    if (!category.ok) return category.reply;
    const cat = category.value;
    const request = p['request'];
    if (!Array.isArray(request) || request.length === 0) return fail(10001, 'params error: request invalid');
    if (request.length > BATCH_MAX[cat]) {
      return fail(10001, `params error: a ${cat} batch takes at most ${BATCH_MAX[cat]} orders`);
    }
    const list: Record<string, unknown>[] = [];
    const ext: { code: number; msg: string }[] = [];
    const createAt = String(Math.floor(this.options.clock.now()));
    request.forEach((item: unknown, i) => {
      const fields = isRecord(item) ? item : {};
      const reply = !isRecord(item)
        ? fail(10001, 'params error: request invalid')
        : i >= allowed
          ? fail(10006, TOO_MANY_VISITS)
          : this[op](account, { ...fields, category: cat });
      const done =
        reply.retCode === 0 ? (reply.result as { orderId: string; orderLinkId: string }) : undefined;
      list.push({
        category: cat,
        symbol: text(fields, 'symbol') ?? '',
        orderId: done?.orderId ?? '',
        orderLinkId: done?.orderLinkId ?? text(fields, 'orderLinkId') ?? '',
        ...(op === 'create' ? { createAt: done === undefined ? '' : createAt } : {}),
      });
      ext.push({ code: reply.retCode, msg: reply.retCode === 0 ? 'OK' : reply.retMsg });
    });
    return { retCode: 0, retMsg: 'OK', result: { list }, retExtInfo: { list: ext } };
  }

  // ---- internals -------------------------------------------------------------------------------

  private category(p: Params): Checked<Category> {
    const c = text(p, 'category');
    if (c === 'spot' || c === 'linear') return accept(c);
    // The venue knows these categories; the simulator lists nothing in them.
    if (c === 'inverse' || c === 'option') return refuse(10001, 'params error: symbol invalid');
    return refuse(10001, 'params error: category invalid');
  }

  private target(p: Params): Checked<SimMarket> {
    const category = this.category(p);
    if (!category.ok) return category;
    const symbol = text(p, 'symbol');
    const market = symbol === undefined ? undefined : this.options.market(category.value, symbol);
    return market === undefined ? refuse(10001, 'params error: symbol invalid') : accept(market);
  }

  /** Price and size of a new order; a spot market order may give its size in quote (A7). */
  private size(
    market: SimMarket,
    orderType: 'Limit' | 'Market',
    buy: boolean,
    p: Params,
  ): Checked<{ price: number; lots: number; qtyText: string; marketUnit: BybitOrder['marketUnit'] }> {
    const qtyText = text(p, 'qty');
    if (orderType === 'Limit') {
      const price = parsePrice(market, text(p, 'price'));
      if (!price.ok) return price;
      const lots = parseQty(market, qtyText, market.listed.maxOrderQty);
      if (!lots.ok) return lots;
      const n = checkNotional(market, price.value, lots.value);
      if (!n.ok) return n;
      return accept({ price: price.value, lots: lots.value, qtyText: '', marketUnit: '' });
    }
    const spot = market.category === 'spot';
    const unit = spot ? (text(p, 'marketUnit') ?? (buy ? 'quoteCoin' : 'baseCoin')) : '';
    if (unit === 'quoteCoin') {
      const quote = parseQuoteAmount(market, qtyText);
      if (!quote.ok) return quote;
      return accept({
        price: 0,
        lots: lotsForQuote(market, buy, quote.value),
        qtyText: qtyText!,
        marketUnit: unit,
      });
    }
    if (unit !== '' && unit !== 'baseCoin') return refuse(10001, 'params error: marketUnit invalid');
    const lots = parseQty(market, qtyText, market.listed.maxMarketQty);
    if (!lots.ok) return lots;
    const n = checkNotional(market, market.markTicks(), lots.value);
    if (!n.ok) return n;
    return accept({ price: 0, lots: lots.value, qtyText: spot ? qtyText! : '', marketUnit: unit });
  }

  private findOpen(
    account: Account,
    market: SimMarket,
    p: Params,
    verb: 'cancel' | 'replace',
  ): Checked<BybitOrder> {
    const orderId = nonEmpty(p, 'orderId');
    const orderLinkId = nonEmpty(p, 'orderLinkId');
    if (orderId === undefined && orderLinkId === undefined) {
      return refuse(10001, 'params error: orderId or orderLinkId is required');
    }
    const order = account.findOrder(market.category, orderId, orderLinkId);
    if (order === undefined || !isOpen(order) || order.market !== market) {
      return market.category === 'spot'
        ? refuse(170213, 'Order does not exist.')
        : refuse(110001, `order not exists or too late to ${verb}`);
    }
    return accept(order);
  }

  /** An order the venue acknowledges and its matching engine cancels at once, unfilled. */
  private unplaced(account: Account, order: BybitOrder, rejectReason: string): Reply {
    order.status = 'Cancelled';
    order.rejectReason = rejectReason;
    account.addOrder(order);
    account.markOrder(order);
    order.market.endOperation();
    return ok({ orderId: order.orderId, orderLinkId: order.orderLinkId });
  }
}

/** Cancels orders market by market; each market's pushes go out as one operation. */
function cancelOrders(
  orders: readonly BybitOrder[],
  reason: SimDoneReason,
): { orderId: string; orderLinkId: string }[] {
  const byMarket = new Map<SimMarket, BybitOrder[]>();
  for (const o of orders) {
    const list = byMarket.get(o.market) ?? [];
    list.push(o);
    byMarket.set(o.market, list);
  }
  const done: { orderId: string; orderLinkId: string }[] = [];
  for (const [market, list] of byMarket) {
    for (const o of list) {
      if (isOpen(o) && market.engine.cancel(o.engineId, reason))
        done.push({ orderId: o.orderId, orderLinkId: o.orderLinkId });
    }
    market.endOperation();
  }
  return done;
}
