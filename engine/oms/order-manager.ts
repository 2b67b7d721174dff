import { OrderedTable } from '../core/ordered-table.ts';
import { RecentMap, RecentSet } from '../core/recent-set.ts';
import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type {
  AmendRequest,
  Answer,
  CancelRequest,
  ExecutionEvent,
  Fill,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  VenueOrderStatus,
  VenueResult,
} from '../venues/venue.ts';
import type { OrderManagerOptions, OrderRequest, SubmitResult } from './oms-types.ts';
import { canTransition, fromVenueStatus, isTerminal, type Order, type OrderStatus } from './order.ts';

export type {
  CallGuard,
  OmsEvent,
  OrderGate,
  OrderManagerOptions,
  OrderRequest,
  SubmitResult,
} from './oms-types.ts';

type RequestKind = 'place' | 'amend' | 'cancel';

const SEEN_FILLS = 100_000;

/**
 * Cancels sent for one pending cancel that the venue keeps showing open; after that the order returns
 * to its open state (with the reason), where the quote logic or the trader cancels it afresh.
 */
const CANCEL_TRIES = 3;

/**
 * Order management for one symbol on one venue. Tracks every order's state from the request to a
 * terminal state, reconciling two sources that may arrive in either order: the answer to our request
 * and the venue's execution stream. Duplicate and out-of-order updates are dropped by per-order update
 * sequence; fills are deduplicated by execution id. Venue failures never throw out of here.
 */
export class OrderManager {
  private readonly o: Required<Omit<OrderManagerOptions, 'breaker' | 'onUnknownState'>> &
    Pick<OrderManagerOptions, 'breaker' | 'onUnknownState'>;
  private readonly working = new OrderedTable<string, Order>();
  /** Finished orders, the last `recentCapacity` of them, for late updates and lookups. */
  private readonly recent: RecentMap<Order>;
  private readonly fillIds = new RecentSet(SEEN_FILLS);
  private inFlight = 0;
  /** The answer being handled is the breaker's refusal, not the venue's. */
  private unrecorded = false;
  // Two fields rather than an object indexed by side: a property read by a variable key is a
  // megamorphic lookup on every order event.
  private workingBuy = 0;
  private workingSell = 0;
  counters = {
    submitted: 0,
    gateRejects: 0,
    venueRejects: 0,
    duplicates: 0,
    stale: 0,
    unknown: 0,
    illegal: 0,
    inFlightRefused: 0,
    timedOut: 0,
  };

  constructor(options: OrderManagerOptions) {
    this.o = { maxInFlight: 64, recentCapacity: 1000, requestTimeoutMs: 5000, ...options };
    this.recent = new RecentMap(this.o.recentCapacity);
  }

  /** Feed the venue's execution stream here. */
  onExecution(ev: ExecutionEvent): void {
    if (ev.symbol !== this.o.symbol) return;
    if (ev.type === 'fill') this.onFill(ev);
    else this.onUpdate(ev);
  }

  submit(req: OrderRequest): SubmitResult {
    const gate = this.o.gate(req);
    if (!gate.ok) {
      this.counters.gateRejects++;
      return { ok: false, code: `risk_${gate.check}`, message: gate.message };
    }
    if (this.inFlight >= this.o.maxInFlight) {
      this.counters.inFlightRefused++;
      return { ok: false, code: 'in_flight_cap', message: `${this.inFlight} requests already in flight` };
    }
    const order = this.newOrder(this.o.ids.next(), req, this.o.clock.now());
    this.working.set(order.clientId, order);
    this.addWorking(order.side, order.size);
    this.counters.submitted++;
    const request: PlaceRequest = {
      symbol: this.o.symbol,
      clientId: order.clientId,
      side: req.side,
      type: req.type,
      timeInForce: req.tif,
      size: req.size,
      price: req.price,
    };
    // The request goes out first and the bookkeeping event after it: listeners (store, UI) are not
    // on the path from a book update to the venue. Venue answers are asynchronous, so they still see
    // pending-new before anything the venue says about the order.
    this.send('place', request, this.placeAnswered, order);
    this.o.emit({ kind: 'order', order });
    return { ok: true, clientId: order.clientId };
  }

