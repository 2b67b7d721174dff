/**
 * The contract between the engine and the UI: command names with their zod input schemas and result
 * types, the state snapshot, and the discrete events. Both transports (Electron IPC, WebSocket) and the
 * renderer client are generic over these maps; adding a command is one entry here plus one handler.
 *
 * Prices, sizes and money cross the boundary as decimal strings: structured clone and JSON would strip
 * a Decimal's prototype, and a float would lose the last tick.
 *
 * This file is imported by the renderer: it may import zod and types only, nothing from Node.
 */
import { z } from 'zod';
import type { ReviewResults, ReviewState } from './review-contract.ts';
import { reviewCommandSchemas } from './review-contract.ts';

// ---------------------------------------------------------------------------------------------------
// Shared value schemas

const DECIMAL = /^\d+(?:\.\d+)?$/;
/** A positive decimal string such as "65000.1" or "0.002"; no exponent, sign or blanks. */
export const positiveDecimal = z
  .string()
  .regex(DECIMAL, 'must be a positive decimal number such as 0.5')
  .refine((s) => /[1-9]/.test(s), 'must be greater than zero');
export const quoteSide = z.enum(['bid', 'ask', 'both']);
export const orderSide = z.enum(['buy', 'sell']);
const finitePositive = z.number().gt(0);
/** A venue symbol such as BTCUSDT; commands that name none act on the selected instrument. */
export const symbolName = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9._-]{0,31}$/, 'must be a symbol such as BTCUSDT (capitals and digits)');
const target = { symbol: symbolName.optional() };
const ticks = z.number().int();

export const overrideValues = z
  .object({
    /** Risk aversion γ (> 0). */
    gamma: finitePositive,
    /** Order-book liquidity κ (> 0). */
    kappa: finitePositive,
    /** Size of each quote, decimal string in base units. */
    orderSize: positiveDecimal,
    /** Minimum total spread in ticks. */
    minSpreadTicks: z.number().int().min(0).max(100_000),
    /** Quote levels per side. */
    levels: z.number().int().min(1).max(20),
    /** Shift of both quotes in ticks; positive raises them. */
    skewTicks: ticks.min(-100_000).max(100_000),
    /** Pinned bid / ask price, decimal string. */
    pinBid: positiveDecimal,
    pinAsk: positiveDecimal,
    /** Maximum absolute position, decimal string in base units; can only lower the risk limit. */
    maxPosition: positiveDecimal,
  })
  .partial()
  .strict();
export type OverrideValues = z.infer<typeof overrideValues>;
export type OverrideField = keyof OverrideValues;
export const overrideFields = Object.keys(overrideValues.shape) as OverrideField[];

const empty = z.object({}).strict();

/** The venues the connect view offers, and Bybit's environments. */
export const venueChoice = z.enum(['sim', 'paper', 'bybit', 'mexc']);
export const bybitEnv = z.enum(['testnet', 'demo', 'mainnet']);
/** Whose live market data paper trading follows. */
export const paperSource = z.enum(['bybit', 'mexc']);
export const bybitCategory = z.enum(['spot', 'linear']);
/** What the trader types to connect to mainnet (and to MEXC, which has no other), where the money is real. */
export const MAINNET_CONFIRMATION = 'MAINNET';
// Sizes only, never the value, in any message: a refused secret must not be echoed back or logged.
// MEXC spot has only its real account, named `mainnet` like Bybit's.
const credentialTarget = { venue: z.enum(['bybit', 'mexc']), env: bybitEnv };
const mexcIsMainnet = (v: { venue: string; env: string }) => v.venue !== 'mexc' || v.env === 'mainnet';
const MEXC_MAINNET_ONLY = 'MEXC has only its real account: env must be mainnet';

// ---------------------------------------------------------------------------------------------------
// Commands: name -> input schema. Results are typed in CommandResults below.

