import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, runBacktest, type BacktestParams } from '../../../engine/backtest/runner.ts';
import { StatisticsCollector, type BacktestStats } from '../../../engine/backtest/statistics.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { defineInstrument, type Lots } from '../../../engine/core/instrument.ts';
import { openRecording } from '../../../engine/host/backtest-cli.ts';
import { defaultAccountLimits, defaultTradingConfig } from '../../../engine/node/trading-config.ts';
import { TradingNode } from '../../../engine/node/trading-node.ts';
import { Portfolio } from '../../../engine/portfolio/portfolio.ts';
import { NullJournal } from '../../../engine/store/journal.ts';
import { MarketRecorder } from '../../../engine/store/recorder.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { composeVenue } from '../../../engine/venues/compose.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../../../engine/venues/sim/default-sim.ts';
import { queueModelByName } from '../../../engine/venues/sim-exec/queue-model.ts';
import { SimulatedExecution } from '../../../engine/venues/sim-exec/simulated-execution.ts';
import type { Fill } from '../../../engine/venues/venue.ts';

const T0 = Date.UTC(2026, 0, 5, 9);
const SEED = 11;
/** The synthetic market steps every 50 ms from its connect at T0, so the session ends on a step. */
const SESSION_MS = 2 * 60_000;
const PARAMS: BacktestParams = { ...DEFAULT_PARAMS, queue: 'risk-averse', latencyMs: 5 };
/** What runBacktest gives when the trader sets no balances (runner.ts defaultBalances: 10^7 quote, 10^6 lots). */
const BALANCES = { USDT: '10000000', BTC: '1000' };
/** The runner starts its clock, its simulated execution and its node this long before the first event. */
const REPLAY_LEAD_MS = 1000;

/** One order request as the node sent it, at the node's clock. */
interface RequestRow {
  kind: 'place' | 'amend' | 'cancel' | 'cancel-all';
  at: number;
  clientId?: string;
  side?: string;
  price?: number;
  size?: number;
  type?: string;
  timeInForce?: string;
}

interface Watched {
  requests: RequestRow[];
  /** Each fill the node applied, with the node's clock when it did. */
  /** With the quote decision that had priced the fill's order (the decision journal's link). */
  fills: { at: number; fill: Fill; decision: number | null }[];
}

/**
 * Watches the next TradingNode to start: every order request it sends and every fill it applies.
 * runBacktest builds its node inside, so the node is caught at its start(); the paper session's node
 * is caught the same way, so both runs are observed by the same code. The OMS reads
 * `venue.callbackOrders` at each send, so wrapping its functions before start sees every request.
 */
function watchNextNode(): Watched {
  const watched: Watched = { requests: [], fills: [] };
  const original = TradingNode.prototype.start;
  const spy = vi.spyOn(TradingNode.prototype, 'start').mockImplementation(function (this: TradingNode) {
    spy.mockRestore();
    const { requests, fills } = watched;
    const clock = this.clock;
    const venue = this.venue;
    const cb = venue.callbackOrders!;
    const { place, amend, cancel } = cb;
    const sides = new Map<string, string>();
    cb.place = (r, answer, tag) => {
      sides.set(r.clientId, r.side);
      requests.push({
        kind: 'place',
        at: clock.now(),
        clientId: r.clientId,
        side: r.side,
        price: r.price!,
        size: r.size,
        type: r.type,
        timeInForce: r.timeInForce,
      });
      place(r, answer, tag);
    };
    cb.amend = (r, answer, tag) => {
      requests.push({
        kind: 'amend',
        at: clock.now(),
        clientId: r.clientId,
        side: sides.get(r.clientId)!,
        ...(r.price === undefined ? {} : { price: r.price }),
        ...(r.size === undefined ? {} : { size: r.size }),
      });
      amend(r, answer, tag);
    };
    cb.cancel = (r, answer, tag) => {
      requests.push({ kind: 'cancel', at: clock.now(), clientId: r.clientId, side: sides.get(r.clientId)! });
      cancel(r, answer, tag);
    };
    const cancelAll = venue.cancelAll.bind(venue);
    venue.cancelAll = (symbol) => {
      requests.push({ kind: 'cancel-all', at: clock.now() });
      return cancelAll(symbol);
    };
    this.bus.subscribe('fill.applied', (e) =>
      fills.push({ at: clock.now(), fill: e.fill, decision: e.order?.decision ?? null }),
    );
    return original.call(this);
  });
  return watched;
}

/** Runs a promise to completion as the runner's drive does: two microtask turns, then 1 ms of clock. */
async function settle<T>(clock: SimClock, promise: Promise<T>): Promise<T> {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (v) => {
      state.done = true;
      state.value = v;
    },
    (e: unknown) => {
      state.done = true;
      state.error = e;
    },
  );
  for (;;) {
    await Promise.resolve();
    await Promise.resolve();
    if (state.done) break;
    clock.advance(1);
  }
  if (state.error !== undefined) throw state.error instanceof Error ? state.error : new Error('rejected');
  return state.value as T;
}

