import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { KillSwitchFile } from '../store/kill-switch-file.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../venues/sim/index.ts';
import type { Mode } from './contract.ts';
import { defaultTradingConfig } from './trading-config.ts';
import { TradingSession } from './trading-session.ts';

export interface SessionConfig {
  mode: Mode;
  /** Where the session keeps its records (kill switch, database, backups). */
  dataDir: string;
  /** Seed of the simulated exchange, so a demo can be replayed exactly. */
  seed: number;
  /** Scale of the simulated market's activity: roughly this many book updates per second. */
  bookRate?: number;
}

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** Book updates per second the simulator's default background flow produces (measured). */
const SIM_DEFAULT_BOOK_RATE = 130;

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
  return new TradingSession({
    clock,
    venue,
    mode: config.mode,
    symbol: DEFAULT_SIM_INSTRUMENT.symbol,
    config: defaultTradingConfig,
    killStore: new KillSwitchFile(
      join(
        config.dataDir,
        `kill-switch.${config.mode === 'live' ? 'live' : config.mode === 'sim' || config.mode === 'paper' ? 'practice' : 'testnet'}.json`,
      ),
    ),
    ...(log ? { log } : {}),
  });
}
