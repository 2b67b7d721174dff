import type { ModelName, ModelOutput } from './models.ts';
import { runModel } from './models.ts';
import type { OverrideValuesInternal } from './overrides.ts';
import { buildQuotes, NO_QUOTE, type QuoteSet, type WithheldReason } from './quote-builder.ts';

/** The model's settings for one instrument (prices in ticks, time in seconds). */
export interface ModelConfig {
  name: ModelName;
  gamma: number;
  /** κ and A used until (or instead of) the intensity fit, per tick and per second. */
  kappa: number;
  A: number;
  /** Rolling horizon of τ seconds, or a session ending at a fixed time (ms since epoch). */
  horizon: { kind: 'rolling'; seconds: number } | { kind: 'session'; endsAt: number };
  priceSource: 'mid' | 'microprice';
  volHalfLifeS: number;
  volWarmup: number;
  /** Use A and κ fitted from the trade tape once warm. */
  fitIntensity: boolean;
}

/** How the model's prices become orders for one instrument. */
export interface QuotingConfig {
  sizeLots: number;
  levels: number;
  levelSpacingTicks: number;
  minSpreadTicks: number;
  maxSpreadTicks: number;
  toleranceTicks: number;
  minRefreshMs: number;
  maxInFlight: number;
}

/** The trading states that shape quotes (a subset of risk's, kept here so strategy stays below risk). */
export type QuoteGate = 'active' | 'reducing' | 'halted' | 'reconciling';

/** Everything one decision reads; nothing else, so the same inputs always give the same quotes. */
export interface QuoteInputs {
  now: number;
  /** The trader (or a schedule) has quoting on. */
  quoting: boolean;
  state: QuoteGate;
  feed: 'ok' | 'stale' | 'waiting' | 'gap' | 'crossed' | 'disconnected';
  /** Reference price in ticks (mid or microprice), undefined without a two-sided book. */
  s: number | undefined;
  /** σ per √second in ticks, undefined until the estimator has a value. */
  sigma: number | undefined;
  volReady: boolean;
  volRemaining: number;
  /** A and κ fitted from the tape, where fitting is on and warm. */
  fit: { A: number; kappa: number } | undefined;
  overrides: Readonly<OverrideValuesInternal>;
  paused: Readonly<{ bid: boolean; ask: boolean }>;
  positionLots: number;
  bestBid: number | undefined;
  bestAsk: number | undefined;
  model: ModelConfig;
  quotingConfig: QuotingConfig;
  /** The risk limit on the absolute position, lots. */
  maxPositionLots: number;
  /** The venue's smallest order notional in tick × lot units (0 or absent where it has none). */
  minNotionalUnits?: number;
}

/** The model's view behind a decision: its inputs and outputs, for the screen and the journal. */
export interface ModelView {
  out: ModelOutput | null;
  s: number;
  sigma: number | null;
  q: number;
  gamma: number;
  kappa: number;
  A: number;
  tau: number;
  warnings: string[];
}

export interface QuoteDecision {
  quotes: QuoteSet;
  /** Null when no model ran (quoting stopped, halted, no market). */
  model: ModelView | null;
  /** The model refused its inputs: worth an alert, not only a withheld side. */
  invalid: string | null;
}

function withheld(
  reason: WithheldReason,
  model: ModelView | null = null,
  invalid: string | null = null,
): QuoteDecision {
  return { quotes: NO_QUOTE(reason), model, invalid };
}

/**
 * The quote decision, as a pure function: the model on the reference price and inventory, then the
 * trader's overrides, the position limit, pauses and the trading state. It changes nothing and reads
 * no clock, so a replay that feeds it the same inputs gets the same quotes to the tick.
 */
export function decideQuotes(i: QuoteInputs): QuoteDecision {
  if (!i.quoting) return withheld('stopped');
  if (i.state === 'halted') return withheld('halted');
  if (i.state === 'reconciling') return withheld('reconciling');
  if (i.feed !== 'ok') return withheld(i.feed === 'stale' ? 'stale_feed' : 'no_market');
  const s = i.s;
  if (s === undefined) return withheld('no_market');
  const ov = i.overrides;
  const m = i.model;
  const sizeLots = ov.sizeLots ?? i.quotingConfig.sizeLots;
  const gamma = ov.gamma ?? m.gamma;
  const kappa = ov.kappa ?? i.fit?.kappa ?? m.kappa;
  const A = i.fit?.A ?? m.A;
  const q = i.positionLots / sizeLots;
  const tau =
    m.horizon.kind === 'rolling' ? m.horizon.seconds : Math.max(0, (m.horizon.endsAt - i.now) / 1000);
  const sigma = i.sigma;
  if (!i.volReady || sigma === undefined) {
    const view: ModelView = {
      out: null,
      s,
      sigma: sigma ?? null,
      q,
      gamma,
      kappa,
      A,
      tau,
      warnings: [`volatility warming up: ${i.volRemaining} samples to go`],
    };
    return withheld('warming_up', view);
  }
  const result = runModel(m.name, { s, q, sigma, gamma, kappa, A, tau, delta: 1 });
  if (!result.ok) {
    return withheld(
      'model_invalid',
      { out: null, s, sigma, q, gamma, kappa, A, tau, warnings: [result.reason] },
      result.reason,
    );
  }
  const view: ModelView = { out: result.value, s, sigma, q, gamma, kappa, A, tau, warnings: [] };
  const qc = i.quotingConfig;
  const quotes = buildQuotes(
    s - result.value.bidDistance,
    s + result.value.askDistance,
    {
      sizeLots,
      levels: ov.levels ?? qc.levels,
      levelSpacingTicks: qc.levelSpacingTicks,
      minSpreadTicks: ov.minSpreadTicks ?? qc.minSpreadTicks,
      maxSpreadTicks: qc.maxSpreadTicks,
      postOnly: true,
      skewTicks: ov.skewTicks ?? 0,
      pinBid: ov.pinBid,
      pinAsk: ov.pinAsk,
      maxPositionLots: Math.min(ov.maxPositionLots ?? Infinity, i.maxPositionLots),
      minNotionalUnits: i.minNotionalUnits ?? 0,
    },
    { bestBid: i.bestBid, bestAsk: i.bestAsk },
    i.positionLots,
  );
  if (i.paused.bid) quotes.bid = { levels: [], withheld: 'paused' };
  if (i.paused.ask) quotes.ask = { levels: [], withheld: 'paused' };
  if (i.state === 'reducing') {
    if (i.positionLots >= 0) quotes.bid = { levels: [], withheld: 'reducing' };
    if (i.positionLots <= 0) quotes.ask = { levels: [], withheld: 'reducing' };
  }
  return { quotes, model: view, invalid: null };
}
