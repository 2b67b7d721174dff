import { EngineError } from '../core/errors.ts';
import { BybitVenue } from './bybit/bybit-venue.ts';
import { MexcMarketData } from './mexc/market-data.ts';
import { MexcVenue } from './mexc/mexc-venue.ts';
import { BybitMarketData, PAPER_BYBIT_ENV } from './paper/bybit-market-data.ts';
import { PaperVenue } from './paper/paper-venue.ts';
import { VenueRegistry } from './registry.ts';
import { createDefaultSim, defaultSimInstruments } from './sim/index.ts';

/** Book updates per second one simulated instrument's default background flow produces (measured). */
const SIM_DEFAULT_BOOK_RATE = 105;

/** The venues this build carries (replay runs through the backtest runner, not a registry entry). */
export function defaultVenueRegistry(): VenueRegistry {
  return new VenueRegistry()
    .register('bybit', (spec, context) => {
      if (!context.credentials)
        throw new EngineError(
          'invalid_input',
          `Bybit ${spec.env} needs an API key and secret: save them in Settings first`,
        );
      return new BybitVenue({
        env: spec.env,
        clock: context.clock,
        credentials: context.credentials,
        category: context.category,
        restUrl: context.transport?.restUrl,
        wsUrl: context.transport?.wsUrl,
        timeoutMs: context.transport?.timeoutMs,
        dcpWindowS: context.dcpWindowS,
      });
    })
    .register('mexc', (_spec, context) => {
      if (!context.credentials)
        throw new EngineError(
          'invalid_input',
          'MEXC needs an API key and secret: save them in Settings first',
        );
      if (context.category === 'linear')
        throw new EngineError('invalid_input', 'MEXC is traded on spot here: choose spot, not linear');
      return new MexcVenue({
        clock: context.clock,
        credentials: context.credentials,
        restUrl: context.transport?.restUrl,
        wsUrl: context.transport?.wsUrl,
        timeoutMs: context.transport?.timeoutMs,
      });
    })
    .register('paper', (spec, context) => {
      // Simulated execution keeps a spot account (balances, no margin or positions).
      if (context.category === 'linear')
        throw new EngineError(
          'invalid_input',
          'paper trading simulates a spot account: choose spot, not linear perpetuals',
        );
      const symbols = context.symbols ?? [];
      const venue = spec.source === 'mexc' ? 'MEXC' : 'Bybit';
      if (symbols.length === 0)
        throw new EngineError(
          'invalid_input',
          `paper trading on ${venue} needs the symbols to trade, e.g. BTCUSDT`,
        );
      // Public data only: no credentials are asked for or used, whatever the context carries.
      const transport = {
        clock: context.clock,
        restUrl: context.transport?.restUrl,
        wsUrl: context.transport?.wsUrl,
        timeoutMs: context.transport?.timeoutMs,
      };
      const market =
        spec.source === 'mexc'
          ? new MexcMarketData(transport)
          : new BybitMarketData({ ...transport, env: PAPER_BYBIT_ENV, category: 'spot' });
      return new PaperVenue({
        id: `paper-${spec.source}`,
        clock: context.clock,
        market,
        symbols,
        ...(context.balances === undefined ? {} : { balances: context.balances }),
      });
    })
    .register('sim', (_spec, context) => {
      const scale = context.bookRate === undefined ? 1 : context.bookRate / SIM_DEFAULT_BOOK_RATE;
      if (!(scale > 0) || !Number.isFinite(scale))
        throw new EngineError('invalid_input', `book rate must be positive, got ${context.bookRate}`);
      return createDefaultSim(context.clock, context.seed, {
        instruments: defaultSimInstruments().map((i) => ({
          ...i,
          market: { limitRate: 60 * scale, marketRate: 6 * scale },
        })),
      });
    });
}
