import { useEffect, useRef } from 'react';
import { AreaSeries, createChart, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { newItems, perSecond } from '../series-points.ts';
import type { EquityPoint } from '../store/engine-store.ts';
import { selectEquity, selectSelected, useEngineStore } from '../store/engine-store.ts';

type Source = 'instrument' | 'account';

/**
 * Equity over time from the engine's equity samples: the selected instrument's, or the account's.
 * Appended as they arrive (no re-render); redrawn when the instrument changes or the capped list
 * rotated past what is drawn.
 */
export function EquityCurve(props: { source: Source }) {
  const { source } = props;
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
    // undefined: nothing drawn yet (null is the account).
    let shown: string | null | undefined = undefined;
    let drawn: readonly EquityPoint[] = [];
    let lastTime = -Infinity;
    const apply = (s: ReturnType<typeof useEngineStore.getState>) => {
      const key = source === 'account' ? null : selectSelected(s);
      const list = source === 'account' ? s.accountEquity : selectEquity(s);
      if (key === shown && list === drawn) return;
      const delta = key === shown ? newItems(list, drawn.at(-1)) : { reset: true, items: list };
      if (delta.reset) {
        const data = perSecond(list, (p) => p.equity);
        series.setData(data.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
        lastTime = data.at(-1)?.time ?? -Infinity;
      } else {
        for (const p of perSecond(delta.items, (x) => x.equity)) {
          if (p.time < lastTime) continue;
          series.update({ time: p.time as UTCTimestamp, value: p.value });
          lastTime = p.time;
        }
      }
      shown = key;
      drawn = list;
    };
    apply(useEngineStore.getState());
    const off = useEngineStore.subscribe(apply);
    return () => {
      off();
      chart.remove();
    };
  }, [source]);
  return <div className="equity-curve" data-testid="equity-curve" data-source={source} ref={host} />;
}
