import type { Side } from '../../core/instrument.ts';
import type { Trade } from '../../market/types.ts';
import type { ExecOrder } from './exec-order.ts';
import { leaves } from './exec-order.ts';
import type { QueueModel } from './queue-model.ts';

/** Lots of one of our resting orders that a public trade filled (as maker, at the order's price). */
export interface PassiveFill {
  readonly order: ExecOrder;
  readonly lots: number;
  /** A trade at the order's price (after the queue ahead), or one printed through it. */
  readonly cause: 'trade' | 'trade-through';
}

/**
 * Our resting orders of one symbol, by side and price, each with its place in the public queue, and
 * the rules by which public trades fill them:
 * - a trade at our price, from the side that takes our liquidity, first consumes the queue ahead of
 *   us (the queue model says how much) and then fills us;
 * - a trade through our price (a sell below our bid, a buy above our ask) means the aggressor would
 *   have met us first: it fills us up to its size, and nothing is ahead of us any more;
 * - our orders share a trade's volume: best price first, and at one price in the order they arrived,
 *   so one public lot never fills two of our orders.
 * This class only decides; the caller settles the fills and removes what is filled.
 */
export class RestingOrders {
  private readonly model: QueueModel;
  private readonly bids = new Map<number, ExecOrder[]>();
  private readonly asks = new Map<number, ExecOrder[]>();
  private joined = 0;
  private count = 0;

  constructor(model: QueueModel) {
    this.model = model;
  }

  size(): number {
    return this.count;
  }

  /** Our order joins the back of the queue at its price, where the feed shows `shown` public lots. */
  add(order: ExecOrder, shown: number): void {
    order.place = this.model.join(shown);
    order.joinSeq = ++this.joined;
    const levels = this.levels(order.side);
    const level = levels.get(order.price);
    if (level) level.push(order);
    else levels.set(order.price, [order]);
    this.count++;
  }

  remove(order: ExecOrder): void {
    const levels = this.levels(order.side);
    const level = levels.get(order.price);
    order.place = null;
    if (!level) return;
    const i = level.indexOf(order);
    if (i < 0) return;
    level.splice(i, 1);
    this.count--;
    if (level.length === 0) levels.delete(order.price);
  }

  /** Appends the prices where we rest on one side (unordered) to `out`, which the caller reuses. */
  collectPrices(side: Side, out: number[]): void {
    for (const p of this.levels(side).keys()) out.push(p);
  }

  /** The level at one of our prices changed in a delta: every order of ours there is told. */
  onLevelChange(side: Side, price: number, before: number, after: number): void {
    for (const order of this.levels(side).get(price) ?? []) {
      if (order.place) this.model.onLevelChange(order.place, before, after);
    }
  }

  /** The book was rebuilt from a snapshot: every order of ours at `price` is told what it shows. */
  onResync(side: Side, price: number, shown: number): void {
    for (const order of this.levels(side).get(price) ?? []) {
      if (order.place) this.model.onResync(order.place, shown);
    }
  }

  /**
   * Our orders of one side at `price` or better (bids at or above it, asks at or below it), best price
   * first and in arrival order at each price.
   */
  atOrBetter(side: Side, price: number): ExecOrder[] {
    const out: ExecOrder[] = [];
    for (const p of this.sortedPrices(side)) {
      if (side === 'buy' ? p < price : p > price) break;
      out.push(...this.levels(side).get(p)!);
    }
    return out;
  }

  /** The best price we rest at on one side, or undefined (asked on every book message: no sort). */
  best(side: Side): number | undefined {
    let best: number | undefined;
    for (const p of this.levels(side).keys())
      if (best === undefined || (side === 'buy' ? p > best : p < best)) best = p;
    return best;
  }

  /** Every order of ours on the symbol, in arrival order at the venue. */
  all(): ExecOrder[] {
    const out: ExecOrder[] = [];
    for (const level of this.bids.values()) out.push(...level);
    for (const level of this.asks.values()) out.push(...level);
    return out.sort((a, b) => a.joinSeq - b.joinSeq);
  }

  /** What one public trade fills of ours (see the class comment). */
  onTrade(trade: Trade): PassiveFill[] {
    // A sell aggressor takes bids; a buy aggressor takes asks.
    const side: Side = trade.aggressor === 'sell' ? 'buy' : 'sell';
    const fills: PassiveFill[] = [];
    // Volume of the trade not yet given to an order of ours.
    let volume: number = trade.size;
    for (const order of this.atOrBetter(side, trade.price)) {
      const place = order.place;
      if (!place) continue;
      const at = order.price === trade.price;
      let executable: number;
      if (at) {
        // Told even once our earlier orders took the whole volume (`volume` 0): the level's next
        // depth update shows the printed size gone, which a probabilistic model must not take for
        // cancels.
        executable = this.model.onTrade(place, volume, trade.size);
      } else {
        if (volume <= 0) continue;
        this.model.onTradeThrough(place);
        executable = volume;
      }
      const lots = Math.min(leaves(order), executable);
      if (lots > 0) {
        fills.push({ order, lots, cause: at ? 'trade' : 'trade-through' });
        volume -= lots;
      }
    }
    return fills;
  }

  private levels(side: Side): Map<number, ExecOrder[]> {
    return side === 'buy' ? this.bids : this.asks;
  }

  /** Our prices on one side, best first: a few levels, so sorting them on demand is cheap. */
  private sortedPrices(side: Side): number[] {
    const prices: number[] = [];
    this.collectPrices(side, prices);
    return side === 'buy' ? prices.sort((a, b) => b - a) : prices.sort((a, b) => a - b);
  }
}
