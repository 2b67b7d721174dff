/**
 * Times and figures as the review screens print them. The engine clock is UTC, so are these.
 * Pure.
 */
export { formatClock } from '../format.ts';

const p = (n: number, w = 2) => String(n).padStart(w, '0');

/** "2026-01-05 09:00:07" in UTC, for when a run was made. */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** A span to go or gone as "45 s", "3 min 05 s", "2 h 07 min"; "< 1 s" below a second. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return '< 1 s';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${String(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${String(m)} min ${p(s % 60)} s`;
  const h = Math.floor(m / 60);
  return `${String(h)} h ${p(m % 60)} min`;
}

/** A job's progress line: "1,234 / 10,000 (12 %) · about 3 min 05 s left". */
export function progressText(done: number, total: number, etaMs: number | null): string {
  const count = `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`;
  const pct = total > 0 ? ` (${String(Math.floor((Math.min(done, total) / total) * 100))} %)` : '';
  const eta = etaMs === null ? '' : ` · about ${formatDuration(etaMs)} left`;
  return `${count}${pct}${eta}`;
}

/** A count with thousands grouped: 12,345. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
