/**
 * The backtest and sweep forms' inputs turned into `review.start` and `review.sweep` settings: empty
 * fields are the runner's defaults, values stay the strings the trader typed (the engine checks them
 * against its parameters). Pure.
 */

/** The parameters the forms offer, as the runner's --set names them. */
export const FORM_PARAMS = ['gamma', 'kappa', 'size'] as const;
export type FormParam = (typeof FORM_PARAMS)[number];

export const QUEUE_MODELS = ['risk-averse', 'prob-power-2', 'prob-log'] as const;

/** Points a sweep may have; each is a backtest. */
export const MAX_SWEEP_POINTS = 10_000;
/** Values per parameter, as the contract takes them. */
export const MAX_VALUES = 100;

/** The non-empty fields, trimmed: the `set` of a run. */
export function paramSet(inputs: Readonly<Record<string, string>>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const t = v.trim();
    if (t !== '') set[k] = t;
  }
  return set;
}

/** "0.1, 0.2,,0.3 " → ["0.1", "0.2", "0.3"]: blanks dropped, each value once, in the order typed. */
export function parseValueList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

/** A latency field: empty for the default (undefined), else whole ms 0–60,000; null when invalid. */
export function parseLatency(text: string): number | undefined | null {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= 60_000 ? n : null;
}

export interface SweepPlan {
  grid: Record<string, string[]>;
  /** Backtests the grid makes: the product of the list lengths (0 with no list). */
  points: number;
  /** Why the sweep cannot start as typed, or null. */
  problem: string | null;
}

/** The sweep grid from one comma-separated list per parameter; parameters left empty are not swept. */
export function sweepPlan(lists: Readonly<Record<string, string>>): SweepPlan {
  const grid: Record<string, string[]> = {};
  let points = 1;
  let problem: string | null = null;
  for (const [k, text] of Object.entries(lists)) {
    const values = parseValueList(text);
    if (values.length === 0) continue;
    if (values.length > MAX_VALUES && problem === null)
      problem = `${k} has ${String(values.length)} values: at most ${String(MAX_VALUES)}`;
    grid[k] = values;
    points *= values.length;
  }
  if (Object.keys(grid).length === 0) return { grid, points: 0, problem: 'give a list of values to sweep' };
  if (problem === null && points > MAX_SWEEP_POINTS)
    problem = `${points.toLocaleString('en-US')} backtests: at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')}`;
  return { grid, points, problem };
}

/** The fixed parameters of a sweep: the form's values for the parameters the grid does not sweep. */
export function fixedForSweep(
  set: Readonly<Record<string, string>>,
  grid: Readonly<Record<string, string[]>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(set)) if (!(k in grid)) out[k] = v;
  return out;
}

/** The recording a newcomer's first backtest replays. */
export const SAMPLE_RECORDING = 'sample-btcusdt';

/** The recording to propose: the sample when present, else the first shipped sample, else the first. */
export function defaultRecording(recordings: readonly { name: string; source: string }[]): string | null {
  return (
    recordings.find((r) => r.name === SAMPLE_RECORDING)?.name ??
    recordings.find((r) => r.source === 'sample')?.name ??
    recordings[0]?.name ??
    null
  );
}