  /** Requests a new price and/or total size for a working order. */
  amend(clientId: string, change: { price?: Ticks; size?: Lots; decision?: number }): SubmitResult {
    const order = this.working.get(clientId);
    if (!order || (order.status !== 'new' && order.status !== 'partially-filled')) {
      return { ok: false, code: 'not_amendable', message: `order ${clientId} cannot be amended now` };
    }
    if (this.inFlight >= this.o.maxInFlight) {
      this.counters.inFlightRefused++;
      return { ok: false, code: 'in_flight_cap', message: `${this.inFlight} requests already in flight` };
    }
    const price = change.price ?? order.price;
    const size = change.size ?? order.size;
    const gate = this.o.gate({
      side: order.side,
      type: order.type,
      tif: order.tif,
      price,
      size: (size - order.filled) as Lots,
      origin: order.origin,
    });
    if (!gate.ok) {
      this.counters.gateRejects++;
      return { ok: false, code: `risk_${gate.check}`, message: gate.message };
    }
    const revertTo = order.status;
    const request: AmendRequest = { symbol: this.o.symbol, clientId, price: change.price, size: change.size };
    this.send('amend', request, this.amendAnswered, order);
    order.pendingAmend = { price, size, revertTo, decision: change.decision ?? order.decision };
    this.transition(order, 'pending-amend');
    return { ok: true, clientId };
  }

  cancel(clientId: string): SubmitResult {
    const order = this.working.get(clientId);
    if (!order) return { ok: false, code: 'unknown_order', message: `no working order ${clientId}` };
    if (order.status === 'pending-cancel') return { ok: true, clientId };
    order.cancelRevertTo = openState(order);
    order.cancelUnconfirmed = false;
    order.cancelTries = 1;
    this.sendCancel(order);
    this.transition(order, 'pending-cancel');
    return { ok: true, clientId };
  }

  /**
   * Cancels everything of ours on the symbol at the venue, marking every working order pending-cancel.
   * Should the call fail, nothing is left pending a cancel that may never come: a refusal returns each
   * order to its open state, and a call lost on the way leaves them to reconciliation, which sends the
   * cancel again for any the venue still has.
   */
  async cancelAll(): Promise<VenueResult<{ cancelled: number }>> {
    const marked: Order[] = [];
    for (const order of this.working.values()) {
      if (order.status === 'pending-cancel') continue;
      order.cancelRevertTo = openState(order);
      // A create still in flight may reach the venue after the cancel-all, over another path (Bybit
      // takes creates on the trade socket and cancel-all over REST): the order can outlive it.
      order.cancelUnconfirmed = (order.awaiting ?? 0) > 0;
      order.cancelTries = 1;
      this.transition(order, 'pending-cancel');
      marked.push(order);
    }
    const breaker = this.o.breaker;
    const refused = breaker?.admit();
    let result: VenueResult<{ cancelled: number }>;
    if (refused) result = refused;
    else {
      try {
        result = await this.o.venue.cancelAll(this.o.symbol);
      } catch (err) {
        result = unavailable(err);
      }
      breaker?.record(result);
    }
    if (!result.ok) {
      const mayHaveReached = !refused && result.code === 'venue_unavailable';
      for (const order of marked) {
        // Only a working order can be pending-cancel: one the stream ended meanwhile is left alone.
        if (order.status !== 'pending-cancel') continue;
        if (mayHaveReached) {
          order.cancelUnconfirmed = true;
          this.markUnknown(order, result.message);
        } else {
          order.reason = result.message;
          this.transition(order, order.cancelRevertTo ?? 'new');
        }
      }
    }
    return result;
  }

  get(clientId: string): Readonly<Order> | undefined {
    return this.working.get(clientId) ?? this.recent.get(clientId);
  }

