import { memo, useCallback, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { targetOf, useEngineStore } from '../store/engine-store.ts';
import { useUiStore } from '../store/ui-store.ts';
import { addSizes } from '../sizes.ts';

const DEPTH = 14;

interface Row {
  slot: string;
  side: 'ask' | 'bid';
  price: string;
  size: string;
  cum: string;
  depth: number;
  own: string;
  ownId: string | null;
}

const LadderRow = memo(function LadderRow(
  props: Row & { onPick: (price: string) => void; onCancel: (id: string) => void },
) {
  return (
    <div
      className={`ladder-row ladder-row--${props.side} ${props.own ? 'ladder-row--own' : ''}`}
      data-testid="ladder-row"
      data-side={props.side}
      data-price={props.price}
      data-own={props.own ? 'true' : 'false'}
      onClick={() => props.onPick(props.price)}
    >
      <span className="num price">{props.price}</span>
      <span className="num size" style={{ backgroundSize: `${Math.round(props.depth * 100)}% 100%` }}>
        {props.size}
      </span>
      <span className="num cum">{props.cum}</span>
      <span className="num own">
        {props.own}
        {props.ownId ? (
          <button
            className="cancel-x"
            title="Cancel this order"
            onClick={(e) => {
              e.stopPropagation();
              props.onCancel(props.ownId!);
            }}
          >
            ✕
          </button>
        ) : null}
      </span>
    </div>
  );
});

/** The order book ladder: asks above, bids below, our working orders marked at their prices. */
export function Ladder() {
  const { bids, asks, mid, microprice, spread, seq } = useEngineStore(
    useShallow((s) => ({
      bids: s.state?.book.bids ?? [],
      asks: s.state?.book.asks ?? [],
      mid: s.state?.book.mid ?? null,
      microprice: s.state?.book.microprice ?? null,
      spread: s.state?.book.spreadTicks ?? null,
      seq: s.state?.book.seq ?? 0,
    })),
  );
  const orders = useEngineStore((s) => s.state?.orders);
  // The instrument this book belongs to, from the same snapshot as the book itself.
  const symbol = useEngineStore((s) => s.state?.instrument?.symbol ?? null);
  const sizeDecimals = useEngineStore((s) => s.state?.instrument?.sizeDecimals ?? 3);
  const invoke = useEngineStore((s) => s.invoke);
  const setTicket = useUiStore((s) => s.setTicket);
  const setLastError = useUiStore((s) => s.setLastError);

  const rows = useMemo(() => {
    const own = new Map<string, { size: string; id: string }>();
    for (const o of orders ?? []) {
      // Only this book's orders: another instrument's order at an equal price is not ours here.
      if (o.symbol !== symbol) continue;
      const prev = own.get(`${o.side}:${o.price}`);
      own.set(`${o.side}:${o.price}`, {
        size: prev ? addSizes(prev.size, o.size, sizeDecimals) : o.size,
        id: o.clientId,
      });
    }
    const askLevels = asks.slice(0, DEPTH);
    const bidLevels = bids.slice(0, DEPTH);
    const total = (levels: typeof asks) => levels.reduce((a, [, s]) => a + Number(s), 0) || 1;
    const askTotal = total(askLevels);
    const bidTotal = total(bidLevels);
    const build = (levels: typeof asks, side: 'ask' | 'bid', sideTotal: number): Row[] => {
      let cum = '0';
      return levels.map(([price, size], i) => {
        cum = addSizes(cum, size, sizeDecimals);
        const mine = own.get(`${side === 'ask' ? 'sell' : 'buy'}:${price}`);
        return {
          slot: `${side}${i}`,
          side,
          price,
          size,
          cum,
          depth: Number(size) / sideTotal,
          own: mine?.size ?? '',
          ownId: mine?.id ?? null,
        };
      });
    };
    return { asks: build(askLevels, 'ask', askTotal).reverse(), bids: build(bidLevels, 'bid', bidTotal) };
  }, [asks, bids, orders, sizeDecimals, symbol]);

  const onPick = useCallback(
    (price: string) => {
      setTicket({ price });
    },
    [setTicket],
  );
  const onCancel = useCallback(
    (clientId: string) => {
      void invoke('orders.cancel', { clientId, ...targetOf(symbol) }).then((r) => {
        setLastError(r.ok ? null : r.error.message);
      });
    },
    [invoke, symbol, setLastError],
  );
  return (
    <section className="panel ladder" data-testid="ladder" data-book-seq={seq} data-symbol={symbol ?? ''}>
      <h2>
        Order book{' '}
        <span className="ladder-symbol" data-testid="instrument-symbol">
          {symbol ?? ''}
        </span>
      </h2>
      <div className="ladder-head">
        <span>Price</span>
        <span>Size</span>
        <span>Cum</span>
        <span>Ours</span>
      </div>
      {rows.asks.map((r) => (
        <LadderRow key={r.slot} {...r} onPick={onPick} onCancel={onCancel} />
      ))}
      <div className="ladder-spread" data-testid="ladder-spread">
        <span className="num">{spread === null ? '—' : `${String(spread)} ticks`}</span>
        <span className="num">mid {mid ?? '—'}</span>
        <span className="num">micro {microprice ?? '—'}</span>
      </div>
      {rows.bids.map((r) => (
        <LadderRow key={r.slot} {...r} onPick={onPick} onCancel={onCancel} />
      ))}
    </section>
  );
}
