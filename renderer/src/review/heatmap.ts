/**
 * The sweep heatmap's grid: one statistic over two parameters of a sweep's runs (Optuna's contour
 * plot, Hummingbot's optimisation view), the other varying parameters held at a chosen value. Pure.
 */
import type { RunView } from '../../../engine/api/contract.ts';
import { compareDecimal, parseDecimal } from './decimal.ts';

/** The runs of one sweep. */
export function sweepRuns(runs: readonly RunView[], sweep: string): RunView[] {
  return runs.filter((r) => r.sweep === sweep);
}

/** Values ordered as numbers when they all are (exactly: "0.05" before "0.1"), else as text. */
export function sortValues(values: Iterable<string>): string[] {
  const list = [...new Set(values)];
  if (list.every((v) => parseDecimal(v) !== null)) return list.sort((a, b) => compareDecimal(a, b) ?? 0);
  return list.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * The parameters whose value differs between the runs (a run without the key counts as the value
 * "default"), with their values in order; keys in name order.
 */
export function varyingParams(runs: readonly RunView[]): { key: string; values: string[] }[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.set)) keys.add(k);
  const out: { key: string; values: string[] }[] = [];
  for (const key of [...keys].sort()) {
    const values = sortValues(runs.map((r) => paramValue(r, key)));
    if (values.length > 1) out.push({ key, values });
  }
  return out;
}

export function paramValue(run: RunView, key: string): string {
  return run.set[key] ?? 'default';
}

/** The statistics some run of the sweep has as a number, in name order. */
export function numericStats(runs: readonly RunView[]): string[] {
  const keys = new Set<string>();
  for (const r of runs)
    for (const [k, v] of Object.entries(r.stats ?? {})) if (parseDecimal(v) !== null) keys.add(k);
  return [...keys].sort();
}

export interface HeatCell {
  xi: number;
  yi: number;
  run: RunView | null;
  /** The statistic as the run stores it, and as a number to colour by; null where there is none. */
  text: string | null;
  value: number | null;
}

export interface Heatmap {
  x: { key: string; values: string[] };
  y: { key: string; values: string[] };
  /** Row by row: cells[yi][xi]. */
  cells: HeatCell[][];
  /** The largest |value|, for a colour scale symmetric around zero; 0 when no cell has one. */
  maxAbs: number;
}

/**
 * The grid of `stat` over parameters `x` (columns) and `y` (rows). Runs whose other varying
 * parameters differ from `fixed` are left out; where several runs fall in one cell (a sweep run
 * twice), the newest is shown.
 */
export function buildHeatmap(
  runs: readonly RunView[],
  stat: string,
  x: string,
  y: string,
  fixed: Readonly<Record<string, string>> = {},
): Heatmap {
  const varying = varyingParams(runs);
  const values = (key: string) =>
    varying.find((p) => p.key === key)?.values ?? sortValues(runs.map((r) => paramValue(r, key)));
  const xs = values(x);
  const ys = values(y);
  const others = Object.entries(fixed).filter(([k]) => k !== x && k !== y);
  const chosen = new Map<string, RunView>();
  for (const r of runs) {
    if (others.some(([k, v]) => paramValue(r, k) !== v)) continue;
    const key = `${paramValue(r, x)}\u0000${paramValue(r, y)}`;
    const prev = chosen.get(key);
    if (!prev || r.createdAt > prev.createdAt || (r.createdAt === prev.createdAt && r.id > prev.id))
      chosen.set(key, r);
  }
  let maxAbs = 0;
  const cells = ys.map((yv, yi) =>
    xs.map((xv, xi): HeatCell => {
      const run = chosen.get(`${xv}\u0000${yv}`) ?? null;
      const raw = run?.stats?.[stat];
      const text = raw === undefined || raw === null ? null : String(raw);
      const value = text !== null && parseDecimal(text) !== null ? Number(text) : null;
      if (value !== null && Number.isFinite(value)) maxAbs = Math.max(maxAbs, Math.abs(value));
      return { xi, yi, run, text, value: value !== null && Number.isFinite(value) ? value : null };
    }),
  );
  return { x: { key: x, values: xs }, y: { key: y, values: ys }, cells, maxAbs };
}

/**
 * A diverging colour around zero: red below, green above, stronger with |value| ÷ maxAbs; a neutral
 * grey at zero and where there is no value.
 */
export function heatColor(value: number | null, maxAbs: number): string {
  if (value === null || !Number.isFinite(value)) return 'rgb(38, 44, 52)';
  const t = maxAbs > 0 ? Math.min(Math.abs(value) / maxAbs, 1) : 0;
  const base = [44, 50, 58];
  const end = value > 0 ? [18, 187, 123] : value < 0 ? [239, 83, 80] : base;
  const mix = base.map((b, i) => Math.round(b + (end[i]! - b) * (0.15 + 0.85 * t)));
  return value === 0 ? `rgb(${base.join(', ')})` : `rgb(${mix.join(', ')})`;
}
