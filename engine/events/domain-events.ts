/**
 * The domain events the trading node publishes on its bus (`core/bus.ts`). Every consumer — the
 * store's journal, the UI stream, and in later issues metrics, the recorder and backtest statistics —
 * subscribes to these; the node calls none of them by name, so adding a consumer never edits the node.
 *
 * Guarantees, for every subscriber:
 * - Delivery is synchronous and in publish order, on the node's one event loop; a subscriber must not
 *   block and must not throw (a throw is reported to the bus's error handler, the others still run).
 * - `fill.applied` is published exactly once per execution id, after the portfolio applied it; a
 *   repeated or replayed execution (a reconnect, a reconciliation) is never published twice.
 * - `order.changed` follows every state change of one of our orders, in the order the OMS made them.
 * - Payloads carry engine values (ticks, lots, exact decimal strings for money). They are owned by the
 *   node: a subscriber that keeps one beyond the call copies what it needs (`order` is live state).
 *
 * This layer sits above portfolio and below store, so every subscriber can import it.
 */
import type { Instrument } from '../core/instrument.ts';
import type { Order } from '../oms/order.ts';
import type { Fill } from '../venues/venue.ts';
import type { GateState } from '../risk/trading-state.ts';
import type { QuoteDecision, QuoteInputs } from '../strategy/quote-decision.ts';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface Alert {
  id: string;
  severity: AlertSeverity;
  code: string;
  message: string;
  at: number;
  /** The instrument the alert is about, or null for the account, the venue or the store. */
  symbol: string | null;
}

export interface DomainEvents {
  /** One of our orders changed state (any origin). */
  'order.changed': { instrument: Instrument; order: Readonly<Order>; at: number };
  /** An execution reached the portfolio, once per execution id. */
  'fill.applied': { instrument: Instrument; fill: Fill; order: Readonly<Order> | undefined };
  /**
   * The quote decision of one instrument after a book update, a fill or a command, with what the
   * decision journal keeps beside it: its sequence number (orders placed or repriced by it carry it as
   * `Order.decision`), the inputs it saw besides the model's, how many requests it sent, and the
   * pre-trade refusal of one of them, if any.
   */
  'quotes.decided': {
    instrument: Instrument;
    decision: QuoteDecision;
    at: number;
    seq: number;
    inputs: QuoteInputs;
    sent: number;
    refusal: string | null;
  };
  /** A trading state moved: `symbol` null is the account's state. */
  'risk.changed': { symbol: string | null; from: GateState; to: GateState; reason: string; at: number };
  'alert.raised': Alert;
  /** Equity of one instrument's book of trades (symbol) or of the whole account (symbol null). */
  'equity.sampled': { symbol: string | null; at: number; equity: string; mid: string | null };
  /** The book of one instrument changed (after it was applied and checked). */
  'book.updated': { instrument: Instrument; at: number };
  /** The trader changed an override or paused a side. */
  'override.changed': { symbol: string; field: string; value: string; at: number };
}

export type DomainEventName = keyof DomainEvents;
