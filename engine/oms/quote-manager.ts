import type { Clock } from '../core/clock.ts';
import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type { Order } from './order.ts';
import type { OrderManager, SubmitResult } from './order-manager.ts';

export interface DesiredLevel {
  price: Ticks;
  size: Lots;
}

/** Desired quotes per side, index = level (0 is the best). */
export interface DesiredQuotes {
  buy: readonly DesiredLevel[];
  sell: readonly DesiredLevel[];
}

export interface QuoteManagerParams {
  /** An order within this many ticks of its target is left alone. */
  toleranceTicks: number;
  /** An order is not touched again sooner than this after its last change. */
  minRefreshMs: number;
  canAmend: boolean;
}

export type QuoteAction =
  | { kind: 'place'; side: Side; level: number; price: Ticks; size: Lots }
  | { kind: 'amend'; clientId: string; price: Ticks; size: Lots }
  | { kind: 'cancel'; clientId: string };

/**
 * The fewest requests that bring our working model orders to the desired quotes: keep what is close
 * enough, amend what moved (or cancel it, where the venue cannot amend, and place its replacement once
 * the cancel is confirmed, so a level never has two live orders), cancel what is no longer wanted,
 * place what is missing. Orders with a request in flight are left alone.
 */
export function diffQuotes(
  desired: DesiredQuotes,
  working: Iterable<Readonly<Order>>,
  now: number,
  p: QuoteManagerParams,
): QuoteAction[] {
  // Runs on every book update: one pass over our few working orders, scratch marks instead of maps.
  const actions: QuoteAction[] = [];
  const seenBuy = scratch(0, desired.buy.length);
  const seenSell = scratch(1, desired.sell.length);
  for (const o of working) {
    if (o.origin !== 'model' || o.level === null) continue;
    const want = o.side === 'buy' ? desired.buy : desired.sell;
    const seen = o.side === 'buy' ? seenBuy : seenSell;
    const target = want[o.level];
    if (o.status === 'pending-cancel') {
      // A cancel in flight still occupies its slot: its replacement waits until it is gone.
      if (target && seen[o.level] === FREE) seen[o.level] = CANCELLING;
      continue;
    }
    if (!target || seen[o.level] === LIVE) {
      // Not wanted any more, or a second live order on one slot (possible after a reconnect).
      actions.push({ kind: 'cancel', clientId: o.clientId });
      continue;
    }
    seen[o.level] = LIVE;
    if (o.status === 'pending-new' || o.status === 'pending-amend') continue;
    const priceOk = o.price !== undefined && Math.abs(o.price - target.price) <= p.toleranceTicks;
    const sizeOk = o.size - o.filled === target.size || (o.size === target.size && o.filled > 0);
    if ((priceOk && sizeOk) || now - o.updatedAt < p.minRefreshMs) continue;
    if (p.canAmend)
      actions.push({
        kind: 'amend',
        clientId: o.clientId,
        price: target.price,
        size: (o.filled + target.size) as Lots,
      });
    else actions.push({ kind: 'cancel', clientId: o.clientId });
  }
  for (let level = 0; level < desired.buy.length; level++) {
    const t = desired.buy[level]!;
    if (seenBuy[level] === FREE)
      actions.push({ kind: 'place', side: 'buy', level, price: t.price, size: t.size });
  }
  for (let level = 0; level < desired.sell.length; level++) {
    const t = desired.sell[level]!;
    if (seenSell[level] === FREE)
      actions.push({ kind: 'place', side: 'sell', level, price: t.price, size: t.size });
  }
  return actions;
}

const FREE = 0;
const LIVE = 1;
const CANCELLING = 2;
const scratchArrays = [new Uint8Array(32), new Uint8Array(32)];

/** A zeroed mark per level, reused across calls (the engine is single-threaded). */
function scratch(which: 0 | 1, levels: number): Uint8Array {
  let a = scratchArrays[which]!;
  if (a.length < levels + 1) {
    a = new Uint8Array(Math.max(levels + 1, a.length * 2));
    scratchArrays[which] = a;
  }
  // A loop over the few levels in use: cheaper than fill() over the whole array, a builtin call.
  for (let i = 0; i <= levels; i++) a[i] = FREE;
  return a;
}

/** Applies quote diffs through the OMS. */
export class QuoteManager {
  private readonly oms: OrderManager;
  private readonly clock: Clock;
  params: QuoteManagerParams;
  refused = 0;
  lastRefusal: string | null = null;

  constructor(oms: OrderManager, clock: Clock, params: QuoteManagerParams) {
    this.oms = oms;
    this.clock = clock;
    this.params = params;
  }

  /**
   * Brings the working model orders to `desired`; returns the number of requests sent. `decision` is
   * the quote decision asking (kept on the orders it places or reprices, for the decision journal).
   */
  sync(desired: DesiredQuotes, decision?: number): number {
    const actions = diffQuotes(desired, this.oms.workingOrders(), this.clock.now(), this.params);
    let sent = 0;
    for (const a of actions) {
      let r: SubmitResult;
      if (a.kind === 'place')
        r = this.oms.submit({
          side: a.side,
          type: 'limit',
          tif: 'post_only',
          price: a.price,
          size: a.size,
          origin: 'model',
          level: a.level,
          decision,
        });
      else if (a.kind === 'amend') r = this.oms.amend(a.clientId, { price: a.price, size: a.size, decision });
      else r = this.oms.cancel(a.clientId);
      if (r.ok) sent++;
      else {
        this.refused++;
        this.lastRefusal = r.message;
      }
    }
    return sent;
  }

  /** Cancels every model order (quoting stopped or a side withheld everywhere). */
  pull(): number {
    return this.sync({ buy: [], sell: [] });
  }
}
