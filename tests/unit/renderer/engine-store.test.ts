import { beforeEach, describe, expect, it } from 'vitest';
import type {
  EngineEvent,
  EngineState,
  FillView,
  InstrumentSummary,
  OrderView,
} from '../../../engine/api/contract.ts';
import {
  ingestEvent,
  selectEquity,
  selectFills,
  selectOrderLog,
  selectSelected,
  targetOf,
  useEngineStore,
} from '../../../renderer/src/store/engine-store.ts';
import { applyEvent, emptyLogs, NONE } from '../../../renderer/src/store/event-logs.ts';

function summary(symbol: string): InstrumentSummary {
  return {
    symbol,
    base: symbol.replace(/USDT$/, ''),
    quote: 'USDT',
    tradingState: 'active',
    quoting: 'stopped',
    feed: 'ok',
    mid: null,
    position: '0.000',
    realized: '0',
    unrealized: '0',
    fees: '0',
    equity: '0',
    openOrders: 0,
  };
}

/** A snapshot whose selected sections describe `selected`; only what the selectors read matters. */
function stateSelecting(selected: string | null): EngineState {
  return {
    seq: 1,
    time: 1_000,
    mode: 'sim',
    venue: 'sim',
    selected,
    instruments: [summary('BTCUSDT'), summary('ETHUSDT')],
    account: {
      currency: 'USDT',
      equity: '0',
      realized: '0',
      unrealized: '0',
      fees: '0',
      tradingState: 'active',
      reason: null,
      gauges: [],
    },
    connection: { state: 'connected', feed: 'ok', feedAgeMs: 0, feedLatencyMs: 0 },
    instrument:
      selected === null
        ? null
        : {
            symbol: selected,
            base: 'X',
            quote: 'USDT',
            tickSize: '0.01',
            lotSize: '0.001',
            priceDecimals: 2,
            sizeDecimals: 3,
          },
    book: { bids: [], asks: [], mid: null, microprice: null, spreadTicks: null, seq: 0, ts: null },
    quoting: {
      status: 'stopped',
      paused: { bid: false, ask: false },
      bid: { live: false, levels: [], withheld: null },
      ask: { live: false, levels: [], withheld: null },
    },
    model: null,
    overrides: { active: {}, history: [] },
    orders: [],
    position: { size: '0', avgEntry: null, realized: '0', unrealized: '0', fees: '0', equity: '0' },
    risk: { tradingState: 'active', reason: null, kill: { engaged: false, at: null }, gauges: [] },
    alerts: [],
    store: { ok: true, queueDepth: 0, lastBackupAt: null, message: null },
    link: {
      env: null,
      category: null,
      source: null,
      clockOffsetMs: null,
      rateHeadroom: null,
      rateLimit: null,
      dcp: null,
      switching: false,
      error: null,
    },
    recording: null,
    review: { jobs: [] },
  };
}

function fill(symbol: string, execId: string, price: string): EngineEvent {
  const payload: FillView = {
    symbol,
    execId,
    clientId: `c-${execId}`,
    side: 'buy',
    price,
    size: '0.010',
    fee: '0.01',
    liquidity: 'maker',
    ts: 1_000,
  };
  return { name: 'fill.executed', payload };
}

function order(symbol: string, clientId: string, status: string): EngineEvent {
  const payload: OrderView = {
    symbol,
    clientId,
    venueOrderId: null,
    side: 'sell',
    price: '1.00',
    size: '0.010',
    filled: '0',
    status,
    origin: 'model',
    level: 0,
    createdAt: 1_000,
    updatedAt: 1_000,
  };
  return { name: 'order.changed', payload };
}

function equity(symbol: string | null, at: number, value: string): EngineEvent {
  return { name: 'equity.sampled', payload: { symbol, at, equity: value, mid: null } };
}

