import { WallClock, type Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import { Engine } from '../api/engine.ts';
import type { VenueSpec } from '../venues/registry.ts';
import type { Logger } from './log.ts';
import { KeytarSecretStore } from './secrets/keytar-store.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import type { AppConfig } from './trading-app.ts';
import { Workstation, type BybitEndpoints } from './workstation.ts';

export interface HostConfig extends Omit<AppConfig, 'venue' | 'symbols' | 'venueContext'> {
  /** The first session's venue; the embedded simulator when absent. */
  venue?: VenueSpec;
  symbols?: string[];
  category?: 'spot' | 'linear';
  /** Overrides of Bybit's endpoints for every environment (a local protocol simulator). */
  bybit?: BybitEndpoints;
  /** Where credentials live: the OS keychain unless a test passes another store. */
  secrets?: SecretStore;
}

/**
 * Bybit's endpoints as configured: the flags where given, else MMWS_BYBIT_REST_URL and
 * MMWS_BYBIT_WS_URL from the environment (how the desktop app is pointed at a local simulator), else
 * the venue's own. They apply to every environment and to paper trading's public data alike. A
 * malformed URL is refused in one sentence.
 */
export function bybitEndpoints(
  flags: BybitEndpoints = {},
  env: NodeJS.ProcessEnv = process.env,
): BybitEndpoints {
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
  const restUrl = url('the Bybit REST URL', flags.restUrl ?? env.MMWS_BYBIT_REST_URL, ['http', 'https']);
  const wsUrl = url('the Bybit WebSocket URL', flags.wsUrl ?? env.MMWS_BYBIT_WS_URL, ['ws', 'wss']);
  return { ...(restUrl ? { restUrl } : {}), ...(wsUrl ? { wsUrl } : {}) };
}

/** Builds the engine for one run of the app, on the wall clock, starting on the configured venue. */
export function createEngine(config: HostConfig, log: Logger, clock: Clock = new WallClock()): Engine {
  const { venue, symbols, category, bybit, secrets, ...base } = config;
  const write = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void => {
    log[level](fields ?? {}, msg);
  };
  const session = new Workstation({
    clock,
    base,
    secrets: secrets ?? new KeytarSecretStore({ clock }),
    bybit: bybit ?? bybitEndpoints(),
    ...(venue
      ? { initial: { venue, ...(symbols ? { symbols } : {}), ...(category ? { category } : {}) } }
      : {}),
    log: write,
  });
  return new Engine({ clock, session, log: write });
}
