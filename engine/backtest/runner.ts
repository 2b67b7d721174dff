import { SimClock } from '../core/clock.ts';
import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import type { Instrument, InstrumentSpec, Lots } from '../core/instrument.ts';
import { defineInstrument, sizeToLots } from '../core/instrument.ts';
import type { RecordedEvent } from '../market/recording-codec.ts';
import { decodeChunkEvents } from '../market/recording-codec.ts';
import { defaultAccountLimits, defaultTradingConfig, type TradingConfig } from '../node/trading-config.ts';
import { TradingNode } from '../node/trading-node.ts';
import type { StoredChunk } from '../store/recordings.ts';
import { NullJournal } from '../store/journal.ts';
import type { OverrideValuesInternal } from '../strategy/overrides.ts';
import { composeVenue } from '../venues/compose.ts';
import { ReplayMarket } from '../venues/replay/replay-market.ts';
import { queueModelByName } from '../venues/sim-exec/queue-model.ts';
import { SimulatedExecution } from '../venues/sim-exec/simulated-execution.ts';
import type { Fill } from '../venues/venue.ts';
import { decisionRecord, type DecisionRecord } from '../events/decision-record.ts';
import type { BacktestStats } from './statistics.ts';
import { StatisticsCollector } from './statistics.ts';

/** One change of the trader's overrides at a moment of the replay (ms after its first event). */
export interface ScheduledOverride {
  atMs: number;
  symbol?: string;
  set?: OverrideValuesInternal;
  pause?: 'bid' | 'ask' | 'both';
  resume?: 'bid' | 'ask' | 'both';
}

/** Everything that decides a run's outcome besides the recording: stored with the run to re-run it. */
export interface BacktestParams {
  /** Parameter changes by name (see PARAMETERS), as the trader wrote them. */
  set: Readonly<Record<string, string>>;
  /** Queue model name (sim-exec's queueModelByName). */
  queue: string;
  /** Order entry and response latency, ms each way. */
  latencyMs: number;
  /** Starting balances by asset. */
  balances: Readonly<Record<string, string>>;
  overrides: readonly ScheduledOverride[];
}

export const DEFAULT_PARAMS: BacktestParams = {
  set: {},
  queue: 'risk-averse',
  latencyMs: 5,
  balances: {},
  overrides: [],
};

/** What a recording gives a run: its instruments and its chunks, streamed. */
export interface BacktestSource {
  readonly name: string;
  readonly instruments: readonly InstrumentSpec[];
  readonly events: number;
  chunks(): Iterable<StoredChunk>;
}

export interface SampleRow {
  ts: number;
  symbol: string;
  mid: string | null;
  positionLots: number;
  equity: string;
  /** The PnL split so far (statistics' spread capture, inventory PnL, fees); the first instrument's. */
  spread: string | null;
  inventory: string | null;
  fees: string | null;
}

/** A fill of the run, with the quote decision that set its order's price (null: not a model order). */
export type RunFill = Fill & { decision: number | null };

export interface BacktestOutcome {
  stats: BacktestStats & { events: number; recording: string };
  /** The recording's instruments: a run's ticks and lots are on their grids. */
  instruments: readonly InstrumentSpec[];
  fills: RunFill[];
  /** Every quote decision of the run, in order. */
  decisions: DecisionRecord[];
  samples: SampleRow[];
}

export interface RunOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Keep the fills, every quote decision and the equity samples (default true); a sweep keeps only
   * the statistics, and its memory then stays flat however long the recording.
   */
  keepDetail?: boolean;
}

const SAMPLE_MS = 1000;
/** How often the loop lets promise callbacks run (the node's start and stop, reconciliation). */
const YIELD_EVERY = 64;

/**
 * The parameters `--set NAME=VALUE` may change, each into the instrument's TradingConfig. A size is in
 * base units as the trader writes it; it becomes lots of the instrument.
 */
