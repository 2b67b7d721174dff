import { describe, expect, it } from 'vitest';
import {
  defineInstrument,
  formatPrice,
  formatSize,
  notional,
  priceToTicks,
  sizeToLots,
  stepsFromText,
  type InstrumentSpec,
} from '../../../engine/core/instrument.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { Rng } from '../../../engine/core/random.ts';

const spec: InstrumentSpec = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.10',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '5',
  makerFee: '0.0001',
  takerFee: '0.0006',
};
const btc = defineInstrument(spec);
const quarter = defineInstrument({ ...spec, symbol: 'QTR', tickSize: '0.25', lotSize: '1', minSize: '1' });
const tiny = defineInstrument({
  ...spec,
  symbol: 'PEPEUSDT',
  tickSize: '0.0000000001',
  lotSize: '100',
  minSize: '100',
});

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toMatch(/invalid_(number|input)/);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an error');
}

describe('instrument numbers', () => {
  it('round-trips venue strings exactly through ticks and lots', () => {
    expect(priceToTicks(btc, '65000.30')).toBe(650003);
    expect(formatPrice(btc, 650003)).toBe('65000.30');
    expect(sizeToLots(btc, '0.123')).toBe(123);
    expect(formatSize(btc, 123)).toBe('0.123');
    expect(priceToTicks(quarter, '101.75')).toBe(407);
    expect(formatPrice(quarter, 407)).toBe('101.75');
    expect(priceToTicks(tiny, '0.0000123456')).toBe(123456);
    expect(formatPrice(tiny, 123456)).toBe('0.0000123456');
  });

  it('round-trips thousands of random prices and sizes with no drift', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 5000; i++) {
      const t = rng.int(1, 2_000_000_000);
      const l = rng.int(1, 10_000_000);
      expect(priceToTicks(btc, formatPrice(btc, t))).toBe(t);
      expect(sizeToLots(btc, formatSize(btc, l))).toBe(l);
      expect(priceToTicks(quarter, formatPrice(quarter, t))).toBe(t);
    }
  });

  it('prints exactly what Decimal prints, for any step, sign and magnitude', () => {
    const five = defineInstrument({ ...spec, symbol: 'FIVE', tickSize: '5', lotSize: '10', minSize: '10' });
    const rng = new Rng(11);
    const cases: number[] = [0, 1, -1, 9, 10, 99, 100, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 60];
    for (let i = 0; i < 3000; i++) cases.push(rng.int(-1_000_000_000, 1_000_000_000), rng.int(0, 1000));
    for (const inst of [btc, quarter, tiny, five]) {
      for (const u of cases) {
        expect(formatPrice(inst, u)).toBe(inst.tickSize.mul(u).toFixed(inst.priceDecimals));
        expect(formatSize(inst, u)).toBe(inst.lotSize.mul(u).toFixed(inst.sizeDecimals));
      }
    }
    expect(formatPrice(tiny, 12)).toBe('0.0000000012');
    expect(formatSize(btc, -5)).toBe('-0.005');
    expect(formatPrice(five, 7)).toBe('35');
  });

  it('computes notional exactly where floats would not', () => {
    // 0.1 * 3 in floats is 0.30000000000000004; here it is exact.
    expect(notional(btc, 1, 300).toFixed()).toBe('0.03');
    expect(notional(btc, 650003, 123).toFixed()).toBe('7995.0369');
  });

  it('rounds off-grid values only when asked: bids down, asks up', () => {
    expectInvalid(() => priceToTicks(btc, '65000.33'), /not a multiple of 0\.1/);
    expect(priceToTicks(btc, '65000.33', 'down')).toBe(650003);
    expect(priceToTicks(btc, '65000.33', 'up')).toBe(650004);
    expect(priceToTicks(quarter, '101.80', 'down')).toBe(407);
    expect(priceToTicks(quarter, '101.80', 'up')).toBe(408);
    expect(sizeToLots(btc, '0.0015', 'down')).toBe(1);
  });

  it('refuses NaN, infinities, exponents, blanks, negatives and zero where zero is meaningless', () => {
    for (const bad of ['NaN', 'Infinity', '-Infinity', '1e5', '', ' 1', '1,5', '0x10', '--1', '.5', '5.']) {
      expectInvalid(() => priceToTicks(btc, bad), /plain decimal|not finite/);
    }
    expectInvalid(() => priceToTicks(btc, '0'), /must be positive/);
    expectInvalid(() => priceToTicks(btc, '-1.0'), /must be positive/);
    expectInvalid(() => sizeToLots(btc, '0'), /must be positive/);
    expect(sizeToLots(btc, '0', 'exact', true)).toBe(0);
    expectInvalid(() => sizeToLots(btc, '-0.001', 'exact', true), /must be positive/);
    expectInvalid(() => priceToTicks(btc, '99999999999999999999999'), /out of range/);
  });

  it('refuses an invalid instrument definition with the field named', () => {
    expectInvalid(() => defineInstrument({ ...spec, tickSize: '0' }), /tickSize must be positive/);
    expectInvalid(() => defineInstrument({ ...spec, lotSize: 'abc' }), /lotSize/);
    expectInvalid(() => defineInstrument({ ...spec, minSize: '0' }), /minSize must be at least one lot/);
    expectInvalid(() => defineInstrument({ ...spec, minNotional: '-1' }), /minNotional/);
    expectInvalid(() => defineInstrument({ ...spec, symbol: 'BTC USDT' }), /symbol/);
  });

  it('takes display decimals from the step as written', () => {
    expect(btc.priceDecimals).toBe(2);
    expect(btc.sizeDecimals).toBe(3);
    expect(quarter.priceDecimals).toBe(2);
    expect(quarter.sizeDecimals).toBe(0);
    expect(btc.minLots).toBe(1);
  });
});