export const commandSchemas = {
  /** Liveness check; returns the engine clock. */
  'engine.ping': empty,
  /** The full current state (the stream also pushes it on connect). */
  'engine.snapshot': empty,
  /** The instrument the screen shows and commands without a symbol act on. */
  'instruments.select': z.object({ symbol: symbolName }).strict(),
  'quoting.start': z.object(target).strict(),
  'quoting.stop': z.object(target).strict(),
  'quoting.pause': z.object({ side: quoteSide, ...target }).strict(),
  'quoting.resume': z.object({ side: quoteSide, ...target }).strict(),
  'overrides.set': overrideValues
    .extend(target)
    .refine((v) => Object.keys(v).some((k) => k !== 'symbol'), 'name at least one override'),
  'overrides.clear': z
    .object({
      fields: z.array(z.enum(overrideFields as [OverrideField, ...OverrideField[]])).min(1),
      ...target,
    })
    .strict(),
  'orders.place': z
    .object({
      side: orderSide,
      price: positiveDecimal,
      size: positiveDecimal,
      postOnly: z.boolean(),
      ...target,
    })
    .strict(),
  'orders.cancel': z.object({ clientId: z.string().min(1).max(64), ...target }).strict(),
  /** Cancels every order of ours on the named instrument, or on every instrument when none is named. */
  'orders.cancelAll': z.object(target).strict(),
  'position.flatten': z.object(target).strict(),
  /** Kill switch: cancel every order on every instrument, halt the account, and stay halted (even across restarts) until reset. */
  'risk.kill': empty,
  /** Clears the kill switch and every halt or reduction, account-wide. */
  'risk.reset': empty,
  'store.backup': empty,
  /** Reconciles with the venue now: open orders, executions since the last seen, balances. */
  'venue.reconcile': empty,
  /** What the connect view offers: venues, environments, their endpoints and saved credentials. */
  'venue.choices': empty,
  /**
   * Ends the current session (its orders cancelled, its records closed) and starts one on another
   * venue. Mainnet needs `confirm` typed as MAINNET. Paper trading (`source`, Bybit by default) needs
   * no credentials and no environment: it follows the public data named in `venue.choices`, on spot.
   */
  'venue.connect': z
    .object({
      venue: venueChoice,
      env: bybitEnv.optional(),
      source: paperSource.optional(),
      category: bybitCategory.optional(),
      symbols: z.array(symbolName).min(1).max(10).optional(),
      confirm: z.string().max(32).optional(),
    })
    .strict()
    .refine(
      (v) => v.venue !== 'bybit' || v.env !== undefined,
      'Bybit needs an environment: testnet, demo or mainnet',
    )
    .refine((v) => v.venue !== 'bybit' || (v.symbols?.length ?? 0) > 0, 'name the symbols to trade on Bybit')
    .refine((v) => v.venue !== 'mexc' || (v.symbols?.length ?? 0) > 0, 'name the symbols to trade on MEXC')
    .refine(
      (v) => v.venue !== 'mexc' || (v.env ?? 'mainnet') === 'mainnet',
      'MEXC has only its real account: leave out env or use mainnet',
    )
    .refine(
      (v) => v.venue !== 'mexc' || v.category === undefined || v.category === 'spot',
      'MEXC is traded on spot here: choose spot',
    )
    .refine((v) => v.venue !== 'paper' || (v.symbols?.length ?? 0) > 0, 'name the symbols to paper trade')
    .refine(
      (v) => v.venue !== 'paper' || v.category === undefined || v.category === 'spot',
      'paper trading simulates a spot account: choose spot',
    ),
  /** Stores an API key and secret in the OS keychain; they never come back to the screen. */
  'credentials.save': z
    .object({
      ...credentialTarget,
      apiKey: z.string().min(1, 'the API key is empty').max(128, 'the API key is longer than 128 characters'),
      apiSecret: z
        .string()
        .min(1, 'the secret is empty')
        .max(256, 'the secret is longer than 256 characters'),
    })
    .strict()
    .refine(mexcIsMainnet, MEXC_MAINNET_ONLY),
  'credentials.delete': z.object(credentialTarget).strict().refine(mexcIsMainnet, MEXC_MAINNET_ONLY),
  /** Calls the venue's account with the saved credentials: the key's permissions, or the venue's error. */
  'credentials.test': z.object(credentialTarget).strict().refine(mexcIsMainnet, MEXC_MAINNET_ONLY),
  /**
   * Starts recording the session's market data (every book message and public trade, with venue and
   * local time) into recordings.sqlite in the data directory, as recording `name` (1-60 letters,
   * digits, '.', '_' or '-'; a long recording continues in parts NAME.2, NAME.3…). `symbols` defaults
   * to every instrument the session trades. Refused while a recording runs: one at a time.
   */
  'recording.start': z
    .object({
      name: z.string().max(128, 'the recording name is longer than 128 characters'),
      symbols: z.array(symbolName).min(1, 'name at least one symbol').max(50).optional(),
    })
    .strict(),
  /** Stops the running recording and completes it; answers with each part's summary. */
  'recording.stop': empty,
  /** Every recording in the data directory, newest first. */
  'recordings.list': empty,
  /** Deletes a recording (never the part being written now). */
  'recordings.delete': z
    .object({ name: z.string().min(1, 'name the recording to delete').max(128) })
    .strict(),
  ...reviewCommandSchemas,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<K extends CommandName> = z.infer<(typeof commandSchemas)[K]>;

export interface Ack {
  /** Engine time the command took effect, ms since epoch. */
  at: number;
}

export interface CommandResults extends ReviewResults {
  'engine.ping': { pong: true; time: number };
  'engine.snapshot': EngineState;
  'instruments.select': Ack & { symbol: string };
  'quoting.start': Ack;
  'quoting.stop': Ack;
  'quoting.pause': Ack;
  'quoting.resume': Ack;
  'overrides.set': Ack;
  'overrides.clear': Ack;
  'orders.place': Ack & { clientId: string };
  'orders.cancel': Ack;
  'orders.cancelAll': Ack & { cancelled: number };
  'position.flatten': Ack & { clientId: string | null };
  'risk.kill': Ack;
  'risk.reset': Ack;
  'store.backup': Ack & { file: string };
  'venue.reconcile': Ack & ReconcileReport;
  'venue.choices': VenueChoices;
  'venue.connect': Ack & { venue: string; mode: Mode };
  'credentials.save': Ack & CredentialStatus;
  'credentials.delete': Ack & { deleted: boolean };
  'credentials.test': Ack & { ok: boolean; permissions: string[]; message: string };
  'recording.start': Ack & { recording: RecordingStatus };
  'recording.stop': Ack & { parts: RecordingSummary[] };
  'recordings.list': { recordings: RecordingSummary[] };
  'recordings.delete': Ack & { name: string };
}

/** One stored recording (or one part of a long one), as the recordings list shows it. */
export interface RecordingSummary {
  name: string;
  /** The venue it was recorded from, e.g. "sim", "bybit-testnet". */
  venue: string;
  symbols: string[];
  /** When recording began, ms since epoch (engine clock). */
  createdAt: number;
  /** `recording` while it is being written (or when a crash left it open), then `complete`. */
  status: 'recording' | 'complete';
  /** Local receive time of the last event minus the first, ms; 0 while it holds fewer than two. */
  spanMs: number;
  firstLocal: number | null;
  lastLocal: number | null;
  events: number;
  bookEvents: number;
  tradeEvents: number;
  /** Stored size of its chunks, bytes. */
  bytes: number;
}

/** The recording running now: its parts so far, events and bytes (the chunk being filled included). */
export interface RecordingStatus {
  name: string;
  /** NAME, then NAME.2, NAME.3… once a part reaches its size limit; the last is being written. */
  parts: string[];
  events: number;
  bytes: number;
  /** When it started, ms since epoch (engine clock). */
  since: number;
}

/** Whether a credential is saved, and when; never the credential. */
export interface CredentialStatus {
  exists: boolean;
  savedAt: number | null;
  /** At most the last four characters of the API key, to tell keys apart. */
  keyHint: string | null;
}

export interface VenueChoices {
  current: {
    venue: z.infer<typeof venueChoice>;
    /** Bybit's environment (`mainnet` on MEXC); on paper, the one whose public data is used. */
    env: z.infer<typeof bybitEnv> | null;
    category: z.infer<typeof bybitCategory> | null;
    /** On paper, whose public data it follows; null otherwise. */
    source: z.infer<typeof paperSource> | null;
    symbols: string[];
  };
  bybit: {
    envs: {
      env: z.infer<typeof bybitEnv>;
      restUrl: string;
      wsUrl: string;
      credentials: CredentialStatus;
    }[];
  };
  /**
   * Paper trading: Bybit's public data of `env`, or MEXC's (their endpoints as configured), with
   * simulated fills; no key is needed and no order reaches the venue. The simulated spot account
   * starts with `balances`.
   */
  /** MEXC spot: its one (real) account, at its endpoints as configured. */
  mexc: { restUrl: string; wsUrl: string; credentials: CredentialStatus };
  paper: {
    bybit: { env: z.infer<typeof bybitEnv>; restUrl: string; wsUrl: string };
    /** MEXC's public data (no key), at its endpoints as configured. */
    mexc: { restUrl: string; wsUrl: string };
    balances: Record<string, string>;
  };
  /** The OS keychain: unavailable means credentials cannot be saved (there is no plaintext fallback). */
  keychain: { available: boolean; message: string | null };
}

/** What one reconciliation with the venue found and corrected. */
export interface ReconcileReport {
  /** Executions the engine had missed, applied now (each exactly once). */
  missedFills: number;
  /** Orders we thought working that the venue no longer has, closed. */
  closed: number;
  /** Orders the venue has that we did not know, cancelled (or adopted, by setting). */
  strangers: number;
  /** Orders whose state was unknown (a request timed out), settled from the venue's answer. */
  settled: number;
}

export type CommandResult<K extends CommandName> = CommandResults[K];

export interface ErrorValue {
  code: string;
  message: string;
}

/** Every command answers with a value; errors never cross the boundary as exceptions. */
export type Response<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

/** One handler per command; the engine validates input before calling it. */
export type Handlers = {
  [K in CommandName]: (input: CommandInput<K>) => CommandResult<K> | Promise<CommandResult<K>>;
};

/** Commands the host answers (venue switching, the keychain), not a trading session. */
export type HostCommand =
  | 'venue.choices'
  | 'venue.connect'
  | 'credentials.save'
  | 'credentials.delete'
  | 'credentials.test'
  | ReviewCommand;

/** The backtest review's commands: the host's, since runs and jobs outlive a venue switch. */
export type ReviewCommand = Exclude<keyof ReviewResults & CommandName, 'journal.decision'>;

/** What a trading session handles; a host that offers venue switching and credentials adds the rest. */
export type SessionHandlers = Omit<Handlers, HostCommand> & Partial<Pick<Handlers, HostCommand>>;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commandSchemas, name);
}

