import { Decimal } from '../../core/decimal.ts';
import { lotsToDecimal, ticksToDecimal } from '../../core/instrument.ts';
import type { MexcOrderStatus, MexcOrderType, MexcSide } from '../../venues/mexc/wire.ts';
import type { SimMarket } from '../bybit/market.ts';
import type { MexcListing } from './instruments.ts';

/** A listed symbol: what the venue prints of it and the market that trades it. */
export interface MexcSymbol {
  readonly listing: MexcListing;
  readonly market: SimMarket;
}

/** Our order as the venue records it; the matching engine holds it as the order's `ref`. */
export interface MexcOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: MexcSymbol;
  readonly side: MexcSide;
  readonly type: MexcOrderType;
  /** Limit price in ticks; 0 for a market order. */
  readonly price: number;
  /** Size in lots (a market buy by quote amount: the lots it could buy when placed). */
  readonly lots: number;
  /** `quantity` as the order gave it ("" for a market order by quote amount). */
  readonly quantityText: string;
  /** `quoteOrderQty` as given, or "". */
  readonly quoteOrderQty: string;
  status: MexcOrderStatus;
  filledLots: number;
  filledQuote: Decimal;
  fee: Decimal;
  readonly time: number;
  updateTime: number;
  /** The matching engine's id while it is live there; 0 otherwise. */
  engineId: number;
  /** Creation order within the account. */
  readonly n: number;
  /** Changed by the operation in progress: pushed once when it ends. */
  changed: boolean;
  /** Lots of the latest fill, for the push's lastDealQuantity. */
  lastDealLots: number;
  /** Whether the latest fill made liquidity (before any fill: whether the order is post-only). */
  lastMaker: boolean;
}

export function isOpen(order: MexcOrder): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

/*
 * Order records print their numbers without trailing zeros, as the venue's order answers do
 * (`"price":"0.1","origQty":"50"`, B7); book levels keep the symbol's decimals.
 */

function priceText(order: MexcOrder): string {
  return ticksToDecimal(order.symbol.market.instrument, order.price).toFixed();
}

function origQty(order: MexcOrder): string {
  if (order.quantityText !== '') return new Decimal(order.quantityText).toFixed();
  return order.quoteOrderQty !== '' ? '0' : qtyText(order, order.lots);
}

/** A number of lots of the order's symbol, trimmed. */
export function qtyText(order: MexcOrder, lots: number): string {
  return lotsToDecimal(order.symbol.market.instrument, lots).toFixed();
}

/** The order object of GET /api/v3/order, openOrders and allOrders (B7). */
export function orderObject(order: MexcOrder): Record<string, unknown> {
  const inst = order.symbol.market.instrument;
  return {
    symbol: inst.symbol,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId === '' ? null : order.clientOrderId,
    price: priceText(order),
    origQty: origQty(order),
    executedQty: qtyText(order, order.filledLots),
    cummulativeQuoteQty: order.filledQuote.toFixed(),
    status: order.status,
    timeInForce: null,
    type: order.type,
    side: order.side,
    stopPrice: null,
    icebergQty: null,
    time: order.time,
    updateTime: order.updateTime,
    isWorking: true,
    origQuoteOrderQty: order.quoteOrderQty === '' ? '0' : order.quoteOrderQty,
  };
}

/** The answer to DELETE /api/v3/order and an item of DELETE /api/v3/openOrders (B7). */
export function cancelObject(order: MexcOrder, newClientOrderId?: string): Record<string, unknown> {
  const inst = order.symbol.market.instrument;
  return {
    symbol: inst.symbol,
    origClientOrderId: order.clientOrderId === '' ? null : order.clientOrderId,
    orderId: order.orderId,
    clientOrderId: newClientOrderId ?? (order.clientOrderId === '' ? null : order.clientOrderId),
    price: priceText(order),
    origQty: origQty(order),
    executedQty: qtyText(order, order.filledLots),
    cummulativeQuoteQty: order.filledQuote.toFixed(),
    status: order.status,
    timeInForce: null,
    type: order.type,
    side: order.side,
    orderListId: -1,
  };
}

/** The answer to POST /api/v3/order (B7). */
export function newOrderObject(order: MexcOrder): Record<string, unknown> {
  return {
    symbol: order.symbol.market.symbol,
    orderId: order.orderId,
    orderListId: -1,
    price: priceText(order),
    origQty: origQty(order),
    type: order.type,
    side: order.side,
    transactTime: order.time,
  };
}

/** The average fill price, exact where it terminates within the price's decimals plus eight. */
export function averagePrice(order: MexcOrder): string {
  if (order.filledLots === 0) return '0';
  const inst = order.symbol.market.instrument;
  return order.filledQuote
    .div(lotsToDecimal(inst, order.filledLots))
    .toDecimalPlaces(inst.priceDecimals + 8, Decimal.ROUND_HALF_EVEN)
    .toFixed();
}
