import { describe, expect, it } from 'vitest';
import { defineInstrument } from '../../../../engine/core/instrument.ts';
import { Ledger } from '../../../../engine/venues/sim/ledger.ts';
import { MatchingEngine } from '../../../../engine/venues/sim/matching-engine.ts';

describe('Ledger', () => {
  it('refuses a deposit finer than its atoms or negative with a clear error, and changes nothing', () => {
    const ledger = new Ledger();
    const o = ledger.addOwner('a');
    ledger.deposit(o, 'USDT', '10.5');
    expect(() => ledger.deposit(o, 'USDT', '0.0000000000000000001')).toThrow(/decimals/);
    expect(() => ledger.deposit(o, 'USDT', '-1')).toThrow(/negative/);
    expect(ledger.total(o, 'USDT').toFixed()).toBe('10.5');
    expect(ledger.free(o, 'USDT').toFixed()).toBe('10.5');
  });

  it('refuses to simulate an instrument whose fees need finer amounts than the ledger keeps', () => {
    const spec = {
      symbol: 'FINE',
      base: 'F',
      quote: 'USDT',
      tickSize: '0.0000000001',
      lotSize: '0.00000001',
      minSize: '0.00000001',
      minNotional: '0',
      makerFee: '0.0001',
      takerFee: '0.0002',
    };
    expect(() => new MatchingEngine(defineInstrument(spec), new Ledger())).toThrow(
      /FINE tick x lot x fee needs more than 18 decimals/,
    );
    expect(
      () => new MatchingEngine(defineInstrument({ ...spec, makerFee: '0', takerFee: '0' }), new Ledger()),
    ).not.toThrow();
  });
});
