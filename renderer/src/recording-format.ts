/**
 * What the recording control shows and proposes: a default name, and sizes, spans and counts a
 * trader reads at a glance. Pure functions, so they are tested under Node.
 */

/** Names the engine takes (it has the last word): letters, digits, '.', '_' or '-', at most 60. */
const NAME = /^[\w.-]{1,60}$/;
/** Room the symbols may take in a default name, beside the 14 characters of "-YYYYMMDD-HHMM". */
const SYMBOLS_ROOM = 40;

/**
 * SYMBOL-YYYYMMDD-HHMM in UTC (the engine clock's zone, as the header's clock): one symbol by name,
 * several joined while they fit, else the first and how many more.
 */
export function defaultRecordingName(symbols: readonly string[], timeMs: number): string {
  const d = new Date(timeMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
  const joined = symbols.join('-');
  const head =
    symbols.length === 0
      ? 'recording'
      : joined.length <= SYMBOLS_ROOM
        ? joined
        : `${symbols[0]!.slice(0, SYMBOLS_ROOM - 12)}-and-${symbols.length - 1}-more`;
  return `${head}-${stamp}`;
}

/**
 * `name`, or the first of name-2, name-3… that no listed recording has (two recordings started in
 * the same minute would otherwise be proposed the same name, which the engine refuses).
 */
export function unusedRecordingName(name: string, taken: readonly string[]): string {
  const used = new Set(taken);
  if (!used.has(name)) return name;
  for (let i = 2; ; i++) {
    const candidate = `${name}-${String(i)}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** A hint while typing (the engine judges the name when Start is pressed); null when it looks right. */
export function recordingNameHint(name: string): string | null {
  if (name === '') return 'name the recording';
  if (name.length > 60) return 'at most 60 characters';
  if (!NAME.test(name)) return "use letters, digits, '.', '_' or '-'";
  return null;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in binary units: "812 B", "48.2 KiB", "1.3 MiB", "2.05 GiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(Math.max(0, Math.round(bytes)))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit >= 2 ? 2 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]!}`;
}

/** A span of time: "0 s", "45 s", "12 min 05 s", "2 h 03 min", "3 d 04 h". */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${String(s)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${String(min)} min ${p(s % 60)} s`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${String(h)} h ${p(min % 60)} min`;
  return `${String(Math.floor(h / 24))} d ${p(h % 24)} h`;
}

/** A count with thousands grouped: "1,234,567". */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