describe('engine store: per-instrument lists', () => {
  beforeEach(() => {
    useEngineStore.setState({ state: null, ...emptyLogs() });
  });

  it('files fills, orders and equity under their symbol and selects the selected instrument’s', () => {
    ingestEvent(fill('BTCUSDT', 'b1', '65000.10'));
    ingestEvent(fill('ETHUSDT', 'e1', '3400.05'));
    ingestEvent(fill('BTCUSDT', 'b2', '65000.20'));
    ingestEvent(order('ETHUSDT', 'eth-o1', 'new'));
    ingestEvent(order('BTCUSDT', 'btc-o1', 'new'));
    ingestEvent(order('ETHUSDT', 'eth-o1', 'filled'));
    ingestEvent(equity('BTCUSDT', 1_000, '1.5'));
    ingestEvent(equity('ETHUSDT', 1_000, '-0.25'));
    ingestEvent(equity(null, 1_000, '1.25'));

    useEngineStore.setState({ state: stateSelecting('BTCUSDT') });
    let s = useEngineStore.getState();
    expect(selectSelected(s)).toBe('BTCUSDT');
    expect(selectFills(s).map((f) => f.execId)).toEqual(['b1', 'b2']);
    expect(selectOrderLog(s).map((o) => `${o.clientId}:${o.status}`)).toEqual(['btc-o1:new']);
    expect(selectEquity(s).map((p) => p.equity)).toEqual(['1.5']);

    useEngineStore.setState({ state: stateSelecting('ETHUSDT') });
    s = useEngineStore.getState();
    expect(selectFills(s).map((f) => f.execId)).toEqual(['e1']);
    expect(selectOrderLog(s).map((o) => `${o.clientId}:${o.status}`)).toEqual([
      'eth-o1:new',
      'eth-o1:filled',
    ]);
    expect(selectEquity(s).map((p) => p.equity)).toEqual(['-0.25']);
    // The account's curve is its own list, not any instrument's.
    expect(s.accountEquity.map((p) => p.equity)).toEqual(['1.25']);
  });

  it('keeps alerts in one account-wide log', () => {
    ingestEvent({
      name: 'alert.raised',
      payload: { id: 'a1', severity: 'warning', code: 'stale', message: 'stale', at: 1, symbol: 'ETHUSDT' },
    });
    ingestEvent({
      name: 'alert.raised',
      payload: { id: 'a2', severity: 'info', code: 'store', message: 'backup', at: 2, symbol: null },
    });
    expect(useEngineStore.getState().alertLog.map((a) => a.id)).toEqual(['a1', 'a2']);
  });

  it('hands out one stable empty list for an instrument without events, and before any snapshot', () => {
    ingestEvent(fill('BTCUSDT', 'b1', '65000.10'));
    expect(selectFills(useEngineStore.getState())).toBe(NONE);
    useEngineStore.setState({ state: stateSelecting('ETHUSDT') });
    const s = useEngineStore.getState();
    expect(selectFills(s)).toBe(NONE);
    expect(selectFills(s)).toBe(selectFills(useEngineStore.getState()));
  });

  it('leaves the other instrument’s list untouched (same reference) when one instrument gets an event', () => {
    ingestEvent(fill('BTCUSDT', 'b1', '65000.10'));
    const btc = useEngineStore.getState().fills.get('BTCUSDT');
    ingestEvent(fill('ETHUSDT', 'e1', '3400.05'));
    expect(useEngineStore.getState().fills.get('BTCUSDT')).toBe(btc);
  });

  it('caps each instrument’s list on its own: a busy instrument does not push out a quiet one', () => {
    const limits = { fills: 3, orderLog: 3, equity: 2, alerts: 3 };
    let logs = emptyLogs();
    const feed = (e: EngineEvent) => (logs = { ...logs, ...applyEvent(logs, e, limits) });
    feed(fill('ETHUSDT', 'e1', '3400.05'));
    for (let i = 1; i <= 5; i++) feed(fill('BTCUSDT', `b${String(i)}`, '65000.10'));
    for (let i = 1; i <= 3; i++) feed(equity(null, i * 1_000, String(i)));
    expect(logs.fills.get('BTCUSDT')?.map((f) => f.execId)).toEqual(['b3', 'b4', 'b5']);
    expect(logs.fills.get('ETHUSDT')?.map((f) => f.execId)).toEqual(['e1']);
    expect(logs.accountEquity.map((p) => p.equity)).toEqual(['2', '3']);
  });

  it('never files an override change (the snapshot carries overrides)', () => {
    const logs = emptyLogs();
    expect(
      applyEvent(logs, {
        name: 'override.changed',
        payload: { symbol: 'BTCUSDT', field: 'gamma', value: '0.2', at: 1 },
      }),
    ).toEqual({});
  });

  it('names the instrument on screen in scoped commands, and nothing when none is known', () => {
    expect(targetOf('ETHUSDT')).toEqual({ symbol: 'ETHUSDT' });
    expect(targetOf(null)).toEqual({});
  });
});
