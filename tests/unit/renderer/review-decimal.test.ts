import { describe, expect, it } from 'vitest';
import { compareDecimal, parseDecimal, subtractDecimal } from '../../../renderer/src/review/decimal.ts';

describe('review: exact decimal differences', () => {
  it('subtracts decimal strings exactly, keeping the finer scale', () => {
    expect(subtractDecimal('10.50', '0.125')).toBe('10.375');
    expect(subtractDecimal('0.3', '0.1')).toBe('0.2'); // 0.3 - 0.1 is 0.19999999999999998 in floats
    expect(subtractDecimal('1', '1.00')).toBe('0.00');
    expect(subtractDecimal('-12.5', '7.25')).toBe('-19.75');
    expect(subtractDecimal('0.001', '0.0015')).toBe('-0.0005');
    expect(subtractDecimal('123456789012345678901.123456789', '0.000000001')).toBe(
      '123456789012345678901.123456788',
    );
  });

  it('takes plain numbers, exponents and signs, and refuses what is not a number', () => {
    expect(subtractDecimal(1.5, '0.25')).toBe('1.25');
    expect(subtractDecimal(1e-7, 0)).toBe('0.0000001');
    expect(subtractDecimal('+3', '-2')).toBe('5');
    expect(subtractDecimal('2e3', '1')).toBe('1999');
    expect(subtractDecimal(null, '1')).toBeNull();
    expect(subtractDecimal('1', 'n/a')).toBeNull();
    expect(subtractDecimal(Number.NaN, 1)).toBeNull();
    expect(subtractDecimal('', '1')).toBeNull();
    expect(subtractDecimal('.', '1')).toBeNull();
    expect(parseDecimal('1e999999')).toBeNull();
  });

  it('never prints a negative zero', () => {
    expect(subtractDecimal('-0.00', '0')).toBe('0.00');
    expect(subtractDecimal('5.10', '5.1')).toBe('0.00');
  });

  it('compares exactly where floats cannot tell', () => {
    expect(compareDecimal('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareDecimal('0.10', '0.1')).toBe(0);
    expect(compareDecimal('-2', '1')).toBe(-1);
    expect(compareDecimal('x', '1')).toBeNull();
  });
});