export const PARAMETERS: Readonly<Record<string, (c: TradingConfig, v: string, inst: Instrument) => void>> = {
  gamma: (c, v) => (c.model.gamma = positive('gamma', v)),
  kappa: (c, v) => (c.model.kappa = positive('kappa', v)),
  A: (c, v) => (c.model.A = positive('A', v)),
  model: (c, v) => {
    if (v !== 'avellaneda-stoikov' && v !== 'glft')
      throw new EngineError('invalid_input', `model must be avellaneda-stoikov or glft, got ${v}`);
    c.model.name = v;
  },
  horizon_s: (c, v) => (c.model.horizon = { kind: 'rolling', seconds: positive('horizon_s', v) }),
  size: (c, v, inst) => (c.quoting.sizeLots = sizeToLots(inst, v)),
  levels: (c, v) => (c.quoting.levels = whole('levels', v, 1)),
  level_spacing_ticks: (c, v) => (c.quoting.levelSpacingTicks = whole('level_spacing_ticks', v, 1)),
  min_spread_ticks: (c, v) => (c.quoting.minSpreadTicks = whole('min_spread_ticks', v, 1)),
  min_refresh_ms: (c, v) => (c.quoting.minRefreshMs = whole('min_refresh_ms', v, 0)),
  max_position: (c, v, inst) => (c.limits.maxPositionLots = sizeToLots(inst, v)),
};

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?(e-?\d+)?$/i.test(v) || !(n > 0) || !Number.isFinite(n))
    throw new EngineError('invalid_input', `${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

function whole(name: string, v: string, min: number): number {
  if (!/^\d{1,9}$/.test(v) || Number(v) < min)
    throw new EngineError(
      'invalid_input',
      `${name} must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

/** Checks the parameters before any work, so a typo fails at once and names what exists. */
export function checkParams(params: BacktestParams, instruments: readonly Instrument[]): void {
  for (const [k, v] of Object.entries(params.set)) {
    const apply = PARAMETERS[k];
    if (!apply)
      throw new EngineError(
        'invalid_input',
        `unknown parameter ${k}: use ${Object.keys(PARAMETERS).join(', ')}`,
      );
    for (const inst of instruments) apply(defaultTradingConfig(inst), v, inst);
  }
  queueModelByName(params.queue);
  if (!Number.isFinite(params.latencyMs) || params.latencyMs < 0 || params.latencyMs > 60_000)
    throw new EngineError('invalid_input', `latency must be 0-60000 ms, got ${params.latencyMs}`);
}

/**
 * Replays a recording through the same TradingNode that trades live: strategy, overrides, risk, OMS
 * and portfolio, with simulated execution (queue model, latency, fees) behind it, on a replay clock.
 *
 * Event order (after hftbacktest): each recorded event reaches the simulated venue at its venue time
 * and the strategy at its local receive time (never before the venue has it; each side in recorded
 * order, never overtaking). At one instant the strategy's events come first, then the clock's timers
 * (answers reaching us, orders reaching the venue), then the venue's. The clock moves only to event
 * times and timer times, so the same recording and parameters give the same run to the last fill.
 */
export async function runBacktest(
  source: BacktestSource,
  params: BacktestParams,
  options: RunOptions = {},
): Promise<BacktestOutcome> {
  const instruments = source.instruments.map((s) => defineInstrument(s));
  checkParams(params, instruments);
  const chunks = source.chunks()[Symbol.iterator]();
  try {
    return await replay(source, params, options, instruments, chunks);
  } finally {
    // A run that ends early (a corrupt chunk, a cancel, a failure) still ends the stream: a store's
    // chunks come from a database cursor, and one left open keeps the connection busy, so the store
    // could not be closed and the caller's close would replace the run's error with its own.
    chunks.return?.();
  }
}

async function replay(
  source: BacktestSource,
  params: BacktestParams,
  options: RunOptions,
  instruments: readonly Instrument[],
  chunks: Iterator<StoredChunk>,
): Promise<BacktestOutcome> {
  const specs = source.instruments;
  const symbols = specs.map((s) => s.symbol);
  const keepDetail = options.keepDetail ?? true;

  // The first event fixes the start; the run begins a second earlier so the node is up by then.
  const first = chunks.next();
  if (first.done) throw new EngineError('invalid_input', `recording ${source.name} has no events`);
  const firstChunk: StoredChunk = first.value;
  const startAt = firstChunk.info.firstLocal;
  const clock = new SimClock(startAt - 1000);
  const venueSide = new ReplayMarket(specs);
  const localSide = new ReplayMarket(specs);
  const balances = { ...defaultBalances(specs), ...params.balances };
  const execution = new SimulatedExecution({
    clock,
    feed: venueSide,
    instruments: specs,
    balances,
    latency: { requestMs: params.latencyMs, responseMs: params.latencyMs },
    queueModel: queueModelByName(params.queue),
    id: 'backtest',
  });
  const venue = composeVenue({ id: 'backtest', kind: 'replay', market: localSide, execution });
  const configs = new Map<string, TradingConfig>();
  const node = new TradingNode({
    clock,
    venue,
    journal: new NullJournal(),
    symbols,
    config: (inst) => {
      const c = defaultTradingConfig(inst);
      for (const [k, v] of Object.entries(params.set)) PARAMETERS[k]!(c, v, inst);
      configs.set(inst.symbol, c);
      return c;
    },
    account: defaultAccountLimits(),
  });
  await venueSide.connect();
  await drive(clock, node.start());

  const main = instruments[0]!;
  const desk = node.desk(main.symbol);
  const startPosition = desk.portfolio.positionLots() as Lots;
  const stats = new StatisticsCollector({
    bus: node.bus,
    clock,
    instrument: main,
    midTicks: () => desk.book.mid(),
    startPosition,
  });
  const fills: RunFill[] = [];
  const decisions: DecisionRecord[] = [];
  const samples: SampleRow[] = [];
  if (keepDetail) {
    node.bus.subscribe('fill.applied', (e) => {
      fills.push({ ...e.fill, decision: e.order?.decision ?? null });
    });
    node.bus.subscribe('quotes.decided', (e) => {
      decisions.push(decisionRecord(e));
    });
    clock.setInterval(() => {
      for (const inst of instruments) {
        const dk = node.desk(inst.symbol);
        const mid = dk.book.mid();
        const midDec = mid === undefined ? undefined : inst.tickSize.mul(mid);
        const split = inst === main ? stats.split() : null;
        samples.push({
          ts: clock.now(),
          symbol: inst.symbol,
          mid: midDec === undefined ? null : midDec.toFixed(),
          positionLots: dk.portfolio.positionLots(),
          equity: dk.portfolio.equity(mid).toFixed(),
          spread: split?.spread ?? null,
          inventory: split?.inventory ?? null,
          fees: split?.fees ?? null,
        });
      }
    }, SAMPLE_MS);
  }
  for (const o of params.overrides) scheduleOverride(node, clock, startAt, o, symbols);
  for (const inst of instruments) {
    const dk = node.desk(inst.symbol);
    dk.quoting = true;
  }

  // ---- the replay loop --------------------------------------------------------------------------
  // Local deliveries wait in a FIFO until the clock reaches them; venue deliveries happen as read.
  const pending: RecordedEvent[] = [];
  const pendingAt: number[] = [];
  let head = 0;
  let lastVenue = -Infinity;
  let lastLocal = -Infinity;
  let done = 0;
  const total = source.events;
  const flushLocal = (upTo: number) => {
    while (head < pending.length && pendingAt[head]! <= upTo) {
      const at = pendingAt[head]!;
      if (at > clock.now()) clock.advanceTo(at);
      localSide.deliver(pending[head]!);
      head++;
    }
    if (head > 4096 && head * 2 > pending.length) {
      pending.splice(0, head);
      pendingAt.splice(0, head);
      head = 0;
    }
  };
  const onEvent = (ev: RecordedEvent) => {
    const venueTs = ev.kind === 'book' ? ev.message.ts : ev.trade.ts;
    const v = Math.max(lastVenue, Math.min(venueTs, ev.local), clock.now());
    lastVenue = v;
    const l = Math.max(lastLocal, ev.local, v);
    lastLocal = l;
    flushLocal(v);
    if (v > clock.now()) clock.advanceTo(v);
    venueSide.deliver(ev);
    pending.push(ev);
    pendingAt.push(l);
  };
  let chunk: StoredChunk | undefined = firstChunk;
  let sinceYield = 0;
  while (chunk !== undefined) {
    if (options.signal?.aborted) throw new EngineError('invalid_input', 'the backtest was cancelled');
    const events = decodeChunkEvents(
      chunk.data,
      chunk.info,
      symbols,
      `recording ${source.name}, chunk ${chunk.seq}`,
    );
    for (const ev of events) {
      onEvent(ev);
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await Promise.resolve();
      }
    }
    done += events.length;
    options.onProgress?.(done, total);
    const next = chunks.next();
    chunk = next.done ? undefined : next.value;
    // Between chunks the event loop runs (progress output, a cancel, other work of the host).
    await new Promise<void>((r) => setImmediate(r));
  }
  flushLocal(Infinity);
  // The answers still on their way arrive; then the node stops as it would live.
  clock.advanceTo(clock.now() + 2 * params.latencyMs + 1);
  await drive(clock, node.stop());
  const result = stats.finish();
  stats.close();
  execution.close();
  return {
    stats: { ...result, events: done, recording: source.name },
    instruments: specs,
    fills,
    decisions,
    samples,
  };
}

