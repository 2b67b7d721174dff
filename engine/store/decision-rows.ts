import type { DecisionRecord } from '../events/decision-record.ts';

/**
 * The decision journal's columns, shared by the live journal's `decisions` table and a backtest's
 * `run_decisions`: both hold a DecisionRecord after their own key columns, in this order.
 */
export const DECISION_TABLE_COLUMNS = `
    s REAL, sigma REAL, q REAL, gamma REAL, kappa REAL, A REAL, tau REAL,
    reservation REAL, bid_distance REAL, ask_distance REAL,
    bid_ticks INTEGER, ask_ticks INTEGER, bid_lots INTEGER, ask_lots INTEGER,
    bid_withheld TEXT, ask_withheld TEXT,
    state TEXT NOT NULL, feed TEXT NOT NULL, overrides TEXT, refusal TEXT,
    sent INTEGER NOT NULL, warnings TEXT`;

/** How many values `decisionValues` gives: the columns above plus symbol, seq and time. */
export const DECISION_VALUE_COUNT = 25;

/** A SELECT list that reads a row of either table back as a DecisionRecord. */
export const DECISION_SELECT_LIST = `seq, at AS ts, symbol, s, sigma, q, gamma, kappa, A, tau, reservation,
  bid_distance AS bidDistance, ask_distance AS askDistance, bid_ticks AS bid, ask_ticks AS ask,
  bid_lots AS bidLots, ask_lots AS askLots, bid_withheld AS bidWithheld, ask_withheld AS askWithheld,
  state, feed, overrides, refusal, sent, warnings`;

/** symbol, seq, at, then the record's columns in table order (after the table's own key columns). */
export function decisionValues(d: DecisionRecord): (string | number | null)[] {
  return [
    d.symbol,
    d.seq,
    d.ts,
    d.s,
    d.sigma,
    d.q,
    d.gamma,
    d.kappa,
    d.A,
    d.tau,
    d.reservation,
    d.bidDistance,
    d.askDistance,
    d.bid,
    d.ask,
    d.bidLots,
    d.askLots,
    d.bidWithheld,
    d.askWithheld,
    d.state,
    d.feed,
    d.overrides,
    d.refusal,
    d.sent,
    d.warnings,
  ];
}
