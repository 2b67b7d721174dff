import {
  createChart,
  type DeepPartial,
  type ChartOptions,
  type IChartApi,
  type Time,
} from 'lightweight-charts';
import { formatClock } from '../../format.ts';

/**
 * The review's charts: the live chart's colours, UTC times to the millisecond on the crosshair, and
 * one price-axis width for every chart of a page so their time axes line up.
 */
export const AXIS_WIDTH = 84;

function clockOf(time: Time): string {
  return typeof time === 'number' ? formatClock(time * 1000) : '';
}

export function reviewChart(el: HTMLElement, extra: DeepPartial<ChartOptions> = {}): IChartApi {
  return createChart(el, {
    autoSize: true,
    layout: { background: { color: '#0f1216' }, textColor: '#9aa4b1', attributionLogo: false, fontSize: 11 },
    grid: { vertLines: { color: '#1b222b' }, horzLines: { color: '#1b222b' } },
    timeScale: { timeVisible: true, secondsVisible: true, borderColor: '#2a313c', minBarSpacing: 0.001 },
    rightPriceScale: { borderColor: '#2a313c', minimumWidth: AXIS_WIDTH },
    localization: { timeFormatter: clockOf },
    ...extra,
  });
}

/** The series colours of the review (ux.md: side colours apart from profit and loss colours). */
export const COLORS = {
  mid: '#c9d1d9',
  bid: '#26a69a',
  ask: '#ef5350',
  equity: '#12bb7b',
  inventory: '#8de2ff',
  spread: '#12bb7b',
  inventoryPnl: '#f0a30a',
  fees: '#ef5350',
} as const;

/** One colour per compared run. */
export const RUN_COLORS = [
  '#8de2ff',
  '#f0a30a',
  '#c792ea',
  '#12bb7b',
  '#ff8e8c',
  '#f5e663',
  '#7aa2f7',
  '#e0af68',
];
