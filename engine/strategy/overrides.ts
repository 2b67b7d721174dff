import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';

/** The trader's overrides in engine units (ticks, lots); absent means "the model decides". */
export interface OverrideValuesInternal {
  gamma?: number;
  kappa?: number;
  sizeLots?: number;
  minSpreadTicks?: number;
  levels?: number;
  skewTicks?: number;
  pinBid?: number;
  pinAsk?: number;
  maxPositionLots?: number;
}

export type OverrideKey = keyof OverrideValuesInternal;

export interface OverrideHistoryEntry {
  field: OverrideKey | 'pause';
  /** What the trader asked for, as they wrote it ('cleared' when removed). */
  value: string;
  at: number;
}

export interface OverrideLimits {
  /** The configured risk limit: an override may lower the maximum position, never raise it. */
  maxPositionLots: number;
  minLots: number;
  maxLevels: number;
}

const HISTORY = 200;

/**
 * The override layer on top of the model. Every change is validated as a whole before any of it
 * applies (a refused change leaves the previous overrides intact), and logged with its time.
 */
export class Overrides {
  private readonly clock: Clock;
  private readonly limits: OverrideLimits;
  private current: Readonly<OverrideValuesInternal> = {};
  private paused = { bid: false, ask: false };
  private readonly log: OverrideHistoryEntry[] = [];

  constructor(clock: Clock, limits: OverrideLimits) {
    this.clock = clock;
    this.limits = limits;
  }

  values(): Readonly<OverrideValuesInternal> {
    return this.current;
  }

  pausedSides(): Readonly<{ bid: boolean; ask: boolean }> {
    return this.paused;
  }

  history(): readonly OverrideHistoryEntry[] {
    return this.log;
  }

  /** Applies several overrides at once; `shown` carries each value as the trader typed it, for the log. */
  set(values: OverrideValuesInternal, shown: Partial<Record<OverrideKey, string>> = {}): void {
    const next: OverrideValuesInternal = { ...this.current, ...values };
    this.validate(next, values);
    this.current = next;
    const at = this.clock.now();
    for (const key of Object.keys(values) as OverrideKey[]) {
      this.record({ field: key, value: shown[key] ?? String(values[key]), at });
    }
  }

  clear(fields: readonly OverrideKey[]): void {
    const next: OverrideValuesInternal = { ...this.current };
    for (const f of fields) Reflect.deleteProperty(next, f);
    this.current = next;
    const at = this.clock.now();
    for (const f of fields) this.record({ field: f, value: 'cleared', at });
  }

  pause(side: 'bid' | 'ask' | 'both'): void {
    this.setPaused(side, true);
  }

  resume(side: 'bid' | 'ask' | 'both'): void {
    this.setPaused(side, false);
  }

  private setPaused(side: 'bid' | 'ask' | 'both', value: boolean): void {
    this.paused = {
      bid: side === 'ask' ? this.paused.bid : value,
      ask: side === 'bid' ? this.paused.ask : value,
    };
    this.record({ field: 'pause', value: `${value ? 'paused' : 'resumed'} ${side}`, at: this.clock.now() });
  }

  private record(entry: OverrideHistoryEntry): void {
    this.log.push(entry);
    if (this.log.length > HISTORY) this.log.splice(0, this.log.length - HISTORY);
  }

  private validate(next: OverrideValuesInternal, changed: OverrideValuesInternal): void {
    const fail = (msg: string): never => {
      throw new EngineError('invalid_input', msg);
    };
    const positive = (k: 'gamma' | 'kappa') => {
      const v = changed[k];
      if (v !== undefined && (!Number.isFinite(v) || v <= 0))
        fail(`${k} must be a finite number greater than 0`);
    };
    positive('gamma');
    positive('kappa');
    const int = (k: OverrideKey, lo: number, hi: number, what: string) => {
      const v = changed[k];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < lo || v > hi))
        fail(`${what} must be a whole number from ${lo} to ${hi}`);
    };
    int('sizeLots', this.limits.minLots, Number.MAX_SAFE_INTEGER, 'order size (in lots)');
    int('minSpreadTicks', 0, 1_000_000, 'minimum spread (ticks)');
    int('levels', 1, this.limits.maxLevels, 'levels');
    int('skewTicks', -1_000_000, 1_000_000, 'skew (ticks)');
    int('pinBid', 1, Number.MAX_SAFE_INTEGER, 'pinned bid (ticks)');
    int('pinAsk', 1, Number.MAX_SAFE_INTEGER, 'pinned ask (ticks)');
    int('maxPositionLots', 1, Number.MAX_SAFE_INTEGER, 'maximum position (lots)');
    if (changed.maxPositionLots !== undefined && changed.maxPositionLots > this.limits.maxPositionLots) {
      fail('maximum position can only be lowered below the risk limit, not raised above it');
    }
    if (next.pinBid !== undefined && next.pinAsk !== undefined && next.pinBid >= next.pinAsk) {
      fail('pinned bid must be below pinned ask');
    }
    if (
      next.sizeLots !== undefined &&
      next.maxPositionLots !== undefined &&
      next.sizeLots > next.maxPositionLots
    ) {
      fail('order size cannot exceed the maximum position');
    }
  }
}
