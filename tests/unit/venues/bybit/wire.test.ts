import { describe, expect, it } from 'vitest';
import type { Lots, Ticks } from '../../../../engine/core/instrument.ts';
import {
  amountFromWire,
  decimalFromWire,
  msFromWire,
  priceFromWire,
  priceToWire,
  sizeFromWire,
  sizeToWire,
} from '../../../../engine/venues/bybit/wire.ts';
import { btcLinear, btcSpot, expectEngineError } from './helpers.ts';

describe('Bybit wire numbers', () => {
  it('prints ticks and lots with the decimals the venue uses', () => {
    expect(priceToWire(btcLinear, 650003 as Ticks)).toBe('65000.30');
    expect(priceToWire(btcSpot, 650003 as Ticks)).toBe('65000.3');
    expect(sizeToWire(btcLinear, 1 as Lots)).toBe('0.001');
    expect(sizeToWire(btcSpot, 123 as Lots)).toBe('0.000123');
  });

  it('parses venue strings to exact ticks and lots, whatever trailing zeros they carry', () => {
    expect(priceFromWire(btcLinear, '16493.50')).toBe(164935);
    expect(priceFromWire(btcLinear, '16493.5')).toBe(164935);
    expect(priceFromWire(btcLinear, '16493.500000')).toBe(164935);
    expect(sizeFromWire(btcLinear, '0.006')).toBe(6);
    // 0.1 + 0.2 in floats is 0.30000000000000004; exact parsing must not care.
    expect(sizeFromWire(btcSpot, '0.300000')).toBe(300000);
  });

  it('round-trips every size of a range with no drift', () => {
    for (let lots = 1; lots < 5000; lots += 7) {
      expect(sizeFromWire(btcSpot, sizeToWire(btcSpot, lots as Lots))).toBe(lots);
      expect(priceFromWire(btcLinear, priceToWire(btcLinear, (lots * 1013) as Ticks))).toBe(lots * 1013);
    }
  });

  it('refuses prices off the tick grid, naming symbol and value', () => {
    const err = expectEngineError(() => priceFromWire(btcLinear, '16493.55'), /BTCUSDT/, /16493\.55/, /0\.1/);
    expect(err.code).toBe('invalid_number');
    expectEngineError(() => sizeFromWire(btcLinear, '0.0015'), /BTCUSDT size/, /0\.0015/);
  });

  it('refuses malformed strings, negatives, negative zero and a zero price', () => {
    for (const bad of ['', ' 1', '1e3', 'abc', '1.', '.5', 'NaN', 'Infinity', '0x10', '+1']) {
      expectEngineError(() => priceFromWire(btcLinear, bad), /BTCUSDT price/);
    }
    expectEngineError(() => priceFromWire(btcLinear, '-1.0'), /negative/, /-1\.0/);
    expectEngineError(() => sizeFromWire(btcLinear, '-0'), /negative/);
    expectEngineError(() => sizeFromWire(btcLinear, '-0.000', true), /negative/);
    expectEngineError(() => priceFromWire(btcLinear, '0.00'), /positive/);
    expectEngineError(() => priceFromWire(btcLinear, 16493.5 as unknown as string), /plain decimal/);
  });

  it('accepts a zero size only where asked (book deletes, cumulative fills)', () => {
    expectEngineError(() => sizeFromWire(btcLinear, '0'), /positive/);
    expect(sizeFromWire(btcLinear, '0', true)).toBe(0);
    expect(sizeFromWire(btcLinear, '0.000', true)).toBe(0);
  });

  it('refuses to print a non-integer or non-positive tick or lot', () => {
    expectEngineError(() => priceToWire(btcLinear, 1.5 as Ticks), /ticks/);
    expectEngineError(() => priceToWire(btcLinear, 0 as Ticks), /ticks/);
    expectEngineError(() => sizeToWire(btcLinear, 0 as Lots), /lots/);
  });

  it('reads money exactly and signed', () => {
    expect(decimalFromWire('-0.00000973', 'cumRealisedPnl').toFixed()).toBe('-0.00000973');
    expect(decimalFromWire('26.3725275', 'execFee').plus('0.0000000001').toFixed()).toBe('26.3725275001');
    expect(amountFromWire('0.0100', 'execFee')).toBe('0.01');
    expectEngineError(() => decimalFromWire('1,5', 'walletBalance'), /walletBalance/);
  });

  it('reads ms timestamps as strings or numbers, nothing else', () => {
    expect(msFromWire('1672364262457', 'updatedTime')).toBe(1672364262457);
    expect(msFromWire(1672304484978, 'ts')).toBe(1672304484978);
    for (const bad of ['', '-1', '1.5', 1.5, -3, null, undefined, '12345678901234567']) {
      expectEngineError(() => msFromWire(bad, 'updatedTime'), /updatedTime/);
    }
  });
});