  /** The working orders, oldest first: an array shared until they next change (not to be mutated). */
  workingOrders(): readonly Readonly<Order>[] {
    return this.working.snapshot();
  }

  openCount(): number {
    return this.working.size;
  }

  /** Unfilled lots of working orders on one side. */
  workingLotsOn(side: Side): number {
    return side === 'buy' ? this.workingBuy : this.workingSell;
  }

  requestsInFlight(): number {
    return this.inFlight;
  }

  /** An execution found by reconciliation: applied like a stream one; true if it was new to us. */
  applyMissedFill(fill: Fill): boolean {
    if (fill.symbol !== this.o.symbol) return false;
    const before = this.counters.duplicates;
    this.onFill(fill);
    return this.counters.duplicates === before;
  }

  /** The venue's current view of an order we know (reconciliation): applied like a stream update. */
  applyVenueState(update: OrderUpdate): void {
    this.onUpdate(update);
    // Open at the venue now, even if the stream already said so: a cancel it never took goes again.
    const order = this.working.get(update.clientId);
    if (order && (update.status === 'new' || update.status === 'partially_filled')) this.recancel(order);
  }

  /**
   * Takes in an order the venue has that this OMS does not know (left by an earlier run, or placed
   * elsewhere): it becomes a working order of origin `external`, so every later cancel of it goes
   * through this OMS and its breaker like any other.
   */
  adopt(update: OrderUpdate): Readonly<Order> {
    const known = this.working.get(update.clientId);
    if (known) return known;
    const order = this.newOrder(
      update.clientId,
      {
        side: update.side,
        type: update.orderType,
        tif: update.timeInForce,
        price: update.price,
        size: update.size,
        origin: 'external',
      },
      this.o.clock.now(),
    );
    order.venueOrderId = update.venueOrderId || null;
    order.filled = update.filled;
    order.fillLots = update.filled;
    this.working.set(order.clientId, order);
    this.addWorking(order.side, order.size - order.filled);
    // An update of sequence 0 is our own record, not the venue's word: reconciliation settles it.
    if (update.updateSeq === 0) order.needsReconcile = true;
    else this.onUpdate(update);
    return order;
  }

  /**
   * Closes a working order the venue no longer has (reconciliation, after every missed fill was
   * applied): filled if the fills cover it, else cancelled. Never for an order with a request in flight.
   */
  closeMissing(clientId: string, reason: string): boolean {
    const order = this.working.get(clientId);
    if (!order || (order.awaiting ?? 0) > 0) return false;
    order.needsReconcile = false;
    order.pendingAmend = null;
    order.reason = reason;
    const to: VenueOrderStatus = order.filled >= order.size ? 'filled' : 'cancelled';
    // Through the state machine as the venue's final word, so listeners see the one terminal state.
    this.transition(order, fromVenueStatus(to));
    return true;
  }

  /** The order is still working in our books (a finished one only hears late news). */
  isWorking(clientId: string): boolean {
    return this.working.has(clientId);
  }

  /** Orders whose venue state is unknown, for the reconciler. */
  unknownOrders(): Readonly<Order>[] {
    return this.working.values().filter((o) => o.needsReconcile);
  }

  /**
   * Requests unanswered for longer than the timeout: their orders' states become unknown, their slots
   * in flight are freed, and a late answer, if one comes, is still applied (it is information).
   */
  expire(now: number): number {
    let expired = 0;
    for (const order of this.working.values()) {
      const awaiting = order.awaiting ?? 0;
      if (awaiting === 0 || now - (order.sentAt ?? now) < this.o.requestTimeoutMs) continue;
      this.inFlight -= awaiting;
      order.awaiting = 0;
      this.counters.timedOut++;
      this.o.breaker?.record({ ok: false, code: 'venue_unavailable', message: 'request timed out' });
      if (order.status === 'pending-cancel') order.cancelUnconfirmed = true;
      this.markUnknown(order, `no answer from the venue within ${this.o.requestTimeoutMs} ms`);
      expired++;
    }
    return expired;
  }