/** Enough of both assets that balances never bind unless the trader sets them. */
function defaultBalances(specs: readonly InstrumentSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    out[s.quote] = '10000000';
    out[s.base] = new Decimal(s.lotSize).mul(1_000_000).toFixed();
  }
  return out;
}

function scheduleOverride(
  node: TradingNode,
  clock: SimClock,
  startAt: number,
  o: ScheduledOverride,
  symbols: readonly string[],
): void {
  if (!Number.isFinite(o.atMs) || o.atMs < 0)
    throw new EngineError('invalid_input', `an override's time must be ≥ 0 ms, got ${o.atMs}`);
  const targets = o.symbol === undefined ? symbols : [o.symbol];
  for (const s of targets)
    if (!symbols.includes(s))
      throw new EngineError('invalid_input', `override for ${s}, not in the recording`);
  clock.setTimeout(
    () => {
      for (const s of targets) {
        const desk = node.desk(s);
        if (o.set) desk.overrides.set(o.set);
        if (o.pause) desk.overrides.pause(o.pause);
        if (o.resume) desk.overrides.resume(o.resume);
        desk.requote();
      }
    },
    Math.max(0, startAt + o.atMs - clock.now()),
  );
}

/** Runs a promise to completion, moving the replay clock a millisecond at a time while it waits. */
async function drive<T>(clock: SimClock, promise: Promise<T>, maxMs = 60_000): Promise<T> {
  const st: { settled: boolean; value?: T; error?: Error } = { settled: false };
  promise.then(
    (v) => {
      st.settled = true;
      st.value = v;
    },
    (e: unknown) => {
      st.settled = true;
      st.error = e instanceof Error ? e : new Error(`the node failed: ${JSON.stringify(e)}`);
    },
  );
  const until = clock.now() + maxMs;
  for (;;) {
    await Promise.resolve();
    await Promise.resolve();
    if (st.settled) break;
    if (clock.now() >= until) throw new EngineError('internal', 'the node did not settle in replay time');
    clock.advance(1);
  }
  if (st.error !== undefined) throw st.error;
  return st.value as T;
}
