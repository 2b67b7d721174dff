import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../../engine/core/decimal.ts';
import { Rng } from '../../../../engine/core/random.ts';
import { defineInstrument } from '../../../../engine/core/instrument.ts';
import { formatAtoms, fromAtoms, Ledger, toAtoms } from '../../../../engine/venues/sim/ledger.ts';
import { MatchingEngine } from '../../../../engine/venues/sim/matching-engine.ts';

describe('Ledger atoms', () => {
  it('round-trips amounts exactly and prints them as Decimal prints them', () => {
    const rng = new Rng(9);
    const samples = ['0', '1', '-1', '0.000000000000000001', '123456789.123456789123456789', '-0.5', '1e-18'];
    for (let i = 0; i < 2000; i++) {
      const whole = rng.int(0, 1_000_000_000);
      const frac =
        String(rng.int(0, 999_999_999)).padStart(9, '0') + String(rng.int(0, 999_999_999)).padStart(9, '0');
      samples.push(`${rng.bool() ? '-' : ''}${whole}.${frac}`);
    }
    for (const text of samples) {
      const d = new Decimal(text);
      const atoms = toAtoms(d, 'amount');
      expect(fromAtoms(atoms).eq(d)).toBe(true);
      expect(formatAtoms(atoms)).toBe(d.toFixed());
    }
  });

  it('refuses an amount finer than its atoms with a clear error, and a bad deposit changes nothing', () => {
    expect(() => toAtoms(new Decimal('0.0000000000000000001'), 'fee')).toThrow(
      /fee needs more than 18 decimals/,
    );
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
