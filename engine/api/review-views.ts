/**
 * The backtest review's views: stored runs, their series and their decisions as the contract shows
 * them (prices and sizes as decimal strings on the instrument's grid, series column by column).
 */
import { EngineError } from '../core/errors.ts';
import type { Instrument } from '../core/instrument.ts';
import { defineInstrument, formatPrice, formatSize } from '../core/instrument.ts';
import type { DecisionRecord } from '../events/decision-record.ts';
import type { BacktestStore, RunSummary } from '../backtest/results-store.ts';
import type { OverrideValuesInternal } from '../strategy/overrides.ts';
import { shownOverrides } from './override-fields.ts';
import { RunColumnsReader } from '../backtest/run-columns.ts';
import { packNumbers } from './review-packed.ts';
import type { DecisionView, RunDetail, RunView } from './review-contract.ts';

/** Most quote changes a run's page gets for its price chart; beyond it they are thinned. */
export const MAX_QUOTE_POINTS = 50_000;

export function runView(r: RunSummary): RunView {
  const stats = r.stats as Record<string, string | number | null> | null;
  const symbol = typeof stats?.symbol === 'string' ? stats.symbol : (r.instruments?.[0]?.symbol ?? null);
  return {
    id: r.id,
    recording: r.recording,
    symbol,
    set: { ...r.params.set },
    queue: r.params.queue,
    latencyMs: r.params.latencyMs,
    createdAt: r.createdAt,
    status: r.status,
    error: r.error,
    stats,
    sweep: r.sweep,
  };
}

/**
 * The run's instrument named `symbol`, or by default the one the statistics are for (its recording's
 * first, or the one they name).
 */
function runInstrument(r: RunSummary, symbol?: string): Instrument {
  const specs = r.instruments;
  if (!specs || specs.length === 0)
    throw new EngineError(
      'unavailable',
      r.status === 'failed'
        ? `backtest run ${r.id} failed: ${r.error ?? 'no error was kept'}`
        : `backtest run ${r.id} was stored by an older version without its instruments: run it again`,
    );
  if (symbol !== undefined) {
    const spec = specs.find((s) => s.symbol === symbol);
    if (!spec) throw new EngineError('invalid_input', `run ${r.id} did not trade ${symbol}`);
    return defineInstrument(spec);
  }
  const main = runView(r).symbol;
  return defineInstrument(specs.find((s) => s.symbol === main) ?? specs[0]!);
}

/**
 * A run's page in two halves read apart (review-detail-worker.ts builds them on two threads at once,
 * each about half the time of the whole): its fills, and everything else.
 */
export type RunDetailPart = 'fills' | 'series';
export type RunDetailFills = Pick<RunDetail, 'fills'>;
export type RunDetailSeries = Omit<RunDetail, 'fills'>;

/** One run in full for its page, packed (review-contract.ts `RunDetail`); `not_found` for an unknown id. */
export function runDetail(store: BacktestStore, id: number, maxQuotes = MAX_QUOTE_POINTS): RunDetail {
  return { ...runDetailSeries(store, id, maxQuotes), ...runDetailFills(store, id) };
}

/**
 * The version of the page as stored by `storeRunPage`: raised with any change of what RunDetail
 * holds or how it is packed, so that pages stored before are rebuilt rather than misread.
 */
export const RUN_PAGE_FORMAT = 1;

/**
 * Packs a stored run's page once and keeps it with the run (results-store.ts `savePage`), for its
 * page to open without reading and packing every fill again; the run's view is left out, and is
 * read fresh at each open. Called where a run is stored (the review's jobs, the CLI). A failed run
 * has no page to keep.
 */
export function storeRunPage(store: BacktestStore, id: number): boolean {
  const run = store.require(id);
  if (run.status !== 'done' || !run.instruments?.length) return false;
  const { run: _view, ...page } = runDetail(store, id);
  store.savePage(id, RUN_PAGE_FORMAT, JSON.stringify(page));
  return true;
}

/**
 * The run's page from the one `storeRunPage` kept; undefined when none was kept in this format, or
 * when what was kept is not a page (a damaged file): the caller then builds it from the run's rows.
 */
export function storedRunPage(store: BacktestStore, id: number): RunDetail | undefined {
  const text = store.page(id, RUN_PAGE_FORMAT);
  if (text === undefined) return undefined;
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPage(page)) return undefined;
  return { run: runView(store.require(id)), ...page };
}

function isPage(v: unknown): v is Omit<RunDetail, 'run'> {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['fills', 'samples', 'quotes'].every((k) => typeof o[k] === 'object' && o[k] !== null);
}

/** Reads from the store's file through a column reader of its own, closed whatever happens. */
function readColumns<T>(store: BacktestStore, read: (reader: RunColumnsReader) => T): T {
  const reader = new RunColumnsReader(store.file);
  try {
    return read(reader);
  } finally {
    reader.close();
  }
}

