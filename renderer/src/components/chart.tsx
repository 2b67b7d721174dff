import { useEffect, useRef, useState } from 'react';
import {
  createChart,
  createSeriesMarkers,
  LineSeries,
  LineStyle,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type MouseEventParams,
  type SeriesMarker,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { FillView } from '../../../engine/api/contract.ts';
import { newItems, perSecond } from '../series-points.ts';
import { useEngineStore } from '../store/engine-store.ts';
import { listFor } from '../store/event-logs.ts';
import { askLiveDecision } from '../store/review-store.ts';
import { LiveDecision } from './review/decision-panel.tsx';

const RANGES = { '1m': 60, '5m': 300, '15m': 900, all: 0 } as const;
type Range = keyof typeof RANGES;
const MAX_MARKERS = 300;

/**
 * Mid price of the selected instrument with our quotes and reservation price as lines and our fills as markers. Fed by
 * store.subscribe (transient updates), not by re-rendering: price lines move with applyOptions and
 * markers are re-set at most once per animation frame.
 */
export function PriceChart() {
  const host = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const [range, setRange] = useState<Range>('5m');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { color: '#0f1216' }, textColor: '#9aa4b1', attributionLogo: false },
      grid: { vertLines: { color: '#1b222b' }, horzLines: { color: '#1b222b' } },
      timeScale: { timeVisible: true, secondsVisible: true },
      rightPriceScale: { borderColor: '#2a313c' },
    });
    chartRef.current = chart;
    const mid: ISeriesApi<'Line'> = chart.addSeries(LineSeries, {
      color: '#c9d1d9',
      lineWidth: 1,
      priceLineVisible: false,
    });
    const markers = createSeriesMarkers(mid, []);
    const lines: Record<'bid' | 'ask' | 'r', IPriceLine | null> = { bid: null, ask: null, r: null };
    const line = (
      key: 'bid' | 'ask' | 'r',
      price: string | null | undefined,
      color: string,
      title: string,
    ) => {
      const value = price == null ? null : Number(price);
      const existing = lines[key];
      if (value === null || !Number.isFinite(value)) {
        if (existing) {
          mid.removePriceLine(existing);
          lines[key] = null;
        }
        return;
      }
      if (existing) existing.applyOptions({ price: value });
      else
        lines[key] = mid.createPriceLine({
          price: value,
          color,
          lineStyle: LineStyle.Dashed,
          lineWidth: 1,
          axisLabelVisible: true,
          title,
        });
    };
    // undefined: nothing drawn yet.
    let shown: string | null | undefined = undefined;
    let lastTime = 0;
    let pendingMarkers: SeriesMarker<UTCTimestamp>[] = [];
    let markerFrame = 0;
    let drawnFills: readonly FillView[] = [];
    const scheduleMarkers = () => {
      if (markerFrame) return;
      markerFrame = requestAnimationFrame(() => {
        markerFrame = 0;
        markers.setMarkers(pendingMarkers.filter((mk) => mk.time <= lastTime));
      });
    };
    const marker = (f: FillView): SeriesMarker<UTCTimestamp> => {
      const time = Math.max(Math.floor(f.ts / 1000), 0) as UTCTimestamp;
      // The id is the order's client id: a click on the marker asks the journal for its decision.
      const id = `${f.clientId}\u0000${f.side} ${f.size} @ ${f.price}`;
      return f.side === 'buy'
        ? { time, position: 'atPriceBottom', price: Number(f.price), color: '#26a69a', shape: 'arrowUp', id }
        : { time, position: 'atPriceTop', price: Number(f.price), color: '#ef5350', shape: 'arrowDown', id };
    };
    const onClick = (param: MouseEventParams) => {
      const hovered = param.hoveredInfo?.objectId;
      if (typeof hovered !== 'string' || !hovered.includes('\u0000')) return;
      const [clientId = '', what = ''] = hovered.split('\u0000');
      void askLiveDecision(clientId, shown ?? null, `fill ${what}`);
    };
    chart.subscribeClick(onClick);
    const apply = (s: ReturnType<typeof useEngineStore.getState>) => {
      const st = s.state;
      if (!st) return;
      const symbol = st.instrument?.symbol ?? null;
      if (symbol !== shown) {
        // Another instrument's prices share nothing with the last one's: start the line over, from
        // the mids the engine sampled for this instrument with its equity.
        const seed = perSecond(listFor(s.equity, symbol), (p) => p.mid);
        mid.setData(seed.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
        lastTime = seed.at(-1)?.time ?? 0;
        pendingMarkers = [];
        drawnFills = [];
        shown = symbol;
        scheduleMarkers();
      }
      const m = st.book.mid;
      const t = Math.floor(st.time / 1000) as UTCTimestamp;
      if (m !== null && t >= lastTime) {
        mid.update({ time: t, value: Number(m) });
        lastTime = t;
      }
      line('bid', st.quoting.bid.levels[0]?.price, '#26a69a', 'bid');
      line('ask', st.quoting.ask.levels[0]?.price, '#ef5350', 'ask');
      line('r', st.model?.reservation, '#f0a30a', 'r');
      const fills = listFor(s.fills, symbol);
      if (fills !== drawnFills) {
        const delta = newItems(fills, drawnFills.at(-1));
        if (delta.reset) pendingMarkers = [];
        for (const f of delta.items.slice(-MAX_MARKERS)) pendingMarkers.push(marker(f));
        if (pendingMarkers.length > MAX_MARKERS) pendingMarkers = pendingMarkers.slice(-MAX_MARKERS);
        drawnFills = fills;
        scheduleMarkers();
      }
    };
    apply(useEngineStore.getState());
    const off = useEngineStore.subscribe(apply);
    return () => {
      off();
      chart.unsubscribeClick(onClick);
      if (markerFrame) cancelAnimationFrame(markerFrame);
      chart.remove();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const seconds = RANGES[range];
    const time = useEngineStore.getState().state?.time;
    if (seconds === 0 || time === undefined) chart.timeScale().fitContent();
    else {
      const to = Math.floor(time / 1000);
      chart.timeScale().setVisibleRange({ from: (to - seconds) as UTCTimestamp, to: to as UTCTimestamp });
    }
  }, [range]);

  return (
    <section className="panel chart-panel" data-testid="chart">
      <h2>
        Price
        <span className="range-buttons">
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <button
              key={r}
              className={r === range ? 'active' : ''}
              onClick={() => setRange(r)}
              data-testid={`range-${r}`}
            >
              {r}
            </button>
          ))}
        </span>
      </h2>
      <div className="chart-host" ref={host} />
      <LiveDecision />
    </section>
  );
}
