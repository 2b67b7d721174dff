/**
 * The backtest review's part of the contract: the runs list, a run's detail, comparing runs, sweeps,
 * and the decision journal (live and in a review). The host answers these commands (they outlive a
 * venue switch); the backtests themselves run off the trading loop, on worker threads.
 *
 * Like contract.ts, imported by the renderer: zod and types only.
 */
import { z } from 'zod';

const runId = z.number().int().min(1);
const recordingName = z.string().min(1, 'choose a recording').max(128);
/** A parameter name of the runner's PARAMETERS (gamma, kappa, size …); checked by the engine. */
const paramName = z.string().regex(/^[A-Za-z_]{1,32}$/, 'must be a parameter name such as gamma');
const paramValue = z.string().min(1).max(64);
const runSettings = {
  recording: recordingName,
  /** Parameter changes by name, as the CLI's --set takes them. */
  set: z.record(paramName, paramValue).optional(),
  /** Queue model name (risk-averse, prob-power-2, prob-log …); risk-averse by default. */
  queue: z.string().min(1).max(32).optional(),
  /** Order entry and response latency, ms each way (5 by default). */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
};

export const reviewCommandSchemas = {
  /** Every run in the backtest database, newest first, with its headline statistics. */
  'review.runs': z.object({}).strict(),
  /** The recordings a backtest can replay: the data directory's and the shipped samples. */
  'review.recordings': z.object({}).strict(),
  /** One run in full, for its page: samples, fills and the quotes over time. */
  'review.run': z.object({ id: runId }).strict(),
  'review.delete': z.object({ ids: z.array(runId).min(1).max(10_000) }).strict(),
  /** Starts a backtest on a worker thread; its progress is in the state's `review.jobs`. */
  'review.start': z.object(runSettings).strict(),
  /** Starts a sweep: every point of the grid (parameter -> values) a backtest, on a pool of workers. */
  'review.sweep': z
    .object({
      ...runSettings,
      grid: z.record(paramName, z.array(paramValue).min(1).max(100)),
    })
    .strict()
    .refine((v) => Object.keys(v.grid).length > 0, 'give at least one parameter to sweep'),
  /** Cancels a job that is running: what it stored stays. */
  'review.cancel': z.object({ job: z.string().min(1).max(64) }).strict(),
  /** A run's fills and equity as CSV text. */
  'review.export': z.object({ id: runId }).strict(),
  /**
   * The decision behind a quote or a fill of a run: by its sequence number (a fill's `decision`), or
   * the one in force at a moment (a click on the quote line).
   */
  'review.decision': z
    .object({
      id: runId,
      seq: z.number().int().min(0).optional(),
      at: z.number().int().optional(),
      /** The instrument, where the run traded several (its first by default). */
      symbol: z
        .string()
        .regex(/^[A-Z0-9][A-Z0-9._-]{0,31}$/)
        .optional(),
    })
    .strict()
    .refine((v) => (v.seq === undefined) !== (v.at === undefined), 'give the decision seq or a time'),
  /**
   * Live: the decision behind one of our fills (give its `execId`: the decision that had priced the
   * order when it filled) or quotes (the decision that last priced the order `clientId`), on the
   * named instrument or the selected one, from the session's journal.
   */
  'journal.decision': z
    .object({
      clientId: z.string().min(1).max(64),
      execId: z.string().min(1).max(128).optional(),
      symbol: z
        .string()
        .regex(/^[A-Z0-9][A-Z0-9._-]{0,31}$/)
        .optional(),
    })
    .strict(),
} as const;

/** A run as the runs table shows it. Statistics as the runner stores them (money as decimal strings). */
export interface RunView {
  id: number;
  recording: string;
  /** The symbol the statistics are for (the recording's first instrument). */
  symbol: string | null;
  set: Record<string, string>;
  queue: string;
  latencyMs: number;
  createdAt: number;
  status: 'done' | 'failed';
  error: string | null;
  stats: Record<string, string | number | null> | null;
  sweep: string | null;
}

export interface ReviewRecording {
  name: string;
  /** `data`: recorded or imported here; `sample`: shipped with the app (read only). */
  source: 'data' | 'sample';
  symbols: string[];
  events: number;
  spanMs: number;
  createdAt: number;
}

/**
 * A column of integers or floats as it crosses the boundary: the bytes of a typed array, base64. The
 * narrowest of `u8`, `i32` (every value an integer that fits) and `f64` (null as NaN). Both ends are
 * on one machine (the host is local), so the bytes are in its order: little-endian on every platform
 * the app ships for.
 *
 * Why not a JSON array: a run's page has about a million of these values, and the host would spend
 * its own thread printing them (and the page parsing them back) where a base64 string is copied.
 */