// ---------------------------------------------------------------------------------------------------
// State snapshot (coalesced, at most ~30 per second)

/** What the trader is trading against; follows from the venue spec (see venues/registry). */
export type Mode = 'sim' | 'paper' | 'backtest' | 'testnet' | 'demo' | 'live';
/** RECONCILING: the engine is settling its records with the venue's and refuses new orders. */
export type TradingState = 'active' | 'reducing' | 'halted' | 'reconciling';
export type QuotingStatus = 'stopped' | 'quoting';
export type FeedStatus = 'ok' | 'stale' | 'gap' | 'crossed' | 'disconnected' | 'waiting';

export interface InstrumentView {
  symbol: string;
  base: string;
  quote: string;
  tickSize: string;
  lotSize: string;
  priceDecimals: number;
  sizeDecimals: number;
}

/** [price, size] as decimal strings. */
export type LevelView = [price: string, size: string];

export interface BookView {
  bids: LevelView[];
  asks: LevelView[];
  mid: string | null;
  microprice: string | null;
  spreadTicks: number | null;
  seq: number;
  /** Venue time of the last update. */
  ts: number | null;
}

export interface QuoteSideView {
  /** Our orders for this side are resting at the venue right now. */
  live: boolean;
  /** Desired quotes from the model after overrides. */
  levels: { price: string; size: string }[];
  /** Why this side is not quoted (paused, max_position, stale_feed, halted, model_invalid …). */
  withheld: string | null;
}

