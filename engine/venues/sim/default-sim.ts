import type { Clock } from '../../core/clock.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import type { SimInstrumentConfig, SimVenueConfig } from './sim-venue.ts';
import { SimVenue } from './sim-venue.ts';

/** The instrument the app trades first on the simulator. */
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

/** The second instrument the simulator lists, so a node quotes more than one market by default. */
export const SIM_ETH_INSTRUMENT: Readonly<InstrumentSpec> = Object.freeze({
  symbol: 'ETHUSDT',
  base: 'ETH',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.01',
  minSize: '0.01',
  minNotional: '5',
  makerFee: '0.0001',
  takerFee: '0.0006',
});

/** What the simulator lists by default: BTCUSDT around 65000 and ETHUSDT around 3200. */
export function defaultSimInstruments(): SimInstrumentConfig[] {
  return [
    { spec: { ...DEFAULT_SIM_INSTRUMENT }, startPrice: '65000.00' },
    { spec: { ...SIM_ETH_INSTRUMENT }, startPrice: '3200.00' },
  ];
}

/** The simulator the app starts with: our account with 1,000,000 USDT, 10 BTC and 200 ETH. */
export function createDefaultSim(
  clock: Clock,
  seed: number,
  overrides: Partial<SimVenueConfig> = {},
): SimVenue {
  return new SimVenue(clock, {
    seed,
    instruments: defaultSimInstruments(),
    balances: { USDT: '1000000', BTC: '10', ETH: '200' },
    ...overrides,
  });
}