export interface PackedNumbers {
  kind: 'u8' | 'i32' | 'f64';
  length: number;
  base64: string;
}

/**
 * Decimal strings (as the engine prints them) joined by commas, one per row, empty for none: one
 * string on the page instead of one per row, and still exact.
 */
export type DecimalColumn = string;

/**
 * One run's series, column by column and packed (a run of a million events has tens of thousands of
 * samples and up to hundreds of thousands of fills: the page needs them as arrays of numbers, and a
 * JSON array of strings per column cost it a million objects to parse and collect). Prices and sizes
 * are whole ticks and lots (print them with `tickSize` and `lotSize` to `priceDecimals` and
 * `sizeDecimals`), money is decimal strings; the screen turns them into floats only to plot.
 */
export interface RunDetail {
  run: RunView;
  /** The step sizes of the run's instrument, and the decimals its prices and sizes are printed with. */
  tickSize: string;
  lotSize: string;
  priceDecimals: number;
  sizeDecimals: number;
  samples: {
    /** ms, ascending. */
    ts: PackedNumbers;
    mid: DecimalColumn;
    /** Signed position, lots. */
    position: PackedNumbers;
    equity: DecimalColumn;
    /** The PnL split at each sample: cumulative, summing to equity minus the starting equity. */
    spread: DecimalColumn;
    inventory: DecimalColumn;
    fees: DecimalColumn;
  };
  fills: {
    /** ms, in the order the run filled them. */
    ts: PackedNumbers;
    /** One letter per fill: `b` buy, `s` sell. */
    side: string;
    /** Ticks and lots. */
    price: PackedNumbers;
    size: PackedNumbers;
    fee: DecimalColumn;
    /** One letter per fill: `m` maker, `t` taker. */
    liquidity: string;
    /**
     * trade, trade-through, cross or taker (null where the venue did not say): `index` per fill into
     * `names`.
     */
    cause: { names: (string | null)[]; index: PackedNumbers };
    /** The decision that last priced the order (review.decision's seq), NaN for orders not the model's. */
    decision: PackedNumbers;
  };
  /**
   * Our best quote per side over time, at each change (thinned to at most 50,000, `thinned` says so): ms
   * ascending, and ticks (NaN where the side was withheld).
   */
  quotes: { ts: PackedNumbers; bid: PackedNumbers; ask: PackedNumbers; thinned: boolean };
}

/** A quote decision's inputs and outputs: what the journal keeps, live and in a backtest. */
export interface DecisionView {
  seq: number;
  at: number;
  symbol: string;
  /** Reference price (mid or microprice), as a price. */
  s: string | null;
  /** σ, price units per √second. */
  sigma: number | null;
  /** Inventory in quote sizes (position ÷ order size). */
  q: number | null;
  gamma: number | null;
  kappa: number | null;
  A: number | null;
  tau: number | null;
  reservation: string | null;
  /** The model's distance from s to each quote, in ticks. */
  bidDistance: number | null;
  askDistance: number | null;
  /** The best quote per side after overrides and limits, or null where withheld. */
  bid: string | null;
  ask: string | null;
  bidSize: string | null;
  askSize: string | null;
  /** Why a side was withheld (stopped, paused, max_position, warming_up …), null where quoted. */
  bidWithheld: string | null;
  askWithheld: string | null;
  /** The trader's overrides in force (field -> value), empty when none. */
  overrides: Record<string, string>;
  /** The risk decision: the trading state the decision saw, and a pre-trade refusal of its orders. */
  tradingState: string;
  refusal: string | null;
  feed: string;
  warnings: string[];
}

export interface JobView {
  id: string;
  kind: 'backtest' | 'sweep';
  recording: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** Events replayed (a backtest) or points finished (a sweep), of `total`. */
  done: number;
  total: number;
  startedAt: number;
  /** Estimated ms to go, null until there is a rate to go by. */
  etaMs: number | null;
  error: string | null;
  /** The run a backtest stored; the sweep id of a sweep. */
  runId: number | null;
  sweep: string | null;
}

export interface ReviewResults {
  'review.runs': { runs: RunView[] };
  'review.recordings': { recordings: ReviewRecording[] };
  'review.run': RunDetail;
  'review.delete': { at: number; deleted: number };
  'review.start': { at: number; job: string };
  'review.sweep': { at: number; job: string; points: number };
  'review.cancel': { at: number; cancelled: boolean };
  'review.export': { fills: string; equity: string; name: string };
  'review.decision': DecisionView | null;
  'journal.decision': DecisionView | null;
}

/** The review's part of the state snapshot: the jobs running and the last ones finished. */
export interface ReviewState {
  jobs: JobView[];
}
