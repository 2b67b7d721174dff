import type { Clock } from '../core/clock.ts';
import type { Mode } from './contract.ts';
import type { Session } from './engine.ts';
import { IdleSession } from './idle-session.ts';

export interface SessionConfig {
  mode: Mode;
  /** Where the session keeps its database and backups. */
  dataDir: string;
  /** Seed of the simulated exchange, so a demo can be replayed exactly. */
  seed: number;
}

/** The one place that decides which session a run gets. */
export function createSession(config: SessionConfig, clock: Clock, _log: unknown): Session {
  return new IdleSession(clock, config.mode);
}
