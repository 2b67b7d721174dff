/**
 * A run's page data unpacked once (review-contract.ts `RunDetail` is packed for the wire): typed
 * arrays for the charts and the table, and each fill's text made when a row or a marker asks for it.
 * The charts, the fills table, a fill's decision and the compare view share one per run.
 */
import type { RunDetail } from '../../../engine/api/contract.ts';
import { formatSteps } from './decimal.ts';
import { DecimalCells, decimalFloats, unpackNumbers } from './packed.ts';

export interface RunFills {
  count: number;
  /** ms, in the run's order. */
  ts: ArrayLike<number>;
  /** The fill prices as floats, for drawing. */
  price: Float64Array;
  side: (i: number) => 'buy' | 'sell';
  liquidity: (i: number) => 'maker' | 'taker';
  cause: (i: number) => string | null;
  /** The decision behind the fill, null for orders the model did not price. */
  decision: (i: number) => number | null;
  priceText: (i: number) => string;
  sizeText: (i: number) => string;
  feeText: (i: number) => string;
}

export interface RunColumns {
  /** Floats for drawing, by sample. */
  samples: {
    ts: ArrayLike<number>;
    mid: Float64Array;
    position: Float64Array;
    equity: Float64Array;
    spread: Float64Array;
    inventory: Float64Array;
    fees: Float64Array;
  };
  fills: RunFills;
  /** Quote prices as floats, NaN where the side was withheld. */
  quotes: { ts: ArrayLike<number>; bid: Float64Array; ask: Float64Array };
}

/**
 * Whole steps to floats: `units` × the step in 10^-decimals, then one division by 10^decimals, so a
 * price is the float nearest its decimal (what Number("650000.3") gives), as the mid is.
 */
function stepFloats(units: ArrayLike<number>, step: string, decimals: number): Float64Array {
  const scale = 10 ** decimals;
  const scaled = Math.round(Number(step) * scale);
  const out = new Float64Array(units.length);
  for (let i = 0; i < units.length; i++) out[i] = (units[i]! * scaled) / scale;
  return out;
}

function unpackRun(detail: RunDetail): RunColumns {
  const s = detail.samples;
  const n = s.ts.length;
  const f = detail.fills;
  const count = f.ts.length;
  const ticks = unpackNumbers(f.price);
  const lots = unpackNumbers(f.size);
  const decisions = unpackNumbers(f.decision);
  const causes = unpackNumbers(f.cause.index);
  // Cut out for the rows on screen, and indexed when the first is asked for.
  let fees: DecimalCells | null = null;
  const names = f.cause.names;
  const q = detail.quotes;
  return {
    samples: {
      ts: unpackNumbers(s.ts),
      mid: decimalFloats(s.mid, n),
      position: stepFloats(unpackNumbers(s.position), detail.lotSize, detail.sizeDecimals),
      equity: decimalFloats(s.equity, n),
      spread: decimalFloats(s.spread, n),
      inventory: decimalFloats(s.inventory, n),
      fees: decimalFloats(s.fees, n),
    },
    fills: {
      count,
      ts: unpackNumbers(f.ts),
      price: stepFloats(ticks, detail.tickSize, detail.priceDecimals),
      side: (i) => (f.side[i] === 's' ? 'sell' : 'buy'),
      liquidity: (i) => (f.liquidity[i] === 't' ? 'taker' : 'maker'),
      cause: (i) => names[causes[i] ?? -1] ?? null,
      decision: (i) => {
        const seq = decisions[i];
        return seq === undefined || Number.isNaN(seq) ? null : seq;
      },
      priceText: (i) => formatSteps(ticks[i] ?? NaN, detail.tickSize, detail.priceDecimals) ?? '—',
      sizeText: (i) => formatSteps(lots[i] ?? NaN, detail.lotSize, detail.sizeDecimals) ?? '—',
      feeText: (i) => (fees ??= new DecimalCells(f.fee, count)).at(i) ?? '—',
    },
    quotes: {
      ts: unpackNumbers(q.ts),
      bid: stepFloats(unpackNumbers(q.bid), detail.tickSize, detail.priceDecimals),
      ask: stepFloats(unpackNumbers(q.ask), detail.tickSize, detail.priceDecimals),
    },
  };
}

const unpacked = new WeakMap<RunDetail, RunColumns>();

/** The run's columns, unpacked on first use and kept while the detail is. */
export function runColumns(detail: RunDetail): RunColumns {
  let columns = unpacked.get(detail);
  if (!columns) {
    columns = unpackRun(detail);
    unpacked.set(detail, columns);
  }
  return columns;
}
