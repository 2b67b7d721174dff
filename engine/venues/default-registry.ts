import { EngineError } from '../core/errors.ts';
import { BybitVenue } from './bybit/bybit-venue.ts';
import { VenueRegistry } from './registry.ts';
import { createDefaultSim, defaultSimInstruments } from './sim/index.ts';

/** Book updates per second one simulated instrument's default background flow produces (measured). */
const SIM_DEFAULT_BOOK_RATE = 105;

/** The venues this build carries. Bybit, MEXC, paper and replay register here as they land. */
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
