/** Engine time as HH:MM:SS,mmm in UTC (the engine clock is UTC; traders compare it with venue time). */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}`;
}

/** Sign of a decimal string without parsing it into a float: 1, -1 or 0. */
export function decimalSign(text: string): -1 | 0 | 1 {
  if (text.startsWith('-')) return /[1-9]/.test(text) ? -1 : 0;
  return /[1-9]/.test(text) ? 1 : 0;
}

/** Groups the integer part of a decimal string in thousands and shows + on positive PnL ("exceptZero"). */
export function formatMoney(text: string, signed = false): string {
  const sign = decimalSign(text);
  const body = text.replace(/^-/, '');
  const [int = '0', frac] = body.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const prefix = sign < 0 ? '−' : signed && sign > 0 ? '+' : '';
  return `${prefix}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/** Colour class for a PnL figure: zero stays neutral. */
export function pnlClass(text: string): string {
  const s = decimalSign(text);
  return s > 0 ? 'pnl-up' : s < 0 ? 'pnl-down' : 'pnl-zero';
}

/** Gauge colour: green below half the limit, amber to 80 %, red above, solid at or past the limit. */
export function gaugeLevel(value: number, limit: number): 'ok' | 'warn' | 'danger' | 'breach' {
  if (!(limit > 0)) return 'breach';
  const r = Math.abs(value) / limit;
  if (r >= 1) return 'breach';
  if (r > 0.8) return 'danger';
  if (r >= 0.5) return 'warn';
  return 'ok';
}
