import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { defaultVenueRegistry } from '../../../engine/venues/default-registry.ts';
import {
  formatVenueSpec,
  modeOf,
  parseVenueSpec,
  recordFamily,
  VenueRegistry,
  type VenueContext,
  type VenueSpec,
} from '../../../engine/venues/registry.ts';
import type { Venue } from '../../../engine/venues/venue.ts';

const VALID: readonly [string, VenueSpec][] = [
  ['sim', { kind: 'sim' }],
  ['paper:bybit', { kind: 'paper', source: 'bybit' }],
  ['paper:mexc', { kind: 'paper', source: 'mexc' }],
  ['replay:btc-2026.01_03', { kind: 'replay', recording: 'btc-2026.01_03' }],
  ['bybit:mainnet', { kind: 'bybit', env: 'mainnet' }],
  ['bybit:testnet', { kind: 'bybit', env: 'testnet' }],
  ['bybit:demo', { kind: 'bybit', env: 'demo' }],
  ['mexc', { kind: 'mexc' }],
];

const FORMS =
  'use sim, paper:bybit, paper:mexc, replay:NAME, bybit:mainnet, bybit:testnet, bybit:demo or mexc';

function refusal(text: string): EngineError {
  try {
    parseVenueSpec(text);
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error(`parseVenueSpec accepted ${JSON.stringify(text)}`);
}

describe('venue specs', () => {
  it.each(VALID)('parses %s', (text, spec) => {
    expect(parseVenueSpec(text)).toEqual(spec);
  });

  it('ignores blanks around the text', () => {
    expect(parseVenueSpec('  bybit:demo \n')).toEqual({ kind: 'bybit', env: 'demo' });
  });

  it.each(['bybit', 'bybit:prod', 'paper', 'paper:binance', 'replay:', 'replay:a/b', 'sim:x', 'mexc:y'])(
    'refuses %j, listing the forms that exist',
    (text) => {
      const err = refusal(text);
      expect(err.code).toBe('invalid_input');
      expect(err.message).toBe(`unknown venue ${JSON.stringify(text)}: ${FORMS}`);
    },
  );

  it.each(['a:b:c', 'bybit:testnet:x', '', 'SIM', 'replay:' + 'x'.repeat(65)])('refuses %j', (text) => {
    expect(refusal(text).message).toContain(FORMS);
  });

  it('accepts a recording name of 64 characters and not 65', () => {
    expect(parseVenueSpec(`replay:${'r'.repeat(64)}`)).toEqual({ kind: 'replay', recording: 'r'.repeat(64) });
    expect(() => parseVenueSpec(`replay:${'r'.repeat(65)}`)).toThrow(EngineError);
  });

  it.each(VALID)('formats %s back to the text it was parsed from', (text, spec) => {
    expect(formatVenueSpec(spec)).toBe(text);
    expect(parseVenueSpec(formatVenueSpec(spec))).toEqual(spec);
  });

  it('derives the mode shown to the trader from the spec alone', () => {
    const modes = Object.fromEntries(VALID.map(([text, spec]) => [text, modeOf(spec)]));
    expect(modes).toEqual({
      sim: 'sim',
      'paper:bybit': 'paper',
      'paper:mexc': 'paper',
      'replay:btc-2026.01_03': 'backtest',
      'bybit:mainnet': 'live',
      'bybit:testnet': 'testnet',
      'bybit:demo': 'demo',
      mexc: 'live',
    });
  });

  it('keeps simulated execution in practice records and each real venue environment apart', () => {
    const families = Object.fromEntries(VALID.map(([text, spec]) => [text, recordFamily(spec)]));
    expect(families).toEqual({
      sim: 'practice',
      'paper:bybit': 'practice',
      'paper:mexc': 'practice',
      'replay:btc-2026.01_03': 'practice',
      'bybit:mainnet': 'bybit-live',
      'bybit:testnet': 'bybit-testnet',
      'bybit:demo': 'bybit-demo',
      mexc: 'mexc-live',
    });
    const real = VALID.filter(([, spec]) => recordFamily(spec) !== 'practice');
    expect(real).toHaveLength(4);
    expect(new Set(real.map(([, spec]) => recordFamily(spec))).size).toBe(real.length);
    // Real money never shares records with practice.
    for (const [, spec] of VALID)
      if (modeOf(spec) === 'live') expect(recordFamily(spec)).not.toBe('practice');
  });
});

describe('VenueRegistry', () => {
  const context = (): VenueContext => ({ clock: new SimClock(0), seed: 7 });

  it('builds a venue with the factory registered for its kind, passing the spec and context', () => {
    const calls: { spec: unknown; context: VenueContext }[] = [];
    const venue = { id: 'fake-bybit' } as unknown as Venue;
    const registry = new VenueRegistry()
      .register('bybit', (spec, ctx) => {
        calls.push({ spec, context: ctx });
        return venue;
      })
      .register('sim', () => {
        throw new Error('the sim factory must not be called for a bybit spec');
      });
    const ctx = context();
    expect(registry.has('bybit')).toBe(true);
    expect(registry.has('mexc')).toBe(false);
    expect(registry.create({ kind: 'bybit', env: 'testnet' }, ctx)).toBe(venue);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.spec).toEqual({ kind: 'bybit', env: 'testnet' });
    expect(calls[0]!.context).toBe(ctx);
  });

  it('refuses a kind it does not carry with a sentence naming the spec, calling nothing', () => {
    let called = 0;
    const registry = new VenueRegistry().register('sim', () => {
      called++;
      return {} as Venue;
    });
    let caught: unknown;
    try {
      registry.create({ kind: 'paper', source: 'mexc' }, context());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('unavailable');
    expect((caught as EngineError).message).toBe(
      'venue paper:mexc is not available in this version of the workstation',
    );
    expect(called).toBe(0);
  });

  it('a later registration of the same kind replaces the earlier', () => {
    const first = { id: 'first' } as unknown as Venue;
    const second = { id: 'second' } as unknown as Venue;
    const registry = new VenueRegistry().register('mexc', () => first).register('mexc', () => second);
    expect(registry.create({ kind: 'mexc' }, context())).toBe(second);
  });
});

describe('default venue registry', () => {
  it('carries the simulator, listing BTCUSDT and ETHUSDT', async () => {
    const registry = defaultVenueRegistry();
    expect(registry.has('sim')).toBe(true);
    const venue = registry.create({ kind: 'sim' }, { clock: new SimClock(0), seed: 1, bookRate: 210 });
    expect(venue.kind).toBe('sim');
    const symbols = (await venue.instruments()).map((i) => i.symbol);
    expect(symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('builds MEXC only with credentials, on spot, touching no network before connect', () => {
    const registry = defaultVenueRegistry();
    const credentials = { apiKey: 'k'.repeat(10), apiSecret: 's'.repeat(10) };
    expect(() => registry.create({ kind: 'mexc' }, { clock: new SimClock(0), seed: 1 })).toThrow(
      /MEXC needs an API key and secret/,
    );
    expect(() =>
      registry.create({ kind: 'mexc' }, { clock: new SimClock(0), seed: 1, credentials, category: 'linear' }),
    ).toThrow(/spot, not linear/);
    const venue = registry.create({ kind: 'mexc' }, { clock: new SimClock(0), seed: 1, credentials });
    expect([venue.id, venue.kind, venue.connectionState()]).toEqual(['mexc', 'mexc', 'disconnected']);
    expect(venue.capabilities.amend).toBe(false);
  });

  it('builds Bybit only with credentials, and says where to save them', () => {
    const registry = defaultVenueRegistry();
    expect(() =>
      registry.create({ kind: 'bybit', env: 'demo' }, { clock: new SimClock(0), seed: 1 }),
    ).toThrow(/Bybit demo needs an API key and secret/);
    const venue = registry.create(
      { kind: 'bybit', env: 'testnet' },
      { clock: new SimClock(0), seed: 1, credentials: { apiKey: 'k'.repeat(10), apiSecret: 's'.repeat(10) } },
    );
    expect(venue.id).toBe('bybit-testnet');
    expect(venue.kind).toBe('bybit');
  });

  it('builds paper trading on Bybit data without credentials, for the symbols named', () => {
    const venue = defaultVenueRegistry().create(
      { kind: 'paper', source: 'bybit' },
      { clock: new SimClock(0), seed: 1, symbols: ['BTCUSDT'], transport: { restUrl: 'http://127.0.0.1:9' } },
    );
    expect(venue.id).toBe('paper-bybit');
    expect(venue.kind).toBe('paper');
    // Nothing connects before connect(): building it touches no network.
    expect(venue.connectionState()).toBe('disconnected');
  });

  it('builds paper trading on MEXC data without credentials', () => {
    const venue = defaultVenueRegistry().create(
      { kind: 'paper', source: 'mexc' },
      { clock: new SimClock(0), seed: 1, symbols: ['BTCUSDT'], transport: { restUrl: 'http://127.0.0.1:9' } },
    );
    expect([venue.id, venue.kind, venue.connectionState()]).toEqual(['paper-mexc', 'paper', 'disconnected']);
  });

  it('refuses paper trading on linear perpetuals or with no symbols, in one sentence each', () => {
    const registry = defaultVenueRegistry();
    const clock = new SimClock(0);
    const refused = (spec: VenueSpec, extra: Partial<VenueContext>): EngineError => {
      try {
        registry.create(spec, { clock, seed: 1, ...extra });
      } catch (err) {
        if (err instanceof EngineError) return err;
        throw err;
      }
      throw new Error('the registry built it');
    };
    expect(refused({ kind: 'paper', source: 'mexc' }, {}).message).toMatch(
      /paper trading on MEXC needs the symbols/,
    );
    expect(
      refused({ kind: 'paper', source: 'bybit' }, { symbols: ['BTCUSDT'], category: 'linear' }).message,
    ).toMatch(/simulates a spot account/);
    expect(refused({ kind: 'paper', source: 'bybit' }, {}).message).toMatch(/needs the symbols to trade/);
  });

  it.each([0, -1, Number.NaN, Infinity])('refuses a book rate of %d', (bookRate) => {
    const registry = defaultVenueRegistry();
    expect(() => registry.create({ kind: 'sim' }, { clock: new SimClock(0), seed: 1, bookRate })).toThrow(
      new EngineError('invalid_input', `book rate must be positive, got ${bookRate}`),
    );
  });
});
