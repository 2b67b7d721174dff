import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { databaseFile } from '../store/database.ts';
import { Store } from '../store/store.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../venues/sim/index.ts';
import type { Mode } from './contract.ts';
import { defaultTradingConfig } from './trading-config.ts';
import { TradingSession } from './trading-session.ts';

export interface SessionConfig {
  mode: Mode;
  /** Where the session keeps its database and backups. */
  dataDir: string;
  /** Seed of the simulated exchange, so a demo can be replayed exactly. */
  seed: number;
  /** Scale of the simulated market's activity: roughly this many book updates per second. */
  bookRate?: number;
  /** Without a database (tests and benchmarks of the trading path alone). */
  noStore?: boolean;
}

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** Book updates per second the simulator's default background flow produces (measured). */
const SIM_DEFAULT_BOOK_RATE = 105;
const BACKUP_EVERY_MS = 6 * 3_600_000;
const BACKUPS_KEPT = 10;

/** The one place that decides which session a run gets: today the embedded simulated exchange. */
export function createSession(config: SessionConfig, clock: Clock, log?: Log): TradingSession {
  const scale = config.bookRate === undefined ? 1 : config.bookRate / SIM_DEFAULT_BOOK_RATE;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`book rate must be positive, got ${config.bookRate}`);
  const venue = createDefaultSim(clock, config.seed, {
    instruments: [
      {
        spec: { ...DEFAULT_SIM_INSTRUMENT },
        startPrice: '65000.00',
        market: { limitRate: 60 * scale, marketRate: 6 * scale },
      },
    ],
  });
  // The session is built after the store, but the store's failure hooks must reach it.
  const ref: { session?: TradingSession } = {};
  let store: Store | undefined;
  let storeError: string | undefined;
  if (!config.noStore) {
    try {
      store = new Store(databaseFile(config.dataDir, config.mode), clock, {
        onFailure: (err) => ref.session?.storeFailure(err),
        onBackpressure: (depth) => ref.session?.storeBackpressure(depth),
      });
    } catch (err) {
      storeError = err instanceof Error ? err.message : String(err);
      log?.('error', `database unavailable: ${storeError}`);
    }
  }
  ref.session = new TradingSession({
    clock,
    venue,
    mode: config.mode,
    symbol: DEFAULT_SIM_INSTRUMENT.symbol,
    config: defaultTradingConfig,
    ...(store
      ? {
          store,
          backups: { dir: join(config.dataDir, 'backups'), keep: BACKUPS_KEPT, everyMs: BACKUP_EVERY_MS },
        }
      : {}),
    ...(storeError === undefined ? {} : { storeError }),
    ...(log ? { log } : {}),
  });
  return ref.session;
}
