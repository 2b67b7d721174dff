import { WallClock, type Clock } from '../core/clock.ts';
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
    ...(bybit ? { bybit } : {}),
    ...(venue
      ? { initial: { venue, ...(symbols ? { symbols } : {}), ...(category ? { category } : {}) } }
      : {}),
    log: write,
  });
  return new Engine({ clock, session, log: write });
}
