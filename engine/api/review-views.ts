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

/** One run in full for its page; `not_found` for an unknown id. */
export function runDetail(store: BacktestStore, id: number, maxQuotes = MAX_QUOTE_POINTS): RunDetail {
  const run = store.require(id);
  const inst = runInstrument(run);
  const symbol = inst.symbol;
  const samples: RunDetail['samples'] = {
    ts: [],
    mid: [],
    position: [],
    equity: [],
    spread: [],
    inventory: [],
    fees: [],
  };
  for (const s of store.samples(id)) {
    if (s.symbol !== symbol) continue;
    samples.ts.push(s.ts);
    samples.mid.push(s.mid);
    samples.position.push(formatSize(inst, s.position_lots));
    samples.equity.push(s.equity);
    samples.spread.push(s.spread ?? '0');
    samples.inventory.push(s.inventory ?? '0');
    samples.fees.push(s.fees ?? '0');
  }
  const fills: RunDetail['fills'] = {
    ts: [],
    side: [],
    price: [],
    size: [],
    fee: [],
    liquidity: [],
    cause: [],
    clientId: [],
    decision: [],
  };
  for (const [ts, side, price, size, fee, liquidity, cause, clientId, decision] of store.fillTuples(
    id,
    symbol,
  )) {
    fills.ts.push(ts);
    fills.side.push(side === 'sell' ? 'sell' : 'buy');
    fills.price.push(formatPrice(inst, price));
    fills.size.push(formatSize(inst, size));
    fills.fee.push(fee);
    fills.liquidity.push(liquidity === 'taker' ? 'taker' : 'maker');
    fills.cause.push(cause);
    fills.clientId.push(clientId);
    fills.decision.push(decision);
  }
  const q = store.quoteChanges(id, symbol, maxQuotes);
  const price = (t: number | null) => (t === null ? null : formatPrice(inst, t));
  return {
    run: runView(run),
    tickSize: inst.tickSize.toFixed(),
    lotSize: inst.lotSize.toFixed(),
    samples,
    fills,
    quotes: { ts: q.ts, bid: q.bid.map(price), ask: q.ask.map(price), thinned: q.thinned },
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