describe('stepsFromText: exact grid steps from a plain decimal string', () => {
  it.each([
    ['65000.10', 2, 10, 650001],
    ['65000.1', 2, 10, 650001],
    ['65000.100000', 2, 10, 650001],
    ['0.001', 3, 1, 1],
    ['0', 3, 1, 0],
    ['12', 0, 1, 12],
    ['0.30', 2, 5, 6],
  ])('%s with %d decimals and step %d is %d steps', (text, decimals, scaled, steps) => {
    expect(stepsFromText(text, decimals, scaled)).toBe(steps);
  });

  it.each([
    '',
    '-1',
    '+1',
    '1e3',
    '.5',
    '5.',
    '1.2.3',
    '0x10',
    ' 1',
    '65000.15',
    '0.301',
    '99999999999999999',
  ])('refuses %j (the exact Decimal path then decides)', (text) => {
    expect(stepsFromText(text, 2, 10)).toBe(-1);
  });

  it('agrees with the Decimal path on random grid values', () => {
    const rng = new Rng(17);
    for (let i = 0; i < 2000; i++) {
      const ticks = (rng.nextU32() % 1_000_000_000) + 1;
      const text = new Decimal(ticks).mul('0.05').toFixed(2);
      expect(stepsFromText(text, 2, 5)).toBe(ticks);
    }
  });

  it('reads a part of a text in place exactly as the part on its own', () => {
    const texts = ['65000.10', '0.30', '5.', '.5', '1.2.3', '-1', '', '65000.15', '12'];
    for (const inner of texts) {
      const framed = `["${inner}","x"]`;
      const start = 2;
      expect(stepsFromText(framed, 2, 5, start, start + inner.length), inner).toBe(
        stepsFromText(inner, 2, 5),
      );
    }
    // The boundary is the part's: a point at either end of it is refused though the text goes on.
    expect(stepsFromText('15.25', 2, 5, 0, 3)).toBe(-1);
    expect(stepsFromText('15.25', 2, 5, 2, 5)).toBe(-1);
    expect(stepsFromText('15.25', 2, 5, 3, 5)).toBe(500);
  });
});
