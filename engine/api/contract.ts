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

// ---------------------------------------------------------------------------------------------------
// Commands: name -> input schema. Results are typed in CommandResults below.

export const commandSchemas = {
  /** Liveness check; returns the engine clock. */
  'engine.ping': empty,
  /** The full current state (the stream also pushes it on connect). */
  'engine.snapshot': empty,
  'quoting.start': empty,
  'quoting.stop': empty,
  'quoting.pause': z.object({ side: quoteSide }).strict(),
  'quoting.resume': z.object({ side: quoteSide }).strict(),
  'overrides.set': overrideValues.refine((v) => Object.keys(v).length > 0, 'name at least one override'),
  'overrides.clear': z
    .object({ fields: z.array(z.enum(overrideFields as [OverrideField, ...OverrideField[]])).min(1) })
    .strict(),
  'orders.place': z
    .object({ side: orderSide, price: positiveDecimal, size: positiveDecimal, postOnly: z.boolean() })
    .strict(),
  'orders.cancel': z.object({ clientId: z.string().min(1).max(64) }).strict(),
  'orders.cancelAll': empty,
  'position.flatten': empty,
  /** Kill switch: cancel every order, halt, and stay halted (even across restarts) until reset. */
  'risk.kill': empty,
  'risk.reset': empty,
  'store.backup': empty,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<K extends CommandName> = z.infer<(typeof commandSchemas)[K]>;

export interface Ack {
  /** Engine time the command took effect, ms since epoch. */
  at: number;
}

export interface CommandResults {
  'engine.ping': { pong: true; time: number };
  'engine.snapshot': EngineState;
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

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commandSchemas, name);
}

// ---------------------------------------------------------------------------------------------------
// State snapshot (coalesced, at most ~30 per second)

export type Mode = 'sim' | 'paper' | 'testnet' | 'demo' | 'live';
export type TradingState = 'active' | 'reducing' | 'halted';
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
  clientId: string;
  venueOrderId: string | null;
  side: 'buy' | 'sell';
  price: string;
  size: string;
  filled: string;
  status: string;
  origin: 'model' | 'manual' | 'flatten';
  level: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface FillView {
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
  name: 'position' | 'drawdown' | 'daily_loss' | 'order_rate' | 'open_orders' | 'feed_age';
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
  connection: {
    state: 'disconnected' | 'connecting' | 'connected' | 'reconnecting';
    feed: FeedStatus;
    feedAgeMs: number | null;
    feedLatencyMs: number | null;
  };
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
}

// ---------------------------------------------------------------------------------------------------
// Discrete events (never coalesced)

export interface EventPayloads {
  'order.changed': OrderView;
  'fill.executed': FillView;
  'alert.raised': AlertView;
  'override.changed': OverrideEntry;
  'equity.sampled': { at: number; equity: string; mid: string | null };
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
