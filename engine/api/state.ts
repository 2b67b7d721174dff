import type { AccountView, EngineState, Mode } from './contract.ts';

/** The account before anything is known: flat, active, no limits to show yet. */
export function emptyAccount(): AccountView {
  return {
    currency: '',
    equity: '0',
    realized: '0',
    unrealized: '0',
    fees: '0',
    tradingState: 'active',
    reason: null,
    gauges: [],
  };
}

/** A snapshot with nothing known yet: no book, no model, flat, active, no alerts. */
export function emptyState(mode: Mode, venue: string): Omit<EngineState, 'seq' | 'time'> {
  const side = { live: false, levels: [], withheld: 'stopped' };
  return {
    mode,
    venue,
    selected: null,
    instruments: [],
    account: emptyAccount(),
    connection: { state: 'disconnected', feed: 'waiting', feedAgeMs: null, feedLatencyMs: null },
    instrument: null,
    book: { bids: [], asks: [], mid: null, microprice: null, spreadTicks: null, seq: 0, ts: null },
    quoting: { status: 'stopped', paused: { bid: false, ask: false }, bid: { ...side }, ask: { ...side } },
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
