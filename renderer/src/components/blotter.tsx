import { useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatClock } from '../format.ts';
import { selectFills, selectOrderLog, useEngineStore } from '../store/engine-store.ts';

const ROW = 22;

function VirtualTable<T>(props: {
  rows: readonly T[];
  head: string[];
  cells: (row: T) => (string | number)[];
  rowKey: (row: T, i: number) => string;
  testId: string;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 10,
    getItemKey: (i) => props.rowKey(props.rows[props.rows.length - 1 - i]!, i),
  });
  return (
    <div className="vtable" data-testid={props.testId} data-rows={props.rows.length}>
      <div className="vrow vhead">
        {props.head.map((h) => (
          <span key={h}>{h}</span>
        ))}
      </div>
      <div className="vbody" ref={parent}>
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((item) => {
            // Newest first.
            const row = props.rows[props.rows.length - 1 - item.index]!;
            return (
              <div
                key={item.key}
                className="vrow num"
                style={{
                  position: 'absolute',
                  top: 0,
                  transform: `translateY(${String(item.start)}px)`,
                  height: ROW,
                }}
              >
                {props.cells(row).map((c, i) => (
                  <span key={i}>{c}</span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/**
 * Working orders, order history and fills of the selected instrument, and the account-wide alerts;
 * thousands of rows stay smooth (virtualized).
 */
export function Blotter() {
  const [tab, setTab] = useState<'orders' | 'history' | 'fills' | 'alerts'>('orders');
  const working = useEngineStore((s) => s.state?.orders ?? []);
  const history = useEngineStore(selectOrderLog);
  const fills = useEngineStore(selectFills);
  const alerts = useEngineStore((s) => s.alertLog);
  return (
    <section className="panel blotter" data-testid="blotter">
      <div className="tabs">
        {(['orders', 'history', 'fills', 'alerts'] as const).map((t) => (
          <button
            key={t}
            className={t === tab ? 'active' : ''}
            onClick={() => setTab(t)}
            data-testid={`tab-${t}`}
          >
            {t === 'orders'
              ? `Working (${String(working.length)})`
              : t === 'history'
                ? 'Order log'
                : t === 'fills'
                  ? `Fills (${String(fills.length)})`
                  : `Alerts (${String(alerts.length)})`}
          </button>
        ))}
      </div>
      {tab === 'orders' || tab === 'history' ? (
        <VirtualTable
          testId={tab === 'orders' ? 'orders-table' : 'order-log-table'}
          rows={tab === 'orders' ? working : history}
          head={['Time', 'Id', 'Side', 'Price', 'Size', 'Filled', 'Status', 'Origin']}
          rowKey={(o, i) => `${o.clientId}:${o.status}:${String(i)}`}
          cells={(o) => [
            formatClock(o.updatedAt),
            o.clientId,
            o.side,
            o.price,
            o.size,
            o.filled,
            o.status,
            o.origin + (o.level === null ? '' : ` L${String(o.level)}`),
          ]}
        />
      ) : tab === 'fills' ? (
        <VirtualTable
          testId="fills-table"
          rows={fills}
          head={['Time', 'Exec', 'Side', 'Price', 'Size', 'Fee', 'Liq']}
          rowKey={(f) => f.execId}
          cells={(f) => [
            formatClock(f.ts),
            f.execId,
            f.side,
            f.price,
            f.size,
            f.fee,
            f.liquidity === 'maker' ? 'M' : 'T',
          ]}
        />
      ) : (
        <VirtualTable
          testId="alerts-table"
          rows={alerts}
          head={['Time', 'Severity', 'About', 'Message']}
          rowKey={(a) => a.id}
          cells={(a) => [formatClock(a.at), a.severity, a.symbol ?? 'account', a.message]}
        />
      )}
    </section>
  );
}
