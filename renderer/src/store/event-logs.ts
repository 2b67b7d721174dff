import type { AlertView, EngineEvent, FillView, OrderView } from '../../../engine/api/contract.ts';

export interface EquityPoint {
  at: number;
  equity: string;
  mid: string | null;
}

/**
 * What the renderer keeps from the engine's discrete events. Fills, the order log and equity are kept
 * per symbol, each list capped on its own, so one busy instrument cannot push another's history out
 * and switching instruments shows that instrument's lists at once. Alerts stay one account-wide log
 * (many are about the venue, the store or the account, not an instrument).
 *
 * Lists are append-only and replaced, never mutated, so a subscriber can compare references.
 */
export interface EventLogs {
  fills: ReadonlyMap<string, readonly FillView[]>;
  orderLog: ReadonlyMap<string, readonly OrderView[]>;
  equity: ReadonlyMap<string, readonly EquityPoint[]>;
  /** The account's equity curve (`equity.sampled` with symbol null). */
  accountEquity: readonly EquityPoint[];
  alertLog: readonly AlertView[];
}

export interface LogLimits {
  fills: number;
  orderLog: number;
  equity: number;
  alerts: number;
}

export const LOG_LIMITS: Readonly<LogLimits> = Object.freeze({
  fills: 5000,
  orderLog: 5000,
  equity: 3000,
  alerts: 500,
});

/** The one empty list selectors hand out, so a selector over an unknown symbol stays referentially stable. */
export const NONE: readonly never[] = Object.freeze([]);

export function emptyLogs(): EventLogs {
  return { fills: new Map(), orderLog: new Map(), equity: new Map(), accountEquity: NONE, alertLog: NONE };
}

function capped<T>(list: readonly T[], item: T, max: number): readonly T[] {
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  next.push(item);
  return next;
}

function appendTo<T>(
  lists: ReadonlyMap<string, readonly T[]>,
  symbol: string,
  item: T,
  max: number,
): ReadonlyMap<string, readonly T[]> {
  return new Map(lists).set(symbol, capped(lists.get(symbol) ?? NONE, item, max));
}

/**
 * Files one event under its symbol; returns only the fields that changed (empty for events not kept).
 * Pure: the store applies the result, tests call it directly.
 */
export function applyEvent(
  logs: EventLogs,
  event: EngineEvent,
  limits: Readonly<LogLimits> = LOG_LIMITS,
): Partial<EventLogs> {
  switch (event.name) {
    case 'fill.executed':
      return { fills: appendTo(logs.fills, event.payload.symbol, event.payload, limits.fills) };
    case 'order.changed':
      return { orderLog: appendTo(logs.orderLog, event.payload.symbol, event.payload, limits.orderLog) };
    case 'alert.raised':
      return { alertLog: capped(logs.alertLog, event.payload, limits.alerts) };
    case 'equity.sampled': {
      const { symbol, at, equity, mid } = event.payload;
      const point: EquityPoint = { at, equity, mid };
      return symbol === null
        ? { accountEquity: capped(logs.accountEquity, point, limits.equity) }
        : { equity: appendTo(logs.equity, symbol, point, limits.equity) };
    }
    case 'override.changed':
      // The snapshot carries the overrides in force and their history.
      return {};
  }
}

/** The list kept for a symbol, or the shared empty list. */
export function listFor<T>(
  lists: ReadonlyMap<string, readonly T[]>,
  symbol: string | null | undefined,
): readonly T[] {
  return symbol == null ? NONE : (lists.get(symbol) ?? NONE);
}
