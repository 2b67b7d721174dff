import type { Clock } from '../../core/clock.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import type { SimVenueConfig } from './sim-venue.ts';
import { SimVenue } from './sim-venue.ts';

/** The instrument the app trades by default on the simulator. */
export const DEFAULT_SIM_INSTRUMENT: Readonly<InstrumentSpec> = Object.freeze({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.10',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '5',
  makerFee: '0.0001',
  takerFee: '0.0006',
});

/** The simulator the app starts with: BTCUSDT around 65000, our account with 1,000,000 USDT and 10 BTC. */
export function createDefaultSim(
  clock: Clock,
  seed: number,
  overrides: Partial<SimVenueConfig> = {},
): SimVenue {
  return new SimVenue(clock, {
    seed,
    instruments: [{ spec: { ...DEFAULT_SIM_INSTRUMENT }, startPrice: '65000.00' }],
    balances: { USDT: '1000000', BTC: '10' },
    ...overrides,
  });
}
