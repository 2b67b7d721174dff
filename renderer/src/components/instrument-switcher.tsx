import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { QuotingStatus, TradingState } from '../../../engine/api/contract.ts';
import { formatMoney, pnlClass } from '../format.ts';
import { INSTRUMENT_KEYS } from '../hotkeys.ts';
import { selectSelected, useEngineStore } from '../store/engine-store.ts';
import { selectInstrument } from '../store/select-instrument.ts';
import { useUiStore } from '../store/ui-store.ts';

interface TabProps {
  symbol: string;
  base: string;
  tradingState: TradingState;
  quoting: QuotingStatus;
  mid: string | null;
  position: string;
  equity: string;
  selected: boolean;
  pending: boolean;
  hotkey: string | undefined;
}

const InstrumentTab = memo(function InstrumentTab(props: TabProps) {
  return (
    <button
      role="tab"
      aria-selected={props.selected}
      aria-busy={props.pending}
      className={`instrument-tab ${props.selected ? 'instrument-tab--selected' : ''}`}
      data-testid="instrument-tab"
      data-symbol={props.symbol}
      data-selected={props.selected ? 'true' : 'false'}
      data-pending={props.pending ? 'true' : 'false'}
      data-quoting={props.quoting}
      data-trading-state={props.tradingState}
      data-mid={props.mid ?? ''}
      onClick={() => void selectInstrument(props.symbol)}
    >
      <span className="instrument-tab-symbol">{props.symbol}</span>
      <span className={`trading trading--${props.tradingState}`} data-testid="instrument-tab-state">
        {props.tradingState.toUpperCase()}
      </span>
      <span
        className={`quoting-dot quoting-dot--${props.quoting}`}
        data-testid="instrument-tab-quoting"
        title={props.quoting === 'quoting' ? 'quoting' : 'quoting stopped'}
      >
        {props.quoting === 'quoting' ? 'Q' : '–'}
      </span>
      <span className="num" data-testid="instrument-tab-position">
        {props.position} {props.base}
      </span>
      <span className={`num ${pnlClass(props.equity)}`} data-testid="instrument-tab-equity">
        {formatMoney(props.equity, true)}
      </span>
      {props.hotkey ? <kbd>{props.hotkey}</kbd> : null}
    </button>
  );
});

/** One tab per instrument the node trades, in the venue's order; the engine's selection is marked. */
export function InstrumentSwitcher() {
  const instruments = useEngineStore((s) => s.state?.instruments);
  const selected = useEngineStore(selectSelected);
  const { pending, error } = useUiStore(
    useShallow((s) => ({ pending: s.switching.pending, error: s.switching.error })),
  );
  return (
    <nav className="instrument-switcher" data-testid="instrument-switcher" role="tablist">
      {(instruments ?? []).map((i, index) => (
        <InstrumentTab
          key={i.symbol}
          symbol={i.symbol}
          base={i.base}
          tradingState={i.tradingState}
          quoting={i.quoting}
          mid={i.mid}
          position={i.position}
          equity={i.equity}
          selected={i.symbol === selected}
          pending={i.symbol === pending}
          hotkey={INSTRUMENT_KEYS[index]}
        />
      ))}
      {error ? (
        <span className="error" role="alert" data-testid="instrument-switch-error">
          {error}
        </span>
      ) : null}
    </nav>
  );
}
