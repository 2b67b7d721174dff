import { Decimal } from 'decimal.js';
import type { BacktestOutcome, RunFill } from '../../engine/backtest/runner.ts';
import { DEFAULT_PARAMS } from '../../engine/backtest/runner.ts';
import { BacktestStore, backtestsFile } from '../../engine/backtest/results-store.ts';
import { storeRunPage } from '../../engine/api/review-views.ts';
import { Rng } from '../../engine/core/random.ts';
import type { Lots, Ticks } from '../../engine/core/instrument.ts';
import type { DecisionRecord } from '../../engine/events/decision-record.ts';
import { DEFAULT_SIM_INSTRUMENT } from '../../engine/venues/sim/index.ts';

export interface SyntheticRunSize {
  /** Recorded events the run claims to have replayed (its `events` statistic). */
  events: number;
  fills: number;
  /** Seconds of market time; one equity sample each. */
  seconds: number;
  /** Quote decisions (each a change of quotes). */
  decisions: number;
}

/**
 * A large backtest run, stored as the runner would store it, for the review screen's benchmark and
 * tests: a random-walk mid, our quotes a few ticks around it, fills alternating around the walk,
 * each linked to the decision that priced it, and once-a-second samples with the PnL split. Built
 * directly rather than by replaying a day of data, which would take this machine minutes; the screen
 * only sees the stored rows, and these have the sizes and shapes of a real run's.
 */
export function storeSyntheticRun(
  dataDir: string,
  size: SyntheticRunSize,
  { seed = 1, keepPage = true }: { seed?: number; keepPage?: boolean } = {},
): number {
  const rng = new Rng(seed);
  const start = Date.UTC(2026, 0, 5, 9);
  const spanMs = size.seconds * 1000;
  const spec = DEFAULT_SIM_INSTRUMENT;
  const tick = new Decimal(spec.tickSize);
  const lot = new Decimal(spec.lotSize);
  let mid = 650_000;
  const decisions: DecisionRecord[] = [];
  const midAt: number[] = [];
  for (let i = 0; i < size.decisions; i++) {
    mid += rng.int(-2, 2);
    midAt.push(mid);
    const ts = start + Math.floor((i * spanMs) / size.decisions);
    decisions.push({
      seq: i + 1,
      ts,
      symbol: spec.symbol,
      s: mid,
      sigma: 3 + rng.next(),
      q: 0,
      gamma: 0.1,
      kappa: 1.5,
      A: 140,
      tau: 60,
      reservation: mid,
      bidDistance: 4,
      askDistance: 4,
      bid: mid - 4,
      ask: mid + 4,
      bidLots: 10,
      askLots: 10,
      bidWithheld: null,
      askWithheld: null,
      state: 'active',
      feed: 'ok',
      overrides: null,
      refusal: null,
      sent: 2,
      warnings: null,
    });
  }
  const fills: RunFill[] = [];
  const causes = ['trade', 'trade-through', 'cross'] as const;
  let position = 0;
  for (let i = 0; i < size.fills; i++) {
    const d = Math.min(size.decisions - 1, Math.floor((i * size.decisions) / size.fills));
    const dec = decisions[d]!;
    const side = position > 0 || (position === 0 && rng.next() < 0.5) ? 'sell' : 'buy';
    position += side === 'buy' ? 10 : -10;
    const price = (side === 'buy' ? dec.bid : dec.ask)!;
    fills.push({
      type: 'fill',
      symbol: spec.symbol,
      execId: `x${i}`,
      clientId: `bt-${i}`,
      venueOrderId: `v${i}`,
      side,
      price: price as Ticks,
      size: 10 as Lots,
      fee: tick.mul(price).mul(lot.mul(10)).mul(spec.makerFee).toFixed(),
      feeAsset: spec.quote,
      liquidity: 'maker',
      ts: dec.ts + 1,
      cause: causes[i % causes.length]!,
      decision: dec.seq,
    });
  }
  const samples: BacktestOutcome['samples'] = [];
  let spread = new Decimal(0);
  let fees = new Decimal(0);
  let f = 0;
  let pos = 0;
  let cash = new Decimal(0);
  for (let s = 0; s < size.seconds; s++) {
    const ts = start + s * 1000;
    while (f < fills.length && fills[f]!.ts <= ts) {
      const x = fills[f]!;
      const lots: number = x.size;
      const signed = x.side === 'buy' ? lots : -lots;
      spread = spread.plus(tick.mul(4).mul(lot.mul(x.size)));
      fees = fees.plus(x.fee);
      cash = cash.minus(tick.mul(x.price).mul(lot.mul(signed)));
      pos += signed;
      f++;
    }
    const m = midAt[Math.min(size.decisions - 1, Math.floor((s * size.decisions) / size.seconds))]!;
    const equity = cash.plus(tick.mul(m).mul(lot.mul(pos))).minus(fees);
    samples.push({
      ts,
      symbol: spec.symbol,
      mid: tick.mul(m).toFixed(),
      positionLots: pos,
      equity: equity.toFixed(),
      spread: spread.toFixed(),
      inventory: equity.minus(spread).plus(fees).toFixed(),
      fees: fees.toFixed(),
    });
  }
  const last = samples.at(-1)!;
  const stats = {
    symbol: spec.symbol,
    events: size.events,
    recording: 'synthetic-day',
    duration_ms: spanMs,
    fills: size.fills,
    pnl_total: last.equity,
    spread_capture: last.spread,
    inventory_pnl: last.inventory,
    fees: last.fees,
    max_drawdown: '0',
    sharpe: 1.5,
    sortino: 2.1,
    maker_share: 1,
  } as unknown as BacktestOutcome['stats'];
  const store = new BacktestStore(backtestsFile(dataDir));
  try {
    const id = store.saveRun(
      'synthetic-day',
      DEFAULT_PARAMS,
      { stats, instruments: [spec], fills, decisions, samples },
      start + spanMs,
    );
    // As the review's jobs and the CLI keep a run's page when they store it (unless told not to, to
    // stand for a run stored by an older version).
    if (keepPage) storeRunPage(store, id);
    return id;
  } finally {
    store.close();
  }
}
