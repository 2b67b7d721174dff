import { formatPrice, formatSize, priceToTicks, sizeToLots, type Instrument } from '../core/instrument.ts';
import type { OverrideKey, OverrideValuesInternal } from '../strategy/overrides.ts';
import type { OverrideField, OverrideValues } from './contract.ts';

interface FieldRow<F extends OverrideField> {
  /** The strategy's name for it (engine units). */
  key: OverrideKey;
  /** From the trader's value (decimal strings in the instrument's units) to ticks, lots or a number. */
  toEngine(inst: Instrument, value: NonNullable<OverrideValues[F]>): number;
  /** Back to what the trader sees. */
  toShown(inst: Instrument, value: number): NonNullable<OverrideValues[F]>;
}

const plain = <F extends OverrideField>(key: OverrideKey): FieldRow<F> =>
  ({
    key,
    toEngine: (_i: Instrument, v: number) => v,
    toShown: (_i: Instrument, v: number) => v,
  }) as unknown as FieldRow<F>;
const size = <F extends OverrideField>(key: OverrideKey): FieldRow<F> =>
  ({ key, toEngine: sizeToLots, toShown: formatSize }) as unknown as FieldRow<F>;
const price = <F extends OverrideField>(key: OverrideKey): FieldRow<F> =>
  ({ key, toEngine: priceToTicks, toShown: formatPrice }) as unknown as FieldRow<F>;

/**
 * The one table of override fields: the contract's name, the strategy's name, and the conversion
 * each way. Setting, clearing, the active view and the history all read it.
 */
export const OVERRIDE_FIELDS: { readonly [F in OverrideField]: FieldRow<F> } = {
  gamma: plain('gamma'),
  kappa: plain('kappa'),
  orderSize: size('sizeLots'),
  minSpreadTicks: plain('minSpreadTicks'),
  levels: plain('levels'),
  skewTicks: plain('skewTicks'),
  pinBid: price('pinBid'),
  pinAsk: price('pinAsk'),
  maxPosition: size('maxPositionLots'),
};

const FIELD_OF_KEY = new Map<OverrideKey, OverrideField>(
  (Object.entries(OVERRIDE_FIELDS) as [OverrideField, FieldRow<OverrideField>][]).map(([f, row]) => [
    row.key,
    f,
  ]),
);

/** The contract's field for a strategy key ('pause' stays 'pause'). */
export function fieldOfKey(key: OverrideKey | 'pause'): OverrideField | 'pause' {
  return key === 'pause' ? 'pause' : (FIELD_OF_KEY.get(key) ?? 'pause');
}

/** The trader's values in engine units, plus each as typed (for the log). Throws on a value off the grid. */
export function toEngineOverrides(
  inst: Instrument,
  input: OverrideValues,
): { values: OverrideValuesInternal; shown: Partial<Record<OverrideKey, string>> } {
  const values: OverrideValuesInternal = {};
  const shown: Partial<Record<OverrideKey, string>> = {};
  for (const field of Object.keys(OVERRIDE_FIELDS) as OverrideField[]) {
    const value = input[field];
    if (value === undefined) continue;
    const row = OVERRIDE_FIELDS[field] as FieldRow<OverrideField>;
    values[row.key] = row.toEngine(inst, value);
    shown[row.key] = String(value);
  }
  return { values, shown };
}

/** The active overrides as the trader sees them. */
export function shownOverrides(inst: Instrument, values: Readonly<OverrideValuesInternal>): OverrideValues {
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(OVERRIDE_FIELDS) as OverrideField[]) {
    const row = OVERRIDE_FIELDS[field] as FieldRow<OverrideField>;
    const v = values[row.key];
    if (v !== undefined) out[field] = row.toShown(inst, v);
  }
  return out;
}
