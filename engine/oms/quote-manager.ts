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
  const actions: QuoteAction[] = [];
  const bySlot = new Map<string, Readonly<Order>[]>();
  for (const o of working) {
    if (o.origin !== 'model' || o.level === null) continue;
    const key = `${o.side}:${o.level}`;
    const list = bySlot.get(key);
    if (list) list.push(o);
    else bySlot.set(key, [o]);
  }
  for (const side of ['buy', 'sell'] as const) {
    const want = desired[side];
    const maxLevel = Math.max(
      want.length,
      ...[...bySlot.keys()].filter((k) => k.startsWith(side)).map((k) => Number(k.split(':')[1]) + 1),
    );
    for (let level = 0; level < maxLevel; level++) {
      const target = want[level];
      const orders = bySlot.get(`${side}:${level}`) ?? [];
      const live = orders.filter((o) => o.status !== 'pending-cancel');
      // Extra orders on a slot (possible after a reconnect) are cancelled, the newest one kept.
      for (const extra of live.slice(0, -1)) actions.push({ kind: 'cancel', clientId: extra.clientId });
      const current = live.at(-1);
      if (!target) {
        if (current) actions.push({ kind: 'cancel', clientId: current.clientId });
        continue;
      }
      if (!current) {
        // Wait for a cancel in flight on this slot to finish before placing its replacement.
        if (orders.length === 0)
          actions.push({ kind: 'place', side, level, price: target.price, size: target.size });
        continue;
      }
      if (current.status === 'pending-new' || current.status === 'pending-amend') continue;
      const priceOk =
        current.price !== undefined && Math.abs(current.price - target.price) <= p.toleranceTicks;
      const sizeOk =
        current.size - current.filled === target.size || (current.size === target.size && current.filled > 0);
      if (priceOk && sizeOk) continue;
      if (now - current.updatedAt < p.minRefreshMs) continue;
      if (p.canAmend)
        actions.push({
          kind: 'amend',
          clientId: current.clientId,
          price: target.price,
          size: (current.filled + target.size) as Lots,
        });
      else actions.push({ kind: 'cancel', clientId: current.clientId });
    }
  }
  return actions;
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

  /** Brings the working model orders to `desired`; returns the number of requests sent. */
  sync(desired: DesiredQuotes): number {
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
        });
      else if (a.kind === 'amend') r = this.oms.amend(a.clientId, { price: a.price, size: a.size });
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
