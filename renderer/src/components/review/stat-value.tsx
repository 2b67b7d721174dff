import { formatMoney, pnlClass } from '../../format.ts';
import { parseDecimal } from '../../review/decimal.ts';
import { formatCount } from '../../review/format.ts';
import { isMoneyStat, isPnlStat, statText } from '../../review/runs.ts';

/** A statistic as text for a cell: money grouped (PnL signed), counts grouped, ratios to 4 digits. */
export function statDisplay(key: string, value: unknown): { text: string; className: string } {
  if (value === null || value === undefined) return { text: '—', className: 'muted' };
  if (typeof value === 'string' && parseDecimal(value) !== null && !value.includes('e')) {
    if (isMoneyStat(key) || isPnlStat(key))
      return { text: formatMoney(value, isPnlStat(key)), className: isPnlStat(key) ? pnlClass(value) : '' };
    return { text: value, className: '' };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { text: '—', className: 'muted' };
    if (Number.isInteger(value)) return { text: formatCount(value), className: '' };
    const text = Math.abs(value) >= 100 ? value.toFixed(2) : String(Number(value.toPrecision(4)));
    return { text, className: isPnlStat(key) ? pnlClass(String(value)) : '' };
  }
  return { text: statText(value), className: typeof value === 'object' ? 'muted stat-json' : '' };
}

export function StatValue(props: { name: string; value: unknown; testId?: string; title?: string }) {
  const { text, className } = statDisplay(props.name, props.value);
  return (
    <span
      className={`num ${className}`}
      data-testid={props.testId}
      title={props.title ?? statText(props.value)}
    >
      {text}
    </span>
  );
}
