import { WallClock, type Clock } from '../core/clock.ts';
import { Engine } from '../api/engine.ts';
import type { Logger } from './log.ts';
import { TradingApp, type AppConfig } from './trading-app.ts';

/** Builds the engine for one run of the app, on the wall clock, with the configured venue. */
export function createEngine(config: AppConfig, log: Logger, clock: Clock = new WallClock()): Engine {
  const session = new TradingApp(config, clock, (level, msg, fields) => {
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
