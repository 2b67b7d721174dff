/**
 * The markout table of a run's page, from whatever markout and adverse-selection figures its
 * statistics hold (markout_1s, adverse_30s …), by horizon. Pure.
 */

export interface MarkoutRow {
  /** "1s", "500ms", "2m" as the key names it. */
  horizon: string;
  ms: number;
  markout: string | number | null;
  adverse: string | number | null;
  /** Fills left out of this horizon (they lie too close to the end), when the runner says. */
  leftOut: number | null;
}

const KEY = /^(markout|adverse)_(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function figure(v: unknown): string | number | null {
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

/** One row per horizon present, shortest first. */
export function markoutRows(stats: Readonly<Record<string, unknown>> | null): MarkoutRow[] {
  if (!stats) return [];
  const rows = new Map<string, MarkoutRow>();
  const leftOut = stats.markout_left_out;
  for (const [key, value] of Object.entries(stats)) {
    const m = KEY.exec(key);
    if (!m) continue;
    const [, kind, amount = '0', unit = 's'] = m;
    const horizon = `${amount}${unit}`;
    let row = rows.get(horizon);
    if (!row) {
      const left =
        typeof leftOut === 'object' && leftOut !== null
          ? (leftOut as Record<string, unknown>)[horizon]
          : undefined;
      row = {
        horizon,
        ms: Number(amount) * (UNIT_MS[unit] ?? 1000),
        markout: null,
        adverse: null,
        leftOut: typeof left === 'number' ? left : null,
      };
      rows.set(horizon, row);
    }
    if (kind === 'markout') row.markout = figure(value);
    else row.adverse = figure(value);
  }
  return [...rows.values()].sort((a, b) => a.ms - b.ms);
}

/** The largest |figure| of the rows, to scale their bars; 0 when none has one. */
export function markoutScale(rows: readonly MarkoutRow[]): number {
  let max = 0;
  for (const r of rows)
    for (const v of [r.markout, r.adverse]) {
      const n = v === null ? NaN : Number(v);
      if (Number.isFinite(n)) max = Math.max(max, Math.abs(n));
    }
  return max;
}
