/**
 * The decision journal's record of one quote decision: its inputs and outputs in engine units (prices
 * in ticks, sizes in lots), as the live journal and a backtest's results both store it. Built from a
 * `quotes.decided` event, whose payload is the node's and is reused: the record is a copy.
 */
import type { DomainEvents } from './domain-events.ts';

export interface DecisionRecord {
  /** The desk's decision sequence: an order placed or repriced by this decision carries it. */
  seq: number;
  ts: number;
  symbol: string;
  /** Reference price in ticks (fractional for a microprice), null without a two-sided book. */
  s: number | null;
  /** σ in ticks per √second. */
  sigma: number | null;
  q: number | null;
  gamma: number | null;
  kappa: number | null;
  A: number | null;
  tau: number | null;
  /** Reservation price and the model's distances from s, ticks (fractional). */
  reservation: number | null;
  bidDistance: number | null;
  askDistance: number | null;
  /** The best quote per side after overrides and limits, ticks and lots; null where withheld. */
  bid: number | null;
  ask: number | null;
  bidLots: number | null;
  askLots: number | null;
  bidWithheld: string | null;
  askWithheld: string | null;
  /** The trading state and feed state the decision saw. */
  state: string;
  feed: string;
  /** The trader's overrides in force, engine units as JSON (`{"gamma":0.2}`), null when none. */
  overrides: string | null;
  /** A pre-trade refusal of one of the decision's orders (the risk decision), null when none. */
  refusal: string | null;
  /** Requests the decision sent. */
  sent: number;
  /** The model's warnings joined by "; ", null when none. */
  warnings: string | null;
}

export function decisionRecord(e: Readonly<DomainEvents['quotes.decided']>): DecisionRecord {
  const d = e.decision;
  const mv = d.model;
  const out = mv?.out ?? null;
  const bid = d.quotes.bid.levels[0];
  const ask = d.quotes.ask.levels[0];
  const ov = e.inputs.overrides;
  let overrides: string | null = null;
  for (const k in ov)
    if (ov[k as keyof typeof ov] !== undefined) {
      overrides = JSON.stringify(ov);
      break;
    }
  return {
    seq: e.seq,
    ts: e.at,
    symbol: e.instrument.symbol,
    s: mv?.s ?? e.inputs.s ?? null,
    sigma: mv?.sigma ?? null,
    q: mv?.q ?? null,
    gamma: mv?.gamma ?? null,
    kappa: mv?.kappa ?? null,
    A: mv?.A ?? null,
    tau: mv?.tau ?? null,
    reservation: out?.reservation ?? null,
    bidDistance: out?.bidDistance ?? null,
    askDistance: out?.askDistance ?? null,
    bid: bid?.price ?? null,
    ask: ask?.price ?? null,
    bidLots: bid?.size ?? null,
    askLots: ask?.size ?? null,
    bidWithheld: d.quotes.bid.withheld,
    askWithheld: d.quotes.ask.withheld,
    state: e.inputs.state,
    feed: e.inputs.feed,
    overrides,
    refusal: e.refusal,
    sent: e.sent,
    warnings: mv && mv.warnings.length > 0 ? mv.warnings.join('; ') : null,
  };
}

/**
 * Whether the journal keeps this decision, given the last one it kept of the instrument: every
 * decision that sent a request or quotes differently (prices, sizes, withheld reasons, trading state,
 * overrides, a refusal), and otherwise one per `sampleMs`. Reads the event without copying it: it
 * runs on every decision.
 */
export function worthKeeping(
  last: DecisionRecord | undefined,
  lastOverrides: unknown,
  e: Readonly<DomainEvents['quotes.decided']>,
  sampleMs: number,
): boolean {
  if (last === undefined || e.sent > 0 || e.at - last.ts >= sampleMs) return true;
  const q = e.decision.quotes;
  const bid = q.bid.levels[0];
  const ask = q.ask.levels[0];
  return (
    (bid?.price ?? null) !== last.bid ||
    (ask?.price ?? null) !== last.ask ||
    (bid?.size ?? null) !== last.bidLots ||
    (ask?.size ?? null) !== last.askLots ||
    q.bid.withheld !== last.bidWithheld ||
    q.ask.withheld !== last.askWithheld ||
    e.inputs.state !== last.state ||
    e.refusal !== last.refusal ||
    // The overrides object is replaced on every change (strategy/overrides.ts), never mutated.
    e.inputs.overrides !== lastOverrides
  );
}
