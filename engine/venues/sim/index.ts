export {
  createDefaultSim,
  DEFAULT_SIM_INSTRUMENT,
  defaultSimInstruments,
  SIM_ETH_INSTRUMENT,
} from './default-sim.ts';
export type { LatencySpec } from './delay-line.ts';
export { DelayLine } from './delay-line.ts';
export type { Holding } from './ledger.ts';
export { Ledger } from './ledger.ts';
export type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderType,
  SimOrderView,
  SimRejectCode,
  SimTimeInForce,
} from './matching-engine.ts';
export { MatchingEngine } from './matching-engine.ts';
export type { SimInstrumentConfig, SimLatencyConfig, SimVenueConfig } from './sim-venue.ts';
export { DEFAULT_SIM_LATENCY, SimVenue } from './sim-venue.ts';
export type { SyntheticMarketConfig, SyntheticMarketOptions } from './synthetic-market.ts';
export { DEFAULT_MARKET_CONFIG, SyntheticMarket } from './synthetic-market.ts';
