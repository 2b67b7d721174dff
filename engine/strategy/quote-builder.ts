import type { Lots, Ticks } from '../core/instrument.ts';

/** Why a side carries no quote. */
export type WithheldReason =
  | 'stopped'
  | 'paused'
  | 'max_position'
  | 'model_invalid'
  | 'warming_up'
  | 'no_market'
  | 'stale_feed'
  | 'halted'
  | 'reducing'
  | 'reconciling'
  | 'crossed';

export interface QuoteLevel {
  price: Ticks;
  size: Lots;
}

export interface QuoteSide {
  levels: QuoteLevel[];
  withheld: WithheldReason | null;
}

export interface QuoteSet {
  bid: QuoteSide;
  ask: QuoteSide;
}

export interface QuoteParams {
  /** Lots per order. */
  sizeLots: number;
  levels: number;
  /** Distance between successive levels of one side, ticks. */
  levelSpacingTicks: number;
  minSpreadTicks: number;
  maxSpreadTicks: number;
  postOnly: boolean;
  /** Added to both quotes after the model (positive raises them). */
  skewTicks: number;
  pinBid?: number | undefined;
  pinAsk?: number | undefined;
  /** Absolute position limit in lots; the side that would add to a position at the limit is withheld. */
  maxPositionLots: number;
  /**
   * The venue's smallest order notional in tick × lot units (0 where it has none). A level whose size
   * would fall below it at its price is quoted at the smallest size that reaches it instead, so a
   * small default size on a high-priced instrument (0.00001 BTC at 65,000) is not refused outright.
   */
  minNotionalUnits?: number;
}

export interface Touch {
  bestBid: number | undefined;
  bestAsk: number | undefined;
}

export const NO_QUOTE = (reason: WithheldReason): QuoteSet => ({
  bid: { levels: [], withheld: reason },
  ask: { levels: [], withheld: reason },
});

/**
 * Turns the model's continuous quotes (prices in ticks, fractional) into orders on the tick grid:
 * the bid rounds down and the ask up, so rounding never makes a quote more aggressive than the model
 * asked; then skew, pins, the spread bounds, post-only clamping one tick off the opposite touch, and
 * levels behind the first one.
 */
export function buildQuotes(
  bidPx: number,
  askPx: number,
  p: QuoteParams,
  touch: Touch,
  positionLots: number,
): QuoteSet {
  let bid = Math.floor(bidPx) + p.skewTicks;
  let ask = Math.ceil(askPx) + p.skewTicks;
  if (p.pinBid !== undefined) bid = p.pinBid;
  if (p.pinAsk !== undefined) ask = p.pinAsk;
  // Spread bounds around the quotes' centre, widening outward / narrowing inward on the tick grid.
  if (p.pinBid === undefined && p.pinAsk === undefined) {
    const width = ask - bid;
    if (width < p.minSpreadTicks) {
      const extra = p.minSpreadTicks - width;
      bid -= Math.ceil(extra / 2);
      ask += Math.floor(extra / 2);
    } else if (width > p.maxSpreadTicks) {
      const cut = width - p.maxSpreadTicks;
      bid += Math.floor(cut / 2);
      ask -= Math.ceil(cut / 2);
    }
  }
  if (p.postOnly) {
    if (touch.bestAsk !== undefined && bid >= touch.bestAsk) bid = touch.bestAsk - 1;
    if (touch.bestBid !== undefined && ask <= touch.bestBid) ask = touch.bestBid + 1;
  }
  const result: QuoteSet = { bid: { levels: [], withheld: null }, ask: { levels: [], withheld: null } };
  if (bid >= ask) {
    return NO_QUOTE('crossed');
  }
  // One size per side, enough for the venue minimum at the side's lowest price (the deepest bid, the
  // first ask), so every level of the side is the same order size.
  const floor = p.minNotionalUnits ?? 0;
  const sizeAt = (price: number): number =>
    floor > 0 && price > 0 ? Math.max(p.sizeLots, Math.ceil(floor / price)) : p.sizeLots;
  const bidSize = sizeAt(Math.max(1, bid - (p.levels - 1) * p.levelSpacingTicks));
  const askSize = sizeAt(ask);
  const canBuy = positionLots + bidSize <= p.maxPositionLots;
  const canSell = positionLots - askSize >= -p.maxPositionLots;
  for (let i = 0; i < p.levels; i++) {
    const b = bid - i * p.levelSpacingTicks;
    const a = ask + i * p.levelSpacingTicks;
    if (canBuy && b > 0) result.bid.levels.push({ price: b as Ticks, size: bidSize as Lots });
    if (canSell) result.ask.levels.push({ price: a as Ticks, size: askSize as Lots });
  }
  if (!canBuy) result.bid.withheld = 'max_position';
  if (!canSell) result.ask.withheld = 'max_position';
  return result;
}