export interface ModelView {
  name: 'avellaneda-stoikov' | 'glft';
  /** Model inputs and outputs as display strings (prices in quote currency), null until warm. */
  s: string | null;
  sigma: string | null;
  q: string | null;
  gamma: string;
  kappa: string;
  reservation: string | null;
  bidDistance: string | null;
  askDistance: string | null;
  /** Seconds of horizon left (finite variant) or the rolling window. */
  horizonLeft: number | null;
  warmupRemaining: number;
  warnings: string[];
}

export interface OrderView {
  symbol: string;
  clientId: string;
  venueOrderId: string | null;
  side: 'buy' | 'sell';
  price: string;
  size: string;
  filled: string;
  status: string;
  origin: 'model' | 'manual' | 'flatten' | 'external';
  level: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface FillView {
  symbol: string;
  execId: string;
  clientId: string;
  side: 'buy' | 'sell';
  price: string;
  size: string;
  fee: string;
  liquidity: 'maker' | 'taker';
  ts: number;
}

export interface PositionView {
  /** Signed base size as a decimal string. */
  size: string;
  avgEntry: string | null;
  realized: string;
  unrealized: string;
  fees: string;
  equity: string;
}

export interface GaugeView {
  name:
    | 'position'
    | 'drawdown'
    | 'daily_loss'
    | 'order_rate'
    | 'open_orders'
    | 'feed_age'
    | 'account_position'
    | 'account_drawdown'
    | 'account_daily_loss';
  label: string;
  value: number;
  limit: number;
  unit: string;
}

export interface AlertView {
  id: string;
  severity: 'info' | 'warning' | 'critical';
  code: string;
  message: string;
  at: number;
  /** The instrument it is about, or null for the account, the venue or the store. */
  symbol: string | null;
}

/** One line per instrument the node trades: what the switcher and the account totals show. */
export interface InstrumentSummary {
  symbol: string;
  base: string;
  quote: string;
  tradingState: TradingState;
  quoting: QuotingStatus;
  feed: FeedStatus;
  mid: string | null;
  /** Signed base size, decimal string. */
  position: string;
  realized: string;
  unrealized: string;
  fees: string;
  equity: string;
  openOrders: number;
}

/** The account across instruments (money in the quote currency all instruments share). */
export interface AccountView {
  currency: string;
  equity: string;
  realized: string;
  unrealized: string;
  fees: string;
  tradingState: TradingState;
  reason: string | null;
  /** Account-level limits: gross position across instruments, drawdown and daily loss. */
  gauges: GaugeView[];
}

export interface OverrideEntry {
  field: OverrideField | 'pause';
  value: string;
  at: number;
}

export interface EngineState {
  /** Increases with every published snapshot. */
  seq: number;
  /** Engine clock, ms since epoch. */
  time: number;
  mode: Mode;
  venue: string;
  /** The instrument the sections below describe (the trader's selection), null before the start. */
  selected: string | null;
  /** Every instrument the node trades, in the venue's listing order. */
  instruments: InstrumentSummary[];
  account: AccountView;
  connection: {
    state: 'disconnected' | 'connecting' | 'connected' | 'reconnecting';
    feed: FeedStatus;
    feedAgeMs: number | null;
    feedLatencyMs: number | null;
  };
  // The selected instrument, in full.
  instrument: InstrumentView | null;
  book: BookView;
  quoting: {
    status: QuotingStatus;
    paused: { bid: boolean; ask: boolean };
    bid: QuoteSideView;
    ask: QuoteSideView;
  };
  model: ModelView | null;
  overrides: { active: OverrideValues; history: OverrideEntry[] };
  orders: OrderView[];
  position: PositionView;
  risk: {
    tradingState: TradingState;
    reason: string | null;
    kill: { engaged: boolean; at: number | null };
    gauges: GaugeView[];
  };
  alerts: AlertView[];
  store: { ok: boolean; queueDepth: number; lastBackupAt: number | null; message: string | null };
  /** A real venue's link, for the header (nulls on the simulator). */
  link: LinkView;
  /** The market-data recording running now, or null. */
  recording: RecordingStatus | null;
  /** Backtests and sweeps running on worker threads, and the last ones finished. */
  review: ReviewState;
}

export interface LinkView {
  /** Bybit's environment, or null; on paper (mode `paper`), the one whose public data is used. */
  env: 'testnet' | 'demo' | 'mainnet' | null;
  category: 'spot' | 'linear' | null;
  /** On paper, whose public data the session follows; null otherwise. */
  source: 'bybit' | 'mexc' | null;
  /** The venue's clock minus ours, ms. */
  clockOffsetMs: number | null;
  /** Requests left in the tightest quota window, and that quota. */
  rateHeadroom: number | null;
  rateLimit: number | null;
  /** Disconnect cancel-all armed at the venue. */
  dcp: boolean | null;
  /** A venue switch is under way, or the last one failed (its message). */
  switching: boolean;
  error: string | null;
}

export type * from './review-contract.ts';

// ---------------------------------------------------------------------------------------------------
// Discrete events (never coalesced)

export interface EventPayloads {
  'order.changed': OrderView;
  'fill.executed': FillView;
  'alert.raised': AlertView;
  'override.changed': OverrideEntry & { symbol: string };
  /** Equity of one instrument (symbol) or of the account (symbol null). */
  'equity.sampled': { symbol: string | null; at: number; equity: string; mid: string | null };
}

export type EventName = keyof EventPayloads;
export type EngineEvent = { [K in EventName]: { name: K; payload: EventPayloads[K] } }[EventName];

/** What the renderer talks to, over IPC or WebSocket alike. */
export interface EngineClient {
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Response<CommandResult<K>>>;
  onState(listener: (state: EngineState) => void): () => void;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Transport health, for the header: false while the link to the engine is down. */
  onLink?(listener: (up: boolean) => void): () => void;
}
