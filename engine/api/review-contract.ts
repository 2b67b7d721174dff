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
 * One run's series, column by column (a run of a million events has tens of thousands of samples and
 * up to hundreds of thousands of fills: arrays of primitives are a fraction of the size of objects).
 * Prices and money are decimal strings on the instrument's grid; the screen parses them only to plot.
 */
export interface RunDetail {
  run: RunView;
  /** Price decimals and size decimals of the run's instrument, for formatting. */
  tickSize: string;
  lotSize: string;
  samples: {
    ts: number[];
    mid: (string | null)[];
    /** Signed position, base units. */
    position: string[];
    equity: string[];
    /** The PnL split at each sample: cumulative, summing to equity minus the starting equity. */
    spread: string[];
    inventory: string[];
    fees: string[];
  };
  fills: {
    ts: number[];
    side: ('buy' | 'sell')[];
    price: string[];
    size: string[];
    fee: string[];
    liquidity: ('maker' | 'taker')[];
    /** trade, trade-through, cross or taker; null where the venue did not say. */
    cause: (string | null)[];
    clientId: string[];
    /** The decision that last priced the order (review.decision's seq), null for orders not the model's. */
    decision: (number | null)[];
  };
  /** Our best quote per side over time, at each change (thinned to at most `quotes.max` points). */
  quotes: { ts: number[]; bid: (string | null)[]; ask: (string | null)[]; thinned: boolean };
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
