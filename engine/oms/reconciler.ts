import type { Balance, Execution, Fill, VenuePosition } from '../venues/venue.ts';
import type { OrderManager } from './order-manager.ts';

/** What to do with an open order at the venue that no OMS of ours knows. */
export type StrangerPolicy = 'cancel' | 'adopt';

export interface ReconcilerOptions {
  venue: Execution;
  /** The OMS of every instrument the node trades, by symbol. */
  books: ReadonlyMap<string, OrderManager>;
  /** Venue time of the newest execution we hold (journal and stream); the venue is asked from there. */
  lastExecutionTs: () => number;
  strangers: StrangerPolicy;
}

export interface ReconcileResult {
  missedFills: number;
  closed: number;
  strangers: number;
  settled: number;
  balances: Balance[];
  /** The venue's derivative positions, where it has them (null for spot venues). */
  positions: VenuePosition[] | null;
}

/**
 * Settles our records with the venue's: its open orders, its executions since the last one we saw,
 * and the balances. The venue is the truth. Order of the steps matters:
 * 1. missed executions go in first, through each OMS (deduplicated by execution id there, so a fill
 *    the stream also delivers is applied once), so an order that vanished has its fills counted;
 * 2. every open order the venue reports is applied to the order we know, or, for an order we do not
 *    know, adopted and (by policy) cancelled — through the OMS and its circuit breaker, never around;
 * 3. every working order of ours the venue no longer has, with no request of ours still in flight for
 *    it, is closed: filled if its fills cover it, else cancelled.
 * The caller refuses new orders while this runs, so no order of ours can appear in between.
 */
export class Reconciler {
  private readonly o: ReconcilerOptions;

  constructor(options: ReconcilerOptions) {
    this.o = options;
  }

  async run(): Promise<ReconcileResult> {
    const venue = this.o.venue;
    const unknownBefore = new Set<string>();
    for (const oms of this.o.books.values())
      for (const order of oms.unknownOrders()) unknownBefore.add(order.clientId);
    const [open, fills, balances, positions] = await Promise.all([
      venue.openOrders(),
      venue.executionsSince(this.o.lastExecutionTs()),
      venue.balances(),
      venue.positions ? venue.positions() : Promise.resolve(null),
    ]);
    const missedFills = this.applyFills(fills);
    const atVenue = new Set<string>();
    let strangers = 0;
    for (const update of open) {
      const oms = this.o.books.get(update.symbol);
      if (!oms) continue;
      atVenue.add(update.clientId);
      const known = oms.get(update.clientId);
      if (known && !oms.isWorking(update.clientId)) {
        // Finished in our books. A listing no newer than what we heard is a snapshot taken before
        // the order ended; a newer one means the venue has it open after all (a create that timed
        // out here, was closed as missing, and reached the venue late): taken in as a stranger so the
        // policy cancels or adopts it, rather than left resting where nothing manages it.
        if (update.updateSeq <= known.lastUpdateSeq) continue;
        oms.adopt(update);
      } else if (known) oms.applyVenueState(update);
      else oms.adopt(update);
      // Ours but owned by no quote logic (an earlier run's, or unknown to us): cancelled by policy.
      const order = oms.get(update.clientId);
      if (order?.origin !== 'external') continue;
      strangers++;
      if (this.o.strangers === 'cancel' && order.status !== 'pending-cancel') oms.cancel(update.clientId);
    }
    let closed = 0;
    for (const oms of this.o.books.values()) {
      for (const order of oms.workingOrders()) {
        if (atVenue.has(order.clientId)) continue;
        if (oms.closeMissing(order.clientId, 'the venue no longer has this order (reconciliation)')) closed++;
      }
    }
    let settled = 0;
    for (const id of unknownBefore) {
      for (const oms of this.o.books.values()) {
        const order = oms.get(id);
        if (order && !order.needsReconcile) settled++;
      }
    }
    return { missedFills, closed, strangers, settled, balances, positions };
  }

  private applyFills(fills: readonly Fill[]): number {
    let missed = 0;
    for (const f of fills) if (this.o.books.get(f.symbol)?.applyMissedFill(f)) missed++;
    return missed;
  }
}
