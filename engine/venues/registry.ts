import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { Venue } from './venue.ts';

/**
 * Which venue a node trades against. The text form (CLI, settings) is `sim`, `paper:bybit`,
 * `paper:mexc`, `replay:NAME`, `bybit:mainnet|testnet|demo` and `mexc`.
 */
export type VenueSpec =
  | { kind: 'sim' }
  | { kind: 'paper'; source: 'bybit' | 'mexc' }
  | { kind: 'replay'; recording: string }
  | { kind: 'bybit'; env: 'mainnet' | 'testnet' | 'demo' }
  | { kind: 'mexc' };

/** What the trader is told they trade against; the same union as the contract's `Mode`. */
export type TradingMode = 'sim' | 'paper' | 'backtest' | 'testnet' | 'demo' | 'live';

/** Reads a venue spec from its text form; anything else is refused with the forms that exist. */
export function parseVenueSpec(text: string): VenueSpec {
  const [kind, arg, extra] = text.trim().split(':');
  const bad = (): never => {
    throw new EngineError(
      'invalid_input',
      `unknown venue ${JSON.stringify(text)}: use sim, paper:bybit, paper:mexc, replay:NAME, bybit:mainnet, bybit:testnet, bybit:demo or mexc`,
    );
  };
  if (extra !== undefined) return bad();
  switch (kind) {
    case 'sim':
      return arg === undefined ? { kind: 'sim' } : bad();
    case 'mexc':
      return arg === undefined ? { kind: 'mexc' } : bad();
    case 'paper':
      return arg === 'bybit' || arg === 'mexc' ? { kind: 'paper', source: arg } : bad();
    case 'replay':
      return arg !== undefined && /^[\w.-]{1,64}$/.test(arg) ? { kind: 'replay', recording: arg } : bad();
    case 'bybit':
      return arg === 'mainnet' || arg === 'testnet' || arg === 'demo' ? { kind: 'bybit', env: arg } : bad();
    default:
      return bad();
  }
}

export function formatVenueSpec(spec: VenueSpec): string {
  switch (spec.kind) {
    case 'sim':
    case 'mexc':
      return spec.kind;
    case 'paper':
      return `paper:${spec.source}`;
    case 'replay':
      return `replay:${spec.recording}`;
    case 'bybit':
      return `bybit:${spec.env}`;
  }
}

/** The mode shown to the trader follows from the spec alone: real money is LIVE, and only that. */
export function modeOf(spec: VenueSpec): TradingMode {
  switch (spec.kind) {
    case 'sim':
      return 'sim';
    case 'paper':
      return 'paper';
    case 'replay':
      return 'backtest';
    case 'bybit':
      return spec.env === 'mainnet' ? 'live' : spec.env;
    case 'mexc':
      return 'live';
  }
}

/**
 * The records family: one database per venue family and environment, so one exchange's or one
 * environment's orders and fills never mix with another's. Simulated execution of every kind
 * (the simulator, paper, backtests) keeps practice records.
 */
export function recordFamily(spec: VenueSpec): string {
  switch (spec.kind) {
    case 'sim':
    case 'paper':
    case 'replay':
      return 'practice';
    case 'bybit':
      return `bybit-${spec.env === 'mainnet' ? 'live' : spec.env}`;
    case 'mexc':
      return 'mexc-live';
  }
}

/** API credentials for a real venue; they come from the keychain and never reach a log. */
export interface VenueCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** What a factory gets to build a venue: the clock every part runs on, credentials, transport. */
export interface VenueContext {
  clock: Clock;
  /** Seeds whatever the venue simulates (the synthetic market, simulated latency). */
  seed: number;
  credentials?: VenueCredentials;
  /** Overrides of the venue's endpoints (a local protocol simulator), and timeouts. */
  transport?: { restUrl?: string; wsUrl?: string; timeoutMs?: number };
  /** The product, where a venue has several (Bybit: spot, or linear USDT perpetuals). */
  category?: 'spot' | 'linear';
  /** Disconnect cancel-all window in seconds, where the venue has one (0: off). */
  dcpWindowS?: number;
  /** Scale of a simulated market's activity: roughly this many book updates per second. */
  bookRate?: number;
  /**
   * The symbols the session trades, for a venue that must know them before it connects: paper
   * trading builds its simulated execution for these alone (a real listing has hundreds).
   */
  symbols?: readonly string[];
  /** Starting balances of a simulated account (paper trading), by asset, as decimal strings. */
  balances?: Readonly<Record<string, string>>;
}

export type VenueFactory<S extends VenueSpec = VenueSpec> = (spec: S, context: VenueContext) => Venue;

type FactoryTable = { [K in VenueSpec['kind']]?: VenueFactory<Extract<VenueSpec, { kind: K }>> };

/**
 * Maps a venue spec to the factory that builds it. A kind this build does not carry is refused with
 * a sentence saying so, before anything connects.
 */
export class VenueRegistry {
  private readonly factories: FactoryTable = {};

  register<K extends VenueSpec['kind']>(
    kind: K,
    factory: VenueFactory<Extract<VenueSpec, { kind: K }>>,
  ): this {
    (this.factories as Record<string, unknown>)[kind] = factory;
    return this;
  }

  has(kind: VenueSpec['kind']): boolean {
    return this.factories[kind] !== undefined;
  }

  create(spec: VenueSpec, context: VenueContext): Venue {
    const factory = this.factories[spec.kind] as VenueFactory | undefined;
    if (!factory)
      throw new EngineError(
        'unavailable',
        `venue ${formatVenueSpec(spec)} is not available in this version of the workstation`,
      );
    return factory(spec, context);
  }
}
