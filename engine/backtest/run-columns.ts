/**
 * A run's fills and samples read as columns for its page, aggregated by SQLite: one string per
 * column (a JSON array of numbers, or text joined by commas) instead of a JavaScript array per row.
 *
 * Measured on the benchmark's run of 100,000 fills and 20,000 samples (tests/bench/ui-review.bench.ts,
 * on a busy two-core machine): reading the rows one by one (a raw tuple per fill, a sample object per
 * sample) and a loop over them took 140–320 ms of the worker's time to open the page, these queries 100–130 ms.
 *
 * They read the tables of results-store.ts, beside them, through a read-only connection of their own
 * (the worker that builds a run's page cannot share the store's), so a change of that schema changes
 * them too; the review tests check a run read this way against the runner's outcome and the store's
 * decisions.
 */
import Database from 'better-sqlite3';
import { EngineError } from '../core/errors.ts';

export interface FillColumns {
  ts: number[];
  priceTicks: number[];
  sizeLots: number[];
  decision: (number | null)[];
  /** One letter per fill: b buy, s sell; m maker, t taker. */
  side: string;
  liquidity: string;
  /** The fees as decimal strings joined by commas (review-contract.ts DecimalColumn). */
  fee: string;
  cause: (string | null)[];
}

/** Decimal columns joined by commas (empty for none), as review-contract.ts DecimalColumn. */
export interface SampleColumns {
  ts: number[];
  mid: string;
  positionLots: number[];
  equity: string;
  spread: string;
  inventory: string;
  fees: string;
}

/**
 * The aggregates see the rows in the order the subquery gives them (its ORDER BY, streamed from the
 * primary key), which SQLite does not promise; an `ORDER BY` inside each aggregate does, at the cost
 * of a sort per column. So the fast form is read with the rows' own order, checked, and the promised
 * form read only if the check fails. (group_concat skips NULLs: every joined value is coalesced.)
 */
const FILLS = (order: string, inner: string) => `
  SELECT json_group_array(seq${order}), json_group_array(ts${order}), json_group_array(price_ticks${order}),
    json_group_array(size_lots${order}), json_group_array(decision${order}),
    group_concat(CASE side WHEN 'sell' THEN 's' ELSE 'b' END, ''${order}),
    group_concat(CASE liquidity WHEN 'taker' THEN 't' ELSE 'm' END, ''${order}),
    group_concat(fee, ','${order}), json_group_array(cause${order})
  FROM (SELECT * FROM run_fills WHERE run_id = ? AND symbol = ?${inner})`;

const SAMPLES = (order: string, inner: string) => `
  SELECT json_group_array(ts${order}), group_concat(coalesce(mid, ''), ','${order}),
    json_group_array(position_lots${order}), group_concat(equity, ','${order}),
    group_concat(coalesce(spread, '0'), ','${order}), group_concat(coalesce(inventory, '0'), ','${order}),
    group_concat(coalesce(fees, '0'), ','${order})
  FROM (SELECT * FROM run_samples WHERE run_id = ? AND symbol = ?${inner})`;

function ascending(values: readonly number[], strictly: boolean): boolean {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1]!;
    const b = values[i]!;
    if (strictly ? b <= a : b < a) return false;
  }
  return true;
}

/** The one row an aggregate query gives: a string per column, null for an aggregate of no rows. */
function aggregateRow(db: Database.Database, sql: string, id: number, symbol: string): (string | null)[] {
  const row = db.prepare(sql).raw().get(id, symbol) as (string | null)[] | undefined;
  if (!row) throw new EngineError('internal', `run ${id}: an aggregate query gave no row`);
  return row;
}

function json<T>(text: string | null | undefined): T[] {
  return text === null || text === undefined ? [] : (JSON.parse(text) as T[]);
}

export class RunColumnsReader {
  private readonly db: Database.Database;

  /** Opens `file` (the backtest database, already at the current schema) read-only. */
  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
  }

  /** One instrument's fills of a run, in the order the run filled them. */
  fills(id: number, symbol: string): FillColumns {
    let row = aggregateRow(this.db, FILLS('', ' ORDER BY seq'), id, symbol);
    if (!ascending(json<number>(row[0]), true))
      row = aggregateRow(this.db, FILLS(' ORDER BY seq', ''), id, symbol);
    const [, ts, price, size, decision, side, liquidity, fee, cause] = row;
    return {
      ts: json(ts),
      priceTicks: json(price),
      sizeLots: json(size),
      decision: json(decision),
      side: side ?? '',
      liquidity: liquidity ?? '',
      fee: fee ?? '',
      cause: json(cause),
    };
  }

  /** One instrument's equity samples of a run, in time order. */
  samples(id: number, symbol: string): SampleColumns {
    let row = aggregateRow(this.db, SAMPLES('', ' ORDER BY ts'), id, symbol);
    if (!ascending(json<number>(row[0]), false))
      row = aggregateRow(this.db, SAMPLES(' ORDER BY ts', ''), id, symbol);
    const [ts, mid, position, equity, spread, inventory, fees] = row;
    return {
      ts: json(ts),
      mid: mid ?? '',
      positionLots: json(position),
      equity: equity ?? '',
      spread: spread ?? '',
      inventory: inventory ?? '',
      fees: fees ?? '',
    };
  }

  close(): void {
    this.db.close();
  }
}
