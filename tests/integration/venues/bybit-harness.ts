import { Engine } from '../../../engine/api/engine.ts';
import { WallClock } from '../../../engine/core/clock.ts';
import { TradingApp, type AppConfig } from '../../../engine/host/trading-app.ts';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';

/** Polls until `cond` holds (real sockets, real time), or fails naming what it waited for. */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A trading session on Bybit testnet BTCUSDT, pointed at the simulator, on the wall clock. */
export function bybitApp(
  sim: BybitSim,
  credentials: { apiKey: string; apiSecret: string },
  options: {
    category?: 'spot' | 'linear';
    dataDir?: string;
    timeoutMs?: number;
    extra?: Partial<AppConfig>;
  } = {},
): TradingApp {
  return new TradingApp(
    {
      ...(options.dataDir === undefined
        ? { dataDir: '/nonexistent', noStore: true }
        : { dataDir: options.dataDir }),
      seed: 1,
      venue: { kind: 'bybit', env: 'testnet' },
      symbols: ['BTCUSDT'],
      venueContext: {
        credentials,
        transport: {
          restUrl: sim.rest,
          wsUrl: sim.ws,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        },
        category: options.category ?? 'spot',
      },
      ...options.extra,
    },
    new WallClock(),
  );
}

/** An alert as the node's bus carried it. */
export interface RaisedAlert {
  code: string;
  message: string;
}

/**
 * Records every alert the node raises into `raised` (the snapshot shows only the latest few), then
 * starts an engine over the app: connected, reconciled and trading when it resolves.
 */
export async function startEngine(app: TradingApp, raised: RaisedAlert[]): Promise<Engine> {
  app.node.bus.subscribe('alert.raised', (a) => raised.push({ code: a.code, message: a.message }));
  const engine = new Engine({ clock: app.node.clock, session: app });
  await engine.start();
  return engine;
}
