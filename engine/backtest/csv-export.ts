import { EngineError } from '../core/errors.ts';
import type { Instrument, InstrumentSpec } from '../core/instrument.ts';
import { defineInstrument, formatPrice, formatSize, notional } from '../core/instrument.ts';

/**
 * A run's fills and equity samples as CSV text for a spreadsheet or a notebook: one header row, then
 * one row per fill or sample, prices and sizes as exact decimal strings on the instrument's grid
 * (ticks and lots times the tick and lot, never through a float). The rows are BacktestStore's
 * (`fills(id)`, `samples(id)`), untyped database rows: each field is checked here, and a row that does
 * not have the shape the store writes is refused rather than printed half-empty.
 *
 * Times are printed twice: `ts` in ms since the epoch (exact, for programs) and `time` in ISO 8601 UTC
 * (for people).
 */
export const FILL_COLUMNS = [
  'ts',
  'time',
  'symbol',
  'side',
  'price',
  'size',
  'notional',
  'fee',
  'liquidity',
  'cause',
  'client_id',
] as const;

export const EQUITY_COLUMNS = ['ts', 'time', 'symbol', 'mid', 'position', 'equity'] as const;

/** The instruments of a run (its recording's), by symbol. */
export function instrumentsBySymbol(specs: readonly InstrumentSpec[]): Map<string, Instrument> {
  return new Map(specs.map((s) => [s.symbol, defineInstrument(s)]));
}

export function fillsCsv(rows: readonly object[], instruments: ReadonlyMap<string, Instrument>): string {
  const lines = [FILL_COLUMNS.join(',')];
  rows.forEach((row, i) => {
    const field = fieldsOf(row, `fill ${i + 1}`);
    const inst = instrumentOf(instruments, field.text('symbol'), `fill ${i + 1}`);
    const ts = field.int('ts');
    const ticks = field.int('price_ticks');
    const lots = field.int('size_lots');
    lines.push(
      csvLine([
        String(ts),
        isoTime(ts),
        inst.symbol,
        field.text('side'),
        formatPrice(inst, ticks),
        formatSize(inst, lots),
        notional(inst, ticks, lots).toFixed(),
        field.text('fee'),
        field.text('liquidity'),
        field.optionalText('cause') ?? '',
        field.text('client_id'),
      ]),
    );
  });
  return `${lines.join('\n')}\n`;
}

export function equityCsv(rows: readonly object[], instruments: ReadonlyMap<string, Instrument>): string {
  const lines = [EQUITY_COLUMNS.join(',')];
  rows.forEach((row, i) => {
    const field = fieldsOf(row, `sample ${i + 1}`);
    const inst = instrumentOf(instruments, field.text('symbol'), `sample ${i + 1}`);
    const ts = field.int('ts');
    lines.push(
      csvLine([
        String(ts),
        isoTime(ts),
        inst.symbol,
        field.optionalText('mid') ?? '',
        formatSize(inst, field.int('position_lots')),
        field.text('equity'),
      ]),
    );
  });
  return `${lines.join('\n')}\n`;
}

function instrumentOf(
  instruments: ReadonlyMap<string, Instrument>,
  symbol: string,
  where: string,
): Instrument {
  const inst = instruments.get(symbol);
  if (inst === undefined)
    throw new EngineError(
      'not_found',
      `${where} is for ${symbol}, which is not an instrument of the run's recording`,
    );
  return inst;
}

function fieldsOf(stored: object, where: string) {
  const row = stored as Record<string, unknown>;
  const bad = (column: string, want: string) =>
    new EngineError('internal', `${where} has no ${want} ${column} (got ${JSON.stringify(row[column])})`);
  return {
    int(column: string): number {
      const v = row[column];
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(column, 'whole-number');
      return v;
    },
    text(column: string): string {
      const v = row[column];
      if (typeof v !== 'string') throw bad(column, 'text');
      return v;
    },
    optionalText(column: string): string | undefined {
      const v = row[column];
      if (v === null || v === undefined) return undefined;
      if (typeof v !== 'string') throw bad(column, 'text');
      return v;
    },
  };
}

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}
