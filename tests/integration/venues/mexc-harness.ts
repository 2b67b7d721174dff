import { WallClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { Instrument } from '../../../engine/core/instrument.ts';
import { TradingApp, type AppConfig } from '../../../engine/host/trading-app.ts';
import { defaultTradingConfig, type TradingConfig } from '../../../engine/node/trading-config.ts';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { MexcRest } from '../../../engine/venues/mexc/rest-client.ts';
import type { VenueCredentials } from '../../../engine/venues/registry.ts';

export { startEngine, until, type RaisedAlert } from './bybit-harness.ts';

/** The simulator's BTC at the start of every account (its default balances). */
export const BTC_AT_START = new Decimal('10');

/** Quote size on the simulator's BTCUSDT: 0.0001 BTC, about 6.5 USDT, above MEXC's 1 USDT minimum. */
export const QUOTE_LOTS = 100;

/**
 * The default parameters with quotes of QUOTE_LOTS and the limits scaled as the defaults scale them
 * (position 10 quotes, order 20), so the manual orders of 0.0001 BTC these tests place fit inside the
 * position limit whatever the quotes filled before. (On the defaults alone a quote is raised to the
 * venue minimum, about 16 lots here, and the position limit is 100 lots: one manual order's worth.)
 */
export function mexcTradingConfig(inst: Instrument): TradingConfig {
  const config = defaultTradingConfig(inst);
  const sizeLots = Math.max(config.quoting.sizeLots, QUOTE_LOTS);
  return {
    ...config,
    quoting: { ...config.quoting, sizeLots },
    limits: { ...config.limits, maxOrderLots: sizeLots * 20, maxPositionLots: sizeLots * 10 },
  };
}

/** A trading session on MEXC spot BTCUSDT, pointed at the simulator, on the wall clock. */
export function mexcApp(
  sim: MexcSim,
  credentials: VenueCredentials,
  options: { dataDir?: string; timeoutMs?: number; extra?: Partial<AppConfig> } = {},
): TradingApp {
  return new TradingApp(
    {
      ...(options.dataDir === undefined
        ? { dataDir: '/nonexistent', noStore: true }
        : { dataDir: options.dataDir }),
      seed: 1,
      venue: { kind: 'mexc' },
      symbols: ['BTCUSDT'],
      venueContext: {
        credentials,
        transport: {
          restUrl: sim.rest,
          wsUrl: sim.ws,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        },
      },
      config: mexcTradingConfig,
      ...options.extra,
    },
    new WallClock(),
  );
}

/**
 * A signed REST client of its own on the simulator, with the clock synced: an account acting beside
 * the node (another trader, or us while the node is stopped).
 */
export async function mexcClient(sim: MexcSim, credentials: VenueCredentials): Promise<MexcRest> {
  const rest = new MexcRest({ baseUrl: sim.rest, clock: new WallClock(), credentials });
  await rest.syncTime();
  return rest;
}

/** An account's whole BTC at the simulator (free and locked in orders), as an exact decimal. */
export function btcAtVenue(sim: MexcSim, apiKey?: string): Decimal {
  const btc = sim.balances(apiKey).BTC;
  return btc === undefined ? new Decimal(0) : new Decimal(btc.free).plus(btc.locked);
}

/** The client ids of an account's open orders at the simulator, sorted. */
export function openAtVenue(sim: MexcSim, apiKey?: string): string[] {
  return sim
    .openOrders(apiKey)
    .map((o) => String(o['clientOrderId']))
    .sort();
}

/** The best bid and ask at the simulator right now, as the venue prints prices. */
export function touch(sim: MexcSim, symbol = 'BTCUSDT'): { bid: Decimal; ask: Decimal } {
  const { instrument, engine } = sim.market(symbol);
  const bid = engine.bestBid();
  const ask = engine.bestAsk();
  if (bid === undefined || ask === undefined) throw new Error(`${symbol} has an empty side at the simulator`);
  return { bid: instrument.tickSize.mul(bid), ask: instrument.tickSize.mul(ask) };
}

/**
 * Another trader (`taker`, an account of its own) sells into the book down to our resting bid,
 * enough to clear every bid at or above it, ours included; an IOC never rests, so what is left over
 * is cancelled by the venue. Our quote may be replaced while the sell is on its way, so this is tried
 * until the venue shows our BTC grown (the sell is carried out before its answer). Returns the client
 * id of the bid that was hit.
 */
export async function takeOurBid(sim: MexcSim, taker: MexcRest, apiKey: string): Promise<string> {
  const { instrument: inst, engine } = sim.market('BTCUSDT');
  for (let attempt = 0; attempt < 20; attempt++) {
    const bid = sim.openOrders(apiKey).find((o) => o['side'] === 'BUY');
    if (bid !== undefined) {
      const before = btcAtVenue(sim, apiKey);
      const price = new Decimal(String(bid['price']));
      const ticks = price.div(inst.tickSize).toNumber();
      const ahead = engine
        .depth('buy')
        .filter(([p]) => p >= ticks)
        .reduce((n, [, size]) => n + size, 0);
      const sold = await taker.signedPost('/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'IMMEDIATE_OR_CANCEL',
        price: price.toFixed(inst.priceDecimals),
        quantity: inst.lotSize.mul(Math.ceil(ahead * 1.5)).toFixed(),
        newClientOrderId: `taker-${Date.now()}-${attempt}`,
      });
      if (!sold.ok) throw new Error(`the taker's sell was refused: ${sold.code} ${sold.msg}`);
      if (btcAtVenue(sim, apiKey).gt(before)) return String(bid['clientOrderId']);
    }
    // No bid of ours, or replaced before the sell arrived: again on the next one.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no bid of ours was ever taken');
}
