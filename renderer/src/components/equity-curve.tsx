import { useEffect, useRef } from 'react';
import { AreaSeries, createChart, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEngineStore } from '../store/engine-store.ts';

/** Equity over time from the engine's equity samples, appended as they arrive (no re-render). */
export function EquityCurve() {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { color: '#161b22' }, textColor: '#7d8793', attributionLogo: false },
      grid: { vertLines: { visible: false }, horzLines: { color: '#1f2630' } },
      timeScale: { timeVisible: true, secondsVisible: false, borderVisible: false },
      rightPriceScale: { borderVisible: false },
      handleScroll: false,
      handleScale: false,
    });
    const series: ISeriesApi<'Area'> = chart.addSeries(AreaSeries, {
      lineColor: '#12bb7b',
      topColor: 'rgba(18, 187, 123, 0.25)',
      bottomColor: 'rgba(18, 187, 123, 0)',
      lineWidth: 1,
      priceLineVisible: false,
    });
    let seen = 0;
    let last = 0;
    const apply = (s: ReturnType<typeof useEngineStore.getState>) => {
      if (s.equity.length === seen) return;
      // The store keeps a capped list; start over if it rotated under us.
      const fresh = s.equity.length < seen ? s.equity : s.equity.slice(seen);
      for (const p of fresh) {
        const t = Math.floor(p.at / 1000) as UTCTimestamp;
        if (t < last) continue;
        series.update({ time: t, value: Number(p.equity) });
        last = t;
      }
      seen = s.equity.length;
    };
    apply(useEngineStore.getState());
    const off = useEngineStore.subscribe(apply);
    return () => {
      off();
      chart.remove();
    };
  }, []);
  return <div className="equity-curve" data-testid="equity-curve" ref={host} />;
}
