import { WallClock, type Clock } from '../core/clock.ts';
import { Engine } from '../api/engine.ts';
import { createSession, type SessionConfig } from '../api/session-factory.ts';
import type { Logger } from './log.ts';

/** Builds the engine for one run of the app, on the wall clock, with the configured session. */
export function createEngine(config: SessionConfig, log: Logger, clock: Clock = new WallClock()): Engine {
  const session = createSession(config, clock, (level, msg, fields) => {
    log[level](fields ?? {}, msg);
  });
  return new Engine({
    clock,
    session,
    log: (level, msg, fields) => {
      log[level](fields ?? {}, msg);
    },
  });
}
