import { describe, expect, it } from 'vitest';
import { decimalSign, formatClock, formatMoney, gaugeLevel, pnlClass } from '../../../renderer/src/format.ts';
import { hotkeyFor, instrumentIndexFor } from '../../../renderer/src/hotkeys.ts';
import { addSizes } from '../../../renderer/src/sizes.ts';
import { parseOverride } from '../../../renderer/src/override-input.ts';

describe('renderer formatting', () => {
  it('prints engine time as HH:MM:SS,mmm UTC', () => {
    expect(formatClock(Date.UTC(2026, 0, 2, 3, 4, 5, 67))).toBe('03:04:05,067');
  });

  it('signs and groups money without floats, zero stays neutral and never "-0"', () => {
    expect(formatMoney('1234567.50', true)).toBe('+1,234,567.50');
    expect(formatMoney('-1234.5')).toBe('−1,234.5');
    expect(formatMoney('0.00', true)).toBe('0.00');
    expect(formatMoney('-0.00', true)).toBe('0.00');
    expect(decimalSign('-0.000')).toBe(0);
    expect(pnlClass('-0.01')).toBe('pnl-down');
    expect(pnlClass('0.00')).toBe('pnl-zero');
    expect(pnlClass('12')).toBe('pnl-up');
  });

  it('colours gauges green under half, amber to 80 %, red above and solid at the limit', () => {
    expect(gaugeLevel(49, 100)).toBe('ok');
    expect(gaugeLevel(50, 100)).toBe('warn');
    expect(gaugeLevel(80, 100)).toBe('warn');
    expect(gaugeLevel(81, 100)).toBe('danger');
    expect(gaugeLevel(100, 100)).toBe('breach');
    expect(gaugeLevel(-120, 100)).toBe('breach');
    expect(gaugeLevel(1, 0)).toBe('breach');
  });

  it('adds and subtracts sizes exactly at the lot scale', () => {
    expect(addSizes('0.1', '0.2', 1)).toBe('0.3');
    expect(addSizes('0.011', '0.001', 3, true)).toBe('0.010');
    expect(addSizes('0.001', '0.011', 3, true)).toBe('-0.010');
    expect(addSizes('12', '30', 0)).toBe('42');
  });

  it('checks only the format of an override; range is the engine’s call', () => {
    expect(parseOverride('number', '0')).toEqual({ ok: true, value: 0 });
    expect(parseOverride('number', 'abc')).toMatchObject({ ok: false });
    expect(parseOverride('int', '2.5')).toMatchObject({ ok: false });
    expect(parseOverride('int', '-3')).toEqual({ ok: true, value: -3 });
    expect(parseOverride('decimal', '0.010')).toEqual({ ok: true, value: '0.010' });
    expect(parseOverride('decimal', '1e3')).toMatchObject({ ok: false });
  });
});

describe('hotkeys', () => {
  const key = (k: string, target: unknown = { tagName: 'DIV' }, mods = {}) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    target,
    ...mods,
  });
  it('maps bound keys to actions and ignores typing and modifiers', () => {
    expect(hotkeyFor(key('s'))).toBe('toggleQuoting');
    expect(hotkeyFor(key('K'))).toBe('kill');
    expect(hotkeyFor(key('s', { tagName: 'INPUT' }))).toBeNull();
    expect(hotkeyFor(key('s', { isContentEditable: true }))).toBeNull();
    expect(hotkeyFor(key('c', { tagName: 'DIV' }, { ctrlKey: true }))).toBeNull();
    expect(hotkeyFor(key('z'))).toBeNull();
  });

  it('digits 1–9 pick the instrument at that place in the switcher, never while typing', () => {
    expect(instrumentIndexFor(key('1'))).toBe(0);
    expect(instrumentIndexFor(key('9'))).toBe(8);
    expect(instrumentIndexFor(key('0'))).toBeNull();
    expect(instrumentIndexFor(key('s'))).toBeNull();
    expect(instrumentIndexFor(key('2', { tagName: 'INPUT' }))).toBeNull();
    expect(instrumentIndexFor(key('2', { tagName: 'DIV' }, { altKey: true }))).toBeNull();
    // The switcher's digits never collide with an action key.
    expect(hotkeyFor(key('1'))).toBeNull();
  });
});
