/**
 * Helpers for feeding the store's capped, append-only lists into lightweight-charts, which wants
 * strictly ascending times for `setData` and never older than the last point for `update`.
 */

/**
 * One point per second, the last sample of a second winning; samples older than the point before
 * them are dropped, and so are samples without a value. Values become floats here for drawing only.
 */
export function perSecond<T extends { at: number }>(
  samples: readonly T[],
  value: (sample: T) => string | null,
): { time: number; value: number }[] {
  const out: { time: number; value: number }[] = [];
  for (const sample of samples) {
    const text = value(sample);
    const v = text === null ? NaN : Number(text);
    if (!Number.isFinite(v)) continue;
    const time = Math.floor(sample.at / 1000);
    const last = out[out.length - 1];
    if (last && time < last.time) continue;
    if (last && time === last.time) last.value = v;
    else out.push({ time, value: v });
  }
  return out;
}

/**
 * What a list gained since `last` (the newest item already drawn). When `last` is unknown or was
 * capped out of the list, the whole list is returned with `reset`, and the chart redraws it.
 */
export function newItems<T>(
  list: readonly T[],
  last: T | undefined,
): { reset: boolean; items: readonly T[] } {
  if (last === undefined) return { reset: true, items: list };
  const index = list.lastIndexOf(last);
  return index < 0 ? { reset: true, items: list } : { reset: false, items: list.slice(index + 1) };
}
