import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../engine/api/review-contract.ts';
import { packNumbers } from '../../../engine/api/review-packed.ts';
import { formatSteps } from '../../../renderer/src/review/decimal.ts';
import { DecimalCells, decimalFloats, unpackNumbers } from '../../../renderer/src/review/packed.ts';
import { runColumns } from '../../../renderer/src/review/run-columns.ts';

describe('review: packed columns across the boundary', () => {
  it('packs numbers in the narrowest kind that holds them exactly, and unpacks them as they were', () => {
    const bytes = packNumbers([0, 1, 255]);
    expect(bytes.kind).toBe('u8');
    expect([...unpackNumbers(bytes)]).toEqual([0, 1, 255]);

    const ints = packNumbers([-1, 650_003, 2 ** 31 - 1]);
    expect(ints.kind).toBe('i32');
    expect([...unpackNumbers(ints)]).toEqual([-1, 650_003, 2 ** 31 - 1]);

    // Times in ms, halves, integers past int32 and nulls need floats; null comes back as NaN.
    const floats = packNumbers([1_767_603_600_001, 0.5, 2 ** 40, null]);
    expect(floats.kind).toBe('f64');
    expect([...unpackNumbers(floats)]).toEqual([1_767_603_600_001, 0.5, 2 ** 40, NaN]);

    expect(unpackNumbers(packNumbers([])).length).toBe(0);
    expect(() => unpackNumbers({ ...ints, length: 4 })).toThrow(/4 i32 has 12 bytes/);
  });

  it('reads decimal text as floats for drawing, empty cells as NaN', () => {
    expect([...decimalFloats('1.5,,-0.25', 3)]).toEqual([1.5, NaN, -0.25]);
    expect([...decimalFloats('', 0)]).toEqual([]);
    // A short text leaves the rows it lacks empty.
    expect([...decimalFloats('7', 2)]).toEqual([7, NaN]);
  });

  it('cuts a decimal cell out of the text only when asked, exactly as the engine printed it', () => {
    const cells = new DecimalCells('0.0065000,,12.50,-3', 4);
    expect(cells.length).toBe(4);
    expect([0, 1, 2, 3].map((i) => cells.at(i))).toEqual(['0.0065000', null, '12.50', '-3']);
    expect(cells.at(-1)).toBeNull();
    expect(cells.at(4)).toBeNull();
    expect(new DecimalCells('1', 3).at(2)).toBeNull();
    expect(new DecimalCells('', 0).length).toBe(0);
  });

  it('prints whole steps as the engine prints prices and sizes', () => {
    expect(formatSteps(6_500_003, '0.1', 2)).toBe('650000.30');
    expect(formatSteps(3, '0.25', 2)).toBe('0.75');
    expect(formatSteps(-10, '0.001', 3)).toBe('-0.010');
    expect(formatSteps(7, '5', 0)).toBe('35');
    expect(formatSteps(1, '0.001', 2)).toBeNull();
    expect(formatSteps(Number.NaN, '0.1', 1)).toBeNull();
  });
});

describe('review: a run page unpacked for the screen', () => {
  const detail: RunDetail = {
    run: {
      id: 1,
      recording: 'r',
      symbol: 'BTCUSDT',
      set: {},
      queue: 'risk-averse',
      latencyMs: 5,
      createdAt: 0,
      status: 'done',
      error: null,
      stats: null,
      sweep: null,
    },
    tickSize: '0.1',
    lotSize: '0.001',
    priceDecimals: 2,
    sizeDecimals: 3,
    samples: {
      ts: packNumbers([1000, 2000]),
      mid: '650000.05,',
      position: packNumbers([10, -20]),
      equity: '0,1.5',
      spread: '0,2',
      inventory: '0,-0.25',
      fees: '0,0.25',
    },
    fills: {
      ts: packNumbers([1500, 1800]),
      side: 'bs',
      price: packNumbers([6_499_995, 6_500_005]),
      size: packNumbers([10, 10]),
      fee: '0.0065,-0.0010',
      liquidity: 'mt',
      cause: { names: ['trade', null], index: packNumbers([0, 1]) },
      decision: packNumbers([7, null]),
    },
    quotes: {
      ts: packNumbers([1000, 1900]),
      bid: packNumbers([6_499_995, null]),
      ask: packNumbers([6_500_005, 6_500_006]),
      thinned: false,
    },
  };

  it('gives each fill its side, cause, decision and printed values, and floats for drawing', () => {
    const { samples, fills, quotes } = runColumns(detail);
    expect(runColumns(detail)).toBe(runColumns(detail));
    expect([...samples.mid]).toEqual([650000.05, NaN]);
    expect([...samples.position]).toEqual([0.01, -0.02]);
    expect([...samples.equity]).toEqual([0, 1.5]);
    expect(fills.count).toBe(2);
    expect([0, 1].map(fills.side)).toEqual(['buy', 'sell']);
    expect([0, 1].map(fills.liquidity)).toEqual(['maker', 'taker']);
    expect([0, 1].map(fills.cause)).toEqual(['trade', null]);
    expect([0, 1].map(fills.decision)).toEqual([7, null]);
    expect([0, 1].map(fills.priceText)).toEqual(['649999.50', '650000.50']);
    expect([0, 1].map(fills.sizeText)).toEqual(['0.010', '0.010']);
    expect([0, 1].map(fills.feeText)).toEqual(['0.0065', '-0.0010']);
    // The float nearest each price, as Number() of its decimal gives it.
    expect([...fills.price]).toEqual([649999.5, 650000.5]);
    expect([...quotes.bid]).toEqual([649999.5, NaN]);
    expect([...quotes.ask]).toEqual([650000.5, 650000.6]);
  });
});