/**
 * A paper session (the node on simulated execution over the simulator's live feed) while a recorder
 * records the same feed. Returns what the node did, its portfolio and statistics collected the way
 * the runner collects them, and the data directory holding the recording `paper`.
 */
async function paperSession() {
  const dir = mkdtempSync(join(tmpdir(), 'mmws-lvr-'));
  const store = new RecordingStore(recordingsFile(dir));
  const watched = watchNextNode();
  const clock = new SimClock(T0);
  // Zero feed latency: the simulator hands each message to its subscribers at the venue time it
  // stamps on it. The paper session's simulated execution matches against the feed as delivered,
  // so only then does the replay's venue side (at venue time) see what it saw; and the recorder's
  // local time equals the venue time, so the replay's strategy side sees each event at that instant too.
  const sim = createDefaultSim(clock, SEED, { latency: { feed: 0 } });
  const spec = { ...DEFAULT_SIM_INSTRUMENT };
  const execution = new SimulatedExecution({
    clock,
    feed: sim,
    instruments: [spec],
    balances: BALANCES,
    latency: { requestMs: PARAMS.latencyMs, responseMs: PARAMS.latencyMs },
    queueModel: queueModelByName(PARAMS.queue),
    id: 'backtest',
  });
  const node = new TradingNode({
    clock,
    venue: composeVenue({ id: 'paper', kind: 'paper', market: sim, execution }),
    journal: new NullJournal(),
    symbols: [spec.symbol],
    config: defaultTradingConfig,
    account: defaultAccountLimits(),
  });
  const recorder = new MarketRecorder({
    store,
    market: sim,
    clock,
    venue: 'sim',
    name: 'paper',
    instruments: [spec],
  });
  // Subscribed while the simulator is still down: its connect, inside node.start(), sends a snapshot
  // to every subscriber at T0, and the node's desk subscribes for its own at the same instant, before
  // the market's first step. Simulated execution, recorder and desk start from the same book.
  recorder.start();
  await settle(clock, node.start());
  const upAt = clock.now();
  const desk = node.desk(spec.symbol);
  desk.quoting = true;
  const stats = new StatisticsCollector({
    bus: node.bus,
    clock,
    instrument: defineInstrument(spec),
    midTicks: () => desk.book.mid(),
    startPosition: 0 as Lots,
  });
  const end = T0 + SESSION_MS;
  while (clock.now() < end) {
    clock.advance(1);
    await Promise.resolve();
    await Promise.resolve();
  }
  const parts = recorder.stop();
  store.close();
  // The runner's ending: the answers still on their way arrive, then the node stops (cancel all).
  clock.advanceTo(end + 2 * PARAMS.latencyMs + 1);
  await settle(clock, node.stop());
  const finishedAt = clock.now();
  const result = stats.finish();
  stats.close();
  execution.close();
  await sim.disconnect();
  return { dir, parts, watched, portfolio: desk.portfolio, stats: result, end, upAt, finishedAt };
}

/** The time-weighted and sampled figures: over each collector's life, which differs (see below). */
const TIMED = [
  'duration_ms',
  'quote_uptime',
  'inventory_twa',
  'sharpe',
  'sortino',
  'sampling',
  'samples',
] as const;