  private markUnknown(order: Order, reason: string): void {
    const first = !order.needsReconcile;
    order.needsReconcile = true;
    order.reason = reason;
    this.o.emit({ kind: 'order', order });
    if (first) this.o.onUnknownState?.(order);
  }

  private newOrder(clientId: string, req: OrderRequest, now: number): Order {
    // One literal for every order, so every Order has the same hidden class on the hot path.
    return {
      clientId,
      venueOrderId: null,
      symbol: this.o.symbol,
      side: req.side,
      type: req.type,
      tif: req.tif,
      price: req.price,
      size: req.size,
      filled: 0 as Lots,
      fillLots: 0,
      status: 'pending-new',
      origin: req.origin,
      level: req.level ?? null,
      decision: req.decision ?? null,
      createdAt: now,
      updatedAt: now,
      lastUpdateSeq: 0,
      pendingAmend: null,
      cancelRevertTo: null,
      cancelUnconfirmed: false,
      cancelTries: 0,
      reason: null,
      needsReconcile: false,
      awaiting: 0,
      sentAt: now,
    };
  }

  private addWorking(side: Side, lots: number): void {
    if (side === 'buy') this.workingBuy += lots;
    else this.workingSell += lots;
  }

  /**
   * Sends one request. The answer reaches `answer(result, order)` later, never from inside this call,
   * through the venue's callback requests where it has them (no Promise or closure per request), else
   * through its Promise methods. The breaker admits the call first and counts its answer.
   */
  private send(kind: 'place', request: PlaceRequest, answer: Answer<OrderAck>, order: Order): void;
  private send(kind: 'amend', request: AmendRequest, answer: Answer<OrderAck>, order: Order): void;
  private send(kind: 'cancel', request: CancelRequest, answer: Answer<OrderAck>, order: Order): void;
  private send(
    kind: RequestKind,
    request: PlaceRequest | AmendRequest | CancelRequest,
    answer: Answer<OrderAck>,
    order: Order,
  ): void {
    this.inFlight++;
    order.awaiting = (order.awaiting ?? 0) + 1;
    order.sentAt = this.o.clock.now();
    const refused = this.o.breaker?.admit();
    // Answers that never left come back on the clock, not a microtask: a replay stepping the clock
    // sees them at the same simulated instant however it steps.
    if (refused) {
      this.o.clock.setTimeout(() => {
        // Never sent: the breaker must not count its own refusal as a venue failure.
        this.unrecorded = true;
        answer(refused, order);
      }, 0);
      return;
    }
    const venue = this.o.venue;
    const cb = venue.callbackOrders;
    try {
      if (cb !== undefined) {
        if (kind === 'place') cb.place(request as PlaceRequest, answer, order);
        else if (kind === 'amend') cb.amend(request, answer, order);
        else cb.cancel(request, answer, order);
        return;
      }
      const p =
        kind === 'place'
          ? venue.placeOrder(request as PlaceRequest)
          : kind === 'amend'
            ? venue.amendOrder(request)
            : venue.cancelOrder(request);
      p.then(
        (r) => answer(r, order),
        (err: unknown) => answer(unavailable(err), order),
      );
    } catch (err) {
      this.o.clock.setTimeout(() => answer(unavailable(err), order), 0);
    }
  }

  /**
   * Every answer passes here first: one request fewer in flight, and the breaker counts it. An answer
   * that arrives after its request timed out was counted then: only its content still applies.
   */
  private answered(r: VenueResult<unknown>, order: Order): void {
    if (this.unrecorded) {
      this.unrecorded = false;
      if (order.awaiting === 0) return;
    } else if (order.awaiting === 0) {
      return;
    } else {
      this.o.breaker?.record(r);
    }
    order.awaiting = (order.awaiting ?? 1) - 1;
    this.inFlight--;
  }

