import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/core/errors.ts';
import { defineInstrument } from '../../../engine/core/instrument.ts';
import { overrideFields, type OverrideValues } from '../../../engine/api/contract.ts';
import {
  fieldOfKey,
  OVERRIDE_FIELDS,
  shownOverrides,
  toEngineOverrides,
} from '../../../engine/api/override-fields.ts';
import type { OverrideKey } from '../../../engine/strategy/overrides.ts';
import { DEFAULT_SIM_INSTRUMENT, SIM_ETH_INSTRUMENT } from '../../../engine/venues/sim/index.ts';

const BTC = defineInstrument(DEFAULT_SIM_INSTRUMENT); // tick 0.10, lot 0.001
const ETH = defineInstrument(SIM_ETH_INSTRUMENT); // tick 0.01, lot 0.01

const EVERY: Required<OverrideValues> = {
  gamma: 0.02,
  kappa: 1.5,
  orderSize: '0.025',
  minSpreadTicks: 4,
  levels: 3,
  skewTicks: -2,
  pinBid: '64999.9',
  pinAsk: '65001.2',
  maxPosition: '0.5',
};

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('toEngineOverrides', () => {
  it('converts sizes to lots and prices to ticks, keeps plain numbers, and keeps what was typed', () => {
    const { values, shown } = toEngineOverrides(BTC, EVERY);
    expect(values).toEqual({
      gamma: 0.02,
      kappa: 1.5,
      sizeLots: 25,
      minSpreadTicks: 4,
      levels: 3,
      skewTicks: -2,
      pinBid: 649_999,
      pinAsk: 650_012,
      maxPositionLots: 500,
    });
    expect(shown).toEqual({
      gamma: '0.02',
      kappa: '1.5',
      sizeLots: '0.025',
      minSpreadTicks: '4',
      levels: '3',
      skewTicks: '-2',
      pinBid: '64999.9',
      pinAsk: '65001.2',
      maxPositionLots: '0.5',
    });
  });

  it('converts on the grid of the instrument it is given', () => {
    const { values } = toEngineOverrides(ETH, { orderSize: '0.25', pinBid: '3199.99', maxPosition: '3' });
    expect(values).toEqual({ sizeLots: 25, pinBid: 319_999, maxPositionLots: 300 });
  });

  it('leaves out the fields not given', () => {
    expect(toEngineOverrides(BTC, {})).toEqual({ values: {}, shown: {} });
    expect(toEngineOverrides(BTC, { levels: 2 })).toEqual({ values: { levels: 2 }, shown: { levels: '2' } });
  });

  it('refuses a price off the tick grid, naming the tick', () => {
    for (const field of ['pinBid', 'pinAsk'] as const) {
      const err = thrown(() => toEngineOverrides(BTC, { [field]: '65000.05' }));
      expect(err.code).toBe('invalid_number');
      expect(err.message).toBe('BTCUSDT price 65000.05 is not a multiple of 0.1');
    }
  });

  it('refuses a size off the lot grid, naming the lot', () => {
    for (const field of ['orderSize', 'maxPosition'] as const) {
      const err = thrown(() => toEngineOverrides(BTC, { [field]: '0.0015' }));
      expect(err.code).toBe('invalid_number');
      expect(err.message).toBe('BTCUSDT size 0.0015 is not a multiple of 0.001');
    }
    expect(thrown(() => toEngineOverrides(ETH, { orderSize: '0.015' })).message).toMatch(
      /multiple of 0\.01$/,
    );
  });

  it('refuses a zero size or price', () => {
    expect(() => toEngineOverrides(BTC, { orderSize: '0' })).toThrow(EngineError);
    expect(() => toEngineOverrides(BTC, { pinAsk: '0.0' })).toThrow(EngineError);
  });
});

describe('shownOverrides', () => {
  it('gives back the trader’s values, printed on the instrument’s decimals', () => {
    const back = shownOverrides(BTC, toEngineOverrides(BTC, EVERY).values);
    expect(back).toEqual({
      gamma: 0.02,
      kappa: 1.5,
      orderSize: '0.025',
      minSpreadTicks: 4,
      levels: 3,
      skewTicks: -2,
      pinBid: '64999.90',
      pinAsk: '65001.20',
      maxPosition: '0.500',
    });
    // Printed again, the same values convert to the same engine units.
    expect(toEngineOverrides(BTC, back).values).toEqual(toEngineOverrides(BTC, EVERY).values);
  });

  it('shows only the fields that are set', () => {
    expect(shownOverrides(ETH, {})).toEqual({});
    expect(shownOverrides(ETH, { sizeLots: 7, skewTicks: 0 })).toEqual({ orderSize: '0.07', skewTicks: 0 });
  });
});

describe('the override field table', () => {
  it('has a row for every contract field, and nothing else', () => {
    expect(Object.keys(OVERRIDE_FIELDS).sort()).toEqual([...overrideFields].sort());
    expect(overrideFields).toHaveLength(9);
  });

  it('maps every strategy key back to its contract field, and pause to pause', () => {
    const keys: Record<OverrideKey | 'pause', string> = {
      gamma: 'gamma',
      kappa: 'kappa',
      sizeLots: 'orderSize',
      minSpreadTicks: 'minSpreadTicks',
      levels: 'levels',
      skewTicks: 'skewTicks',
      pinBid: 'pinBid',
      pinAsk: 'pinAsk',
      maxPositionLots: 'maxPosition',
      pause: 'pause',
    };
    for (const [key, field] of Object.entries(keys)) expect(fieldOfKey(key as OverrideKey)).toBe(field);
    // Each strategy key belongs to one contract field.
    const strategyKeys = overrideFields.map((f) => OVERRIDE_FIELDS[f].key);
    expect(new Set(strategyKeys).size).toBe(overrideFields.length);
    for (const f of overrideFields) expect(fieldOfKey(OVERRIDE_FIELDS[f].key)).toBe(f);
  });
});