/** The run's fills, read as columns (backtest/run-columns.ts) from the store's file. */
export function runDetailFills(store: BacktestStore, id: number): RunDetailFills {
  const inst = runInstrument(store.require(id));
  const fills = readColumns(store, (r) => r.fills(id, inst.symbol));
  // Causes are a handful of names: each fill's is an index into them.
  const causeNames: (string | null)[] = [];
  const causeOf = new Map<string | null, number>();
  const causeIndex = new Uint8Array(fills.cause.length);
  fills.cause.forEach((cause, i) => {
    let k = causeOf.get(cause);
    if (k === undefined) {
      if (causeNames.length === 256) throw new EngineError('internal', `run ${id} has over 256 fill causes`);
      k = causeNames.push(cause) - 1;
      causeOf.set(cause, k);
    }
    causeIndex[i] = k;
  });
  return {
    fills: {
      ts: packNumbers(fills.ts),
      side: fills.side,
      price: packNumbers(fills.priceTicks),
      size: packNumbers(fills.sizeLots),
      fee: fills.fee,
      liquidity: fills.liquidity,
      cause: { names: causeNames, index: packNumbers(causeIndex) },
      decision: packNumbers(fills.decision),
    },
  };
}

/** The run, its instrument's steps, its samples (read as columns) and its quote changes. */
export function runDetailSeries(
  store: BacktestStore,
  id: number,
  maxQuotes = MAX_QUOTE_POINTS,
): RunDetailSeries {
  const run = store.require(id);
  const inst = runInstrument(run);
  const samples = readColumns(store, (r) => r.samples(id, inst.symbol));
  const q = store.quoteChanges(id, inst.symbol, maxQuotes);
  return {
    run: runView(run),
    tickSize: inst.tickSize.toFixed(),
    lotSize: inst.lotSize.toFixed(),
    priceDecimals: inst.priceDecimals,
    sizeDecimals: inst.sizeDecimals,
    samples: {
      ts: packNumbers(samples.ts),
      mid: samples.mid,
      position: packNumbers(samples.positionLots),
      equity: samples.equity,
      spread: samples.spread,
      inventory: samples.inventory,
      fees: samples.fees,
    },
    quotes: {
      ts: packNumbers(q.ts),
      bid: packNumbers(q.bid),
      ask: packNumbers(q.ask),
      thinned: q.thinned,
    },
  };
}

/** A decision of a run, by its number or the one in force at a moment; null when there is none. */
export function runDecision(
  store: BacktestStore,
  id: number,
  by: { seq: number } | { at: number },
  symbol?: string,
): DecisionView | null {
  const inst = runInstrument(store.require(id), symbol);
  const record = store.decision(id, inst.symbol, by);
  return record ? decisionView(inst, record) : null;
}

/** A fractional tick count as a price, a few places finer than the tick (a mid may be half a tick). */
function fractionalPrice(inst: Instrument, ticks: number | null): string | null {
  if (ticks === null || !Number.isFinite(ticks)) return null;
  return inst.tickSize
    .mul(ticks)
    .toDecimalPlaces(inst.priceDecimals + 2)
    .toFixed();
}

/** A journal record (live or a run's) as the decision panel shows it. */
export function decisionView(inst: Instrument, d: DecisionRecord): DecisionView {
  const tick = inst.tickSize.toNumber();
  let overrides: Record<string, string> = {};
  if (d.overrides !== null) {
    const shown = shownOverrides(inst, JSON.parse(d.overrides) as OverrideValuesInternal);
    overrides = Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, String(v)]));
  }
  return {
    seq: d.seq,
    at: d.ts,
    symbol: d.symbol,
    s: fractionalPrice(inst, d.s),
    // σ and distances are model quantities (floats by nature), shown in price units and ticks.
    sigma: d.sigma === null ? null : d.sigma * tick,
    q: d.q,
    gamma: d.gamma,
    kappa: d.kappa,
    A: d.A,
    tau: d.tau,
    reservation: fractionalPrice(inst, d.reservation),
    bidDistance: d.bidDistance,
    askDistance: d.askDistance,
    bid: d.bid === null ? null : formatPrice(inst, d.bid),
    ask: d.ask === null ? null : formatPrice(inst, d.ask),
    bidSize: d.bidLots === null ? null : formatSize(inst, d.bidLots),
    askSize: d.askLots === null ? null : formatSize(inst, d.askLots),
    bidWithheld: d.bidWithheld,
    askWithheld: d.askWithheld,
    overrides,
    tradingState: d.state,
    refusal: d.refusal,
    feed: d.feed,
    warnings: d.warnings === null ? [] : d.warnings.split('; '),
  };
}