  private readonly placeAnswered = (r: VenueResult<OrderAck>, tag: unknown): void => {
    this.answered(r, tag as Order);
    this.onPlaceResult(tag as Order, r);
  };

  private readonly amendAnswered = (r: VenueResult<OrderAck>, tag: unknown): void => {
    const order = tag as Order;
    this.answered(r, order);
    if (!r.ok && order.status === 'pending-amend') {
      this.counters.venueRejects++;
      const back = order.pendingAmend?.revertTo ?? 'new';
      order.pendingAmend = null;
      order.reason = r.message;
      this.transition(order, back);
    }
  };

  private sendCancel(order: Order): void {
    const request: CancelRequest = { symbol: this.o.symbol, clientId: order.clientId };
    this.send('cancel', request, this.cancelAnswered, order);
  }

  /**
   * A pending cancel the venue has not taken, for an order it shows open (its create answered, a
   * stream update, a reconciliation listing) while nothing of ours is in flight for it: sent again, up
   * to CANCEL_TRIES in all, after which the order returns to its open state.
   */
  private recancel(order: Order): void {
    if (!awaitsRecancel(order)) return;
    order.cancelUnconfirmed = false;
    if (order.cancelTries >= CANCEL_TRIES) {
      order.reason = `the venue still has the order open after ${order.cancelTries} cancels`;
      this.transition(order, order.cancelRevertTo ?? 'new');
      return;
    }
    order.cancelTries++;
    this.sendCancel(order);
  }

  private readonly cancelAnswered = (r: VenueResult<OrderAck>, tag: unknown): void => {
    const order = tag as Order;
    const neverSent = this.unrecorded;
    this.answered(r, order);
    if (r.ok) {
      order.cancelUnconfirmed = false;
      return;
    }
    if (order.status !== 'pending-cancel') return;
    if (r.code === 'unknown_order') {
      // Filled or cancelled meanwhile, which the stream tells; or its create has not reached the venue
      // yet (it went another path), and the cancel goes again once the venue shows the order open.
      order.needsReconcile = true;
      order.cancelUnconfirmed = true;
      if ((order.awaiting ?? 0) === 0) this.settleLater(order);
      return;
    }
    if (r.code === 'venue_unavailable' && !neverSent) {
      // The cancel may or may not have reached the venue: only the venue can say.
      order.cancelUnconfirmed = true;
      this.markUnknown(order, r.message);
      return;
    }
    this.counters.venueRejects++;
    order.reason = r.message;
    this.transition(order, order.cancelRevertTo ?? 'new');
  };

  /**
   * A cancel the venue called unknown, for an order whose create it had answered: the stream's word
   * that it filled or was cancelled should follow. If none has after the request timeout, the order's
   * state is unknown and reconciliation settles it.
   */
  private settleLater(order: Order): void {
    this.o.clock.setTimeout(() => {
      if (!awaitsRecancel(order)) return;
      order.reason = 'the venue did not know the order it was asked to cancel';
      this.o.emit({ kind: 'order', order });
      this.o.onUnknownState?.(order);
    }, this.o.requestTimeoutMs);
  }

  private onPlaceResult(order: Order, r: VenueResult<OrderAck>): void {
    if (r.ok) {
      order.venueOrderId ??= r.value.venueOrderId;
      if (order.status === 'pending-new') this.transition(order, 'new');
      else this.recancel(order);
      return;
    }
    if (isTerminal(order.status)) return;
    if (order.lastUpdateSeq > 0) {
      // The venue's stream already told us about this order, so the answer lost on the way (a timeout)
      // changes nothing; a refusal that contradicts the stream is for reconciliation to settle.
      if (r.code !== 'venue_unavailable') this.markUnknown(order, r.message);
      return;
    }
    if (r.code === 'venue_unavailable') {
      // We do not know whether the venue took it: keep it until reconciliation says.
      this.markUnknown(order, r.message);
      return;
    }
    this.counters.venueRejects++;
    order.reason = r.message;
    this.transition(order, 'rejected');
  }