function untimed(stats: BacktestStats): Record<string, unknown> {
  const timed: readonly string[] = TIMED;
  return Object.fromEntries(Object.entries(stats).filter(([k]) => !timed.includes(k)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('live and replay agree', () => {
  it('a paper session and the replay of its recording make the same orders, fills and PnL', async () => {
    const live = await paperSession();
    expect(live.parts).toHaveLength(1);
    expect(live.parts[0]!.firstLocal).toBe(T0);
    expect(live.parts[0]!.lastLocal).toBe(live.end);

    const replay = watchNextNode();
    const { source, store } = openRecording(live.dir, 'paper');
    const outcome = await runBacktest(source, PARAMS).finally(() => store.close());

    // The session did enough to make the comparison mean something.
    const kinds = new Set(live.watched.requests.map((r) => r.kind));
    expect(kinds).toEqual(new Set(['place', 'amend', 'cancel', 'cancel-all']));
    expect(live.watched.fills.length).toBeGreaterThan(100);
    expect(new Set(live.watched.fills.map((f) => f.fill.side))).toEqual(new Set(['buy', 'sell']));

    // Inherent difference 1, ids: the node's client ids carry a run tag from its clock at start, and
    // simulated execution's order and execution ids one from its clock at construction. The runner
    // does both a second before the first event (REPLAY_LEAD_MS), so that its node is up when the
    // recording begins; the paper session does both at T0, the first event's instant. The ids are
    // otherwise the same: the same counters in the same order.
    const liveClient = `mm${(T0 % 1e9).toString(36)}-`;
    const replayClient = `mm${((T0 - REPLAY_LEAD_MS) % 1e9).toString(36)}-`;
    const liveVenue = `backtest.${T0.toString(36)}-`;
    const replayVenue = `backtest.${(T0 - REPLAY_LEAD_MS).toString(36)}-`;
    const asReplay = (id: string, from: string, to: string) => {
      expect(id.startsWith(from), id).toBe(true);
      return to + id.slice(from.length);
    };

    // Inherent difference 2, the start: the replay's node is up and quoting before the first event,
    // the paper node only once its start's reconciliation is answered, after T0. That changes no
    // order: the desk sees every book message from T0's snapshot on either way (its estimators run
    // while it is not quoting), and the model quotes only after its volatility warm-up, long after
    // both nodes are up. Starting takes the same time in both (the same reconciliation over the
    // same latency), so the node's 100 ms guard and 1 s equity timers keep the same phase.
    expect(live.upAt).toBeGreaterThan(T0);
    expect(live.watched.requests[0]!.at).toBeGreaterThan(live.upAt);

    // Orders: every request, its kind, order, side, price, size and time in milliseconds, equal.
    const liveRequests = live.watched.requests.map((r) =>
      r.clientId === undefined ? r : { ...r, clientId: asReplay(r.clientId, liveClient, replayClient) },
    );
    expect(replay.requests).toEqual(liveRequests);

    // Fills: the whole execution (side, price, size, liquidity, fee, cause, venue time) and the time
    // the node applied it, equal.
    const liveFills = live.watched.fills.map(({ at, fill }) => ({
      at,
      fill: {
        ...fill,
        clientId: asReplay(fill.clientId, liveClient, replayClient),
        venueOrderId: asReplay(fill.venueOrderId, liveVenue, replayVenue),
        execId: asReplay(fill.execId, liveVenue, replayVenue),
      },
    }));
    expect(replay.fills.map(({ at, fill }) => ({ at, fill }))).toEqual(liveFills);
    expect(outcome.fills.map(({ decision: _, ...fill }) => fill)).toEqual(liveFills.map((f) => f.fill));
    // The decision behind each fill is the same one: the numbers differ only by the decisions the
    // replay's node made before the paper node was up (the start, above), the same for every fill.
    const offsets = new Set(outcome.fills.map((f, i) => f.decision! - live.watched.fills[i]!.decision!));
    expect(offsets.size).toBe(1);
    expect([...offsets][0]).toBeGreaterThanOrEqual(0);

    // PnL: realized, fees and the final position of the paper portfolio are those of the replay's fills.
    const replayed = new Portfolio(defineInstrument(DEFAULT_SIM_INSTRUMENT));
    for (const f of outcome.fills) expect(replayed.apply(f)).toBe(true);
    expect(replayed.realized().toFixed()).toBe(live.portfolio.realized().toFixed());
    expect(replayed.fees().toFixed()).toBe(live.portfolio.fees().toFixed());
    expect(replayed.positionLots()).toBe(live.portfolio.positionLots());
    expect(outcome.stats.fees).toBe(live.stats.fees);
    // And every figure of the statistics that does not weigh clock time: pnl_total and its
    // decomposition, markouts, turnover, drawdown, final position, fill ratio.
    expect(untimed(outcome.stats)).toEqual({
      ...untimed(live.stats),
      events: source.events,
      recording: 'paper',
    });

    // Inherent difference 3, the collector's life: the runner's statistics begin when its node is up,
    // a second before the first event; the paper collector when the paper node is up, after T0. Both
    // end at the same instant, so the replay's run is exactly REPLAY_LEAD_MS longer, holds one more
    // equity sample (a flat one, before any data), and its time-weighted figures divide by more time.
    // What they weigh is the same: the milliseconds both sides were quoted, and |position|·time.
    // Sharpe and Sortino are not compared: the extra flat sample changes their n, not their sums.
    const r = outcome.stats;
    const l = live.stats;
    expect(r.duration_ms - l.duration_ms).toBe(REPLAY_LEAD_MS);
    expect(r.samples).toBe(l.samples + 1);
    const uptimeMs = (s: BacktestStats) => s.quote_uptime! * s.duration_ms;
    expect(Math.round(uptimeMs(r))).toBe(Math.round(uptimeMs(l)));
    expect(Math.round(uptimeMs(l))).toBeGreaterThan(0);
    const twa = inventoryTwa(live.watched.fills, live.finishedAt);
    expect(l.inventory_twa).toBe(twa(l.duration_ms));
    expect(r.inventory_twa).toBe(twa(r.duration_ms));
  }, 60_000);
});

/**
 * The time-weighted mean |position| as the collector computes it (Σ|lots|·dt ÷ duration, in base
 * units to 3 digits past the lot) from the fills and the times the node applied them, for a given
 * duration: the same integral over two durations.
 */
function inventoryTwa(fills: readonly { at: number; fill: Fill }[], finishedAt: number) {
  let pos = 0;
  let since = 0;
  let absPosTime = 0;
  for (const { at, fill } of fills) {
    absPosTime += Math.abs(pos) * (at - since);
    since = at;
    const lots: number = fill.size;
    pos += fill.side === 'buy' ? lots : -lots;
  }
  absPosTime += Math.abs(pos) * (finishedAt - since);
  const inst = defineInstrument(DEFAULT_SIM_INSTRUMENT);
  return (duration: number) =>
    inst.lotSize
      .mul(absPosTime / duration)
      .toDecimalPlaces(inst.sizeDecimals + 3)
      .toFixed();
}
