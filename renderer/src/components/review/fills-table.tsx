import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatClock } from '../../review/format.ts';
import type { RunFills } from '../../review/run-columns.ts';

const ROW = 22;

/**
 * A run's fills, read straight from its columns (no object per fill), oldest first and virtualized:
 * a hundred thousand rows scroll like ten. Clicking a row shows its decision and its marker.
 */
export function FillsTable(props: {
  fills: RunFills;
  selected: number | null;
  onPick: (index: number) => void;
}) {
  const { fills, selected, onPick } = props;
  const parent = useRef<HTMLDivElement>(null);
  const count = fills.count;
  const v = useVirtualizer({
    count,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 12,
  });
  useEffect(() => {
    if (selected !== null && selected < count) v.scrollToIndex(selected, { align: 'auto' });
  }, [selected, count, v]);
  return (
    <section className="panel run-fills-panel">
      <h2>
        Fills <span className="muted">{count.toLocaleString('en-US')}</span>
      </h2>
      <div className="vtable fills-vtable" data-testid="run-fills" data-rows={count}>
        <div className="fills-row vhead">
          <span>#</span>
          <span>Time (UTC)</span>
          <span>Side</span>
          <span className="right">Price</span>
          <span className="right">Size</span>
          <span className="right">Fee</span>
          <span>Liquidity</span>
          <span>Cause</span>
          <span className="right">Decision</span>
        </div>
        <div className="vbody" ref={parent}>
          {count === 0 ? <p className="muted">No fills in this run.</p> : null}
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const i = item.index;
              const side = fills.side(i);
              const decision = fills.decision(i);
              return (
                <div
                  key={item.key}
                  className={`fills-row num ${i === selected ? 'fills-row--selected' : ''}`}
                  data-testid={`fill-row-${String(i)}`}
                  role="button"
                  tabIndex={-1}
                  onClick={() => onPick(i)}
                  style={{
                    position: 'absolute',
                    top: 0,
                    transform: `translateY(${String(item.start)}px)`,
                    height: ROW,
                  }}
                >
                  <span className="muted">{i}</span>
                  <span>{formatClock(fills.ts[i] ?? 0)}</span>
                  <span className={side === 'buy' ? 'side-buy' : 'side-sell'}>{side}</span>
                  <span className="right">{fills.priceText(i)}</span>
                  <span className="right">{fills.sizeText(i)}</span>
                  <span className="right">{fills.feeText(i)}</span>
                  <span>{fills.liquidity(i)}</span>
                  <span>{fills.cause(i) ?? '—'}</span>
                  <span className="right muted">{decision === null ? '—' : `#${String(decision)}`}</span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