  private onUpdate(u: OrderUpdate): void {
    const order = this.working.get(u.clientId);
    if (!order) {
      const done = this.recent.get(u.clientId);
      if (done) {
        this.counters.stale++;
        // Newer news that an order we closed is open at the venue: only reconciliation can settle it.
        if (u.updateSeq > done.lastUpdateSeq && (u.status === 'new' || u.status === 'partially_filled'))
          this.o.onUnknownState?.(done);
        return;
      }
      this.counters.unknown++;
      this.o.emit({ kind: 'unknown', update: u });
      return;
    }
    if (u.updateSeq <= order.lastUpdateSeq) {
      this.counters.stale++;
      return;
    }
    order.lastUpdateSeq = u.updateSeq;
    order.venueOrderId = u.venueOrderId;
    order.needsReconcile = false;
    const oldOpen = order.size - order.filled;
    if (u.price !== undefined) order.price = u.price;
    order.size = u.size;
    if (u.filled > order.filled) order.filled = u.filled;
    if (order.fillLots > order.filled) order.filled = Math.min(order.fillLots, order.size) as Lots;
    this.addWorking(order.side, order.size - order.filled - oldOpen);
    let next = fromVenueStatus(u.status);
    if (!isTerminal(next)) {
      if (order.status === 'pending-cancel') next = 'pending-cancel';
      else if (order.status === 'pending-amend' && order.pendingAmend) {
        const target = order.pendingAmend;
        if (order.price === target.price && order.size === target.size) {
          order.decision = target.decision;
          order.pendingAmend = null;
        } else next = 'pending-amend';
      }
    }
    if (u.reason) order.reason = u.reason;
    this.transition(order, next);
    if (next === 'pending-cancel') this.recancel(order);
  }

  private onFill(f: Fill): void {
    if (!this.fillIds.addIfNew(f.execId)) {
      this.counters.duplicates++;
      return;
    }
    const live = this.working.get(f.clientId);
    if (live) {
      // Filled lots stop counting as working the moment the fill arrives, before the order update,
      // so position + working never counts them twice.
      live.fillLots += f.size;
      const filled = Math.min(live.fillLots, live.size);
      if (filled > live.filled) {
        this.addWorking(live.side, live.filled - filled);
        live.filled = filled as Lots;
      }
    }
    const order = live ?? this.recent.get(f.clientId);
    // Fills always pass on, even for an order we no longer know: the position must see every one.
    this.o.emit({ kind: 'fill', fill: f, order });
  }

  private transition(order: Order, to: OrderStatus): void {
    if (!canTransition(order.status, to)) {
      this.counters.illegal++;
      this.o.emit({ kind: 'illegal', order, to });
      return;
    }
    order.status = to;
    order.updatedAt = this.o.clock.now();
    if (isTerminal(to)) {
      this.working.delete(order.clientId);
      this.addWorking(order.side, -Math.max(0, order.size - order.filled));
      order.pendingAmend = null;
      this.recent.addIfNew(order.clientId, order);
    }
    this.o.emit({ kind: 'order', order });
  }
}

/** Pending a cancel the venue has not taken, with nothing of ours in flight for the order. */
function awaitsRecancel(order: Order): boolean {
  return order.status === 'pending-cancel' && order.cancelUnconfirmed && (order.awaiting ?? 0) === 0;
}

/**
 * The state an order returns to when its cancel does not happen: the open one the venue shows (an
 * amend still in flight is settled by its own answer; a pending state cannot be returned to).
 */
function openState(order: Order): OrderStatus {
  if (order.status === 'new' || order.status === 'partially-filled') return order.status;
  return order.filled > 0 ? 'partially-filled' : 'new';
}

function unavailable(err: unknown): { ok: false; code: 'venue_unavailable'; message: string } {
  return { ok: false, code: 'venue_unavailable', message: err instanceof Error ? err.message : String(err) };
}
