import { WallClock, type Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import { Engine } from '../api/engine.ts';
import type { VenueSpec } from '../venues/registry.ts';
import type { Logger } from './log.ts';
import { KeytarSecretStore } from './secrets/keytar-store.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import type { AppConfig } from './trading-app.ts';
import { Workstation, type BybitEndpoints, type VenueEndpoints } from './workstation.ts';

export interface HostConfig extends Omit<AppConfig, 'venue' | 'symbols' | 'venueContext'> {
  /** The first session's venue; the embedded simulator when absent. */
  venue?: VenueSpec;
  symbols?: string[];
  category?: 'spot' | 'linear';
  /** Overrides of Bybit's endpoints for every environment (a local protocol simulator). */
  bybit?: BybitEndpoints;
  /** Overrides of MEXC's endpoints. */
  mexc?: VenueEndpoints;
  /** Where credentials live: the OS keychain unless a test passes another store. */
  secrets?: SecretStore;
}

/**
 * A venue's endpoints as configured: the flags where given, else `${prefix}_REST_URL` and
 * `${prefix}_WS_URL` from the environment (how the desktop app is pointed at a local simulator),
 * else the venue's own (none returned). A malformed URL is refused in one sentence.
 */
function venueEndpoints(
  venue: string,
  prefix: string,
  flags: VenueEndpoints,
  env: NodeJS.ProcessEnv,
): VenueEndpoints {
  const url = (name: string, text: string | undefined, schemes: string[]): string | undefined => {
    if (text === undefined || text === '') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new EngineError(
        'invalid_input',
        `${name} must be a URL such as ${schemes[0]}://127.0.0.1:9000, got ${text}`,
      );
    }
    if (!schemes.includes(parsed.protocol.replace(':', '')))
      throw new EngineError(
        'invalid_input',
        `${name} must use ${schemes.join(' or ')}, got ${parsed.protocol}`,
      );
    return text.replace(/\/+$/, '');
  };
  const restUrl = url(`the ${venue} REST URL`, flags.restUrl ?? env[`${prefix}_REST_URL`], ['http', 'https']);
  const wsUrl = url(`the ${venue} WebSocket URL`, flags.wsUrl ?? env[`${prefix}_WS_URL`], ['ws', 'wss']);
  return { ...(restUrl ? { restUrl } : {}), ...(wsUrl ? { wsUrl } : {}) };
}

/**
 * Bybit's endpoints (MMWS_BYBIT_REST_URL, MMWS_BYBIT_WS_URL): they apply to every environment and to
 * paper trading's public data alike.
 */
export function bybitEndpoints(
  flags: BybitEndpoints = {},
  env: NodeJS.ProcessEnv = process.env,
): BybitEndpoints {
  return venueEndpoints('Bybit', 'MMWS_BYBIT', flags, env);
}

/** MEXC's endpoints (MMWS_MEXC_REST_URL, MMWS_MEXC_WS_URL), for its account and paper trading alike. */
export function mexcEndpoints(
  flags: VenueEndpoints = {},
  env: NodeJS.ProcessEnv = process.env,
): VenueEndpoints {
  return venueEndpoints('MEXC', 'MMWS_MEXC', flags, env);
}

/** Builds the engine for one run of the app, on the wall clock, starting on the configured venue. */
export function createEngine(config: HostConfig, log: Logger, clock: Clock = new WallClock()): Engine {
  const { venue, symbols, category, bybit, mexc, secrets, ...base } = config;
  const write = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void => {
    log[level](fields ?? {}, msg);
  };
  const session = new Workstation({
    clock,
    base,
    secrets: secrets ?? new KeytarSecretStore({ clock }),
    bybit: bybit ?? bybitEndpoints(),
    mexc: mexc ?? mexcEndpoints(),
    ...(venue
      ? { initial: { venue, ...(symbols ? { symbols } : {}), ...(category ? { category } : {}) } }
      : {}),
    log: write,
  });
  return new Engine({ clock, session, log: write });
}
