import { describe, expect, it } from 'vitest';
import type { DecisionView } from '../../../engine/api/contract.ts';
import { decisionCells, DECISION_FIELDS } from '../../../renderer/src/review/decision.ts';
import {
  formatClock,
  formatDateTime,
  formatDuration,
  progressText,
} from '../../../renderer/src/review/format.ts';
import { markoutRows, markoutScale } from '../../../renderer/src/review/markouts.ts';

describe('review: times and figures', () => {
  it('prints fill times as HH:MM:SS,mmm and run dates in UTC', () => {
    const t = Date.UTC(2026, 0, 5, 9, 3, 7, 45);
    expect(formatClock(t)).toBe('09:03:07,045');
    expect(formatDateTime(t)).toBe('2026-01-05 09:03:07');
    expect(formatDateTime(Number.NaN)).toBe('—');
  });

  it('prints durations and a job’s progress with its estimate', () => {
    expect(formatDuration(400)).toBe('< 1 s');
    expect(formatDuration(45_400)).toBe('45 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_620_000)).toBe('2 h 07 min');
    expect(formatDuration(-1)).toBe('—');
    expect(progressText(1234, 10_000, 185_000)).toBe('1,234 / 10,000 (12 %) · about 3 min 05 s left');
    expect(progressText(0, 0, null)).toBe('0 / 0');
  });

  it('orders the markouts by horizon with their adverse selection and left-out counts', () => {
    const rows = markoutRows({
      markout_30s: '0.5',
      markout_1s: '-1.25',
      adverse_1s: '0.1',
      markout_500ms: 2,
      markout_1m: null,
      markout_left_out: { '1s': 3, '30s': 7 },
      pnl_total: '1',
    });
    expect(rows.map((r) => r.horizon)).toEqual(['500ms', '1s', '30s', '1m']);
    expect(rows[1]).toEqual({ horizon: '1s', ms: 1000, markout: '-1.25', adverse: '0.1', leftOut: 3 });
    expect(rows[3]!.markout).toBeNull();
    expect(markoutScale(rows)).toBe(2);
    expect(markoutRows(null)).toEqual([]);
  });
});

describe('review: the decision panel', () => {
  const d: DecisionView = {
    seq: 42,
    at: Date.UTC(2026, 0, 5, 9, 0, 1, 250),
    symbol: 'BTCUSDT',
    s: '65000.05',
    sigma: 1.23456789,
    q: -0.5,
    gamma: 0.1,
    kappa: 1.123456789,
    A: 140,
    tau: null,
    reservation: '65000.12',
    bidDistance: 15.2,
    askDistance: 14.8,
    bid: null,
    ask: '65001.6',
    bidSize: null,
    askSize: '0.001',
    bidWithheld: 'max_position',
    askWithheld: null,
    overrides: { skewTicks: '2' },
    tradingState: 'reducing',
    refusal: null,
    feed: 'ok',
    warnings: [],
  };

  it('has every field, and a withheld side shows its reason in place of the price', () => {
    const cells = decisionCells(d);
    expect(cells.map((c) => c.field)).toEqual([...DECISION_FIELDS]);
    const by = Object.fromEntries(cells.map((c) => [c.field, c]));
    expect(by.bid).toMatchObject({ text: 'withheld: max_position', tone: 'warn' });
    expect(by.ask!.text).toBe('65001.6');
    expect(by.seq!.text).toBe('42');
    expect(by.at!.text).toBe('2026-01-05 09:00:01,250');
    expect(by.sigma!.text).toBe('1.23457');
    expect(by.gamma!.text).toBe('0.1');
    expect(by.kappa!.text).toBe('1.123456789');
    expect(by.overrides!.text).toBe('skewTicks=2');
    expect(by.tradingState!.tone).toBe('warn');
    expect(by.refusal).toMatchObject({ text: 'none', tone: 'muted' });
  });
});
