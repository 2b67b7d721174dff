import { Decimal } from '../../core/decimal.ts';
import { formatPrice, formatSize, lotsToDecimal, notional } from '../../core/instrument.ts';
import type { SimMarket } from './market.ts';
import type { Category } from './wire.ts';

export type OrderStatus = 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'PartiallyFilledCanceled';
export type WireTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'PostOnly';

/** Our order as the venue records it; the matching engine holds it as the order's `ref`. */
export interface BybitOrder {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly market: SimMarket;
  readonly side: 'Buy' | 'Sell';
  readonly orderType: 'Limit' | 'Market';
  readonly timeInForce: WireTimeInForce;
  /** Limit price in ticks; 0 for a market order. */
  price: number;
  /** Total size in lots (a spot market buy in quote: the lots the quote amount bought). */
  qty: number;
  /** A spot market order's `qty` as sent and its unit; "" for every other order. */
  readonly qtyText: string;
  readonly marketUnit: '' | 'baseCoin' | 'quoteCoin';
  readonly reduceOnly: boolean;
  status: OrderStatus;
  cancelType: string;
  rejectReason: string;
  cumLots: number;
  cumValue: Decimal;
  cumFee: Decimal;
  readonly createdTime: number;
  updatedTime: number;
  /** The matching engine's id while it is live there; 0 before it was accepted. */
  engineId: number;
  /** Creation order within the account: orders list newest first by it, and cursors name it. */
  readonly n: number;
  /** Changed by the operation in progress: pushed once when it ends. */
  changed: boolean;
}

export function isOpen(order: BybitOrder): boolean {
  return order.status === 'New' || order.status === 'PartiallyFilled';
}

export function categoryOf(order: BybitOrder): Category {
  return order.market.category;
}

/** The remaining lots of an open order (0 once it is closed). */
export function leavesLots(order: BybitOrder): number {
  return isOpen(order) ? Math.max(0, order.qty - order.cumLots) : 0;
}

/**
 * The order object of the REST order lists and of the `order` topic (which adds `category`), in
 * the venue's field order. Every number is an exact decimal string; the average price is the exact
 * quotient where it terminates within the price's decimals plus eight, as the venue rounds it.
 */
export function orderWire(order: BybitOrder, withCategory: boolean): Record<string, unknown> {
  const m = order.market;
  const inst = m.instrument;
  const spot = m.category === 'spot';
  const leaves = leavesLots(order);
  const price = order.price === 0 ? '0' : formatPrice(inst, order.price);
  const qty = order.qtyText !== '' ? order.qtyText : formatSize(inst, order.qty);
  const feeText = order.cumFee.toFixed();
  return {
    ...(withCategory ? { category: m.category } : {}),
    orderId: order.orderId,
    orderLinkId: order.orderLinkId,
    blockTradeId: '',
    symbol: m.symbol,
    price,
    qty,
    side: order.side,
    isLeverage: spot ? '0' : '',
    positionIdx: 0,
    orderStatus: order.status,
    cancelType: order.cancelType,
    rejectReason: order.rejectReason,
    avgPrice: averagePrice(order),
    leavesQty: formatSize(inst, leaves),
    leavesValue: order.price === 0 ? '0' : notional(inst, order.price, leaves).toFixed(),
    cumExecQty: formatSize(inst, order.cumLots),
    cumExecValue: order.cumValue.toFixed(),
    cumExecFee: feeText,
    cumFeeDetail: order.cumFee.isZero() ? {} : { [inst.quote]: feeText },
    feeCurrency: spot ? inst.quote : '',
    timeInForce: order.timeInForce,
    orderType: order.orderType,
    stopOrderType: '',
    orderIv: '',
    marketUnit: order.marketUnit,
    triggerPrice: spot ? '0.00' : '',
    takeProfit: spot ? '0.00' : '',
    stopLoss: spot ? '0.00' : '',
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: 0,
    triggerBy: '',
    lastPriceOnCreated: '',
    reduceOnly: order.reduceOnly,
    closeOnTrigger: false,
    placeType: '',
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    tpslMode: '',
    tpLimitPrice: '',
    slLimitPrice: '',
    createType: 'CreateByUser',
    parentOrderLinkId: '',
    createdTime: String(order.createdTime),
    updatedTime: String(order.updatedTime),
  };
}

function averagePrice(order: BybitOrder): string {
  if (order.cumLots === 0) return spotOrLinearZero(order);
  const inst = order.market.instrument;
  const avg = order.cumValue.div(lotsToDecimal(inst, order.cumLots));
  return avg.toDecimalPlaces(inst.priceDecimals + 8, Decimal.ROUND_HALF_EVEN).toFixed();
}

function spotOrLinearZero(order: BybitOrder): string {
  return order.market.category === 'spot' ? '' : '0';
}
